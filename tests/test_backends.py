"""One contract for every search backend: the embedded engine always, Elasticsearch on a real
node (see ``elastic_node`` in conftest).  The same queries give the same results on both."""

from __future__ import annotations

import time

import pytest
from support import Library, elastic_settings

from corpora.sample import load_sample
from dictionary.errors import BackendUnavailable
from dictionary.storage.schema import peek
from tudien.evaluation import load_manifest, score_results

BACKENDS = ["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)]


def make_library(kind: str, folder, request) -> Library:
    if kind == "elasticsearch":
        node = request.getfixturevalue("elastic_node")
        lib = Library(folder, "elasticsearch", elastic_settings(node.url))
    else:
        lib = Library(folder)
    request.addfinalizer(lib.close)
    return lib


@pytest.fixture(params=BACKENDS)
def sample_library(request, tmp_path):
    lib = make_library(request.param, tmp_path / "data", request)
    load_sample(lib.services.collection)
    lib.index()
    return lib


def test_tiers_and_fields(sample_library):
    lib = sample_library
    top = lib.search("ntoo", "mww").hits[0]
    assert (top.entry["headword"], top.match.tier, top.match.field) == ("ntoo", "exact", "headword")
    assert lib.search("NTOO", "mww").hits[0].match.tier == "exact"  # case-folded
    hits = lib.search("nuoc", "vie").hits
    assert {h.entry["headword"] for h in hits[:3]} >= {"dej", "ទឹក"}
    assert hits[0].match.tier == "fold"
    assert lib.search("nuwowcs", "vie").hits[0].match.tier == "decoded"
    assert lib.search("teuk", "khm").hits[0].entry["headword"] == "ទឹក"
    assert lib.search("ntooo", "mww").hits[0].match.tier == "fuzzy"  # one typo
    assert lib.search("nt", "mww").hits[0].match.tier == "prefix"


def test_paging_and_suggest(sample_library):
    lib = sample_library
    every = lib.search("ngày", limit=100)
    page = lib.search("ngày", limit=1, offset=1)
    assert page.total == every.total >= 2 and page.hits[0].entry["id"] == every.hits[1].entry["id"]
    assert lib.service.suggest("nt", "mww") == ["ntoo", "ntawv"]


def versions(lib: Library) -> list[str]:
    """The index versions the backend holds."""
    if lib.settings.backend == "elasticsearch":
        return sorted(lib.backend.client.indices.get(index=f"{lib.backend.alias}-g*").body)
    return sorted(p.name for p in lib.backend.root.glob("idx-*"))


def test_status_and_rebuild_swaps_versions(sample_library):
    lib = sample_library
    status = lib.backend.status()
    assert status["ok"] and status["generation"] == lib.store.feed.generation and status["documents"] > 0
    assert versions(lib) == [status["index"]]
    before = [h.entry["id"] for h in lib.search("cây").hits]
    assert lib.index() == status["documents"]
    after = lib.backend.status()
    # a new version serves, the old one is gone, and it answers as the old one did
    assert after["index"] != status["index"] and versions(lib) == [after["index"]]
    assert after["documents"] == status["documents"] and after["generation"] == lib.store.feed.generation
    assert lib.backend.generation() == lib.store.feed.generation and lib.service.index_behind() is None
    assert [h.entry["id"] for h in lib.search("cây").hits] == before


def test_a_failed_build_leaves_the_old_index_serving(sample_library):
    lib = sample_library
    before = [h.entry["id"] for h in lib.search("cây").hits]
    status = lib.backend.status()

    def broken_docs():
        from dictionary.search.indexing import key_docs

        for n, doc in enumerate(key_docs(lib.store.entries.iter_entries())):
            if n == 50:
                raise OSError("disk full (simulated in the middle of a build)")
            yield doc

    with pytest.raises(OSError):
        lib.backend.rebuild(broken_docs(), lib.store.feed.generation + 1)
    assert [h.entry["id"] for h in lib.search("cây").hits] == before
    after = lib.backend.status()
    assert after["generation"] == status["generation"] and after.get("index") == status.get("index")
    if lib.settings.backend == "elasticsearch":  # the half-built index was removed
        names = list(lib.backend.client.indices.get(index=f"{lib.backend.alias}-g*").body)
        assert names == [status["index"]]


def test_an_index_of_an_earlier_layout_says_so_and_is_rebuilt(tmp_path, request):
    """An index written by an earlier version (another schema and order) is not opened: the
    status says to rebuild it, the search answers IndexMissing, and ``tudien index`` replaces it."""
    import json

    from dictionary.errors import IndexMissing
    from indexer.current import META, current_folder

    lib = make_library("embedded", tmp_path / "data", request)
    load_sample(lib.services.collection)
    lib.index()
    root = lib.backend.root
    meta_file = current_folder(root) / META
    meta = json.loads(meta_file.read_text())
    del meta["layout"]
    meta_file.write_text(json.dumps(meta))
    stale = Library(tmp_path / "data")
    request.addfinalizer(stale.close)
    status = stale.backend.status()
    assert not status["ok"] and "phiên bản cũ" in status["error"] and "tudien index" in status["error"]
    with pytest.raises(IndexMissing):
        stale.search("cây")
    stale.index()
    assert stale.backend.status()["ok"] and stale.headwords("ntoo", "mww")[0] == "ntoo"


def test_an_index_whose_meta_is_unreadable_is_missing_and_rebuilt(tmp_path, request):
    from dictionary.errors import IndexMissing
    from indexer.current import META, current_folder, why_rebuild

    lib = make_library("embedded", tmp_path / "data", request)
    load_sample(lib.services.collection)
    lib.index()
    root = lib.backend.root
    (current_folder(root) / META).write_text("{ not json")
    broken = Library(tmp_path / "data")
    request.addfinalizer(broken.close)
    status = broken.backend.status()
    assert not status["ok"] and "tudien index" in status["error"]
    with pytest.raises(IndexMissing):
        broken.search("cây")
    assert why_rebuild(root, peek(lib.store.core.path)) == "there is no index yet"
    broken.index()
    assert broken.backend.status()["ok"] and why_rebuild(root, peek(lib.store.core.path)) is None


# -- the real word lists: the same answers on both engines ---------------------------------------

@pytest.fixture(scope="module")
def real_pair(tmp_path_factory, shared_data, request):
    """The public relevance set's lists on both engines (Elasticsearch on a real node)."""
    node = request.getfixturevalue("elastic_node")
    manifest, queries, data_root = load_manifest(shared_data.parent / "eval" / "public")
    libs = {}
    for kind in ("embedded", "elasticsearch"):
        folder = tmp_path_factory.mktemp(kind) / "data"
        lib = Library(folder, kind, elastic_settings(node.url) if kind == "elasticsearch" else None)
        for item in manifest["imports"]:
            lib.add(data_root / item["file"], item["format"], item["language"],
                    item["headword_column"], item["gloss_column"])
        lib.index()
        libs[kind] = lib
    yield libs, queries
    for lib in libs.values():
        lib.close()


@pytest.mark.shared_data
@pytest.mark.elasticsearch
def test_both_engines_give_the_same_top_results_and_figures(real_pair, capsys):
    libs, queries = real_pair
    same_top1 = same_top10 = 0
    differing = []
    results = {kind: [] for kind in libs}
    for query in queries:
        got = {}
        for kind, lib in libs.items():
            hits = lib.service.search(query["q"], query.get("from"), query.get("to"), 10).hits
            results[kind].append([h.entry for h in hits])
            got[kind] = [h.entry["id"] for h in hits]
        same_top1 += got["embedded"][:1] == got["elasticsearch"][:1]
        same_top10 += set(got["embedded"]) == set(got["elasticsearch"])
        if got["embedded"][:1] != got["elasticsearch"][:1]:
            differing.append(query["q"])
    n = len(queries)
    figures = {
        kind: {k: round(v.recall10, 3) for k, v in score_results(queries, found).items()}
        for kind, found in results.items()
    }
    with capsys.disabled():
        print(f"\nembedded vs elasticsearch on {n} public queries: same top-1 {same_top1 / n:.4f}, "
              f"same top-10 set {same_top10 / n:.4f}; recall@10 {figures}")
    assert same_top1 / n >= 0.99, differing[:20]
    assert figures["embedded"] == figures["elasticsearch"]


# -- faults --------------------------------------------------------------------------------------

@pytest.mark.elasticsearch
def test_node_down_gives_503_quickly_and_recovers_by_itself(tmp_path, request):
    node = request.getfixturevalue("elastic_node")
    if not node.managed:
        pytest.skip("the node at TUDIEN_TEST_ES_URL is not ours to stop")
    lib = make_library("elasticsearch", tmp_path / "data", request)
    load_sample(lib.services.collection)
    lib.index()
    with lib.client() as client:
        assert client.get("/v1/search", params={"q": "cây"}).status_code == 200
        node.stop()
        try:
            started = time.monotonic()
            response = client.get("/v1/search", params={"q": "cây"})
            elapsed = time.monotonic() - started
            assert response.status_code == 503, response.text
            error = response.json()["error"]
            assert error["code"] == "backend_unavailable" and "Elasticsearch" in error["message"]
            assert elapsed < 15, elapsed
            health = client.get("/health")
            assert health.status_code == 503 and health.json()["index"]["ok"] is False
            with pytest.raises(BackendUnavailable):
                lib.service.search("cây")
            # the service also starts while the node is down
            with lib.client() as fresh:
                assert fresh.get("/health").status_code == 503
        finally:
            node.start()
        deadline = time.monotonic() + 60
        while client.get("/v1/search", params={"q": "cây"}).status_code != 200:
            assert time.monotonic() < deadline, "the service did not recover after the node came back"
            time.sleep(0.5)
        assert client.get("/health").json()["index"]["ok"] is True


@pytest.mark.elasticsearch
@pytest.mark.server
def test_a_frozen_node_gets_answers_within_the_deadline_and_the_server_recovers(tmp_path, request):
    """SIGSTOP on the real node: it accepts connections and never answers.  Every search of a real
    server answers 503 within the deadline (2 s here) however many wait, /health answers at once,
    and after SIGCONT the service recovers by itself."""
    import os
    import signal
    from concurrent.futures import ThreadPoolExecutor

    from support import checked_http, start_server

    node = request.getfixturevalue("elastic_node")
    if not node.managed:
        pytest.skip("the node at TUDIEN_TEST_ES_URL is not ours to freeze")
    lib = make_library("elasticsearch", tmp_path / "data", request)
    load_sample(lib.services.collection)
    lib.index()
    es = lib.settings.elastic
    env = {**os.environ, "TUDIEN_DATA_DIR": str(lib.settings.data_dir), "TUDIEN_BACKEND": "elasticsearch",
           "TUDIEN_ELASTICSEARCH_URL": es.hosts[0], "TUDIEN_ELASTICSEARCH_INDEX": es.index,
           "TUDIEN_ELASTICSEARCH_TIMEOUT": "2", "TUDIEN_ELASTICSEARCH_RETRIES": "2",
           "TUDIEN_TTS_ENGINES": "espeak-ng"}
    server, port = start_server(env)
    site = f"http://127.0.0.1:{port}"
    http = checked_http(timeout=30)
    try:
        assert http.get(site + "/v1/search", params={"q": "cây"}).status_code == 200

        def timed(n: int) -> tuple[int, float]:
            started = time.monotonic()
            response = http.get(site + "/v1/search", params={"q": f"cây {n}"})
            return response.status_code, time.monotonic() - started

        os.kill(node.pid(), signal.SIGSTOP)
        try:
            with ThreadPoolExecutor(24) as pool:
                answers = list(pool.map(timed, range(72)))
            statuses = {status for status, _ in answers}
            slowest = max(elapsed for _, elapsed in answers)
            assert statuses == {503}, answers
            assert slowest < 2 + 1.5, f"the slowest answer took {slowest:.1f} s; the deadline is 2 s"
            started = time.monotonic()
            health = http.get(site + "/health")
            assert health.status_code == 503 and time.monotonic() - started < 0.5
            assert "Elasticsearch" in health.json()["index"]["error"]
            refused = http.get(site + "/v1/search", params={"q": "nước"})
            assert refused.status_code == 503 and "Retry-After" in refused.headers
        finally:
            os.kill(node.pid(), signal.SIGCONT)
        deadline = time.monotonic() + 60
        while http.get(site + "/v1/search", params={"q": "cây"}).status_code != 200:
            assert time.monotonic() < deadline, "the service did not recover after the node came back"
            time.sleep(0.5)
        assert http.get(site + "/health").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
        http.close()


class _Candidates:
    """An engine that only finds candidates (as Elasticsearch and the offline packs do), here
    from the embedded index: the search service ranks them with the core."""

    def __init__(self, backend) -> None:
        self.backend, self.name, self.remote = backend, "candidates", False
        self.calls = 0

    def candidates(self, plan):
        self.calls += 1
        return self.backend.candidates(plan)

    def generation(self, fresh=False):
        return self.backend.generation(fresh)


class _Many(_Candidates):
    """The same with one round trip for the query and every reading."""

    def candidates_many(self, plans):
        self.calls += 1
        return [self.backend.candidates(plan) for plan in plans]


def test_candidates_from_another_engine_rank_as_the_one_call_search(tmp_path, request):
    """What an engine that only finds candidates gets, one look-up at a time or all in one round
    trip, is what the embedded engine's one call gives: the same readings (the Telex/VNI ones
    dropped when the query as typed matched exactly), tiers, order, pages and words offered."""
    from dataclasses import asdict

    from dictionary.search.service import SearchService

    lib = make_library("embedded", tmp_path / "data", request)
    load_sample(lib.services.collection)
    lib.index()
    one, many = _Candidates(lib.backend), _Many(lib.backend)
    services = [SearchService(lib.services.search.entries, engine) for engine in (one, many)]
    queries = [("nuwowcs", "vie"), ("nu7o71c", None), ("dej", None), ("dej", "mww"), ("ntoo", "mww"),
               ("nuoc", None), ("nươc", None), ("tieengs", "vie"), ("?", None), ("cây", "vie"), ("kmn", None)]
    decoded = 0
    for q, source in queries:
        for offset in (0, 3):
            expected = asdict(lib.search(q, source, offset=offset, limit=5))
            for service in services:
                assert asdict(service.search(q, source, None, 5, offset)) == expected, (q, source, offset)
            decoded += sum(hit["match"]["tier"] == "decoded" for hit in expected["hits"])
    assert decoded  # readings were looked up and ranked
    calls = many.calls
    many_service = services[1]
    many_service.search("nuwowcs", "vie")
    assert many.calls == calls + 1  # the query and its readings in one round trip
