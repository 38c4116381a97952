"""Search and search-as-you-type."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from dictionary import languages
from dictionary.search.queries import MAX_LIMIT, MAX_OFFSET, MAX_QUERY_LENGTH
from dictionary.text.normalize import VISIBLE

from ..deps import AudioDep, DemandDep, GateDep, SearchDep, client_of, run
from ..ratelimit import limited
from ..responses import JSON
from ..schemas.audio import clips_public
from ..schemas.common import errors
from ..schemas.search import SearchPublic, SuggestPublic, hit_public

router = APIRouter(tags=["tra cứu"], responses=errors(422))


@router.get("/v1/search", response_model=SearchPublic, responses=errors(422, 503))
async def search(
    request: Request,
    search: SearchDep,
    audio: AudioDep,
    gate: GateDep,
    demand: DemandDep,
    q: str = Query(description=f"từ cần tra (tối đa {MAX_QUERY_LENGTH} ký tự)", min_length=1,
                   max_length=MAX_QUERY_LENGTH, pattern=VISIBLE),
    source: str | None = Query(None, alias="from", description="ngôn ngữ của từ cần tra (ISO 639-3)"),
    target: str | None = Query(None, alias="to", description="ngôn ngữ muốn tra sang (ISO 639-3)"),
    limit: int = Query(10, description=f"số kết quả, 1–{MAX_LIMIT}", ge=1, le=MAX_LIMIT),
    offset: int = Query(0, description=f"bỏ qua bao nhiêu kết quả đầu, 0–{MAX_OFFSET}", ge=0, le=MAX_OFFSET),
):
    """Entries matching ``q``, best first, each saying which field matched and how."""
    result = await run(gate, search, search.search, q, source, target, limit, offset)
    if not result.exact_matches and not offset:  # counted in memory; written later, off this path
        demand.miss(q, result.query["from"], result.query["to"], client_of(request))
    clips = clips_public(audio.clips_for([h.entry for h in result.hits]))
    body = {"query": result.query, "total": result.total, "exact_matches": result.exact_matches,
            "did_you_mean": list(result.did_you_mean),
            "results": [hit_public(h, clips[h.entry["id"]]) for h in result.hits]}
    if result.stale:
        body["stale"] = True
        return JSON(body, headers={"X-Index-Stale": "1"})
    return JSON(body)


@router.get("/v1/suggest", response_model=SuggestPublic, responses=errors(422, 429, 503),
            dependencies=[Depends(limited("suggest"))])
async def suggest(search: SearchDep, gate: GateDep,
                  q: str = Query(description="đầu của từ đang gõ", min_length=1, max_length=MAX_QUERY_LENGTH,
                                 pattern=VISIBLE),
                  lang: str | None = Query(None, description="ngôn ngữ (ISO 639-3)")):
    """Up to 10 completions, for search-as-you-type."""
    items = await run(gate, search, search.suggest_items, q, lang)
    for item in items:
        item["language_name"] = languages.name(item["language"])
        if item["meaning"] is None:
            del item["meaning"]
    return JSON({"suggestions": [item["text"] for item in items], "items": items})
