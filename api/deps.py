"""Services reach routes by injection, so tests can swap an engine without patching.

Dependencies are ``async``: FastAPI runs a plain ``def`` dependency in a worker thread, a hop that
costs more than a whole embedded search.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Path, Request
from starlette.concurrency import run_in_threadpool

from dictionary.audio.library import AudioLibrary
from dictionary.catalogue import LanguageCatalogue
from dictionary.collection import Collection
from dictionary.editorial.accounts import Account
from dictionary.editorial.editing import Editing
from dictionary.errors import Busy, Forbidden
from dictionary.growth.campaigns import RecordingCampaigns
from dictionary.growth.coverage import Coverage
from dictionary.growth.demand import Counter
from dictionary.growth.worklist import Worklist
from dictionary.search.service import SearchService
from dictionary.services import Translating

from .session import CSRF_HEADER, UNSAFE, csrf_ok, reader_of, session_token

# a number in a path (a request, a campaign, a suggestion): within what the store holds (SQLite: 64 bits)
Number = Annotated[int, Path(ge=1, le=2**62)]


def service(name: str) -> Callable[[Request], Awaitable[Any]]:
    """The dependency that hands a route the service ``name`` of the app's services."""
    async def get(request: Request) -> Any:
        return getattr(request.app.state.services, name)

    get.__name__ = f"get_{name}"
    return get


DemandDep = Annotated[Counter, Depends(service("demand"))]
WorklistDep = Annotated[Worklist, Depends(service("worklist"))]
CampaignsDep = Annotated[RecordingCampaigns, Depends(service("campaigns"))]
CoverageDep = Annotated[Coverage, Depends(service("coverage"))]
SearchDep = Annotated[SearchService, Depends(service("search"))]
CatalogueDep = Annotated[LanguageCatalogue, Depends(service("catalogue"))]
EditingDep = Annotated[Editing, Depends(service("editing"))]
AudioDep = Annotated[AudioLibrary, Depends(service("audio"))]
TranslatorDep = Annotated[Translating, Depends(service("translator"))]
CollectionDep = Annotated[Collection, Depends(service("collection"))]


async def get_actor(request: Request, authorization: Annotated[str | None, Header()] = None,
                    x_api_key: Annotated[str | None, Header()] = None) -> Account:
    """Who sends a write: ``Authorization: Bearer TOKEN`` (an account's token) or ``X-API-Key`` (a
    configured service key).  401 when neither is there or valid."""
    token = None
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer":
            token = value.strip()
    if not token and not x_api_key and session_token(request):
        # a page's own script, signed in: a write must carry the page's CSRF token too
        account = reader_of(request)
        if account is not None:
            if request.method in UNSAFE and not csrf_ok(request, request.headers.get(CSRF_HEADER)):
                raise Forbidden("Thiếu mã chống giả mạo (X-CSRF-Token) của trang; hãy tải lại trang rồi thử lại.")
            return account
    return request.app.state.services.accounts.by_token(token or x_api_key)


ActorDep = Annotated[Account, Depends(get_actor)]


async def get_reader(request: Request, authorization: Annotated[str | None, Header()] = None,
                     x_api_key: Annotated[str | None, Header()] = None) -> Account | None:
    """Who reads: None for the public (no credentials); credentials that are sent must be valid
    (401), so a mistyped token is not silently read as the public."""
    if not authorization and not x_api_key:
        return reader_of(request)  # a signed-in page, or the public
    return await get_actor(request, authorization, x_api_key)


ReaderDep = Annotated[Account | None, Depends(get_reader)]


# what a signed-in reader sees of an entry differs from the public's: caches keep them apart (and
# api.security makes the signed-in reader's answer private, no-store)
VARY = {"Vary": "Authorization, X-API-Key, Cookie"}


def client_of(request: Request) -> str | None:
    """The client's address, for the audit log."""
    return request.client.host if request.client else None


class Gate:
    """Bounds the work one worker process lets wait on a remote engine: ``running`` calls at once
    and ``waiting`` more in line; past that a request is refused at once (503 with Retry-After)
    rather than queued behind an engine that is slow, so a stalled cluster cannot pile up requests
    (and their memory) until even /health waits."""

    # ``running`` stays below the Elasticsearch client's connections per node (10): a call waiting
    # for a connection of the client's pool waits outside its own deadline
    def __init__(self, running: int = 8, waiting: int = 56) -> None:
        self.running, self.waiting = running, waiting
        self._slots = asyncio.Semaphore(running)
        self._inside = 0  # running or waiting

    async def __call__(self, fn, *args):
        if self._inside >= self.running + self.waiting:
            raise Busy("Máy tìm kiếm đang bận trả lời nhiều yêu cầu; xin thử lại sau vài giây.")
        self._inside += 1
        try:
            async with self._slots:
                return await run_in_threadpool(fn, *args)
        finally:
            self._inside -= 1


async def get_gate(request: Request) -> Gate:
    return request.app.state.gate


GateDep = Annotated[Gate, Depends(get_gate)]


async def run(gate: Gate, search: SearchService, fn, *args):
    """Call the search service: through the gate, in a worker thread, when the backend is remote
    (an Elasticsearch round trip must not hold up the event loop), inline when it is embedded (a
    millisecond of CPU costs less than the thread hop it would take)."""
    if search.backend.remote:
        return await gate(fn, *args)
    return fn(*args)

