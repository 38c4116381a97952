"""A real uvicorn server on loopback, started the way the README starts it."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import checked_http, start_server

HTTP = checked_http()

pytestmark = pytest.mark.server


def tudien(*args, env):
    return subprocess.run([sys.executable, "-m", "tudien", *args], env=env, check=True,
                          capture_output=True, text=True, timeout=120)


def serve(env) -> tuple[subprocess.Popen, int]:
    """``tudien serve`` with two workers, once /health answers 200."""
    return start_server(env, workers=2)


def test_serve_with_sample_answers_cay(tmp_path: Path):
    env = {**os.environ, "TUDIEN_DATA_DIR": str(tmp_path / "data")}
    out = tudien("sample", env=env).stdout
    assert "sample corpus loaded; 40 entries" in out
    server, port = serve(env)
    try:
        body = HTTP.get(f"http://127.0.0.1:{port}/v1/search", params={"q": "cay"}, timeout=5).json()
        headwords = {r["headword"] for r in body["results"]}
        assert {"ntoo", "ដើមឈើ"} <= headwords
        assert HTTP.get(f"http://127.0.0.1:{port}/v1/search", params={"q": "x" * 300}).status_code == 422
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_serve_rebuilds_an_index_of_an_earlier_version(tmp_path: Path):
    """After an upgrade that changes the index's layout, a restart rebuilds it instead of serving
    503s until someone runs `tudien index`."""
    import json

    from indexer.current import META, current_folder

    env = {**os.environ, "TUDIEN_DATA_DIR": str(tmp_path / "data")}
    tudien("sample", env=env)
    root = tmp_path / "data" / "index"
    meta_file = current_folder(root) / META
    meta = json.loads(meta_file.read_text())
    meta["layout"] = 1
    meta_file.write_text(json.dumps(meta))
    server, port = serve(env)
    try:
        body = HTTP.get(f"http://127.0.0.1:{port}/v1/search", params={"q": "ntoo"}, timeout=5).json()
        assert body["results"][0]["headword"] == "ntoo"
    finally:
        server.terminate()
        server.wait(timeout=15)


@pytest.mark.shared_data
def test_serve_rebuilds_in_a_process_that_then_exits(tmp_path: Path, shared_data: Path):
    """The supervising process lives as long as the workers, so it keeps neither a rebuild's memory
    nor the engine: after rebuilding the Bahnar list itself it held 117 MB (more than 1 GB at a
    million entries), and 75 MB when it merely opened the index to check it; it now holds 29 MB."""
    env = {**os.environ, "TUDIEN_DATA_DIR": str(tmp_path / "data")}
    tudien("import", str(shared_data / "bahnar/bahnaric.csv"), "--format", "csv", "--language", "bdq",
           "--headword-column", "Bahnaric", "--gloss-column", "Vietnamese", "--no-index", env=env)
    server, port = serve(env)
    try:
        health = HTTP.get(f"http://127.0.0.1:{port}/health", timeout=5).json()
        assert health["status"] == "ok" and health["index"]["documents"] > 50_000
        status = Path(f"/proc/{server.pid}/status").read_text()
        rss_mb = int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024
        assert rss_mb < 60, f"the supervising process holds {rss_mb:.0f} MB"
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_cli_import_dry_run_and_search(tmp_path: Path):
    env = {**os.environ, "TUDIEN_DATA_DIR": str(tmp_path / "data")}
    good = tmp_path / "w.tsv"
    good.write_text("hw\tvi\nroob\tnúi\ndej\tnước\n", encoding="utf-8")
    out = tudien("import", str(good), "--format", "tsv", "--language", "mww", "--headword-column", "hw",
                 "--gloss-column", "vi", env=env).stdout
    assert "2 entries" in out and "index rebuilt" in out
    table = tudien("search", "nuoc", "--from", "vie", env=env).stdout
    assert "dej" in table and "gloss/fold" in table
    bad = tmp_path / "bad.csv"
    bad.write_text("hw,vi\n,núi\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "tudien", "import", str(bad), "--format", "csv",
                          "--language", "mww", "--headword-column", "hw", "--gloss-column", "vi", "--dry-run"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "bad.csv:2: hw: empty headword" in run.stdout


def test_a_stale_index_is_said_by_the_cli_and_caught_up_by_the_server(tmp_path: Path):
    """Killed between an import's commit and its index build, the store is ahead of the index: the
    command line says so; ``tudien serve`` brings the index up to date before it serves, and while
    it serves, its workers follow what another process stores (an import with --no-index)."""
    env = {**os.environ, "TUDIEN_DATA_DIR": str(tmp_path / "data")}
    tudien("sample", env=env)
    extra = tmp_path / "w.tsv"
    extra.write_text("hw\tvi\nroob\tnúi\n", encoding="utf-8")
    tudien("import", str(extra), "--format", "tsv", "--language", "mww", "--headword-column", "hw",
           "--gloss-column", "vi", "--no-index", env=env)
    run = subprocess.run([sys.executable, "-m", "tudien", "search", "núi"], env=env, capture_output=True,
                         text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert run.returncode == 0 and "the search index is behind the store" in run.stderr
    assert "`tudien index`" in run.stderr
    server, port = serve(env)
    try:
        # the supervisor brought the index up to date before serving: nothing is stale any more
        fresh = HTTP.get(f"http://127.0.0.1:{port}/v1/search", params={"q": "núi"})
        assert "stale" not in fresh.json() and "x-index-stale" not in fresh.headers
        before = [r["headword"] for r in fresh.json()["results"]].count("roob")
        assert before >= 1
        tudien("import", str(extra), "--format", "tsv", "--language", "mww", "--headword-column", "hw",
               "--gloss-column", "vi", "--dataset", "more", "--no-index", env=env)
        deadline = time.monotonic() + 2.5
        while True:  # every worker follows within that: the entry is found and nothing says stale
            followed = HTTP.get(f"http://127.0.0.1:{port}/v1/search", params={"q": "núi"})
            found = [r["headword"] for r in followed.json()["results"]].count("roob")
            if found > before and "stale" not in followed.json() and "x-index-stale" not in followed.headers:
                break
            assert time.monotonic() < deadline, "the workers did not follow the import"
            time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_the_translation_child_outlives_the_thread_that_first_asked(tmp_path):
    """A request's thread ends when it has been idle a while; the glossary child it caused to
    start must not end with it (Linux sends a child its parent-death signal when the starting
    thread ends), or the next translation finds it gone."""
    import threading

    from support import Library

    from corpora.sample import load_sample
    from tudien.translation import IsolatedTranslator
    from tudien.wiring import open_services

    lib = Library(tmp_path / "data")
    load_sample(lib.services.collection)
    lib.index()
    translator = IsolatedTranslator(lib.settings, lib.services.translator, open_services)
    answers = []

    def ask():
        answers.append(translator.translate("Nước và nhà.", ["mww"]))

    try:
        for _ in range(2):
            asker = threading.Thread(target=ask)
            asker.start()
            asker.join(timeout=120)
            time.sleep(1.0)  # the asking thread has ended; a child tied to it would be gone by now
        assert len(answers) == 2
        assert [e["headword"] for e in {t.text: t for t in answers[1].terms}["nhà"].equivalents["mww"]] == ["tsev"]
    finally:
        translator.close()


def test_a_query_of_symbols_finds_only_what_equals_it_and_nothing_far_is_exact(tmp_path: Path):
    """Real lists hold debris headwords (``@``, ``¡``): a query of symbols alone (an emoji, ``?``,
    ``*?~^``) has no letter to compare and finds only a text equal to it; a match said to be
    exact has the query's letters (distance 0 within the fuzzy bound)."""
    from support import Library

    from corpora.sample import load_sample
    from dictionary.model import Entry, Provenance
    from dictionary.storage.datasets import Dataset
    from dictionary.text.normalize import search_keys

    folder = tmp_path / "data"
    lib = Library(folder)
    load_sample(lib.services.collection)
    debris = [Entry(id=f"tyz-00000000000{i}", language="tyz", headword=head, provenance=Provenance(dataset="rac"),
                    senses=[{"glosses": {"vie": [gloss]}}])
              for i, (head, gloss) in enumerate([("@", "a còng"), ("¡", "chấm than ngược"), ("?", "dấu hỏi"),
                                                  ("nặm 😀", "nước vui")])]
    lib.store.datasets.replace(Dataset("rac", "csv"), debris)
    lib.index()
    server, port = start_server({**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_TTS_ENGINES": "espeak-ng"})
    try:
        def search(q, **params):
            answer = HTTP.get(f"http://127.0.0.1:{port}/v1/search", params={"q": q, **params}, timeout=10)
            assert answer.status_code == 200
            return answer.json()

        for q in ("😀", "*?~^", "¿", "!!"):
            body = search(q)
            assert body["results"] == [] and body["exact_matches"] == 0, q
        for q in ("?", "@"):
            body = search(q)
            assert [(r["headword"], r["match"]["exact"], r["match"]["distance"]) for r in body["results"]] == [(q, True, 0)]
        page = HTTP.get(f"http://127.0.0.1:{port}/", params={"q": "😀"}, timeout=10).text
        assert "Khớp đúng" not in page
        for q in ("nặm", "nam", "cay", "nuoc", "ntoo"):
            body = search(q)
            assert body["results"], q
            query = search_keys(q)
            for result in body["results"]:
                if result["match"]["exact"]:
                    letters = search_keys(result["match"]["text"]).fold
                    assert letters == query.fold, (q, result)
        assert any(r["headword"] == "nặm 😀" for r in search("nặm", limit=50)["results"])
    finally:
        server.terminate()
        server.wait(timeout=15)


def _children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(k) for k in (task / "children").read_text().split()]
        except FileNotFoundError:
            pass
    return kids


@pytest.mark.shared_data
def test_a_server_making_a_pack_stops_within_seconds_and_leaves_no_half_pack(tmp_path: Path, shared_data: Path):
    """A pack is made in a child of the worker, not in the worker: a million entries' pack took the
    worker's interpreter lock for tens of seconds and a stop waited for it (more than 20 s after
    SIGTERM).  Stopped while the Bahnar pack is being made, the server ends within a few seconds,
    having answered meanwhile, and leaves no process and no file of the pack it did not finish."""
    env = {**os.environ, "TUDIEN_DATA_DIR": str(tmp_path / "data"), "TUDIEN_PACK_INTERVAL": "0.2"}
    tudien("import", str(shared_data / "bahnar/bahnaric.csv"), "--format", "csv", "--language", "bdq",
           "--headword-column", "Bahnaric", "--gloss-column", "Vietnamese", env=env)
    server, port = serve(env)
    try:
        deadline = time.monotonic() + 30
        # below the supervisor: the workers (and multiprocessing's resource tracker); below a worker,
        # its pack maker (no translation was asked for: no translation process)
        while not (makers := [p for worker in _children(server.pid) for p in _children(worker)]):
            assert time.monotonic() < deadline, "no worker started a child to make the packs"
            time.sleep(0.05)
        answer = HTTP.get(f"http://127.0.0.1:{port}/v1/search", params={"q": "đak"}, timeout=5)
        assert answer.status_code == 200 and answer.json()["results"]
        assert all(Path(f"/proc/{p}").exists() for p in makers), "the pack was made before the stop"
        started = time.monotonic()
        server.terminate()
        server.wait(timeout=30)
        took = time.monotonic() - started
        assert took < 5, f"the server took {took:.1f} s to stop"
        assert server.returncode == 0
        assert not [p for p in makers if Path(f"/proc/{p}").exists() and
                    "zombie" not in Path(f"/proc/{p}/status").read_text()], "the pack maker outlived the server"
        folder = tmp_path / "data" / "packs"
        served = {json.loads(m.read_text())["file"].removesuffix(".sqlite") for m in folder.glob("*.json")}
        leftovers = [f.name for f in folder.glob("bdq-*") if not f.name.startswith(tuple(served) or ("\0",))]
        assert leftovers == []
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)


def _connections_of(pid: int, port: int) -> int:
    """How many established TCP connections to ``port`` the process ``pid`` holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01" and fields[9] in inodes:
            count += 1
    return count


def test_connections_made_at_once_are_spread_over_the_workers_and_a_held_port_is_refused(tmp_path: Path):
    """uvicorn's workers shared one socket, and the first woken accepted every waiting
    connection: sixteen clients connecting at once all landed on one of two workers.  Each worker
    now has a socket of its own on the port; a second server on the same port is refused."""
    import socket

    env = {**os.environ, "TUDIEN_DATA_DIR": str(tmp_path / "data")}
    tudien("sample", env=env)
    server, port = serve(env)
    clients = []
    try:
        for _ in range(16):
            clients.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        for client in clients:  # each connection is accepted and answered: kept alive after
            client.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        for client in clients:
            assert client.recv(65536).startswith(b"HTTP/1.1 200")
        held = [_connections_of(worker, port) for worker in _children(server.pid)]
        assert sum(held) == 16 and sorted(held)[-2] >= 1, held  # two workers hold connections
        second = subprocess.run([sys.executable, "-m", "tudien", "serve", "--port", str(port), "--workers", "2"],
                                env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in second.stderr
        assert HTTP.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
    finally:
        for client in clients:
            client.close()
        server.terminate()
        server.wait(timeout=15)
