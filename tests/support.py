"""What the tests share: where the real data is, a library of services in a folder (built by the
program's own wiring), a free port, and the check of every JSON body a test receives against the
route's declared schema (:class:`CheckedClient` in process, :func:`check_body` for a real server)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from starlette.routing import Match

from api.errors import flat_routes
from api.schemas.common import ErrorPublic
from corpora.imports import Imports
from corpora.sample import load_sample
from corpora.tabular import Columns
from dictionary.audio.synth import Espeak, Synthesiser
from dictionary.editorial.policy import Policy
from indexer.config import ElasticSettings
from tudien.settings import Settings
from tudien.wiring import create_app, open_services

REPO = Path(__file__).resolve().parent.parent
PG_SCRIPT = REPO / "scripts" / "postgres"
SHARED = REPO.parent / "shared"
DATA = SHARED / "data"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# In-process tests send many requests from one client; the rate-limit tests set their own.
NO_RATE_LIMITS = {"translate": (0, 1), "speak": (0, 1), "suggest": (0, 1), "report": (0, 1), "pronounce": (0, 1),
                  "changes": (0, 1), "missing": (0, 1), "request": (0, 1)}


def require_data() -> Path:
    """The real word lists; where they are absent the test skips, except under CI, where it fails."""
    if not DATA.is_dir():
        message = f"real word lists not found at {DATA}"
        if IN_CI:
            pytest.fail(f"{message}; CI must run the real-data tests", pytrace=False)
        pytest.skip(message)
    return DATA


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def elastic_settings(url: str) -> ElasticSettings:
    """Settings for a fresh alias of the test node: each library has an index of its own."""
    return ElasticSettings(hosts=(url,), index=f"tudien-test-{uuid.uuid4().hex[:10]}", timeout=2.0, retries=1)


def offline_synthesiser() -> Synthesiser:
    """espeak-ng only: Google's service cannot be reached from here."""
    return Synthesiser(engines={"espeak-ng": Espeak()})


class Library:
    """The program's services over a store and an index (embedded unless told) in a folder."""

    def __init__(self, folder: Path, backend: str = "embedded", elastic: ElasticSettings | None = None,
                 *, api_keys: tuple[str, ...] = (), synthesiser: Synthesiser | None = None,
                 limits=None, rate_limits: dict[str, tuple[float, int]] | None = None,
                 database_url: str | None = None, sign_in: Policy | None = None) -> None:
        self.settings = Settings(data_dir=folder, backend=backend, elastic=elastic or ElasticSettings(),
                                 api_keys=api_keys, rate_limits=NO_RATE_LIMITS if rate_limits is None else rate_limits,
                                 database_url=database_url, sign_in=sign_in or Policy())
        self.services = open_services(self.settings, synthesiser=synthesiser or offline_synthesiser(),
                                      limits=limits)
        self.store = self.services.storage  # the rooms, for tests that look at the rows themselves
        self.imports = Imports.of(self.services)
        self.backend = self.services.backend
        self.service = self.services.search
        self.audio = self.services.audio

    def add(self, path: Path, fmt: str, language: str | None = None, headword: str | None = None,
            gloss: str | None = None, english: str | None = None, dataset: str | None = None, **source):
        """Import a word list, leaving the index as it is (:meth:`index` builds it); ``source`` may
        name its ``citation`` and ``licence``."""
        columns = Columns(headword, gloss, english) if fmt in ("csv", "tsv") else None
        return self.imports.import_file(path, fmt, index=False, language=language, columns=columns, dataset=dataset,
                                        **source)

    def close(self) -> None:
        if self.settings.backend == "elasticsearch":
            self.backend.drop()
        self.backend.close()
        self.store.close()

    def index(self) -> int:
        return self.services.follower.rebuild()

    def app(self):
        return create_app(self.settings, self.services)

    def client(self) -> CheckedClient:
        return CheckedClient(self.app())

    def search(self, q, source=None, target=None, limit=10, offset=0):
        return self.service.search(q, source, target, limit, offset)

    def headwords(self, q, source=None, target=None, limit=10):
        return [h.entry["headword"] for h in self.search(q, source, target, limit).hits]


# -- every body against its declared schema --------------------------------------------------------

_ERROR = TypeAdapter(ErrorPublic)


def _api_routes() -> list:
    from api.routes import ROUTERS

    return [r for m in ROUTERS for r in flat_routes(m.router.routes)]


def declared_model(method: str, path: str, status: int):
    """The model the route that serves ``method path`` declares for ``status`` (None: none)."""
    scope = {"type": "http", "method": method.upper(), "path": path, "root_path": ""}
    for route in _api_routes():
        match, _ = route.matches(scope)
        if match != Match.FULL or not hasattr(route, "response_model"):
            continue
        declared = route.responses.get(status) or route.responses.get(str(status))
        if declared and declared.get("model") is not None:
            return declared["model"]
        if status == (route.status_code or 200):
            return route.response_model
        return None
    return None


def check_body(response: httpx.Response) -> httpx.Response:
    """Fail unless a JSON ``response`` is what its route declares: an error in the one error shape,
    a success in the route's response model (extra fields are failures too)."""
    request = response.request
    if not response.headers.get("content-type", "").startswith("application/json") \
            or request.url.path == "/openapi.json":
        return response
    body = response.json()
    model = declared_model(request.method, request.url.path, response.status_code)
    if response.status_code >= 400 and model in (None, ErrorPublic):
        _ERROR.validate_python(body)
        assert body["error"]["status"] == response.status_code, body
        return response
    assert model is not None, f"{request.method} {request.url.path} {response.status_code} declares no model"
    TypeAdapter(model).validate_python(body)
    return response


class CheckedClient(TestClient):
    """A TestClient that checks every JSON body against the route's declared schema."""

    def request(self, *args, **kwargs) -> httpx.Response:
        return check_body(super().request(*args, **kwargs))


def checked_http(**kwargs) -> httpx.Client:
    """An HTTP client for a real server that checks every JSON body as :class:`CheckedClient` does."""

    def check(response: httpx.Response) -> None:
        response.read()
        check_body(response)

    # no kept-alive connections: nothing is left open when the tests end
    return httpx.Client(event_hooks={"response": [check]}, limits=httpx.Limits(max_keepalive_connections=0),
                        **kwargs)


def start_server(env: dict, *, workers: int = 1, port: int | None = None, timeout: float = 60,
                 **popen) -> tuple[subprocess.Popen, int]:
    """``tudien serve`` in a process of its own with ``env``, once /health answers 200; the test
    fails (and the process is killed) when it exits or does not answer within ``timeout``."""
    port = port or free_port()
    server = subprocess.Popen([sys.executable, "-m", "tudien", "serve", "--port", str(port), "--workers",
                               str(workers), "--log-level", "warning"], env=env, **popen)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server, port
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            server.wait(timeout=10)
            pytest.fail("the server did not start", pytrace=False)
        time.sleep(0.2)


# the desk's two accounts of Tày: who writes, and who reviews and publishes
DESK_PASSWORDS = {"hoang.a": "mat-khau-cong-tac", "le.b": "mat-khau-bien-tap"}


@contextmanager
def desk_site(folder: Path) -> Iterator[tuple[Library, str, dict[str, str]]]:
    """A real server over the sample corpus with a contributor (hoang.a) and an editor (le.b) of
    Tày, whose passwords are :data:`DESK_PASSWORDS`: (the library, the site's address, their API
    tokens); the server is stopped and the library closed afterwards."""
    lib = Library(folder)
    load_sample(lib.services.collection)
    lib.index()
    tokens = {name: lib.services.accounts.add(name, role, "tyz", password=DESK_PASSWORDS[name])
              for name, role in (("hoang.a", "contributor"), ("le.b", "editor"))}
    env = {**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_TTS_ENGINES": "espeak-ng"}
    server, port = start_server(env)
    try:
        yield lib, f"http://127.0.0.1:{port}", tokens
    finally:
        server.terminate()
        server.wait(timeout=15)
        lib.close()


# -- the pages' sign-in, two factors and all --------------------------------------------------------

def form_token(html: str) -> str:
    """The CSRF token of a page's forms."""
    import re

    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def page_sign_in(http, site: str, name: str, password: str):
    """Post the sign-in form as a browser does (its page first, for the CSRF token); the answer."""
    token = form_token(http.get(f"{site}/dang-nhap").text)
    return http.post(f"{site}/dang-nhap", data={"name": name, "password": password, "csrf": token},
                     follow_redirects=False)


def enrol_second_factor(http, site: str, at: float | None = None) -> tuple[str, list[str]]:
    """Enrol the signed-in (or sent-to-enrol) browser's account as a person does: read the secret
    the enrolment page shows, give the code an authenticator computes from it (pyotp), and read
    the recovery codes shown once.  (the secret, the recovery codes)"""
    import re

    import pyotp

    page = http.get(f"{site}/tai-khoan/xac-thuc-hai-lop", follow_redirects=False)
    assert page.status_code == 200, page.text
    secret = re.search(r'<code id="secret">([A-Z2-7]+)</code>', page.text).group(1)
    done = http.post(f"{site}/tai-khoan/xac-thuc-hai-lop", follow_redirects=False,
                     data={"code": pyotp.TOTP(secret).at(at or time.time()), "csrf": form_token(page.text), "next": "/duyet"})
    assert done.status_code == 200, done.text
    return secret, re.findall(r"<li><code>([A-Z2-7-]{19})</code></li>", done.text)
