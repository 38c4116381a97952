"""Security headers on every answer.

Pages get a Content-Security-Policy without inline script or style (the pages have none: their
script and style sheet are files under /static), so text a user wrote can never run as script even
if it escaped escaping; JSON and audio get a policy that allows nothing.  Nothing may frame the
service, browsers must not guess a type other than the one sent, and a link followed from a page
tells the other site only where it came from, not what was searched.  The interactive API
documentation (/docs, /redoc) loads its viewer from a CDN and so keeps only the framing rule.
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

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                if path.startswith(DOCS):
                    policy = DOCS_POLICY
                elif any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                    policy = PAGE_POLICY
                else:
                    policy = DATA_POLICY
                headers += _COMMON
                headers.append((b"content-security-policy", policy.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
