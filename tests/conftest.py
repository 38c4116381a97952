"""Shared fixtures.

Tests marked ``shared_data`` read the real word lists in ``../shared/data`` in place.  Where that
folder is absent they skip with a message — except under ``CI=true``, where a missing folder or a
skipped real-data test fails the run: CI always has the data, so those tests must have run.

Tests marked ``elasticsearch`` run against a real node: the one at ``TUDIEN_TEST_ES_URL`` if set,
else one that ``scripts/elasticsearch`` starts on port 9250 for the session (and stops after).
Where none can start (no Java, no network) they skip with the reason — except under CI.

Tests marked ``keycloak`` sign in through a real Keycloak that ``scripts/keycloak`` starts once
for the session on port 8190 (``TUDIEN_TEST_KEYCLOAK_PORT``) and stops after; skipped where it
cannot start, except under CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import DATA, IN_CI, PG_SCRIPT, REPO, Library, require_data


def pytest_sessionfinish(session, exitstatus):
    """Under CI, a real-data test that was skipped fails the run."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats.get("skipped", []) if reporter else []
    for marker, what in (("shared_data", "real-data"), ("elasticsearch", "Elasticsearch"), ("postgres", "PostgreSQL"),
                         ("keycloak", "Keycloak")):
        skipped = [r for r in stats if marker in r.keywords]
        if skipped:
            reporter.write_line(f"CI: {len(skipped)} {what} tests were skipped; they must run here", red=True)
            session.exitstatus = 1


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return require_data()


ES_PORT = os.environ.get("TUDIEN_TEST_ES_PORT", "9250")
ES_SCRIPT = REPO / "scripts" / "elasticsearch"


class ElasticNode:
    """The real node the Elasticsearch tests use, and the means to stop and start it."""

    def __init__(self) -> None:
        self.url = os.environ.get("TUDIEN_TEST_ES_URL")
        self.managed = self.url is None
        self.started_here = False
        self.error: str | None = None

    def _script(self, action: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "TUDIEN_ES_PORT": ES_PORT}
        return subprocess.run([str(ES_SCRIPT), action], env=env, capture_output=True, text=True, timeout=900)

    def start(self) -> str:
        if not self.managed:
            return self.url
        was_running = self._script("status").returncode == 0
        done = self._script("start")
        if done.returncode != 0:
            self.error = (done.stderr.strip().splitlines() or ["scripts/elasticsearch start failed"])[-1]
            raise RuntimeError(self.error)
        self.started_here = self.started_here or not was_running
        self.url = done.stdout.strip().splitlines()[-1]
        return self.url

    def stop(self) -> None:
        if self.managed:
            self._script("stop")

    def pid(self) -> int:
        """The node's process (a node this session started)."""
        return int((REPO / ".cache" / f"es-node-{ES_PORT}" / "pid").read_text().strip())


def _serving(server, name: str, tests: str):
    """A session's real server (``server.start()``; stopped at the end if this session started
    it): where it cannot start the tests that need it skip, but under CI they fail."""
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        message = f"no {name}: {exc}"
        if IN_CI:
            pytest.fail(f"{message}; CI must run the {tests} tests", pytrace=False)
        pytest.skip(message)
    yield server
    if server.started_here:
        server.stop()


@pytest.fixture(scope="session")
def elastic_node():
    yield from _serving(ElasticNode(), "Elasticsearch node", "Elasticsearch")


KEYCLOAK_PORT = os.environ.get("TUDIEN_TEST_KEYCLOAK_PORT", "8190")


class KeycloakServer:
    """The real Keycloak of the single sign-on tests (scripts/keycloak), and the settings it printed."""

    def __init__(self) -> None:
        self.env = {**os.environ, "TUDIEN_KEYCLOAK_PORT": KEYCLOAK_PORT, "TUDIEN_PYTHON": sys.executable,
                    "KC_BOOTSTRAP_ADMIN_USERNAME": "admin", "KC_BOOTSTRAP_ADMIN_PASSWORD": "admin-dev-password"}
        self.url = f"http://127.0.0.1:{KEYCLOAK_PORT}"
        self.settings: dict[str, str] = {}
        self.started_here = False

    def script(self, action: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(REPO / "scripts" / "keycloak"), action], env=self.env, capture_output=True,
                              text=True, timeout=900)

    def start(self) -> None:
        was_running = self.script("status").returncode == 0
        done = self.script("start")
        if done.returncode != 0:
            raise RuntimeError((done.stderr.strip().splitlines() or ["scripts/keycloak start failed"])[-1])
        self.started_here = self.started_here or not was_running
        last = done.stdout.strip().splitlines()[-1]
        self.settings = dict(item.split("=", 1) for item in last.split())

    def stop(self) -> None:
        self.script("stop")


@pytest.fixture(scope="session")
def keycloak():
    yield from _serving(KeycloakServer(), "Keycloak", "single sign-on")


class PostgresServer:
    """The project's PostgreSQL cluster (scripts/postgres), a database of its own per test."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.made: list[str] = []

    def _admin(self):
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=5)

    def database(self) -> str:
        """A new, empty database; its URL."""
        import uuid

        name = f"tudien_test_{uuid.uuid4().hex[:12]}"
        with self._admin() as db:
            db.execute(f"CREATE DATABASE {name}")
        self.made.append(name)
        return self.url.rsplit("/", 1)[0] + "/" + name

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with self._admin() as db:
            db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def postgres():
    """The real PostgreSQL server of the PostgreSQL tests: scripts/postgres starts it (installing
    Debian's package when missing) and stops it after the session if it started it."""
    was_running = subprocess.run([str(PG_SCRIPT), "status"], capture_output=True, text=True).returncode == 0
    done = subprocess.run([str(PG_SCRIPT), "start"], capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        message = "no PostgreSQL server: " + ((done.stderr.strip().splitlines() or ["scripts/postgres start failed"])[-1])
        if IN_CI:
            pytest.fail(f"{message}; CI must run the PostgreSQL tests", pytrace=False)
        pytest.skip(message)
    yield PostgresServer(done.stdout.strip().splitlines()[-1])
    if not was_running:
        subprocess.run([str(PG_SCRIPT), "stop"], capture_output=True, timeout=120)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_kind(request) -> str | None:
    """Each store the program can run on: None (the SQLite file) or a PostgreSQL database's URL."""
    if request.param == "sqlite":
        return None
    server = request.getfixturevalue("postgres")
    url = server.database()
    request.addfinalizer(lambda: server.drop(url))
    return url


@pytest.fixture
def library(tmp_path) -> Library:
    return Library(tmp_path / "data")


@pytest.fixture(scope="session")
def real_library(tmp_path_factory) -> Library:
    """White Hmong, Mường and the Bahnar list, imported once for the session."""
    require_data()
    lib = Library(tmp_path_factory.mktemp("real") / "data")
    lib.add(DATA / "pairs/mww-vie.tsv", "tsv", "mww", "mww_form", "vie_form", "english_meaning")
    lib.add(DATA / "pairs/mtq-muongbi-vie.tsv", "tsv", "mtq", "muong_form", "vie_value")
    lib.add(DATA / "bahnar/bahnaric.csv", "csv", "bdq", "Bahnaric", "Vietnamese")
    lib.index()
    return lib
