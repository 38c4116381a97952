"""A page for each language at ``/ngon-ngu/{code}``: its names, counts, datasets and its entries
by letter in its own alphabet order, paged by plain links (no script needed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from dictionary import languages

from ..deps import CatalogueDep, SearchDep
from .pages import _context, render

router = APIRouter(include_in_schema=False)


@router.get("/ngon-ngu/{code}", response_class=HTMLResponse)
async def language_page(request: Request, search: SearchDep, catalogue: CatalogueDep, code: str,
                        letter: Annotated[str | None, Query(alias="chu", max_length=8)] = None,
                        after: Annotated[str | None, Query(alias="sau", max_length=64)] = None):
    language = catalogue.language(code)
    page = catalogue.entries(code, letter or None, after or None)
    return render(request, "ngon-ngu.html", _context(
        request, search, language=language, page=page, title=languages.name(code), source=code, target="",
        q=""))
