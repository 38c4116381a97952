"""The pages' sign-in session and the CSRF check of every form that writes.

A signed-in browser holds the session token in the ``tudien_session`` cookie (HttpOnly,
SameSite=Lax, Secure over HTTPS, expiring with the session); the store keeps only its digest.
Every form that writes carries a token that must equal the ``tudien_csrf`` cookie (a double-submit
token, HttpOnly and SameSite=Strict): another site can make a browser send the cookies but can
neither read nor set that value.  The page's own script sends the same token in ``X-CSRF-Token``
when it calls the API with the session (a recording's upload).
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from fastapi.responses import Response

from dictionary.editorial.accounts import SESSION_HOURS, Account

SESSION = "tudien_session"
CSRF = "tudien_csrf"
CSRF_HEADER = "x-csrf-token"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def reader_of(request: Request) -> Account | None:
    """The account of the browser's session, or None."""
    return request.app.state.services.accounts.by_session(request.cookies.get(SESSION))


def csrf_token(request: Request) -> str:
    """The browser's CSRF token, made on its first page (set by :func:`keep_csrf`)."""
    token = request.cookies.get(CSRF) or getattr(request.state, "new_csrf", None)
    if token is None:
        token = request.state.new_csrf = secrets.token_urlsafe(24)
    return token


def keep_csrf(request: Request, response: Response) -> Response:
    """Set the CSRF cookie on ``response`` when this request made the token."""
    made = getattr(request.state, "new_csrf", None)
    if made is not None and request.cookies.get(CSRF) != made:
        response.set_cookie(CSRF, made, httponly=True, samesite="strict", secure=_secure(request), path="/")
    return response


def csrf_ok(request: Request, sent: str | None) -> bool:
    cookie = request.cookies.get(CSRF)
    return bool(cookie and sent) and hmac.compare_digest(cookie.encode(), sent.encode())


def open_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION, token, max_age=SESSION_HOURS * 3600, httponly=True, samesite="lax",
                        secure=_secure(request), path="/")


def close_session(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION, path="/", httponly=True, samesite="lax", secure=_secure(request))


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"
