"""Offline language packs and the change feed that keeps them (or any other copy) current."""

from __future__ import annotations

import logging
import threading
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from dictionary import languages
from dictionary.errors import Busy, UsePack
from dictionary.packs.pack import MEDIA_TYPE, PackInfo, PackShelf, feed_page

from ..deps import SearchDep, service
from ..errors import HTTPProblem
from ..files import file_answer
from ..responses import JSON
from ..schemas.common import errors
from ..schemas.packs import ChangesPublic, PacksPublic

router = APIRouter(tags=["gói ngoại tuyến"], responses=errors(422))
log = logging.getLogger("tudien.packs")

MAX_CHANGES = 5000  # what limit may ask for; a page holds at most PAGE_CAP (more: true, ask again)
# entries in one page: with their index rows a page of 5,000 cost a second and 4.7 MB
PAGE_CAP = {True: 200, False: 1000}
PACK_ADVICE = 2000  # more changes than this after a cursor: the answer is to download the pack
# one page made at a time in a process: pages made side by side in threads would share the
# interpreter with them and leave the searches on the event loop a sliver of it
_PAGES = threading.BoundedSemaphore(1)
PAGE_WAIT = 5.0  # seconds a page waits for its turn; then 503 with Retry-After
CACHE_CONTROL = "public, no-cache"  # a pack may be replaced at any time: ask with its ETag
AUDIO_TYPE = "application/vnd.sqlite3"


PacksDep = Annotated[PackShelf, Depends(service("packs"))]


def _public(info: PackInfo) -> dict:
    out = {"language": info.language, "language_name": languages.name(info.language), "entries": info.entries,
           "version": info.version, "schema": info.schema, "store": info.store, "bytes": info.bytes,
           "sha256": info.sha256, "gzip_bytes": info.gzip_bytes, "built_at": info.built_at,
           "url": f"/v1/packs/{info.language}"}
    if info.audio:
        out["audio"] = {"url": f"/v1/packs/{info.language}/audio", "bytes": info.audio["bytes"],
                        "sha256": info.audio["sha256"], "recordings": info.audio["recordings"],
                        "content_type": "audio/ogg; codecs=opus"}
    return out


@router.get("/v1/packs", response_model=PacksPublic, responses=errors(503))
async def packs(shelf: PacksDep):
    """Every language's offline pack: its size, checksum, version and address."""
    found = []
    for language in await run_in_threadpool(shelf.languages):
        try:
            info = await run_in_threadpool(shelf.current, language)
        except Exception:  # noqa: BLE001 - one language's pack failing must not hide the others'
            log.exception("the pack of %s could not be made", language)
            continue
        if info is not None:
            found.append(_public(info))
    return JSON({"packs": found}, headers={"Cache-Control": "no-cache"})


async def _pack(shelf: PackShelf, search, language: str) -> PackInfo:
    language = search.language(language)
    info = await run_in_threadpool(shelf.current, language)
    if info is None:
        raise HTTPProblem(404, "no_pack", f"Chưa có mục từ nào được công bố bằng tiếng "
                                          f"{languages.name(language)} ({language}): chưa có gói để tải.")
    return info


def _accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header takes gzip (named or by ``*``, with a q-value above 0)."""
    weights: dict[str, float] = {}
    for part in header.split(","):
        coding, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if coding.strip():
            weights[coding.strip().lower()] = weight
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def _send(request: Request, path, etag: str, media: str, filename: str, headers: dict) -> Response:
    """A pack file (no compression of its own: a pack is sent gzipped only as its .gz file)."""
    return file_answer(request, path, etag, media, {"Cache-Control": CACHE_CONTROL, **headers}, filename=filename)


_PACK_BODY = {"content": {MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
              "description": "the SQLite pack (gzip-encoded when accepted; 206 with Range)"}


@router.head("/v1/packs/{language}", include_in_schema=False)
@router.get("/v1/packs/{language}", response_class=FileResponse,
            responses={200: _PACK_BODY, 206: _PACK_BODY, 304: {"description": "not modified"},
                       **errors(404, 416, 503)})
async def pack(language: str, shelf: PacksDep, search: SearchDep, request: Request):
    """The offline pack of a language: a SQLite database (dictionary/packs/packs.md), sent gzipped
    to a client that accepts it.  Ranges are of what is sent, so a download resumes where it broke."""
    info = await _pack(shelf, search, language)
    gzipped = _accepts_gzip(request.headers.get("accept-encoding", ""))
    headers = {"Vary": "Accept-Encoding", "X-Pack-Version": str(info.version), "X-Pack-SHA256": info.sha256}
    filename = f"tudien-{info.language}-{info.version}.sqlite"
    if gzipped:
        headers["Content-Encoding"] = "gzip"
        return _send(request, shelf.path(info.file + ".gz"), f'"{info.gzip_sha256}"', MEDIA_TYPE, filename, headers)
    return _send(request, shelf.path(info.file), f'"{info.sha256}"', MEDIA_TYPE, filename, headers)


@router.head("/v1/packs/{language}/audio", include_in_schema=False)
@router.get("/v1/packs/{language}/audio", response_class=FileResponse,
            responses={200: _PACK_BODY, 206: _PACK_BODY, 304: {"description": "not modified"},
                       **errors(404, 416, 503)})
async def audio_pack(language: str, shelf: PacksDep, search: SearchDep, request: Request):
    """The recordings of a language's published entries, as mono Opus in one SQLite file."""
    info = await _pack(shelf, search, language)
    if not info.audio:
        raise HTTPProblem(404, "no_audio_pack", f"Chưa có bản ghi âm nào của tiếng {languages.name(info.language)} "
                                                "được công bố: chưa có gói âm thanh.")
    return _send(request, shelf.path(info.audio["file"]), f'"{info.audio["sha256"]}"', AUDIO_TYPE,
                 f"tudien-{info.language}-{info.version}-audio.sqlite",
                 {"X-Pack-Version": str(info.audio["version"])})


@router.get("/v1/changes", response_model=ChangesPublic, responses=errors(410, 429, 503))  # 429: api.ratelimit.Door
async def changes(
    search: SearchDep,
    shelf: PacksDep,
    since: Annotated[int, Query(ge=0, description="the version of the copy to bring up to date (a pack's "
                                                  "version, or the last answer's next); 0: everything")],
    language: Annotated[str | None, Query(description="only the changes its readers need (ISO 639-3)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_CHANGES, description=f"at most this many entries, 1–{MAX_CHANGES}")] = 500,
    include: Annotated[Literal["index"] | None, Query(
        description="index: each change with the rows a pack or another index needs (its keys)")] = None,
):
    """What changed in the public dictionary since ``since``: each entry once, in the order of its
    last change; an upsert carries the entry as the public reads it, a delete only its id.  A page
    holds at most 200 entries with ``include=index``, 1,000 without (``more``: ask again from
    ``next``); rate-limited per client.  410 when the feed no longer reaches back that far, or
    when more than 2,000 changes follow ``since`` (``use_pack``): download the pack."""
    language = search.language(language)
    indexed = include == "index"

    def read() -> dict:
        waiting = shelf.waiting(since, language)
        if waiting > PACK_ADVICE:
            raise UsePack(since, waiting, language)
        if not _PAGES.acquire(timeout=PAGE_WAIT):
            raise Busy("Nhật ký thay đổi đang bận trả lời nhiều bản sao cùng lúc; xin thử lại sau vài giây.",
                       retry_after=2)
        try:
            page = shelf.feed(since, language, min(limit, PAGE_CAP[indexed]))
            return {**feed_page(page, language, index=indexed), "store": shelf.store_id}
        finally:
            _PAGES.release()

    return JSON(await run_in_threadpool(read), headers={"Cache-Control": "no-cache"})
