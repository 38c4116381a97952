"""Demand and growth: term requests, the editors' worklist, speakers, recording campaigns and
their review, and the coverage of every language."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dictionary.editorial.accounts import Role
from dictionary.growth.campaigns import RecordingCampaigns
from dictionary.public import entry_url

from ..deps import ActorDep, CampaignsDep, CoverageDep, Number, WorklistDep, client_of
from ..ratelimit import limited
from ..responses import JSON
from ..schemas.common import errors
from ..schemas.growth import (
    CampaignPublic,
    CampaignWrite,
    ConsentPublic,
    CoveragePublic,
    DecisionPublic,
    DecisionWrite,
    PendingPublic,
    RequestPublic,
    RequestReceived,
    RequestWrite,
    ReviewPublic,
    ReviewWrite,
    SpeakerPublic,
    SpeakerWrite,
    WorklistPublic,
)

router = APIRouter(tags=["bổ sung và ghi âm"], responses=errors(422))
EXPORT_COLUMNS = ("language", "text", "searches", "translations", "requests", "last_seen", "status", "entry",
                  "approximate", "contacts")


def request_public(view: dict) -> dict:
    return {**view, "entry_url": entry_url(view["entry"]) if view["entry"] else None}


@router.post("/v1/requests", status_code=202, response_model=RequestReceived,
             responses=errors(400, 413, 429, 503), dependencies=[Depends(limited("request"))])
def ask(worklist: WorklistDep, body: RequestWrite):
    """Ask for a term in a language (no account needed); the same term and language asked again
    adds to the first request's count.  The answer says where to follow it."""
    number, count = worklist.ask(body.text, body.language, body.context, body.contact)
    return JSON({"number": number, "count": count, "status_url": f"/de-nghi/{number}"}, status_code=202)


@router.get("/v1/requests/{number}", response_model=RequestPublic, responses=errors(404))
def request_status(worklist: WorklistDep, number: Number):
    """A request's status and, once done, the entry that answers it (never its contact)."""
    return JSON(request_public(worklist.request(number)))


@router.get("/v1/worklist", response_model=WorklistPublic, responses=errors(401, 403))
def worklist_items(worklist: WorklistDep, actor: ActorDep,
                   language: Annotated[str | None, Query(description="ISO 639-3; bỏ trống: mọi ngôn ngữ của tài khoản")] = None,
                   limit: Annotated[int, Query(ge=1, le=1000)] = 100):
    """What to do, most wanted first: missed searches, workbench gaps and requests merged by text
    (contributors and editors of the language; admins for all; contacts for admins only)."""
    return JSON({"items": worklist.items(actor, language or None, limit)})


@router.get("/v1/worklist.csv", response_class=Response, responses=errors(401, 403))
def worklist_csv(worklist: WorklistDep, actor: ActorDep,
                 language: Annotated[str | None, Query(description="ISO 639-3")] = None):
    """The worklist as CSV for field work (contacts only for admins)."""
    rows = worklist.rows_for_export(actor, language or None)
    out = io.StringIO()
    columns = [c for c in EXPORT_COLUMNS if not rows or c in rows[0]]
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    writer.writerows(rows)
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="viec-can-lam.csv"'})


@router.get("/v1/worklist.xlsx", response_class=Response, responses=errors(401, 403))
def worklist_xlsx(worklist: WorklistDep, actor: ActorDep,
                  language: Annotated[str | None, Query(description="ISO 639-3")] = None):
    """The worklist as a spreadsheet (contacts only for admins)."""
    from openpyxl import Workbook

    rows = worklist.rows_for_export(actor, language or None)
    book = Workbook()
    sheet = book.create_sheet(index=0)
    book.remove(book.worksheets[1])
    sheet.title = "Việc cần làm"
    columns = [c for c in EXPORT_COLUMNS if not rows or c in rows[0]]
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="viec-can-lam.xlsx"'})


@router.post("/v1/worklist/decisions", response_model=DecisionPublic, responses=errors(400, 401, 403, 503))
def decide(worklist: WorklistDep, actor: ActorDep, request: Request, body: DecisionWrite):
    """Set an item aside (``dismissed``, with a reason) or open it again (editors of the language)."""
    if body.status == "dismissed":
        worklist.dismiss(actor, body.language, body.text, body.reason, client_of(request))
    else:
        worklist.reopen(actor, body.language, body.text, client_of(request))
    return JSON({"language": body.language, "text": body.text, "status": body.status})


@router.get("/v1/speakers/consent", response_model=ConsentPublic)
def consent():
    """The consent a speaker hears before recording, and the licences they may choose."""
    return JSON({"text": RecordingCampaigns.consent_text(), "licences": ["CC BY 4.0", "internal"]})


@router.post("/v1/speakers", status_code=201, response_model=SpeakerPublic, responses=errors(400, 401, 403, 503))
def add_speaker(campaigns: CampaignsDep, actor: ActorDep, request: Request, body: SpeakerWrite):
    """Sign a speaker up with their consent: a contributor for themselves, an editor on a speaker's behalf."""
    return JSON(campaigns.add_speaker(actor, body.model_dump(exclude_unset=True), client_of(request)),
                status_code=201)


@router.get("/v1/speakers/{number}", response_model=SpeakerPublic, responses=errors(401, 403, 404))
def speaker(campaigns: CampaignsDep, actor: ActorDep, number: Number):
    """A speaker's profile and consent (the speaker's own account, or contributors of the language)."""
    row = campaigns.speaker(number)
    if row["account"] != actor.name:
        actor.require(Role.contributor, row["language"])
    return JSON(row)


@router.delete("/v1/speakers/{number}", response_model=SpeakerPublic, responses=errors(401, 403, 404, 503))
def withdraw(campaigns: CampaignsDep, actor: ActorDep, request: Request, number: Number):
    """Withdraw a speaker: their recordings leave the public's view at once (the speaker's own
    account, or an editor of the language)."""
    row = campaigns.withdraw(actor, number, client_of(request))
    del row["withdrawn"]
    return JSON(row)


@router.post("/v1/campaigns", status_code=201, response_model=CampaignPublic,
             responses=errors(400, 401, 403, 404, 503))
def open_campaign(campaigns: CampaignsDep, actor: ActorDep, request: Request, body: CampaignWrite):
    """Open a recording campaign (editors of the language): the entries named, or the published
    entries without an accepted recording, most looked up first (or alphabetically)."""
    return JSON(campaigns.open(actor, body.model_dump(exclude_unset=True), client_of(request)), status_code=201)


@router.get("/v1/campaigns/{number}", response_model=CampaignPublic, responses=errors(401, 403, 404))
def campaign(campaigns: CampaignsDep, actor: ActorDep, number: Number):
    """A campaign, its words and its progress (items, recorded, accepted, rejected), per speaker too
    (contributors of the campaign's language; the public counts are on ``/v1/coverage``)."""
    return JSON(campaigns.progress(actor, number))


@router.get("/v1/campaigns/{number}/pending", response_model=PendingPublic, responses=errors(401, 403, 404))
def pending(campaigns: CampaignsDep, actor: ActorDep, number: Number):
    """The campaign's recordings waiting for review, oldest first, that the reader may review (an
    editor of the language, or a speaker of it: never their own)."""
    return JSON({"campaign": number, "pending": campaigns.pending(actor, number)})


@router.post("/v1/recordings/{clip_id}/review", response_model=ReviewPublic,
             responses=errors(400, 401, 403, 404, 503))
async def review(campaigns: CampaignsDep, actor: ActorDep, request: Request, clip_id: str, body: ReviewWrite):
    """Accept or reject a campaign's recording (an editor of the language, or another speaker of
    it); only accepted recordings are public."""
    return JSON(await run_in_threadpool(campaigns.review, actor, clip_id, body.verdict, body.reason,
                                        client_of(request)))


@router.get("/v1/coverage", response_model=CoveragePublic)
def coverage(report: CoverageDep):
    """Per language and dataset: published entries, those with an accepted native recording,
    recordings pending review, open requests, missed look-ups of the last 30 days."""
    return JSON(report.report())
