"""The state of the store and the search index."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from ..deps import SearchDep
from ..responses import JSON
from ..schemas import HealthPublic

router = APIRouter(tags=["vận hành"])


@router.get("/health", response_model=HealthPublic,
            responses={503: {"model": HealthPublic, "description": "the index cannot answer"}})
async def health(search: SearchDep):
    """``ok``, ``stale`` (the index is behind the store) or ``unavailable`` (503)."""
    body = await run_in_threadpool(search.health)
    return JSON(body, status_code=503 if body["status"] == "unavailable" else 200)
