"""Entries: read one whole, with provenance; write them as revisions, move them through review,
see their history and revert it.

Writes need an account of the entry's language (``Authorization: Bearer``); a change of an
existing entry names the revision it was made from (``If-Match`` with the ETag that was read), so
two editors never silently overwrite each other: missing is 428, stale is 412 with the current
revision in the error."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request

from dictionary.editorial.editing import ETAG, EntryView, parse_etag
from dictionary.errors import PreconditionRequired
from dictionary.public import entry_url

from ..deps import VARY, ActorDep, AudioDep, DemandDep, EditingDep, ReaderDep, client_of
from ..responses import JSON
from ..schemas.audio import clips_public
from ..schemas.common import errors
from ..schemas.entries import (
    EntryDetail,
    EntryWrite,
    HistoryPublic,
    RevertWrite,
    RevisionDetail,
    StatusWrite,
    entry_detail,
)

router = APIRouter(tags=["mục từ"], responses=errors(422))
IfMatch = Annotated[str | None, Header(description="ETag của phiên bản đã đọc, ví dụ \"r3\"", pattern=ETAG)]
_WRITE_ERRORS = errors(400, 401, 403, 404, 409, 412, 413, 422, 428, 503)


def _answer(view: EntryView, audio, status: int = 200, headers: dict[str, str] | None = None) -> JSON:
    clips = clips_public(audio.clips_for([view.entry]))[view.entry["id"]]
    body = entry_detail(view.entry, clips, view)
    # a signed-in reader may see a pending revision: caches keep the public's copy apart
    return JSON(body, status_code=status, headers={"ETag": view.etag, **VARY, **(headers or {})})


@router.get("/v1/entries/{entry_id}", response_model=EntryDetail, responses=errors(401, 404))
async def entry(editing: EditingDep, audio: AudioDep, reader: ReaderDep, demand: DemandDep, request: Request,
                entry_id: str):
    """One entry, whole: senses, variants, what the source held beyond them, where it came from.
    The public reads its published revision; an account of its language reads its latest
    revision, with ``pending`` true when that one waits for review."""
    view = editing.view(entry_id, reader)
    demand.lookup(entry_id, client_of(request))  # counted in memory, by entry and day only
    return _answer(view, audio)


@router.post("/v1/entries", status_code=201, response_model=EntryDetail, responses=errors(400, 401, 403, 413, 422, 503))
def create(editing: EditingDep, audio: AudioDep, actor: ActorDep, request: Request, body: EntryWrite):
    """A new entry, as a draft (contributors and above, in their languages).  201 with its
    ``Location`` and ``ETag``."""
    view = editing.create(actor, body, body.comment, client_of(request))
    return _answer(view, audio, 201, {"Location": entry_url(view.entry["id"])})


@router.put("/v1/entries/{entry_id}", response_model=EntryDetail, responses={**_WRITE_ERRORS, **errors(400, 428)})
def replace(editing: EditingDep, audio: AudioDep, actor: ActorDep, request: Request, entry_id: str,
            body: EntryWrite, if_match: IfMatch = None):
    """A new revision of the entry with this content, made from the revision ``If-Match`` names.
    It is a draft: the public keeps reading the published revision until an editor publishes
    this one."""
    if if_match is None:
        raise PreconditionRequired()
    view = editing.replace(actor, entry_id, body, parse_etag(if_match), body.comment, client_of(request))
    return _answer(view, audio)


@router.post("/v1/entries/{entry_id}/status", response_model=EntryDetail, responses=_WRITE_ERRORS)
def move(editing: EditingDep, audio: AudioDep, actor: ActorDep, request: Request, entry_id: str,
         body: StatusWrite, if_match: IfMatch = None):
    """Move the entry through review: a contributor sends a draft to ``review``; an editor
    ``published`` it, sends it back to ``draft`` (with a comment), or ``retired`` it.  A move the
    role does not allow is 403, one the entry's status does not allow 409."""
    view = editing.move(actor, entry_id, body.status, body.comment, parse_etag(if_match), client_of(request))
    return _answer(view, audio)


@router.post("/v1/entries/{entry_id}/revert", response_model=EntryDetail, responses=_WRITE_ERRORS)
def revert(editing: EditingDep, audio: AudioDep, actor: ActorDep, request: Request, entry_id: str,
           body: RevertWrite, if_match: IfMatch = None):
    """A new revision with an earlier revision's content (editors).  The entry keeps its status:
    a published entry is published again with that content at once."""
    view = editing.revert(actor, entry_id, body.revision, body.comment, parse_etag(if_match), client_of(request))
    return _answer(view, audio)


@router.get("/v1/entries/{entry_id}/history", response_model=HistoryPublic, responses=errors(401, 404))
def history(editing: EditingDep, reader: ReaderDep, entry_id: str):
    """Who changed what, when and why: every revision, oldest first (the public sees those up to
    the published one)."""
    revisions = editing.history(entry_id, reader)
    return JSON({"entry": entry_id, "revisions": revisions}, headers=VARY)


@router.get("/v1/entries/{entry_id}/history/{revision}", response_model=RevisionDetail,
            responses=errors(401, 403, 404))
def revision(editing: EditingDep, actor: ActorDep, entry_id: str, revision: Annotated[int, Path(ge=1, le=2**31)]):
    """One revision with the content it had (accounts of the entry's language)."""
    found = editing.revision(entry_id, revision, actor)
    content = found.pop("body")
    return JSON({**found, "content": content})
