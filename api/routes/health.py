"""The state of the store and the search index."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter

from ..deps import SearchDep
from ..responses import JSON
from ..schemas.service import HealthPublic

router = APIRouter(tags=["vận hành"])

# threads of its own: /health never waits in line behind searches for a worker thread
_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="health")


@router.get("/health", response_model=HealthPublic,
            responses={503: {"model": HealthPublic, "description": "the database or the index cannot answer"}})
async def health(search: SearchDep):
    """``ok``, ``stale`` (the index is behind the store) or ``unavailable`` (503)."""
    body = await asyncio.get_running_loop().run_in_executor(_THREADS, search.health)
    return JSON(body, status_code=503 if body["status"] == "unavailable" else 200)
