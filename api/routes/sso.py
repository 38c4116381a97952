"""Sign-in through the organisation's identity provider: ``/dang-nhap/oidc`` sends the browser to
the provider's sign-in page, ``/dang-nhap/oidc/ve`` is where the provider sends it back.

The sign-in's ``state`` travels in the address and in a cookie of this browser (HttpOnly,
SameSite=Lax, ten minutes): a callback whose state is not the browser's own, is unknown or was
used already is refused, as is everything the provider or its tokens do not vouch for, each with
a page in Vietnamese (4xx; 503 when the provider does not answer), audited as a failed sign-in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dictionary.editorial.federated import SignInRefused

from ..agents import describe
from ..deps import SearchDep, client_of
from ..session import cookie_name, open_session, session_token
from .pages import _context, render

router = APIRouter(include_in_schema=False)

STATE = "tudien_oidc"
NOT_CONFIGURED = "Từ điển DTTS chưa được cấu hình để đăng nhập bằng tài khoản cơ quan."


def base_url(request: Request) -> str:
    return request.app.state.public_url or str(request.base_url).rstrip("/")


def callback_url(request: Request) -> str:
    return base_url(request) + "/dang-nhap/oidc/ve"


def _local(path: str | None) -> str:
    return path if path and path.startswith("/") and not path.startswith("//") and "\\" not in path else "/duyet"


def _refused(request: Request, search, message: str, status: int, *, forget: bool = True) -> Response:
    """A page saying why; ``forget``: the browser's sign-in under way is over (not when someone
    else's callback was brought to it: the browser's own may still come)."""
    response = render(request, "thong-bao.html", _context(request, search, message=message, status=status),
                      status_code=status)
    if forget:
        response.delete_cookie(cookie_name(request, STATE), path="/dang-nhap/oidc")
    return response


@router.get("/dang-nhap/oidc", response_class=HTMLResponse)
def begin(request: Request, search: SearchDep, next: str | None = None):
    sso = request.app.state.sso
    if sso is None:
        return _refused(request, search, NOT_CONFIGURED, 404)
    try:
        url, state = sso.begin(_local(next), callback_url(request))
    except SignInRefused as exc:
        return _refused(request, search, str(exc), exc.status)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(cookie_name(request, STATE), state, max_age=600, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/dang-nhap/oidc")
    return response


@router.get("/dang-nhap/oidc/ve", response_class=HTMLResponse)
def callback(request: Request, search: SearchDep, state: str = "", code: str = "", error: str = "",
             error_description: str = ""):
    sso = request.app.state.sso
    if sso is None:
        return _refused(request, search, NOT_CONFIGURED, 404)
    client = client_of(request) or "?"
    if error:
        sso.federation.failed(sso.issuer, f"provider said {error}", client)
        said = f": {error_description}" if error_description else ""
        return _refused(request, search, f"Hệ thống đăng nhập của cơ quan không cho đăng nhập ({error}){said}.", 403)
    mine = request.cookies.get(cookie_name(request, STATE))
    if not state or not code or state != mine:
        sso.federation.failed(sso.issuer, "state not this browser's" if state else "no state or code", client)
        return _refused(request, search, "Lần đăng nhập này không phải của trình duyệt này hoặc đã hết hạn "
                        "(tham số state); hãy đăng nhập lại từ đầu.", 400, forget=not mine)
    try:
        session, next_path = sso.finish(state, code, callback_url(request), client, session_token(request),
                                        describe(request.headers.get("user-agent")))
    except SignInRefused as exc:
        return _refused(request, search, str(exc), exc.status)
    response = RedirectResponse(_local(next_path), status_code=303)
    open_session(request, response, session)
    response.delete_cookie(cookie_name(request, STATE), path="/dang-nhap/oidc")
    return response
