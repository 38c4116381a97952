"""The relevance harness: import a query set's word lists into a temporary data directory, run
every query through the HTTP API in process, and report recall@1, recall@10 and MRR per kind.

A manifest folder holds ``manifest.json`` (``data_root`` relative to the repository root, and the
``imports``) and the queries file it names, one JSON object a line:
``{"id", "kind", "q", "from", "to", "expect": {"language", "headwords"}}``.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from dictionary.services import Services
from dictionary.text.normalize import search_keys

from .settings import Settings
from .wiring import create_app, open_services

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class KindScore:
    queries: int = 0
    hits1: int = 0
    hits10: int = 0
    reciprocal: float = 0.0
    misses: list[dict] = field(default_factory=list)

    @property
    def recall1(self) -> float:
        return self.hits1 / self.queries if self.queries else 0.0

    @property
    def recall10(self) -> float:
        return self.hits10 / self.queries if self.queries else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal / self.queries if self.queries else 0.0


def _same(a: str, b: str) -> bool:
    return search_keys(a).exact == search_keys(b).exact


def load_manifest(folder: Path) -> tuple[dict, list[dict], Path]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    data_root = (REPO_ROOT / manifest.get("data_root", ".")).resolve()
    queries_file = folder / manifest.get("queries", "queries.jsonl")
    queries = [json.loads(line) for line in queries_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    return manifest, queries, data_root


def import_manifest(manifest: dict, data_root: Path, settings: Settings) -> Services:
    """Import every file of the manifest into the store of ``settings`` (a new data directory);
    index it; return the services over it."""
    from corpora.imports import Imports
    from corpora.tabular import Columns

    services = open_services(settings)
    files = []
    for item in manifest["imports"]:
        columns = None
        if item["format"] in ("csv", "tsv"):
            columns = Columns(item["headword_column"], item["gloss_column"], item.get("english_column"))
        files.append((data_root / item["file"], item["format"],
                      {"language": item.get("language"), "columns": columns, "dataset": item.get("dataset")}))
    Imports.of(services).import_files(files)
    return services


def answers(client, queries: list[dict], *, limit: int = 10) -> list[list[dict]]:
    """Each query's results through ``client`` (an HTTP client of the API)."""

    def search(query: dict) -> list[dict]:
        params = {"q": query["q"], "limit": limit}
        if query.get("from"):
            params["from"] = query["from"]
        if query.get("to"):
            params["to"] = query["to"]
        response = client.get("/v1/search", params=params)
        response.raise_for_status()
        return response.json()["results"]

    return [search(query) for query in queries]


def score(client, queries: list[dict], *, limit: int = 10) -> dict[str, KindScore]:
    """Run ``queries`` through ``client`` (an HTTP client of the API) and score them by kind."""
    return score_results(queries, answers(client, queries, limit=limit))


@dataclass
class Agreement:
    queries: int
    same_top: int  # the offline top result is the server's
    same_ten: int  # the same ten results in the same order
    server: KindScore
    offline: KindScore

    @property
    def top(self) -> float:
        return self.same_top / self.queries if self.queries else 0.0


def _total(scores: dict[str, KindScore]) -> KindScore:
    total = KindScore()
    for s in scores.values():
        total.queries += s.queries
        total.hits1 += s.hits1
        total.hits10 += s.hits10
        total.reciprocal += s.reciprocal
    return total


def offline_agreement(services: Services, queries: list[dict], server: list[list[dict]], folder: Path,
                      *, limit: int = 10) -> Agreement:
    """Build the offline pack of every language ``services`` holds into ``folder``, search each
    query there as ``tudien offline search`` does, and compare with the server's ``server`` answers."""
    import shutil
    import sqlite3

    from dictionary.packs.pack import prepare
    from dictionary.packs.reader import PackReader

    from .offline import open_search, search

    folder.mkdir(parents=True, exist_ok=True)
    for language in services.packs.languages():
        info = services.packs.refresh(language)
        assert info is not None, "a refresh that waits for its turn makes the pack"
        target = folder / f"{language}.sqlite"
        shutil.copyfile(services.packs.path(info.file), target)
        db = sqlite3.connect(target, isolation_level=None)
        prepare(db)
        db.close()
    service = open_search(folder)
    try:
        offline = [search(service, q["q"], q.get("from"), q.get("to"), limit)["results"] for q in queries]
    finally:
        reader = service.entries
        assert isinstance(reader, PackReader)
        reader.close()
    pairs = [([r["id"] for r in a], [r["id"] for r in b]) for a, b in zip(server, offline, strict=True)]
    same_top = sum(a[:1] == b[:1] for a, b in pairs)
    same_ten = sum(a == b for a, b in pairs)
    return Agreement(len(queries), same_top, same_ten, _total(score_results(queries, server)),
                     _total(score_results(queries, offline)))


def score_results(queries: list[dict], results: Iterable[list[dict]]) -> dict[str, KindScore]:
    """Score each query's results (entries with ``language`` and ``headword``) by kind."""
    scores: dict[str, KindScore] = defaultdict(KindScore)
    for query, found in zip(queries, results, strict=True):
        expect = query["expect"]
        rank = next(
            (
                n
                for n, r in enumerate(found, start=1)
                if r["language"] == expect["language"]
                and any(_same(r["headword"], h) for h in expect["headwords"])
            ),
            None,
        )
        s = scores[query["kind"]]
        s.queries += 1
        if rank is not None:
            s.hits10 += 1
            s.hits1 += rank == 1
            s.reciprocal += 1 / rank
        else:
            s.misses.append({"id": query.get("id"), "q": query["q"], "expect": expect["headwords"],
                             "got": [r["headword"] for r in found[:3]]})
    return dict(scores)


def format_table(scores: dict[str, KindScore]) -> str:
    lines = [f"{'kind':<20}{'queries':>8}{'R@1':>8}{'R@10':>8}{'MRR':>8}"]
    total = KindScore()
    for kind in sorted(scores):
        s = scores[kind]
        lines.append(f"{kind:<20}{s.queries:>8}{s.recall1:>8.3f}{s.recall10:>8.3f}{s.mrr:>8.3f}")
        total.queries += s.queries
        total.hits1 += s.hits1
        total.hits10 += s.hits10
        total.reciprocal += s.reciprocal
    lines.append(f"{'all':<20}{total.queries:>8}{total.recall1:>8.3f}{total.recall10:>8.3f}{total.mrr:>8.3f}")
    return "\n".join(lines)


def run_manifest(folder: Path, settings: Settings, *, show_misses: bool = False) -> int:
    """Run a query set on ``settings``' backend, in a temporary data directory of its own."""
    from fastapi.testclient import TestClient

    manifest, queries, data_root = load_manifest(folder)
    with tempfile.TemporaryDirectory(prefix="tudien-eval-") as tmp:
        settings = replace(settings, data_dir=Path(tmp))
        services = import_manifest(manifest, data_root, settings)
        with TestClient(create_app(settings, services)) as client:
            scores = score(client, queries)
        print(format_table(scores))
        if show_misses:
            for kind in sorted(scores):
                for miss in scores[kind].misses:
                    print(f"miss {kind}: {miss}")
        services.close()
    return 0
