"""The pages of demand and growth: a term request and its public status (``/de-nghi``), the
editors' worklist (``/viec-can-lam``), a recording campaign on a phone (``/ghi-am/{n}``) and the
progress of every language (``/tien-do``, a chart drawn on the server: no script needed)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dictionary import languages as registry
from dictionary.editorial.accounts import Account, Role
from dictionary.errors import DictionaryError

from ..deps import CampaignsDep, CoverageDep, Number, SearchDep, WorklistDep, client_of
from ..ratelimit import refusal
from ..session import csrf_ok, reader_of
from .desk import BAD_FORM, _refused, _sign_in_first, _status_of
from .pages import _context, render

router = APIRouter(include_in_schema=False)

CHART_WIDTH, BAR_HEIGHT, LABEL_WIDTH = 320, 18, 110


@router.post("/de-nghi")
def ask(request: Request, search: SearchDep, worklist: WorklistDep, text: str = Form(""), language: str = Form(""),
        context: str = Form(""), contact: str = Form(""), csrf: str = Form("")):
    """"Đề nghị bổ sung" from the no-exact-match page or the workbench."""
    if not csrf_ok(request, csrf):
        return _refused(request, search, BAD_FORM, 403)
    if refused := refusal(request, "request"):
        return _refused(request, search, refused.message, refused.status)
    try:
        number, _ = worklist.ask(text, language, context or None, contact or None)
    except DictionaryError as exc:
        return _refused(request, search, str(exc), _status_of(exc))
    return RedirectResponse(f"/de-nghi/{number}", status_code=303)


@router.get("/de-nghi/{number}", response_class=HTMLResponse)
def request_page(request: Request, search: SearchDep, worklist: WorklistDep, number: Number):
    view = worklist.request(number)
    return render(request, "de-nghi.html", _context(request, search, item=view))


def _account(request: Request, search, role: Role) -> Account | Response:
    account = reader_of(request)
    if account is None:
        return _sign_in_first(request)
    if not account.may(role):
        return _refused(request, search, "Trang này dành cho người soạn thảo và biên tập viên.", 403)
    return account


@router.get("/viec-can-lam", response_class=HTMLResponse)
def worklist_page(request: Request, search: SearchDep, worklist: WorklistDep,
                  language: str | None = Query(None, alias="ngon-ngu")):
    account = _account(request, search, Role.contributor)
    if not isinstance(account, Account):
        return account
    try:
        items = worklist.items(account, language or None)
    except DictionaryError as exc:
        return _refused(request, search, str(exc), _status_of(exc))
    held = sorted(search.languages()) if account.role == Role.admin or "*" in account.languages \
        else list(account.languages)
    return render(request, "viec-can-lam.html", _context(
        request, search, items=items, language=language or "", held=held,
        may_dismiss={code for code in held if account.may(Role.editor, code)}))


@router.post("/viec-can-lam/bo-qua")
def dismiss(request: Request, search: SearchDep, worklist: WorklistDep, language: str = Form(""),
            text: str = Form(""), reason: str = Form(""), csrf: str = Form("")):
    account = _account(request, search, Role.editor)
    if not isinstance(account, Account):
        return account
    if not csrf_ok(request, csrf):
        return _refused(request, search, BAD_FORM, 403)
    try:
        worklist.dismiss(account, language, text, reason, client_of(request))
    except DictionaryError as exc:
        return _refused(request, search, str(exc), _status_of(exc))
    return RedirectResponse(f"/viec-can-lam?ngon-ngu={language}", status_code=303)


@router.get("/ghi-am/{number}", response_class=HTMLResponse)
def campaign_page(request: Request, search: SearchDep, campaigns: CampaignsDep, number: Number):
    account = _account(request, search, Role.contributor)
    if not isinstance(account, Account):
        return account
    try:
        progress = campaigns.progress(account, number)
    except DictionaryError as exc:
        return _refused(request, search, str(exc), _status_of(exc))
    return render(request, "ghi-am.html", _context(
        request, search, campaign=progress, speaker=campaigns.speaker_of(account.name, progress["language"]),
        consent=campaigns.consent_text(), consent_internal=campaigns.consent_text("internal")))


def chart(rows: list[dict]) -> dict:
    """The bars of the progress chart, in pixels: published entries, those with a voice, those
    waiting for review, per language (the longest bar is the chart's width)."""
    top = max([r["published"] for r in rows] + [1])
    bars = []
    for i, row in enumerate(rows):
        scale = (CHART_WIDTH - LABEL_WIDTH - 50) / top
        bars.append({**row, "y": i * (BAR_HEIGHT * 2 + 8) + 20, "published_w": round(row["published"] * scale, 1),
                     "recorded_w": round(row["recorded"] * scale, 1), "pending_w": round(row["pending"] * scale, 1)})
    return {"bars": bars, "width": CHART_WIDTH, "height": len(rows) * (BAR_HEIGHT * 2 + 8) + 40,
            "label": LABEL_WIDTH, "bar": BAR_HEIGHT}


@router.get("/tien-do", response_class=HTMLResponse)
def progress_page(request: Request, search: SearchDep, coverage: CoverageDep):
    report = coverage.report()
    return render(request, "tien-do.html", _context(request, search, report=report, chart=chart(report["languages"]),
                                                    vietnamese=registry.VIETNAMESE))
