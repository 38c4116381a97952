"""Security headers on every answer.

Pages get a Content-Security-Policy without inline script or style (the pages have none: their
script and style sheet are files under /static), so text a user wrote can never run as script even
if it escaped escaping; JSON and audio get a policy that allows nothing.  Nothing may frame the
service, browsers must not guess a type other than the one sent, and a link followed from a page
tells the other site only where it came from, not what was searched.  The interactive API
documentation (/docs, /redoc) loads its viewer from a CDN and so keeps only the framing rule.

Nothing private is kept by a shared cache: an answer to a request that carries a credential (a
bearer token, an API key, the session cookie), every page (each holds the browser's CSRF token,
and the name of whoever is signed in) and every answer that sets a cookie is ``Cache-Control:
private, no-store``, and pages vary on ``Cookie`` as the routes whose answer depends on the reader
do (``api.deps.VARY``).  Public answers keep the caching their routes give them.

With single sign-on, the sign-out form's answer sends the browser on to the identity provider's
sign-out page: browsers hold a form's redirects to ``form-action`` too, so the pages' policy then
allows the provider's origin there (``app.state.form_origins``) and nowhere else.
"""

from __future__ import annotations

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
DOCS_POLICY = "frame-ancestors 'none'"
DOCS = ("/docs", "/redoc")

PRIVATE = b"private, no-store"
CREDENTIALS = (b"authorization", b"x-api-key")
SESSION_COOKIE = b"tudien_session="


def _credentialed(scope) -> bool:
    """Whether the request carries something that says who sends it."""
    for name, value in scope.get("headers", ()):
        if name in CREDENTIALS or (name == b"cookie" and SESSION_COOKIE in value):
            return True
    return False


def _private(headers: list, page: bool, credentialed: bool) -> list:
    """``headers`` with the caching rules of private answers applied."""
    if not (page or credentialed or any(k == b"set-cookie" for k, _ in headers)):
        return headers
    headers = [(k, v) for k, v in headers if k != b"cache-control"]
    headers.append((b"cache-control", PRIVATE))
    if page:
        varies = [v for k, v in headers if k == b"vary"]
        if not any(b"cookie" in v.lower() for v in varies):
            headers.append((b"vary", b"Cookie"))
    return headers


_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """Pure ASGI middleware (no per-request task or body copy, unlike BaseHTTPMiddleware)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        credentialed = _credentialed(scope)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                page = any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers)
                if path.startswith(DOCS):
                    policy = DOCS_POLICY
                elif page:
                    policy = PAGE_POLICY
                    extra = getattr(getattr(scope.get("app"), "state", None), "form_origins", "")
                    if extra:
                        policy = policy.replace("form-action 'self'", f"form-action 'self' {extra}")
                else:
                    policy = DATA_POLICY
                headers = _private(headers, page and not path.startswith(DOCS), credentialed)
                headers += _COMMON
                headers.append((b"content-security-policy", policy.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
