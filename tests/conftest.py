"""Shared fixtures.

Tests marked ``shared_data`` read the real word lists in ``../shared/data`` in place.  Where that
folder is absent they skip with a message — except under ``CI=true``, where a missing folder or a
skipped real-data test fails the run: CI always has the data, so those tests must have run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corpora.importer import import_file
from corpora.tabular import Columns
from dictionary.config import Settings
from dictionary.search import SearchService
from dictionary.store import Store
from indexer import open_backend, rebuild

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DATA = SHARED / "data"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _require_data() -> Path:
    if not DATA.is_dir():
        message = f"real word lists not found at {DATA}"
        if IN_CI:
            pytest.fail(f"{message}; CI must run the real-data tests", pytrace=False)
        pytest.skip(message)
    return DATA


def pytest_sessionfinish(session, exitstatus):
    """Under CI, a real-data test that was skipped fails the run."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = [r for r in (reporter.stats.get("skipped", []) if reporter else []) if "shared_data" in r.keywords]
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} real-data tests were skipped; they must run here", red=True)
        session.exitstatus = 1


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return _require_data()


class Library:
    """A store, an embedded index and the search service over them, in a temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.settings = Settings(data_dir=folder, backend="embedded")
        self.store = Store(self.settings.store_path)
        self.backend = open_backend(self.settings)
        self.service = SearchService(self.store, self.backend)

    def add(self, path: Path, fmt: str, language: str | None = None, headword: str | None = None,
            gloss: str | None = None, english: str | None = None, dataset: str | None = None):
        columns = Columns(headword, gloss, english) if fmt in ("csv", "tsv") else None
        return import_file(self.store, path, fmt, language=language, columns=columns, dataset=dataset)

    def index(self) -> int:
        return rebuild(self.store, self.backend)

    def search(self, q, source=None, target=None, limit=10, offset=0):
        return self.service.search(q, source, target, limit, offset)

    def headwords(self, q, source=None, target=None, limit=10):
        return [h.entry["headword"] for h in self.search(q, source, target, limit).hits]


@pytest.fixture
def library(tmp_path) -> Library:
    return Library(tmp_path / "data")


@pytest.fixture(scope="session")
def real_library(tmp_path_factory) -> Library:
    """White Hmong, Mường and the Bahnar list, imported once for the session."""
    _require_data()
    lib = Library(tmp_path_factory.mktemp("real") / "data")
    lib.add(DATA / "pairs/mww-vie.tsv", "tsv", "mww", "mww_form", "vie_form", "english_meaning")
    lib.add(DATA / "pairs/mtq-muongbi-vie.tsv", "tsv", "mtq", "muong_form", "vie_value")
    lib.add(DATA / "bahnar/bahnaric.csv", "csv", "bdq", "Bahnaric", "Vietnamese")
    lib.index()
    return lib
