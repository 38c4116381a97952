"""Shared fixtures.

Tests marked ``shared_data`` read the real word lists in ``../shared/data`` in place.  Where that
folder is absent they skip with a message — except under ``CI=true``, where a missing folder or a
skipped real-data test fails the run: CI always has the data, so those tests must have run.

Tests marked ``elasticsearch`` run against a real node: the one at ``TUDIEN_TEST_ES_URL`` if set,
else one that ``scripts/elasticsearch`` starts on port 9250 for the session (and stops after).
Where none can start (no Java, no network) they skip with the reason — except under CI.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from support import DATA, IN_CI, REPO, Library, require_data


def pytest_sessionfinish(session, exitstatus):
    """Under CI, a real-data test that was skipped fails the run."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats.get("skipped", []) if reporter else []
    for marker, what in (("shared_data", "real-data"), ("elasticsearch", "Elasticsearch")):
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


@pytest.fixture(scope="session")
def elastic_node():
    node = ElasticNode()
    try:
        node.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        message = f"no Elasticsearch node: {exc}"
        if IN_CI:
            pytest.fail(f"{message}; CI must run the Elasticsearch tests", pytrace=False)
        pytest.skip(message)
    yield node
    if node.started_here:
        node.stop()


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
