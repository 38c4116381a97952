"""The HTTP API: the app made from the domain's services.  Routes are thin, one router per
resource (``api/routes/``): they validate the shape of a request, call a service and serialise
what it returns through ``api/schemas.py``."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from dictionary.services import Services

from . import errors, openapi
from .bodylimit import BodyLimit
from .deps import Gate
from .ratelimit import Door, RateLimiter, Rule
from .responses import JSON
from .routes import ROUTERS, pages
from .security import SecurityHeaders


class App(FastAPI):
    """FastAPI with the security headers outside everything, the 500 that Starlette's outermost
    error middleware answers included."""

    def build_middleware_stack(self):
        return SecurityHeaders(super().build_middleware_stack())


def create_app(services: Services, *, rate_limits: dict[str, Rule] | None = None,
               public_url: str | None = None, timezone: str = "Asia/Ho_Chi_Minh", sso=None,
               local_passwords: bool = True) -> FastAPI:
    """The ASGI app over ``services``; ``rate_limits`` override the per-client limits of
    :mod:`api.ratelimit`; ``public_url`` is the address absolute links are made from (None: links
    are paths; never the request's Host); ``sso`` the sign-in through the identity provider
    (:class:`api.oidc.SingleSignOn`, None: none); ``local_passwords=False`` refuses local passwords."""
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        services.follower.start()  # the index follows writes made by other workers too
        services.packs.start()  # offline packs follow the change feed
        services.demand.start()  # missed searches and look-ups, written in batches off the request's path
        yield
        services.demand.stop()
        services.packs.stop()
        services.follower.stop()
        services.translator.close()  # a translation process of its own ends with the server
        if sso is not None:
            sso.close()

    app = App(
        lifespan=lifespan,
        title="Từ điển DTTS",
        description="Tra cứu song ngữ các ngôn ngữ dân tộc thiểu số Việt Nam ↔ tiếng Việt.",
        version="0.1.0",
        default_response_class=JSON,
    )
    app.state.services = services
    app.state.sso = sso
    if sso is not None:  # the sign-out form goes on to the provider's sign-out page
        from urllib.parse import urlsplit

        issuer = urlsplit(sso.issuer)
        app.state.form_origins = f"{issuer.scheme}://{issuer.netloc}"
    app.state.local_passwords = local_passwords
    app.state.timezone = timezone  # the desk's times are shown in it (TUDIEN_TIMEZONE)
    app.state.gate = Gate()
    app.state.rate_limiter = RateLimiter(rate_limits)
    app.state.public_url = public_url.rstrip("/") if public_url else ""
    app.add_middleware(Door, limiter=app.state.rate_limiter)  # before any route; its 429 is tiny
    # audio is compressed already, and a gzipped range would not be the range asked for
    # level 6: nearly the size of level 9 for JSON at a fraction of the CPU
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6,
                       exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, "audio/*", "application/vnd.sqlite3"))
    app.add_middleware(
        CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
        allow_headers=["*"], expose_headers=["Content-Range", "Content-Length", "ETag", "Accept-Ranges", "Location", "Retry-After",
                        "X-Pack-Version", "X-Pack-SHA256", "X-Index-Stale"],
    )
    app.add_middleware(BodyLimit)
    errors.install(app, page=pages.error_page)
    openapi.install(app)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in ROUTERS:
        app.include_router(module.router)
    return app
