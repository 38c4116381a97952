"""Miss counting on vs off: search throughput and latency over HTTP, the same queries, one run.

    .venv/bin/python bench/misses.py [--seconds 10] [--rounds 2]

Data: the Bahnar–Vietnamese list (../shared/data/bahnar/bahnaric.csv, Apache-2.0,
IAmSkyDra/BARTBahnar), read in place.  Half the queries are real words (with and without
diacritics, a typo), half are texts the dictionary does not hold, so half the searches are
misses to count.  Each request comes from one of 5,000 client addresses (``X-Forwarded-For``,
which uvicorn trusts from loopback), so the once-a-day digest and the per-client bucket see many
clients, as in service.  Two measures: the app in process, one request at a time, counting
switched on and off every 50 requests (the route's own cost, the machine's noise spread over
both); and two servers (2 workers each) at once, TUDIEN_RECORD_MISSES=1 and =0, each loaded by a
Python client of its own for the same seconds, ``--rounds`` times, so whatever else the machine
does falls on both alike.  The floor: the in-process cost of one counted miss, and of a search.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"

from corpora.imports import Imports  # noqa: E402
from corpora.tabular import Columns  # noqa: E402
from dictionary.growth.demand import Counter  # noqa: E402
from tudien.settings import Settings  # noqa: E402
from tudien.wiring import open_services  # noqa: E402

CLIENTS = 5000


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def _client(port: int, paths: list[str], seconds: float, out: multiprocessing.Queue, threads: int = 4) -> None:
    done: list[int] = []
    lat: list[float] = []
    stop = time.monotonic() + seconds

    def run(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        rng = random.Random(offset)
        addresses = [f"10.{n // 250}.{n % 250}.1" for n in range(CLIENTS)]
        i = offset
        while time.monotonic() < stop:
            address = rng.choice(addresses)
            t = time.perf_counter()
            conn.request("GET", paths[i % len(paths)], headers={"X-Forwarded-For": address})
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
    out: multiprocessing.Queue = multiprocessing.Queue()
    client = multiprocessing.Process(target=_client, args=(port, paths, seconds, out))
    client.start()
    result = out.get(timeout=seconds + 60)
    client.join()
    return result


def _serve(data_dir: Path, record: bool) -> tuple[subprocess.Popen, int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "TUDIEN_DATA_DIR": str(data_dir), "TUDIEN_RECORD_MISSES": "1" if record else "0"}
    server = subprocess.Popen([sys.executable, "-m", "tudien", "serve", "--port", str(port), "--workers", "2",
                               "--log-level", "warning"], env=env, cwd=REPO)
    started = time.monotonic()
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/health")
            if c.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.05)
        if time.monotonic() - started > 60:
            server.kill()
            raise RuntimeError("server did not start")


def side_by_side(data_dir: Path, paths: list[str], seconds: float) -> dict[bool, tuple[int, int, float, float]]:
    """Both servers at once (counting on, counting off), each loaded by a client of its own for the
    same seconds: whatever else the machine does falls on both alike."""
    servers = {record: _serve(data_dir, record) for record in (True, False)}
    try:
        for _, port in servers.values():
            _load(port, paths, min(3.0, seconds))  # warm both workers
        outs: dict[bool, multiprocessing.Queue] = {r: multiprocessing.Queue() for r in servers}
        clients = {r: multiprocessing.Process(target=_client, args=(port, paths, seconds, outs[r]))
                   for r, (_, port) in servers.items()}
        for client in clients.values():
            client.start()
        results = {r: outs[r].get(timeout=seconds + 60) for r in servers}
        for client in clients.values():
            client.join()
        return results
    finally:
        for server, _ in servers.values():
            server.terminate()
            server.wait(timeout=20)


def interleaved_in_process(services, queries: list[str], rounds: int = 40) -> dict[bool, list[float]]:
    """The app in process, one request at a time, counting switched on and off every 50 requests:
    the route's own cost, with the machine's noise spread over both."""
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from tudien.wiring import create_app

    counter = services.demand
    app = create_app(Settings(data_dir=Path(services.storage.core.path).parent), services)
    lat: dict[bool, list[float]] = {True: [], False: []}
    with TestClient(app):  # its lifespan runs the flusher, as in service
        clients = [TestClient(app, client=(f"10.1.{k // 250}.{k % 250}", 5000)) for k in range(500)]
        for n in range(rounds * 2):
            record = n % 2 == 0
            counter.settings = replace(counter.settings, enabled=record)
            for i in range(50):
                q = queries[(n * 50 + i) % len(queries)]
                client = clients[(n * 50 + i * 7) % len(clients)]
                t = time.perf_counter()
                client.get("/v1/search", params={"q": q})
                lat[record].append((time.perf_counter() - t) * 1e3)
    return lat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    from dictionary.text.normalize import fold

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        services = open_services(settings)
        Imports.of(services).import_file(DATA / "bahnar/bahnaric.csv", "csv", language="bdq",
                                         columns=Columns("Bahnaric", "Vietnamese"))
        words = [r[0] for r in csv.reader((DATA / "bahnar/bahnaric.csv").read_text(encoding="utf-8-sig")
                                          .splitlines()[1:]) if r and r[0]]
        rng = random.Random(7)
        queries = []
        for i in range(2000):
            w = rng.choice(words)
            queries.append(w if i % 4 == 0 else fold(w) if i % 4 == 1 else f"{w} {rng.choice(words)} {i}"
                           if i % 4 == 2 else f"từ chưa có {i}")
        missed = sum(1 for q in queries[:400] if not services.search.search(q, None, None, 10, 0).exact_matches)
        # the floor: one search in process, one counted miss in process
        t = time.perf_counter()
        for q in queries[:400]:
            services.search.search(q, None, None, 10, 0)
        search_us = (time.perf_counter() - t) / 400 * 1e6
        counter = Counter(services.storage.demand)
        t = time.perf_counter()
        for i, q in enumerate(queries * 5):
            counter.miss(q, "bdq", None, f"10.0.{i % 250}.{i % 20}")
        miss_us = (time.perf_counter() - t) / (len(queries) * 5) * 1e6
        t = time.perf_counter()
        flushed = counter.flush()
        flush_ms = (time.perf_counter() - t) * 1e3
        lat = interleaved_in_process(services, queries)
        services.close()
        paths = ["/v1/search?" + urlencode({"q": q}) for q in queries]
        results: dict[bool, list[tuple[int, int, float, float]]] = {True: [], False: []}
        for _ in range(args.rounds):
            for record, result in side_by_side(Path(tmp), paths, args.seconds).items():
                results[record].append(result)
        check = open_services(settings, readonly=True)
        rows = check.storage.core.rows("SELECT COUNT(*) AS n, COALESCE(SUM(count), 0) AS c FROM misses")[0]
        check.close()
    print(f"queries: {len(queries)} (of the first 400, {missed} without an exact match); "
          f"{CLIENTS} client addresses; {args.seconds:g} s x {args.rounds} rounds each, interleaved")
    print(f"in process: one search {search_us:,.0f} µs; one miss counted {miss_us:.2f} µs; "
          f"a flush of {flushed:,} rows {flush_ms:.0f} ms (off the request's path)")
    for record in (True, False):
        print(f"app in process, counting {'on ' if record else 'off'} ({len(lat[record])} requests, interleaved): "
              f"p50 {percentile(lat[record], .5):.2f} ms, p99 {percentile(lat[record], .99):.2f} ms, "
              f"mean {sum(lat[record]) / len(lat[record]):.2f} ms")
    print("over HTTP, both servers (2 workers each) at once, each with its own client:")
    print(f"{'counting':<10} {'searches/s':>12} {'errors':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for record in (True, False):
        for count, errors, p50, p99 in results[record]:
            print(f"{'on' if record else 'off':<10} {count / args.seconds:>12,.0f} {errors:>7} {p50:>8.2f} {p99:>8.2f}")
    print(f"rows written by the 'on' runs: {rows['n']:,} (misses counted: {rows['c']:,})")


if __name__ == "__main__":
    main()
