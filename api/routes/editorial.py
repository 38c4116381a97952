"""The editors' queues and the audit log: entries waiting for review, suggestions from readers
(anyone may send one; editors accept or dismiss them), and every write, for admins."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from dictionary.public import entry_url

from ..deps import ActorDep, EditingDep, ReaderDep, client_of
from ..ratelimit import limited
from ..responses import JSON
from ..schemas.common import errors
from ..schemas.editorial import (
    AuditPublic,
    ResolveWrite,
    ReviewPublic,
    SuggestionPublic,
    SuggestionReceived,
    SuggestionsPublic,
    SuggestionWrite,
    TeamRulePublic,
    TeamRulesPublic,
    TeamRuleWrite,
    suggestion_public,
)

router = APIRouter(tags=["biên tập"], responses=errors(422))


@router.get("/v1/review", response_model=ReviewPublic, responses=errors(401, 403))
def review(editing: EditingDep, actor: ActorDep,
           language: Annotated[str | None, Query(description="mã ISO 639-3; bỏ trống: mọi ngôn ngữ bạn duyệt")] = None):
    """Entries waiting for an editor, the longest waiting first (editors)."""
    rows = editing.in_review(actor, language or None)
    return JSON({"entries": [{**row, "url": entry_url(row["id"])} for row in rows]})


@router.post("/v1/entries/{entry_id}/suggestions", status_code=202, response_model=SuggestionReceived,
             responses=errors(400, 401, 404, 413, 429, 503), dependencies=[Depends(limited("report"))])
def suggest(editing: EditingDep, reader: ReaderDep, request: Request, entry_id: str, body: SuggestionWrite):
    """Report a wrong word or propose a correction, without an account (on a published entry), or
    signed in (on any entry of the account's languages): it goes to the editors of the entry's
    language."""
    number = editing.suggest(entry_id, body.text, body.contact, client_of(request), reader)
    return JSON({"id": number, "status": "open"}, status_code=202)


@router.get("/v1/suggestions", response_model=SuggestionsPublic, responses=errors(401, 403))
def suggestions(editing: EditingDep, actor: ActorDep,
                status: Annotated[Literal["open", "accepted", "dismissed"] | None,
                                  Query(description="open (mặc định), accepted hoặc dismissed")] = "open",
                language: Annotated[str | None, Query(description="mã ISO 639-3")] = None):
    """Readers' suggestions for the languages the editor reviews."""
    rows = editing.suggestions(actor, status or None, language or None)
    return JSON({"suggestions": [suggestion_public(row) for row in rows]})


@router.post("/v1/suggestions/{number}", response_model=SuggestionPublic,
             responses=errors(400, 401, 403, 404, 409, 503))
def resolve(editing: EditingDep, actor: ActorDep, request: Request, number: Annotated[int, Path(ge=1, le=2**62)],
            body: ResolveWrite):
    """Accept (the entry was corrected) or dismiss a suggestion, with a comment."""
    return JSON(suggestion_public(editing.resolve(actor, number, body.status, body.comment, client_of(request),
                                                  body.revision)))


@router.get("/v1/review/rules", response_model=TeamRulesPublic, responses=errors(401, 403, 503))
def team_rules(editing: EditingDep, actor: ActorDep):
    """The four-eyes rule of each language team an admin set, and the deployment's (editors)."""
    return JSON({"default": editing.teams.default, "languages": editing.teams.rules(actor)})


@router.put("/v1/review/rules/{language}", response_model=TeamRulePublic, responses=errors(400, 401, 403, 503))
def set_team_rule(editing: EditingDep, actor: ActorDep, request: Request, body: TeamRuleWrite,
                  language: Annotated[str, Path(min_length=2, max_length=3, pattern="^[A-Za-z]{2,3}$")]):
    """Switch the four-eyes rule of one language's team (admins): off for a one-person team, with
    the reason; audited."""
    return JSON(editing.teams.set_four_eyes(actor, language, body.four_eyes, body.comment, client_of(request)))


@router.get("/v1/audit", response_model=AuditPublic, responses=errors(401, 403, 503))
def audit(editing: EditingDep, actor: ActorDep,
          since: Annotated[str | None, Query(description="thời điểm ISO 8601, ví dụ 2026-11-01T00:00:00Z",
                                             json_schema_extra={"format": "date-time"})] = None,
          limit: Annotated[int, Query(ge=1, le=1000)] = 100,
          after: Annotated[int, Query(ge=0, le=2**62, description="số của bản ghi cuối đã đọc (để đọc tiếp)")] = 0):
    """Every write — entries, statuses, reverts, suggestions, audio, imports, accounts — with
    time, actor, client address, action and target, oldest first (admins)."""
    return JSON({"records": editing.audit(actor, since or None, limit, after)})
