"""Services reach routes by injection, so tests can swap the engine without patching."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from dictionary.search import SearchService


async def get_service(request: Request) -> SearchService:
    # async: FastAPI runs a plain ``def`` dependency in a worker thread, a hop that cost more
    # than the whole embedded search
    return request.app.state.service


ServiceDep = Annotated[SearchService, Depends(get_service)]


async def run(service: SearchService, fn, *args):
    """Call the service: in a worker thread when the backend is remote (an Elasticsearch round trip
    must not hold up the event loop), inline when it is embedded (a millisecond of CPU costs less
    than the thread hop it would take)."""
    if getattr(service.backend, "remote", True):
        return await run_in_threadpool(fn, *args)
    return fn(*args)
