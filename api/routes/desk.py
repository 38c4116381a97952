"""The editors' desk in the browser: sign-in at ``/dang-nhap``, the review queue at ``/duyet``,
readers' suggestions at ``/gop-y`` (and the form on every entry page), an entry's history at
``/e/{id}/lich-su``.  Server-rendered forms over the same editing service as the API; every form
that writes carries the CSRF token; a page that needs an account sends the browser to sign in and
back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dictionary.editorial.accounts import Account, Role
from dictionary.editorial.diff import compare, labels
from dictionary.editorial.diff import label as field_label
from dictionary.editorial.editing import STATUS_WORDS
from dictionary.editorial.review import is_move
from dictionary.errors import (
    DictionaryError,
    EntryNotFound,
    Forbidden,
    InvalidAccount,
    InvalidEntry,
    InvalidTransition,
    StaleRevision,
    SuggestionClosed,
    TooManySignIns,
    WrongPassword,
)

from ..agents import describe
from ..deps import EditingDep, Number, SearchDep, client_of
from ..ratelimit import refusal
from ..session import close_session, csrf_ok, open_session, reader_of, session_token
from .pages import SPECIAL_LETTERS, _context, render

router = APIRouter(include_in_schema=False)

LOCAL_OFF = "Đăng nhập bằng mật khẩu của Từ điển DTTS đã tắt; hãy đăng nhập bằng tài khoản cơ quan."
BAD_FORM = "Biểu mẫu đã hết hạn hoặc không đến từ trang này; hãy tải lại trang rồi gửi lại."


def _local(path: str | None) -> str:
    """Where to go back to after signing in: a path of this site only."""
    return path if path and path.startswith("/") and not path.startswith("//") and "\\" not in path else "/duyet"


def _site(request: Request) -> str:
    return request.app.state.public_url or str(request.base_url).rstrip("/")


def _sign_in_first(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/dang-nhap?next={quote(target)}", status_code=303)


def _status_of(exc: DictionaryError) -> int:
    """The status of a page that says why a form was refused."""
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, EntryNotFound):
        return 404
    if isinstance(exc, StaleRevision):
        return 412
    return 409 if isinstance(exc, InvalidTransition | SuggestionClosed) else 422


def _refused(request: Request, search, message: str, status: int) -> Response:
    return render(request, "thong-bao.html", _context(request, search, message=message), status_code=status)


def _said(exc: DictionaryError) -> str:
    """A refusal as the desk says it: a field named by its Vietnamese name."""
    if isinstance(exc, InvalidEntry):
        return f"{field_label(exc.field)}: {str(exc).split(': ', 1)[-1]}"
    return str(exc)


VIETNAM = timezone(timedelta(hours=7), "ICT")  # Vietnam keeps no summer time


def clock(zone_name: str) -> Callable[[str | None], str]:
    """The desk's clock: a stored UTC time as Vietnamese read it (``14:05 ngày 04/12/2026``) in
    the time zone ``zone_name`` (``TUDIEN_TIMEZONE``)."""
    try:
        zone: tzinfo = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):  # a system without the time zone database
        zone = VIETNAM

    def shown(at: str | None) -> str:
        if not at:
            return ""
        try:
            moment = datetime.fromisoformat(at)
        except ValueError:
            return at
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(zone).strftime("%H:%M ngày %d/%m/%Y")
    return shown


def when(request: Request) -> Callable[[str | None], str]:
    """The clock of the app serving ``request``."""
    return clock(getattr(request.app.state, "timezone", "Asia/Ho_Chi_Minh"))


def _versions(revisions: list[dict]) -> list[dict]:
    """The history's revisions with, for a move, the status it came from, and for an edit, its
    changes in Vietnamese."""
    out, before = [], None
    for r in revisions:
        out.append({**r, "from": before,
                    "labels": [] if r["move"] else labels([c for c in r["changes"] if c != "status"])})
        before = r["status"]
    return out


# -- signing in -----------------------------------------------------------------------------------

def _after_password(request: Request, token: str | None, next: str | None) -> str:
    """Where a browser whose password was right goes: its second factor to give or to enrol
    (api.routes.account), or back where it was going."""
    pending = request.app.state.services.accounts.pending(token)
    if pending is None:
        return _local(next)
    step = "/dang-nhap/ma" if pending[1] == "code" else "/tai-khoan/xac-thuc-hai-lop"
    return f"{step}?next={quote(_local(next))}"


@router.get("/dang-nhap", response_class=HTMLResponse)
def sign_in_page(request: Request, search: SearchDep, next: str | None = None):
    if request.app.state.services.accounts.pending(session_token(request)) is not None:
        return RedirectResponse(_after_password(request, session_token(request), next), status_code=303)
    return render(request, "dang-nhap.html", _context(request, search, next=_local(next), name="", error=None,
                                                      sso=request.app.state.sso is not None,
                                                      local=request.app.state.local_passwords))


@router.post("/dang-nhap", response_class=HTMLResponse)
def sign_in(request: Request, search: SearchDep, name: str = Form(""), password: str = Form(""),
            csrf: str = Form(""), next: str = Form("/duyet")):
    if not csrf_ok(request, csrf):
        return _refused(request, search, BAD_FORM, 403)
    if not request.app.state.local_passwords:
        return _refused(request, search, LOCAL_OFF, 403)
    accounts = request.app.state.services.accounts
    try:
        _, token = accounts.sign_in(name, password, client_of(request) or "?", replacing=session_token(request),
                                    agent=describe(request.headers.get("user-agent")))
    except (WrongPassword, TooManySignIns, InvalidAccount) as exc:
        status, headers = (429, {"Retry-After": str(exc.retry_after)}) if isinstance(exc, TooManySignIns) \
            else (422, None) if isinstance(exc, InvalidAccount) else (401, None)
        shown = "" if isinstance(exc, InvalidAccount) else name.strip()  # a name refused is not echoed
        return render(request, "dang-nhap.html", _context(request, search, next=_local(next), name=shown,
                                                          error=str(exc), sso=request.app.state.sso is not None,
                                                          local=True), status_code=status, headers=headers)
    response = RedirectResponse(_after_password(request, token, next), status_code=303)
    open_session(request, response, token)
    return response


@router.post("/dang-xuat")
def sign_out(request: Request, search: SearchDep, csrf: str = Form("")):
    if not csrf_ok(request, csrf):
        return _refused(request, search, BAD_FORM, 403)
    sso, token = request.app.state.sso, session_token(request)
    # signed in through the provider: signed out there too (RP-initiated logout), then back here
    there = sso.sign_out_url(token, _site(request) + "/") if sso is not None else None
    request.app.state.services.accounts.sign_out(token)
    request.app.state.services.federation.signed_out(token)  # its provider tokens are not kept
    response = RedirectResponse(there or "/", status_code=303)
    close_session(request, response)
    return response


# -- the entry editor -------------------------------------------------------------------------------

def _editor(request: Request, search, account: Account, entry: dict | None, revision: int | None,
            saved: int | None = None, suggestion: dict | None = None, draft: dict | None = None) -> Response:
    if account.role == Role.admin or "*" in account.languages:
        choices = sorted(search.languages())
    else:
        choices = list(account.languages)
    data = {"id": entry["id"] if entry else None, "entry": entry or draft, "etag": f'"r{revision}"' if revision else None,
            "letters": SPECIAL_LETTERS, "suggestion": suggestion["id"] if suggestion else None}
    return render(request, "sua.html", _context(request, search, entry=entry, revision=revision, data=data,
                                                choices=choices, saved=saved, status_words=STATUS_WORDS,
                                                suggestion=suggestion))


@router.get("/moi", response_class=HTMLResponse)
def new_entry(request: Request, search: SearchDep, vie: str | None = Query(None, max_length=100),
              lang: str | None = Query(None, max_length=3)):
    account = _reader(request, search, Role.contributor)
    if not isinstance(account, Account):
        return account
    # from the worklist: the Vietnamese term filled in, in the item's language
    draft = {"language": lang or "", "senses": [{"glosses": {"vie": [vie]}}] if vie else []} if vie or lang else None
    return _editor(request, search, account, None, None, draft=draft)


@router.get("/e/{entry_id}/sua", response_class=HTMLResponse)
def edit_entry(request: Request, search: SearchDep, editing: EditingDep, entry_id: str,
               saved: int | None = Query(None, alias="luu"), suggested: int | None = Query(None, alias="gop-y")):
    account = _reader(request, search, Role.contributor)
    if not isinstance(account, Account):
        return account
    state = editing.visible(entry_id, account)  # 404 to an account that may not see a draft
    try:
        account.require(Role.contributor, state.language)
    except Forbidden as exc:
        return _refused(request, search, str(exc), 403)
    suggestion = None
    if suggested is not None and account.may(Role.editor, state.language):
        found = editing.suggestion(account, suggested)
        if found is not None and found["entry_id"] == entry_id:
            suggestion = found
    return _editor(request, search, account, state.body, state.revision, saved, suggestion)


# -- the review queue -------------------------------------------------------------------------------

def _signed_form(request: Request, search, csrf: str, role: Role) -> Account | Response:
    """The account sending a form that writes, when its CSRF token is right and it holds ``role``;
    else the answer to give."""
    if not csrf_ok(request, csrf):
        return _refused(request, search, BAD_FORM, 403)
    return _reader(request, search, role)


def _reader(request: Request, search, role: Role) -> Account | Response:
    """The signed-in account when it holds ``role``; else the answer to give: to sign in first,
    or a page saying what role is needed."""
    account = reader_of(request)
    if account is None:
        return _sign_in_first(request)
    try:
        account.require(role)
    except Forbidden as exc:
        return _refused(request, search, str(exc), 403)
    return account


@router.get("/duyet", response_class=HTMLResponse)
def review_page(request: Request, search: SearchDep, editing: EditingDep, done: str | None = None,
                sent: str | None = Query(None, alias="gui")):
    account = _reader(request, search, Role.contributor)
    if not isinstance(account, Account):
        return account
    waiting = []
    if account.may(Role.editor):
        for row in editing.in_review(account):
            state = editing.state(row["id"])
            revisions = editing.history(row["id"], account)
            written = next((r for r in reversed(revisions) if not is_move(r)), None)
            own = editing.teams.blocks(account, row["language"], revisions)
            waiting.append({**row, "diff": compare(state.public, state.body), "new": state.public is None,
                            "written": written, "own": own})
    heads = {}
    for key in (done, sent):
        if key:
            try:
                heads[key] = editing.state(key).body["headword"]
            except EntryNotFound:
                heads[key] = key
    return render(request, "duyet.html", _context(request, search, waiting=waiting, mine=editing.drafts_of(account),
                                                  done=done, sent=sent, heads=heads, status_words=STATUS_WORDS,
                                                  when=when(request)))


@router.post("/duyet/{entry_id}")
def review_decision(request: Request, search: SearchDep, editing: EditingDep, entry_id: str,
                    status: str = Form(...), comment: str = Form(""), revision: int = Form(...), csrf: str = Form("")):
    account = _signed_form(request, search, csrf, Role.contributor)
    if not isinstance(account, Account):
        return account
    try:
        editing.move(account, entry_id, status, comment or None, revision, client_of(request))
    except DictionaryError as exc:
        return _refused(request, search, _said(exc), _status_of(exc))
    if status == "review":  # the author's own sending: said as such
        return RedirectResponse(f"/duyet?gui={quote(entry_id)}", status_code=303)
    return RedirectResponse(f"/duyet?done={quote(entry_id)}", status_code=303)


# -- suggestions ------------------------------------------------------------------------------------

@router.post("/e/{entry_id}/gop-y")
def suggest(request: Request, search: SearchDep, editing: EditingDep, entry_id: str, text: str = Form(""),
            contact: str = Form(""), csrf: str = Form("")):
    if not csrf_ok(request, csrf):
        return _refused(request, search, BAD_FORM, 403)
    if refused := refusal(request, "report"):
        return _refused(request, search, refused.message, refused.status)
    try:
        editing.suggest(entry_id, text, contact or None, client_of(request), reader_of(request))
    except DictionaryError as exc:
        return _refused(request, search, _said(exc), _status_of(exc))
    return RedirectResponse(f"/e/{quote(entry_id)}?da-gop-y=1#gop-y", status_code=303)


@router.get("/gop-y", response_class=HTMLResponse)
def suggestions_page(request: Request, search: SearchDep, editing: EditingDep):
    account = _reader(request, search, Role.editor)
    if not isinstance(account, Account):
        return account
    rows = editing.suggestions(account, "open")
    heads = {}
    for r in rows:
        try:
            heads[r["entry_id"]] = editing.state(r["entry_id"]).body["headword"]
        except EntryNotFound:  # gone since (a store of before suggestions were closed with their entry)
            heads[r["entry_id"]] = r["entry_id"]
    return render(request, "gop-y.html", _context(request, search, suggestions=rows, heads=heads, when=when(request)))


@router.post("/gop-y/{number}")
def resolve(request: Request, search: SearchDep, editing: EditingDep, number: Number, status: str = Form(...),
            comment: str = Form(""), csrf: str = Form("")):
    account = _signed_form(request, search, csrf, Role.editor)
    if not isinstance(account, Account):
        return account
    if status == "accepted":  # to the editor, the suggestion beside the form; closed when the edit is saved
        found = editing.suggestion(account, number)
        if found is None:
            return _refused(request, search, f"Không có góp ý số {number}.", 404)
        return RedirectResponse(f"/e/{quote(found['entry_id'])}/sua?gop-y={number}", status_code=303)
    try:
        editing.resolve(account, number, status, comment or None, client_of(request))
    except DictionaryError as exc:
        return _refused(request, search, _said(exc), _status_of(exc))
    return RedirectResponse("/gop-y", status_code=303)


# -- history ----------------------------------------------------------------------------------------

@router.get("/e/{entry_id}/lich-su", response_class=HTMLResponse)
def history_page(request: Request, search: SearchDep, editing: EditingDep, entry_id: str,
                 a: int | None = Query(None), b: int | None = Query(None)):
    account = reader_of(request)
    view = editing.view(entry_id, account)
    revisions = editing.history(entry_id, account)
    diff = None
    numbers = [r["revision"] for r in revisions]
    if a is not None and b is not None and a in numbers and b in numbers:
        bodies = {n: editing.revision_body(entry_id, n) for n in (a, b)}
        diff = compare(bodies[a], bodies[b])
    can_revert = account is not None and account.may(Role.editor, view.entry["language"])
    return render(request, "lich-su.html", _context(request, search, entry=view.entry, revisions=_versions(revisions),
                                                    a=a, b=b, diff=diff, can_revert=can_revert,
                                                    current=view.revision, status_words=STATUS_WORDS,
                                                    when=when(request)))


@router.post("/e/{entry_id}/lich-su")
async def revert(request: Request, search: SearchDep, editing: EditingDep, entry_id: str,
                 revision: int = Form(...), current: int = Form(...), comment: str = Form(""), csrf: str = Form("")):
    account = _signed_form(request, search, csrf, Role.contributor)  # the editor's role is the service's check
    if not isinstance(account, Account):
        return account
    try:
        await run_in_threadpool(editing.revert, account, entry_id, revision, comment or None, current,
                                client_of(request))
    except DictionaryError as exc:
        return _refused(request, search, _said(exc), _status_of(exc))
    return RedirectResponse(f"/e/{quote(entry_id)}/lich-su", status_code=303)
