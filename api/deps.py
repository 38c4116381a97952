"""Services reach routes by injection, so tests can swap an engine without patching.

Dependencies are ``async``: FastAPI runs a plain ``def`` dependency in a worker thread, a hop that
costs more than a whole embedded search.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from dictionary.audio.library import AudioLibrary
from dictionary.errors import KeyMissing, KeyRefused
from dictionary.search import SearchService
from dictionary.services import Services
from dictionary.translate import Translator


async def get_services(request: Request) -> Services:
    return request.app.state.services


async def get_search(request: Request) -> SearchService:
    return request.app.state.services.search


async def get_audio(request: Request) -> AudioLibrary:
    return request.app.state.services.audio


async def get_translator(request: Request) -> Translator:
    return request.app.state.services.translator


ServicesDep = Annotated[Services, Depends(get_services)]
SearchDep = Annotated[SearchService, Depends(get_search)]
AudioDep = Annotated[AudioLibrary, Depends(get_audio)]
TranslatorDep = Annotated[Translator, Depends(get_translator)]


async def require_key(request: Request, x_api_key: Annotated[str | None, Header()] = None) -> None:
    """Writes need one of the configured API keys, compared in constant time."""
    keys: tuple[str, ...] = request.app.state.api_keys
    if not keys:
        raise KeyRefused(configured=False)
    if not x_api_key:
        raise KeyMissing()
    if not any(hmac.compare_digest(x_api_key.encode(), k.encode()) for k in keys):
        raise KeyRefused(configured=True)


KeyDep = Annotated[None, Depends(require_key)]


async def run(search: SearchService, fn, *args):
    """Call the search service: in a worker thread when the backend is remote (an Elasticsearch
    round trip must not hold up the event loop), inline when it is embedded (a millisecond of CPU
    costs less than the thread hop it would take)."""
    if search.backend.remote:
        return await run_in_threadpool(fn, *args)
    return fn(*args)
