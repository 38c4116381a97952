"""The pages' sign-in session and the CSRF check of every form that writes.

A signed-in browser holds the session token in the ``tudien_session`` cookie (HttpOnly,
SameSite=Lax, Secure over HTTPS, expiring with the session); the store keeps only its digest.
Signing in replaces the browser's earlier session: its token stops working.

Every form that writes carries a CSRF token that only this service can make: the keyed digest
(:meth:`Accounts.keyed`) of the browser's ``tudien_csrf`` cookie (a random value, HttpOnly and
SameSite=Strict) together with its session token.  A cookie planted by someone else, with the
same value in the form, is no token; a token read from one session is none for another; signing
in (and out) makes the browser a new cookie, so every token changes.  The page's own script sends
the same token in ``X-CSRF-Token`` when it calls the API with the session (a recording's upload).

Over HTTPS both cookies take the ``__Host-`` prefix (``__Host-tudien_session``): the browser
then accepts them only from this host, Secure, for the whole site, so neither a neighbouring
subdomain nor a plain-HTTP answer can set them.  Over HTTP (a laptop, the tests) they keep their
plain names.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request
from fastapi.responses import Response

from dictionary.editorial.accounts import Account

SESSION = "tudien_session"  # the cookies' names over HTTP; over HTTPS, with HOST_PREFIX
CSRF = "tudien_csrf"
HOST_PREFIX = "__Host-"
CSRF_HEADER = "x-csrf-token"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def cookie_name(request: Request, name: str) -> str:
    """The name cookie ``name`` has on this request's scheme."""
    return HOST_PREFIX + name if _secure(request) else name


def session_token(request: Request) -> str | None:
    """The session token the browser sent (not yet checked), or None."""
    return request.cookies.get(cookie_name(request, SESSION)) or None


def reader_of(request: Request) -> Account | None:
    """The account of the browser's session, or None.  A session signed in through the identity
    provider goes on only while the provider vouches for it (:meth:`api.oidc.SingleSignOn.alive`:
    at its tokens' expiry the provider is asked again)."""
    token = session_token(request)
    account = request.app.state.services.accounts.by_session(token)
    sso = getattr(request.app.state, "sso", None)
    if account is None or sso is None:
        return account
    checked = getattr(request.state, "sso_alive", None)  # asked once a request, however often read
    if checked is None or checked[0] != token:
        checked = request.state.sso_alive = (token, sso.alive(token))
    return account if checked[1] else None


def _browser(request: Request) -> str | None:
    """The browser's own random value (its CSRF cookie), or the one this request made."""
    return getattr(request.state, "new_csrf", None) or request.cookies.get(cookie_name(request, CSRF))


def _form_token(request: Request, browser: str) -> str:
    return request.app.state.services.accounts.keyed("form", f"{browser}\x00{session_token(request) or ''}")


def csrf_token(request: Request) -> str:
    """The token this browser's forms carry (its cookie made on its first page, see
    :func:`keep_csrf`)."""
    browser = _browser(request)
    if browser is None:
        browser = request.state.new_csrf = secrets.token_urlsafe(24)
    return _form_token(request, browser)


def keep_csrf(request: Request, response: Response) -> Response:
    """Set the CSRF cookie on ``response`` when this request made the browser's value."""
    made = getattr(request.state, "new_csrf", None)
    if made is not None and request.cookies.get(cookie_name(request, CSRF)) != made:
        _set_csrf(request, response, made)
    return response


def csrf_ok(request: Request, sent: str | None) -> bool:
    browser = request.cookies.get(cookie_name(request, CSRF))
    if not (browser and sent):
        return False
    return hmac.compare_digest(_form_token(request, browser).encode(), sent.encode("utf-8", "surrogatepass"))


def open_session(request: Request, response: Response, token: str) -> None:
    """Give the browser its new session, and a new CSRF value: every token of before stops."""
    longest = int(request.app.state.services.accounts.policy.longest)
    response.set_cookie(cookie_name(request, SESSION), token, max_age=longest, httponly=True,
                        samesite="lax", secure=_secure(request), path="/")
    _set_csrf(request, response, secrets.token_urlsafe(24))


def close_session(request: Request, response: Response) -> None:
    response.delete_cookie(cookie_name(request, SESSION), path="/", httponly=True, samesite="lax",
                           secure=_secure(request))
    _set_csrf(request, response, secrets.token_urlsafe(24))


def _set_csrf(request: Request, response: Response, value: str) -> None:
    response.set_cookie(cookie_name(request, CSRF), value, httponly=True, samesite="strict",
                        secure=_secure(request), path="/")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"
