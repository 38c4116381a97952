"""Hammer benchmark: does a crowd on a costly route slow everyone's search?

    .venv/bin/python bench/hammer.py [--data DIR] [--clients 16] [--seconds 6] [--rounds 3] [--code DIR]

A real server (``tudien serve``, one worker, the default rate limits) over the open word lists
shipped in ``corpora/open`` (about 26,000 entries in 20 languages; loaded into a temporary data
directory unless ``--data`` names one already loaded).  One client searches, one query after
another, and its latency is measured: on a quiet server, then while 16 clients hammer one
route as fast as they are answered: the change feed from the start with the index rows
(``/v1/changes?since=0&limit=5000&include=index``), the feed's most costly page still served as a
page (2,000 changes back), and the 404 page (``/e/nope``).  Each hammering client sends its own
``X-Forwarded-For`` (the server trusts it from 127.0.0.1, as from a reverse proxy), so per-client
limits see 16 clients, not one.  The hammer runs in a second process (asyncio, one connection per
client), so the measuring client never waits for its interpreter.

The phases run in rounds (3 by default), so that the machine's other load falls on all of them
alike.  The table gives search p50 / p95 / p99 in each phase and the median over the rounds of its
p99 against the quiet p99 of the same round: the goal is at most 2×.  ``--code DIR`` serves another checkout's code (an earlier commit, for before/after
figures).  Figures are for this machine at the time of the run: compare within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
QUERIES = ["cay", "nước", "nha", "ăn cơm", "tiếng", "con chó", "mắt", "dej", "bơ̆n", "ntawv", "nuoc", "lúa",
           "đi", "núi", "tay", "trâu", "mưa", "uống", "khmer", "hoà"]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "tudien", *args], env=env, check=True, stdout=subprocess.DEVNULL)


def serve(data: Path, code: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "TUDIEN_DATA_DIR": str(data), "PYTHONPATH": str(code), "TUDIEN_TTS_ENGINES": "espeak-ng",
           "TUDIEN_PACK_INTERVAL": "0"}
    server = subprocess.Popen([sys.executable, "-m", "tudien", "serve", "--port", str(port), "--workers", "1",
                               "--log-level", "error"], env=env, cwd=code)
    site = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{site}/health", timeout=2).status_code == 200:
                return server, site
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start")


def _feed_head(data: Path) -> int:
    """The number of the store's last change (read from the SQLite file the server serves)."""
    db = sqlite3.connect(f"file:{data / 'tudien.sqlite3'}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'feed_head'").fetchone()
    finally:
        db.close()
    return int(row[0]) if row else 0


def probe(site: str, seconds: float) -> list[float]:
    """Search latencies (ms) of one client asking one query after another for ``seconds``."""
    out = []
    with httpx.Client(base_url=site, timeout=60) as client:
        end, i = time.monotonic() + seconds, 0
        while time.monotonic() < end:
            started = time.perf_counter()
            response = client.get("/v1/search", params={"q": QUERIES[i % len(QUERIES)]})
            out.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text[:200]
            i += 1
    return out


async def _hammer(site: str, path: str, clients: int, seconds: float) -> dict:
    statuses: Counter = Counter()
    received = 0

    async def one(n: int) -> None:
        nonlocal received
        headers = {"X-Forwarded-For": f"198.51.100.{n + 1}", "Accept-Encoding": "gzip"}
        async with httpx.AsyncClient(base_url=site, timeout=120, headers=headers) as client:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                try:
                    response = await client.get(path)
                except httpx.HTTPError:
                    statuses["error"] += 1
                    continue
                statuses[response.status_code] += 1
                received += response.num_bytes_downloaded

    await asyncio.gather(*(one(n) for n in range(clients)))
    return {"statuses": dict(statuses), "bytes": received}


def hammer(site: str, path: str, clients: int, seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--hammer", site, path, str(clients), str(seconds)],
                            stdout=subprocess.PIPE, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="a data directory with the open word lists loaded")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=6, help="of each phase in each round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--code", type=Path, default=REPO, help="the checkout whose code serves")
    parser.add_argument("--hammer", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hammer:
        site, path, clients, seconds = args.hammer
        print(json.dumps(asyncio.run(_hammer(site, path, int(clients), float(seconds)))))
        return

    scratch = None
    data = args.data
    if data is None:
        scratch = tempfile.TemporaryDirectory(prefix="tudien-hammer-")
        data = Path(scratch.name) / "data"
        env = {**os.environ, "TUDIEN_DATA_DIR": str(data), "PYTHONPATH": str(args.code)}
        print("loading the open word lists…", file=sys.stderr)
        _run(env, "corpora", "load")
        _run(env, "index")
    server, site = serve(data, args.code.resolve())
    try:
        head = httpx.get(f"{site}/health").json()
        feed_head = _feed_head(data)
        # the most costly page the feed still serves (2,000 changes back)
        deep = max(0, feed_head - 1999)
        phases = [("quiet", None),
                  ("feed since=0, limit=5000, index", "/v1/changes?since=0&limit=5000&include=index"),
                  ("feed 2,000 back, limit=5000, index", f"/v1/changes?since={deep}&limit=5000&include=index"),
                  ("404 page /e/nope", "/e/nope")]
        probe(site, 2)  # warm
        # rounds of every phase, each hammered phase against the quiet one of its own round: the
        # machine's other load comes and goes, and a ratio means something only within a round
        measured: dict[str, list] = {label: [] for label, _ in phases}
        for _ in range(args.rounds):
            quiet = None
            for label, path in phases:
                crowd = hammer(site, path, args.clients, args.seconds + 1) if path else None
                if crowd:
                    time.sleep(1)
                latencies = probe(site, args.seconds)
                report = json.loads(crowd.communicate()[0]) if crowd else None
                p99 = percentile(latencies, .99)
                quiet = quiet or p99
                measured[label].append((latencies, p99 / quiet, report))
                time.sleep(2)  # let the per-client buckets refill between phases
    finally:
        server.terminate()
        server.wait(timeout=30)
        if scratch is not None:
            scratch.cleanup()
    print(f"server: {args.code} · {head['store']['entries']} entries · 1 worker · {args.clients} hammering "
          f"clients · {args.rounds} rounds of {args.seconds:g} s a phase · feed head {feed_head}")
    print(f"{'phase':38} {'searches':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p99/quiet':>9}  hammer")
    for label, runs in measured.items():
        latencies = [ms for run in runs for ms in run[0]]
        ratios = sorted(run[1] for run in runs)
        said = ""
        if runs[0][2]:
            statuses: Counter = Counter()
            for run in runs:
                statuses.update(run[2]["statuses"])
            seconds = (args.seconds + 1) * len(runs)
            said = f"{sum(statuses.values()) / seconds:,.0f} answers/s ({dict(statuses)})"
        print(f"{label:38} {len(latencies):8d} {percentile(latencies, .5):8.1f} {percentile(latencies, .95):8.1f} "
              f"{percentile(latencies, .99):8.1f} {ratios[len(ratios) // 2]:8.1f}×  {said}")
    print("p99/quiet: the median over the rounds of each round's p99 against that round's quiet p99")

if __name__ == "__main__":
    main()
