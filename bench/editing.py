"""Editing benchmark: writes per second (create, edit, publish) with search load running beside
them, search latency under that load, and the lag from a publish's answer to the public finding
the entry: on SQLite with each engine, and on PostgreSQL with Elasticsearch (several nodes' set-up).

    .venv/bin/python bench/editing.py [--seconds 20] [--elasticsearch http://127.0.0.1:9250]

Data: the Bahnar–Vietnamese list (../shared/data/bahnar/bahnaric.csv, Apache-2.0,
IAmSkyDra/BARTBahnar), read in place and imported into a temporary folder; the entries written
are real Bahnar headwords with their real glosses from that list, entered again as new entries.
A real ``tudien serve --workers 2`` answers; one client process sends searches (4 threads) while
this process writes, one entry at a time: create (POST), edit (PUT with If-Match), send to review
and publish (two status moves), then asks the public search until the entry is found.  Without
``--elasticsearch``, and when scripts/elasticsearch can start the project's node, Elasticsearch
is measured too.  Prints a table; compare within one run (the machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"

from search import percentile  # noqa: E402  (bench/search.py, beside this file)

from corpora.imports import Imports  # noqa: E402
from corpora.tabular import Columns  # noqa: E402
from indexer.config import ElasticSettings  # noqa: E402
from tudien.settings import Settings  # noqa: E402
from tudien.wiring import open_services  # noqa: E402

BAHNAR = DATA / "bahnar" / "bahnaric.csv"


def bahnar_pairs() -> list[tuple[str, str]]:
    with open(BAHNAR, encoding="utf-8-sig", newline="") as handle:  # the file starts with a BOM
        rows = [(r["Bahnaric"].strip(), r["Vietnamese"].strip()) for r in csv.DictReader(handle)]
    return [(h, v) for h, v in rows if h and v and len(v) <= 80]


def _searcher(site: str, queries: list[str], seconds: float, out, threads: int = 4) -> None:
    times: list[list[float]] = [[] for _ in range(threads)]

    def run(k: int) -> None:
        http = httpx.Client(timeout=10)
        stop = time.monotonic() + seconds
        n = k
        while time.monotonic() < stop:
            t = time.monotonic()
            http.get(site + "/v1/search", params={"q": queries[n % len(queries)]})
            times[k].append(time.monotonic() - t)
            n += threads

    pool = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    every = [x for per in times for x in per]
    out.put((len(every), percentile(every, .5), percentile(every, .99)))


def _wait_up(site: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited")
        try:
            if httpx.get(site + "/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


def bench_engine(label: str, settings: Settings, env: dict, pairs, seconds: float, rows: list) -> None:
    services = open_services(settings)
    Imports.of(services).import_file(BAHNAR, "csv", language="bdq", columns=Columns("Bahnaric", "Vietnamese"))
    token = services.accounts.add("bench.editor", "editor", "bdq")
    services.close()
    port = 18000 + random.randrange(1000)
    site = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "tudien", "serve", "--port", str(port), "--workers", "2",
                               "--log-level", "warning"], env=env)
    try:
        _wait_up(site, server)
        for vie in [v for _, v in pairs[:50]]:  # warm both workers
            httpx.get(site + "/v1/search", params={"q": vie})
        out = multiprocessing.Queue()
        load = multiprocessing.Process(target=_searcher, args=(site, [v for _, v in pairs], seconds + 5, out))
        load.start()
        time.sleep(1)
        auth = {"Authorization": f"Bearer {token}"}
        http = httpx.Client(timeout=30)
        timings: dict[str, list[float]] = {"create": [], "edit": [], "publish": []}
        lags: list[float] = []
        writes = 0
        started = time.monotonic()
        k = 0
        while time.monotonic() - started < seconds:
            headword, vie = pairs[(k * 7919) % len(pairs)]
            k += 1
            body = {"language": "bdq", "headword": headword, "senses": [{"glosses": {"vie": [vie]}}]}
            t = time.monotonic()
            made = http.post(site + "/v1/entries", headers=auth, json=body)
            timings["create"].append(time.monotonic() - t)
            assert made.status_code == 201, made.text
            entry_id = made.json()["id"]
            body["senses"][0]["domains"] = ["benchmark"]
            t = time.monotonic()
            edited = http.put(site + f"/v1/entries/{entry_id}", headers={**auth, "If-Match": made.headers["ETag"]},
                              json=body)
            timings["edit"].append(time.monotonic() - t)
            assert edited.status_code == 200, edited.text
            http.post(site + f"/v1/entries/{entry_id}/status", headers=auth, json={"status": "review"})
            t = time.monotonic()
            published = http.post(site + f"/v1/entries/{entry_id}/status", headers=auth, json={"status": "published"})
            answered = time.monotonic()
            timings["publish"].append(answered - t)
            assert published.status_code == 200, published.text
            writes += 4
            # the public's search, over new connections (either worker), until the entry is found
            while True:
                results = httpx.get(site + "/v1/search",
                                    params={"q": headword, "from": "bdq", "limit": 100}).json()["results"]
                if any(r["id"] == entry_id for r in results):
                    break
                if time.monotonic() - answered > 10:
                    raise SystemExit(f"{entry_id} not searchable after 10 s")
                time.sleep(0.01)
            lags.append(time.monotonic() - answered)
        elapsed = time.monotonic() - started
        load.join()
        searches, search_p50, search_p99 = out.get()
        ms = 1000
        rows.append((label, f"{writes / elapsed:.0f}", f"{percentile(timings['create'], .5) * ms:.1f}",
                     f"{percentile(timings['edit'], .5) * ms:.1f}", f"{percentile(timings['publish'], .5) * ms:.1f}",
                     f"{percentile(lags, .5) * ms:.0f}", f"{percentile(lags, .99) * ms:.0f}",
                     f"{max(lags) * ms:.0f}", str(len(lags)), f"{searches / (seconds + 5):.0f}",
                     f"{search_p50 * ms:.1f}", f"{search_p99 * ms:.1f}"))
    finally:
        server.terminate()
        server.wait(timeout=30)


def _postgres_database() -> str | None:
    """A new database on the project's PostgreSQL cluster (scripts/postgres), or None."""
    import psycopg

    done = subprocess.run([str(REPO / "scripts" / "postgres"), "start"], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"PostgreSQL not measured: {done.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    url = done.stdout.strip().splitlines()[-1]
    name = f"tudien_bench_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name}")
        db.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--elasticsearch", help="URL of a node (default: the project's own, if it starts)")
    parser.add_argument("--no-elasticsearch", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    if not BAHNAR.exists():
        raise SystemExit(f"{BAHNAR} is not there: the benchmark reads the real list in place")
    pairs = bahnar_pairs()
    rows: list[tuple] = []
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "embedded"
        env = {**os.environ, "TUDIEN_DATA_DIR": str(data), "TUDIEN_TTS_ENGINES": "espeak-ng"}
        bench_engine("sqlite+embedded", Settings(data_dir=data), env, pairs, args.seconds, rows)
        url = args.elasticsearch
        if url is None and not args.no_elasticsearch:
            done = subprocess.run([str(REPO / "scripts" / "elasticsearch"), "start"], capture_output=True, text=True,
                                  env={**os.environ, "TUDIEN_ES_PORT": "9250"})
            url = done.stdout.strip().splitlines()[-1] if done.returncode == 0 else None
            if url is None:
                print(f"Elasticsearch not measured: {done.stderr.strip()[-300:]}", file=sys.stderr)
        if url:
            data = Path(folder) / "elastic"
            index = f"tudien-bench-{os.getpid()}"
            elastic = ElasticSettings(hosts=(url,), index=index)
            env = {**os.environ, "TUDIEN_DATA_DIR": str(data), "TUDIEN_TTS_ENGINES": "espeak-ng",
                   "TUDIEN_BACKEND": "elasticsearch", "TUDIEN_ELASTICSEARCH_URL": url,
                   "TUDIEN_ELASTICSEARCH_INDEX": index}
            try:
                bench_engine("sqlite+elasticsearch", Settings(data_dir=data, backend="elasticsearch", elastic=elastic),
                             env, pairs, args.seconds, rows)
            finally:
                httpx.delete(f"{url}/{index}-g*")
            database = _postgres_database() if not args.no_postgres else None
            if database:
                data = Path(folder) / "postgres"
                index = f"tudien-bench-pg-{os.getpid()}"
                elastic = ElasticSettings(hosts=(url,), index=index)
                env.update({"TUDIEN_DATA_DIR": str(data), "TUDIEN_ELASTICSEARCH_INDEX": index,
                            "TUDIEN_DATABASE_URL": database})
                try:
                    bench_engine("postgresql+elasticsearch",
                                 Settings(data_dir=data, backend="elasticsearch", elastic=elastic,
                                          database_url=database), env, pairs, args.seconds, rows)
                finally:
                    httpx.delete(f"{url}/{index}-g*")
                    import psycopg

                    with psycopg.connect(database.rsplit("/", 1)[0] + "/tudien", autocommit=True) as db:
                        db.execute(f"DROP DATABASE IF EXISTS {database.rsplit('/', 1)[1]} WITH (FORCE)")
    header = ("store+engine", "writes/s", "create p50 ms", "edit p50 ms", "publish p50 ms", "lag p50 ms",
              "lag p99 ms", "lag max ms", "publishes", "searches/s beside", "search p50 ms", "search p99 ms")
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
