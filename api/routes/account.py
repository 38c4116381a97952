"""A person's own account in the browser: the sign-in's second step at ``/dang-nhap/ma``, the
account page ``/tai-khoan`` (its second factor and its sessions, each of which it may end), the
enrolment of a second factor at ``/tai-khoan/xac-thuc-hai-lop`` (a QR code made here, a first
code to confirm, ten recovery codes shown once), and an admin's page of everyone's sessions,
``/quan-tri/phien``.  Every form that writes carries the CSRF token."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dictionary.editorial.accounts import Account, Role
from dictionary.errors import (
    DictionaryError,
    InvalidAccount,
    NotSignedIn,
    SessionNotFound,
    TooManySignIns,
    WrongCode,
)

from ..deps import SearchDep, client_of
from ..session import close_session, csrf_ok, open_session, reader_of, session_token
from .desk import BAD_FORM, _after_password, _local, _refused, _sign_in_first, _status_of, when
from .pages import _context, render

router = APIRouter(include_in_schema=False)

ENROL = "/tai-khoan/xac-thuc-hai-lop"


def _qr(uri: str) -> str:
    """The ``otpauth://`` URI as a QR code, an SVG ``data:`` URI made here (the page's policy
    allows images from data: and nothing from elsewhere)."""
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


def _spoken(seconds: float) -> str:
    """A duration as the account page says it: ``30 phút``, ``12 giờ``, ``90 giây``."""
    for unit, word in ((3600, "giờ"), (60, "phút")):
        if seconds >= unit and seconds % unit == 0:
            return f"{int(seconds // unit)} {word}"
    return f"{int(seconds)} giây"


def _services(request: Request):
    return request.app.state.services


# -- the second step of a sign-in ---------------------------------------------------------------

@router.get("/dang-nhap/ma", response_class=HTMLResponse)
def code_page(request: Request, search: SearchDep, next: str | None = None):
    pending = _services(request).accounts.pending(session_token(request))
    if pending is None or pending[1] != "code":
        return RedirectResponse(f"/dang-nhap?next={quote(_local(next))}", status_code=303)
    return render(request, "ma.html", _context(request, search, next=_local(next), error=None, who=pending[0]))


@router.post("/dang-nhap/ma", response_class=HTMLResponse)
def code_given(request: Request, search: SearchDep, code: str = Form(""), csrf: str = Form(""),
               next: str = Form("/duyet")):
    if not csrf_ok(request, csrf):
        return _refused(request, search, BAD_FORM, 403)
    accounts = _services(request).accounts
    try:
        token = accounts.second_step(session_token(request), code, client_of(request) or "?")
    except NotSignedIn:  # the waiting session ended (too late, or signed in elsewhere since)
        return RedirectResponse(f"/dang-nhap?next={quote(_local(next))}", status_code=303)
    except (WrongCode, TooManySignIns) as exc:
        status, headers = (429, {"Retry-After": str(exc.retry_after)}) if isinstance(exc, TooManySignIns) \
            else (401, None)
        pending = accounts.pending(session_token(request))
        return render(request, "ma.html", _context(request, search, next=_local(next), error=str(exc),
                                                   who=pending[0] if pending else None),
                      status_code=status, headers=headers)
    response = RedirectResponse(_local(next), status_code=303)
    open_session(request, response, token)
    return response


# -- the account page and the second factor's enrolment -------------------------------------------

def _signed_in(request: Request) -> Account | Response:
    account = reader_of(request)
    if account is not None:
        return account
    if _services(request).accounts.pending(session_token(request)) is not None:
        return RedirectResponse(_after_password(request, session_token(request), request.url.path), status_code=303)
    return _sign_in_first(request)


@router.get("/tai-khoan", response_class=HTMLResponse)
def account_page(request: Request, search: SearchDep, ended: int | None = None):
    account = _signed_in(request)
    if not isinstance(account, Account):
        return account
    accounts = _services(request).accounts
    return render(request, "tai-khoan.html", _context(
        request, search, account=account, factor=accounts.two_factor.status(account.name),
        sessions=accounts.sessions(account.name), current=accounts.handle_of(session_token(request)),
        when=when(request), ended=ended, idle=_spoken(accounts.policy.idle), longest=_spoken(accounts.policy.longest)))


def _enrolling(request: Request) -> Account | Response:
    """The account enrolling: signed in, or sent to enrol by its sign-in."""
    account = reader_of(request)
    if account is None:
        pending = _services(request).accounts.pending(session_token(request))
        if pending is None or pending[1] != "enrol":
            return _sign_in_first(request)
        account = pending[0]
    return account


@router.get(ENROL, response_class=HTMLResponse)
def enrol_page(request: Request, search: SearchDep, next: str | None = None):
    account = _enrolling(request)
    if not isinstance(account, Account):
        return account
    factor = _services(request).accounts.two_factor
    status = factor.status(account.name)
    if status["enrolled"] or status["external"]:
        return RedirectResponse("/tai-khoan", status_code=303)
    secret, uri = factor.begin(account.name)
    return render(request, "xac-thuc.html", _context(request, search, account=account, secret=secret, qr=_qr(uri),
                                                      next=_local(next or "/tai-khoan"), error=None,
                                                      required=status["required"]))


@router.post(ENROL, response_class=HTMLResponse)
def enrol_confirm(request: Request, search: SearchDep, code: str = Form(""), csrf: str = Form(""),
                  next: str = Form("/tai-khoan")):
    if not csrf_ok(request, csrf):
        return _refused(request, search, BAD_FORM, 403)
    account = _enrolling(request)
    if not isinstance(account, Account):
        return account
    accounts = _services(request).accounts
    try:
        codes, token = accounts.enrol(session_token(request), code, client_of(request) or "?")
    except WrongCode as exc:
        status = accounts.two_factor.status(account.name)
        secret, uri = accounts.two_factor.begin(account.name)
        return render(request, "xac-thuc.html", _context(request, search, account=account, secret=secret, qr=_qr(uri),
                                                          next=_local(next), error=str(exc),
                                                          required=status["required"]), status_code=401)
    except (NotSignedIn, InvalidAccount) as exc:
        return _refused(request, search, str(exc), 403)
    # the recovery codes, on this answer only: never stored in the clear, never shown again
    response = render(request, "ma-khoi-phuc.html", _context(request, search, codes=codes, next=_local(next)))
    if token is not None:
        open_session(request, response, token)
    return response


# -- sessions, ended by their owner or by an admin ------------------------------------------------

@router.post("/tai-khoan/phien/{handle}")
def end_own_session(request: Request, search: SearchDep, handle: str, csrf: str = Form("")):
    if not csrf_ok(request, csrf):
        return _refused(request, search, BAD_FORM, 403)
    account = _signed_in(request)
    if not isinstance(account, Account):
        return account
    accounts = _services(request).accounts
    current = accounts.handle_of(session_token(request))
    try:
        accounts.end_session(handle, actor=account, owner=account.name, client=client_of(request))
    except DictionaryError as exc:
        return _refused(request, search, str(exc), 404 if isinstance(exc, SessionNotFound) else _status_of(exc))
    if handle == current:  # this browser's own: it is signed out
        response = RedirectResponse("/", status_code=303)
        close_session(request, response)
        return response
    return RedirectResponse("/tai-khoan?ended=1", status_code=303)


def _admin(request: Request, search) -> Account | Response:
    account = _signed_in(request)
    if not isinstance(account, Account):
        return account
    if not account.may(Role.admin):
        return _refused(request, search, f"Trang này dành cho quản trị viên; tài khoản {account.name!r} là "
                                         f"{account.role.value}.", 403)
    return account


@router.get("/quan-tri/phien", response_class=HTMLResponse)
def all_sessions(request: Request, search: SearchDep, ended: int | None = None):
    account = _admin(request, search)
    if not isinstance(account, Account):
        return account
    accounts = _services(request).accounts
    return render(request, "phien.html", _context(request, search, sessions=accounts.sessions(None),
                                                  current=accounts.handle_of(session_token(request)),
                                                  when=when(request), ended=ended))


@router.post("/quan-tri/phien/{handle}")
def end_any_session(request: Request, search: SearchDep, handle: str, csrf: str = Form("")):
    if not csrf_ok(request, csrf):
        return _refused(request, search, BAD_FORM, 403)
    account = _admin(request, search)
    if not isinstance(account, Account):
        return account
    try:
        _services(request).accounts.end_session(handle, actor=account, client=client_of(request))
    except DictionaryError as exc:
        return _refused(request, search, str(exc), 404 if isinstance(exc, SessionNotFound) else _status_of(exc))
    return RedirectResponse("/quan-tri/phien?ended=1", status_code=303)
