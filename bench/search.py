"""Search benchmark: import and index throughput, in-process latency, HTTP throughput, memory.

    .venv/bin/python bench/search.py [--million] [--seconds 10]

Data: the Bahnar–Vietnamese list (../shared/data/bahnar/bahnaric.csv, Apache-2.0,
IAmSkyDra/BARTBahnar), read in place; with --million, also a 1,000,000-entry set built from real
forms: two-word headwords joined from Bahnar headwords, glossed with words of Viet74K
(GPL-2.0, Hồ Ngọc Đức) — benchmark data only, never stored in the repository.
The HTTP load comes from wrk (Debian package wrk, installed by ``./scripts/install test``) at 20
connections when it is installed, else from a Python client in a second process, which takes a
core of its own on a 2-core machine.  In the same run, a bare FastAPI endpoint (bench/bare.py)
answering a JSON body of the size of a median answer, served the same way, gives what the HTTP
stack alone does.  Also timed: start-up to the first answer, a live edit (a new entry published)
until the public finds it, over new connections (either worker), and the stop after SIGTERM.
Prints a table; figures are for this machine at the time of the run (compare within one run).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import multiprocessing
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"

from corpora.imports import Imports  # noqa: E402
from corpora.tabular import Columns  # noqa: E402
from dictionary.model import Entry, Provenance, Sense, entry_id  # noqa: E402
from dictionary.search.service import SearchService  # noqa: E402
from dictionary.storage.datasets import Dataset  # noqa: E402
from tudien.settings import Settings  # noqa: E402
from tudien.wiring import open_services  # noqa: E402


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def queries_from(words: list[str], n: int, seed: int = 7) -> list[tuple[str, str | None]]:
    """A mix of what people type: exact, no diacritics, one typo, Vietnamese gloss."""
    from dictionary.text.normalize import fold

    rng = random.Random(seed)
    out = []
    for i in range(n):
        w = rng.choice(words)
        kind = i % 4
        if kind == 1:
            w = fold(w)
        elif kind == 2 and len(w) > 3:
            k = rng.randrange(1, len(w) - 1)
            w = w[:k] + w[k + 1 :]
        out.append((w, None))
    return out


def in_process(service: SearchService, queries, label: str, rows: list):
    for q, src in queries[:50]:
        service.search(q, src)  # warm
    lat = []
    for q, src in queries:
        t = time.perf_counter()
        service.search(q, src)
        lat.append((time.perf_counter() - t) * 1e3)
    rows.append((label, "in-process search p50 / p99", f"{percentile(lat, .5):.2f} / {percentile(lat, .99):.2f} ms"))


def _client(port: int, paths: list[str], seconds: float, out: multiprocessing.Queue, threads: int = 4):
    done = []
    lat = []
    stop = time.monotonic() + seconds

    def run(offset):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        i = offset
        while time.monotonic() < stop:
            t = time.perf_counter()
            conn.request("GET", paths[i % len(paths)])
            resp = conn.getresponse()
            resp.read()
            lat.append((time.perf_counter() - t) * 1e3)
            done.append(resp.status)
            i += threads

    ts = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.put((len(done), sum(1 for s in done if s != 200), percentile(lat, .5), percentile(lat, .99)))


def _load(port: int, paths: list[str], seconds: float) -> tuple[int, int, float, float]:
    if shutil.which("wrk"):
        return _wrk(port, paths, seconds)
    out = multiprocessing.Queue()
    client = multiprocessing.Process(target=_client, args=(port, paths, seconds, out))
    client.start()
    result = out.get(timeout=seconds + 60)
    client.join()
    return result


def _flood(port: int, texts: list[str], stop: threading.Event, clients: int = 4
           ) -> tuple[list[int], list[threading.Thread]]:
    """``clients`` anonymous clients sending long texts to /v1/translate, each as soon as the last
    was answered, until ``stop``; returns the statuses."""
    import json

    statuses: list[int] = []

    def run(k: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        i = k
        while not stop.is_set():
            body = json.dumps({"text": texts[i % len(texts)], "to": ["bdq", "mww", "mtq", "tyz", "khm"]})
            conn.request("POST", "/v1/translate", body=body, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
            statuses.append(resp.status)
            if resp.status == 503:
                time.sleep(float(resp.getheader("Retry-After", "1")))
            i += clients

    threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    return statuses, threads


def _long_texts(n: int = 8, size: int = 5000) -> list[str]:
    """Texts of ``size`` characters of Vietnamese words (Viet74K, read in place)."""
    words = [w.strip() for w in (DATA / "vietnamese/Viet74K.txt").read_text(encoding="utf-8").splitlines() if w.strip()]
    rng = random.Random(5)
    texts = []
    for _ in range(n):
        text = ""
        while len(text) < size:
            text += rng.choice(words) + " "
        texts.append(text[:size].strip())
    return texts


CONNECTIONS = 20  # wrk's, at once: the targets are at 20
EDITS = 30  # live edits timed from their answer to the public finding them


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_answering(port: int, path: str, started: float, process: subprocess.Popen) -> float:
    """Seconds from ``started`` to the first 200 on ``path``."""
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.02)
        if process.poll() is not None or time.perf_counter() - started > 120:
            raise RuntimeError("server did not start")


def _stop(process: subprocess.Popen) -> float:
    """SIGTERM, and the seconds until the process has ended (a hung one is killed after 60)."""
    t = time.perf_counter()
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return float("inf")
    return time.perf_counter() - t


def _request(port: int, method: str, path: str, body: dict | None = None, token: str | None = None):
    import json

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # a new connection: either worker
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, json.loads(data) if data else None


def _live_edits(port: int, token: str, words: list[str], n: int = EDITS) -> list[float]:
    """Milliseconds from an edit's answer (a new entry published) to a public search that finds it,
    each search over a new connection, so on either worker."""
    from urllib.parse import urlencode

    rng = random.Random(3)
    lags = []
    for k in range(n):
        headword = f"{rng.choice(words)} {rng.choice(words)} {k}"
        status, made = _request(port, "POST", "/v1/entries", {"language": "bdq", "headword": headword,
                                                              "senses": [{"glosses": {"vie": ["thử"]}}]}, token)
        assert status == 201, made
        _request(port, "POST", f"/v1/entries/{made['id']}/status", {"status": "review"}, token)
        status, answer = _request(port, "POST", f"/v1/entries/{made['id']}/status", {"status": "published"}, token)
        answered = time.perf_counter()
        assert status == 200, answer
        path = "/v1/search?" + urlencode({"q": headword, "from": "bdq", "limit": 50})
        while not any(r["id"] == made["id"] for r in _request(port, "GET", path)[1]["results"]):
            if time.perf_counter() - answered > 10:
                raise RuntimeError(f"{made['id']} not searchable 10 s after its answer")
            time.sleep(0.002)
        lags.append((time.perf_counter() - answered) * 1e3)
    return lags


def _bare(body: bytes, paths: list[str], seconds: float) -> tuple[int, int, float, float]:
    """The load on a bare FastAPI endpoint answering a body of the same size (bench/bare.py)."""
    port = _free_port()
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as f:
        f.write(body)
    bare = subprocess.Popen([sys.executable, str(REPO / "bench" / "bare.py"), "--port", str(port), "--body", f.name],
                            cwd=REPO)
    try:
        _wait_answering(port, "/v1/search?q=a", time.perf_counter(), bare)
        _load(port, paths, min(3.0, seconds))
        return _load(port, paths, seconds)
    finally:
        _stop(bare)
        os.unlink(f.name)


def over_http(settings: Settings, queries, seconds: float, label: str, rows: list, token: str, flood: bool = False):
    from urllib.parse import urlencode

    port = _free_port()
    # no rate limit on translations: the flood stands for many clients at once; an editor publishes
    # their own entries (the live-edit timing needs no second account)
    env = {**os.environ, "TUDIEN_DATA_DIR": str(settings.data_dir), "TUDIEN_RATE_LIMITS": "translate=0",
           "TUDIEN_FOUR_EYES": "0"}
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "tudien", "serve", "--port", str(port), "--workers", "2",
         "--log-level", "warning"], env=env, cwd=REPO)
    try:
        startup = _wait_answering(port, "/v1/search?q=a", started, server)
        paths = ["/v1/search?" + urlencode({"q": q}) for q, _ in queries]
        generator = f"wrk, {CONNECTIONS} connections" if shutil.which("wrk") else "Python client, 4 threads"
        _load(port, paths, min(3.0, seconds))  # warm both workers first: the runs compare like with like
        count, errors, p50, p99 = _load(port, paths, seconds)
        # a body of the median size of these answers, for the bare endpoint
        bodies = sorted((_request(port, "GET", path)[1] for path in paths[:101]), key=lambda b: len(str(b)))
        import orjson
        body = orjson.dumps(bodies[len(bodies) // 2])
        lags = _live_edits(port, token, [q for q, _ in queries])
        rss, pss = _tree_memory_mb(server.pid)
        if flood:
            stop = threading.Event()
            statuses, clients = _flood(port, _long_texts(), stop)
            time.sleep(2)  # the translation processes start
            f_count, f_errors, f_p50, f_p99 = _load(port, paths, seconds)
            f_rss, _ = _tree_memory_mb(server.pid)
            stop.set()
            for client in clients:  # the translations asked are answered: the stop below has none in flight
                client.join(timeout=120)
    finally:
        stopped = _stop(server)
    b_count, b_errors, b_p50, b_p99 = _bare(body, paths, seconds)
    rate, bare_rate = count / seconds, b_count / seconds
    rows.append((label, f"HTTP, 2 workers, loopback ({generator})",
                 f"{rate:,.0f} searches/s ({errors} errors; target ≥ 2,500)"))
    rows.append((label, "HTTP latency p50 / p99", f"{p50:.2f} / {p99:.2f} ms (target p99 ≤ 20)"))
    rows.append((label, f"  bare FastAPI, same server set-up, {len(body):,}-byte JSON body",
                 f"{bare_rate:,.0f} requests/s ({b_errors} errors), p50 / p99 {b_p50:.2f} / {b_p99:.2f} ms"))
    rows.append((label, "  searches / bare requests", f"{rate / bare_rate:.0%} (target ≥ 40 %)"))
    if flood:
        served = sum(1 for st in statuses if st == 200)
        rows.append((label, "  same, beside 4 clients translating 5,000 characters into 5 languages",
                     f"{f_count / seconds:,.0f} searches/s ({f_errors} errors)"))
        rows.append((label, "  HTTP latency p50 / p99 beside the translations", f"{f_p50:.2f} / {f_p99:.2f} ms"))
        rows.append((label, "  translations answered / refused busy",
                     f"{served} / {sum(1 for st in statuses if st == 503)}"))
    rows.append((label, f"live edit searchable after its answer p50 / p99 ({len(lags)})",
                 f"{percentile(lags, .5):.0f} / {percentile(lags, .99):.0f} ms (target p99 ≤ 100)"))
    rows.append((label, "server start-up to first answer", f"{startup:.2f} s (target ≤ 1)"))
    rows.append((label, "serving RSS (supervisor, workers and their children)", f"{rss:.0f} MB (target ≤ 300 at 1M)"))
    rows.append((label, "serving PSS (shared pages counted once)", f"{pss:.0f} MB"))
    if flood:
        rows.append((label, "  serving RSS while translating (with the translation processes)", f"{f_rss:.0f} MB"))
    rows.append((label, "stop: SIGTERM to exit", f"{stopped:.2f} s"))


def _wrk(port: int, paths: list[str], seconds: float) -> tuple[int, int, float, float]:
    """wrk (C, from Debian) as the load generator: it leaves the cores to the server."""
    import re

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("local paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
                     "local i = 0\nrequest = function()\n  i = i % #paths + 1\n"
                     "  return wrk.format('GET', paths[i])\nend\n")
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency", "-s", script.name,
                              f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)

    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    count = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    p50 = ms(re.search(r"^\s*50%\s+(\S+)\s*$", out, re.M).group(1))
    p99 = ms(re.search(r"^\s*99%\s+(\S+)\s*$", out, re.M).group(1))
    return count, errors, p50, p99


def _tree_memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) summed over the server and its children, in MB.  RSS counts the index's pages
    once per worker that touched them; PSS shares them out, so its sum is the memory used."""
    totals = {"Rss:": 0, "Pss:": 0}
    pids, todo = [], [pid]
    while todo:  # the workers' own children too: translation processes, a pack being made
        parent = todo.pop()
        pids.append(parent)
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                todo += [int(p) for p in (task / "children").read_text().split()]
            except FileNotFoundError:
                pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                name, _, rest = line.partition(" ")
                if name in totals:
                    totals[name] += int(rest.split()[0])
        except FileNotFoundError:
            pass
    return totals["Rss:"] / 1024, totals["Pss:"] / 1024


def bench_bahnar(seconds: float, rows: list):
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        services = open_services(settings)
        t = time.perf_counter()
        # the import and the index build are timed apart: the index is built after, whole
        report = Imports.of(services).import_file(DATA / "bahnar/bahnaric.csv", "csv", index=False, language="bdq",
                                                  columns=Columns("Bahnaric", "Vietnamese"))
        t_import = time.perf_counter() - t
        t = time.perf_counter()
        keys = services.follower.rebuild()
        t_index = time.perf_counter() - t
        n = report.entries
        rows.append(("bahnar", "entries / keys", f"{n:,} / {keys:,}"))
        rows.append(("bahnar", "import (parse + store)", f"{n / t_import:,.0f} entries/s"))
        rows.append(("bahnar", "index build", f"{n / t_index:,.0f} entries/s"))
        rows.append(("bahnar", "import + index", f"{n / (t_import + t_index):,.0f} entries/s"))
        words = [r[0] for r in csv.reader((DATA / "bahnar/bahnaric.csv").read_text(encoding="utf-8-sig").splitlines()[1:])]
        queries = queries_from(words, 2000)
        in_process(services.search, queries, "bahnar", rows)
        token = services.accounts.add("bench.editor", "editor", "bdq")
        services.close()
        over_http(settings, queries, seconds, "bahnar", rows, token, flood=True)


def bench_million(seconds: float, rows: list, size: int = 1_000_000):
    bahnar = sorted({r[0].strip() for r in csv.reader(
        (DATA / "bahnar/bahnaric.csv").read_text(encoding="utf-8-sig").splitlines()[1:]) if r[0].strip()})
    viet = [w.strip() for w in (DATA / "vietnamese/Viet74K.txt").read_text(encoding="utf-8").splitlines() if w.strip()]
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        services = open_services(settings)
        seen = set()

        def entries():
            while len(seen) < size:
                hw = f"{rng.choice(bahnar)} {rng.choice(bahnar)}"
                if hw in seen:
                    continue
                seen.add(hw)
                yield Entry(id=entry_id("bdq", "million", hw), language="bdq", headword=hw,
                            senses=[Sense(glosses={"vie": [rng.choice(viet)]})],
                            provenance=Provenance(dataset="million"))

        t = time.perf_counter()
        services.collection.replace_dataset(Dataset("million", "bench"), entries())
        t_store = time.perf_counter() - t
        t = time.perf_counter()
        services.follower.rebuild()
        t_index = time.perf_counter() - t
        rows.append(("1M", "store write", f"{size / t_store:,.0f} entries/s"))
        rows.append(("1M", "index build", f"{size / t_index:,.0f} entries/s"))
        queries = queries_from(sorted(seen)[:: max(1, size // 20000)], 2000)
        in_process(services.search, queries, "1M", rows)
        token = services.accounts.add("bench.editor", "editor", "bdq")
        services.close()
        over_http(settings, queries, seconds, "1M", rows, token)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--million", action="store_true")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"the benchmark reads the real word lists at {DATA}; it is not there")
    rows: list[tuple[str, str, str]] = []
    bench_bahnar(args.seconds, rows)
    if args.million:
        bench_million(args.seconds, rows)
    rows.append(("process", "peak RSS of this benchmark process",
                 f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"))
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, width, strict=True)))


if __name__ == "__main__":
    main()
