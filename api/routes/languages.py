"""The languages the dictionary knows, with their entry counts."""

from __future__ import annotations

from fastapi import APIRouter

from dictionary import languages

from ..deps import SearchDep
from ..responses import JSON
from ..schemas.service import LanguagesPublic

router = APIRouter(tags=["ngôn ngữ"])


@router.get("/v1/languages", response_model=LanguagesPublic)
async def language_list(search: SearchDep):
    """Codes, Vietnamese and English names, scripts and entry counts."""
    counts = search.store.language_counts()
    return JSON({
        "languages": [
            {"code": lang.code, "name_vi": lang.name_vi, "name_en": lang.name_en,
             "scripts": list(lang.scripts), "entries": counts.get(lang.code, 0)}
            for lang in languages.listed(counts)
        ]
    })
