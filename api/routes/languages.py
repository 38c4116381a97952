"""The languages the dictionary knows, with their counts, and each language's entries by letter."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from dictionary.catalogue import MAX_PAGE, PAGE

from ..deps import CatalogueDep
from ..responses import JSON
from ..schemas.common import errors
from ..schemas.languages import LanguageDetailPublic, LanguageEntriesPublic, LanguagesPublic

router = APIRouter(tags=["ngôn ngữ"])
Code = Annotated[str, Path(description="ISO 639-3 code, e.g. rad, bdq, khm")]  # named so the document lists the codes


@router.get("/v1/languages", response_model=LanguagesPublic)
async def language_list(catalogue: CatalogueDep):
    """Codes, Vietnamese and English names, scripts, counts (entries, with recordings), whether each
    has entries, and its page."""
    return JSON({"languages": catalogue.languages()})


@router.get("/v1/languages/{language}", response_model=LanguageDetailPublic, responses=errors(404, 422))
async def language_detail(catalogue: CatalogueDep, language: Code):
    """One language: its names, counts, datasets with citation and licence, and the letters of its
    alphabet in order, each with how many entries start with it."""
    return JSON(catalogue.language(language))


@router.get("/v1/languages/{language}/entries", response_model=LanguageEntriesPublic, responses=errors(404, 422))
async def language_entries(
    catalogue: CatalogueDep, language: Code,
    letter: Annotated[str | None, Query(description="a letter of /v1/languages/{language}'s letters; "
                                                    "default the first with entries", max_length=8)] = None,
    after: Annotated[str | None, Query(description="the next of the previous page", max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE,
):
    """A language's published entries under one letter, in the language's alphabet order (ICU
    collation), a page at a time: ask again with ``after`` = the answer's ``next``."""
    return JSON(catalogue.entries(language, letter or None, after or None, limit))
