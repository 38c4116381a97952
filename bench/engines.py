"""Both search engines, one run: the same queries on the embedded engine and on Elasticsearch,
interleaved, and their indexing throughput; with ``--against REV``, the same for another commit,
side by side and interleaved with this tree.

    .venv/bin/python bench/engines.py [--against main] [--queries 2000] [--passes 1] [--builds 3]
                                      [--million | --synthetic N]

Data: the Bahnar–Vietnamese list (../shared/data/bahnar/bahnaric.csv, Apache-2.0,
IAmSkyDra/BARTBahnar), read in place; with --million (or --synthetic N), instead 1,000,000 (or N)
entries built from real forms as bench/search.py builds them (two Bahnar headwords joined, glossed with a word of Viet74K,
GPL-2.0, Hồ Ngọc Đức) — benchmark data only, never stored in the repository.

The query set mixes what people type: a headword as written, the same without diacritics, a
headword with one letter dropped, a Vietnamese gloss as written and without diacritics.

Each engine of each tree runs in a process of its own (a tree's code imported there: this one,
or a ``git worktree`` of REV in a temporary folder), which times the searches itself; this process
only sends them the queries in turn, one query to every engine before the next query, so the
machine's noise falls on all alike.  Index builds are interleaved the same way.  Throughput is
one client's: searches per second of search time.

Elasticsearch: the node at TUDIEN_BENCH_ES_URL if set, else a single node that scripts/elasticsearch
starts on TUDIEN_BENCH_ES_PORT (default 9260) and this benchmark stops again.  For Elasticsearch it
also prints where a search's time goes (the node's own ``took``, the round trip, the shared
ranking, the rest in Python) and, where the tree has ``candidates_many``, the plans of a search
(the query and its readings) sent plan by plan and in one ``_msearch``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
ENGINES = ("embedded", "elasticsearch")


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


# -- data (standard library only: the worker of another tree runs this too) --------------------

def bahnar_pairs() -> list[tuple[str, str]]:
    rows = csv.reader((DATA / "bahnar/bahnaric.csv").read_text(encoding="utf-8-sig").splitlines()[1:])
    return [(r[0].strip(), r[1].strip()) for r in rows if len(r) > 1 and r[0].strip() and r[1].strip()]


def synthetic_pairs(size: int) -> list[tuple[str, str]]:
    """(headword, gloss) of the synthetic set, the same on every call."""
    bahnar = sorted({h for h, _ in bahnar_pairs()})
    viet = [w.strip() for w in (DATA / "vietnamese/Viet74K.txt").read_text(encoding="utf-8").splitlines() if w.strip()]
    rng = random.Random(1)
    seen: dict[str, str] = {}
    while len(seen) < size:
        hw = f"{rng.choice(bahnar)} {rng.choice(bahnar)}"
        if hw not in seen:
            seen[hw] = rng.choice(viet)
    return list(seen.items())


def query_set(pairs: list[tuple[str, str]], n: int, seed: int = 7) -> list[tuple[str, str]]:
    """(kind, query): headword exact, folded, with a typo; gloss with and without diacritics."""
    sys.path.insert(0, str(REPO))
    from dictionary.text.normalize import fold

    rng = random.Random(seed)
    kinds = ("headword", "headword folded", "headword typo", "gloss", "gloss folded")
    out = []
    for i in range(n):
        head, gloss = rng.choice(pairs)
        kind = kinds[i % len(kinds)]
        if kind == "headword folded":
            text = fold(head)
        elif kind == "headword typo" and len(head) > 3:
            k = rng.randrange(1, len(head) - 1)
            text = head[:k] + head[k + 1:]
        elif kind.startswith("gloss"):
            gloss = rng.choice([g.strip() for g in gloss.split(",") if g.strip()] or [gloss])
            text = fold(gloss) if kind == "gloss folded" else gloss
        else:
            text = head
        out.append((kind, text))
    return out


# -- the worker: one engine of one tree ----------------------------------------------------------

class Timed:
    """Calls of ``owner.name`` timed (the call itself is unchanged)."""

    def __init__(self, owner, name: str) -> None:
        self.spent = 0.0
        self.calls = 0
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - t
                self.calls += 1

        setattr(owner, name, timed)

    def take(self) -> tuple[float, int]:
        spent, calls = self.spent * 1e3, self.calls
        self.spent, self.calls = 0.0, 0
        return spent, calls


def worker(root: str, engine: str, es_url: str) -> None:
    sys.path.insert(0, root)
    reply = os.fdopen(os.dup(1), "w", buffering=1)  # the protocol's channel; prints go to stderr
    os.dup2(2, 1)
    import uuid

    from corpora.imports import Imports
    from corpora.tabular import Columns
    from dictionary.search.ranking import QueryPlan, fuzzy_distance_for
    from dictionary.text.normalize import search_keys
    from indexer.config import ElasticSettings
    from tudien.settings import Settings
    from tudien.wiring import open_services

    tmp = Path(tempfile.mkdtemp(prefix="bench-engines-"))
    elastic = ElasticSettings(hosts=(es_url,), index=f"tudien-bench-{uuid.uuid4().hex[:10]}", timeout=10.0)
    services = open_services(Settings(data_dir=tmp / "data", backend=engine, elastic=elastic))
    service, backend = services.search, services.backend
    engine_time = [Timed(backend, name) for name in ("candidates", "candidates_many") if hasattr(backend, name)]
    # the shared ranking: the search core's finishing call where the tree has one, else rank()
    try:
        from dictionary.search import native
    except ImportError:
        native = None
    if native is not None and hasattr(native, "finish"):
        ranking: Timed | None = Timed(native, "finish")
    else:
        ranking = Timed(service, "rank") if hasattr(service, "rank") else None
    took: list[float] = []
    if engine == "elasticsearch":
        transport = backend.client.transport
        perform = transport.perform_request

        def perform_and_read_took(method, target, **kwargs):
            answer = perform(method, target, **kwargs)
            body = getattr(answer, "body", None)
            if isinstance(body, dict) and "took" in body:
                took.append(float(body["took"]))
            return answer

        transport.perform_request = perform_and_read_took
    queries: list[tuple[str, str]] = []
    entries = 0
    try:
        for line in sys.stdin:
            ask = json.loads(line)
            op = ask["op"]
            if op == "load":
                t = time.perf_counter()
                if ask["data"] == "bahnar":
                    report = Imports.of(services).import_file(
                        DATA / "bahnar/bahnaric.csv", "csv", index=False, language="bdq",
                        columns=Columns("Bahnaric", "Vietnamese"))
                    entries = report.entries
                else:
                    from dictionary.model import Entry, Provenance, Sense, entry_id
                    from dictionary.storage.datasets import Dataset

                    pairs = synthetic_pairs(ask["size"])
                    services.collection.replace_dataset(Dataset("million", "bench"), (
                        Entry(id=entry_id("bdq", "million", hw), language="bdq", headword=hw,
                              senses=[Sense(glosses={"vie": [gloss]})], provenance=Provenance(dataset="million"))
                        for hw, gloss in pairs))
                    entries = len(pairs)
                answer: dict = {"entries": entries, "seconds": time.perf_counter() - t,
                                "many": hasattr(backend, "candidates_many")}
            elif op == "build":
                t, cpu = time.perf_counter(), time.process_time()
                keys = services.follower.rebuild()
                answer = {"keys": keys, "seconds": time.perf_counter() - t, "entries": entries,
                          "cpu": time.process_time() - cpu}
            elif op == "queries":
                queries = [tuple(q) for q in ask["queries"]]  # type: ignore[misc]
                answer = {}
            elif op == "search":
                for timer in engine_time:
                    timer.take()
                if ranking:
                    ranking.take()
                took.clear()
                kind, q = queries[ask["i"]]
                t = time.perf_counter()
                service.search(q, None)
                total = (time.perf_counter() - t) * 1e3
                spent, calls = ranking.take() if ranking else (0.0, 0)
                answer = {"total": total, "engine": sum(timer.take()[0] for timer in engine_time),
                          "rank": spent if calls else None,
                          "took": sum(took) if took else None, "trips": len(took)}
            elif op == "plans":  # the plans of one search, plan by plan and all at once
                kind, q = queries[ask["i"]]
                text = service.query_text(q)
                keys = search_keys(text)
                scopes = service.scopes(None, None)
                plans = [QueryPlan(keys=keys, scopes=scopes, fuzzy=fuzzy_distance_for(keys.fold), wanted=10)]
                plans += [QueryPlan(keys=search_keys(r), scopes=scopes, fuzzy=0, wanted=10)
                          for r in service.readings(q, text)]
                answer = {"plans": len(plans)}
                ways = ["each", "many"] + (["speculate"] if hasattr(backend, "speculate") else [])
                for name in ways[ask["i"] % len(ways):] + ways[:ask["i"] % len(ways)]:
                    took.clear()
                    t = time.perf_counter()
                    if name == "each":
                        for plan in plans:
                            backend.candidates(plan)
                    else:
                        backend.speculate = name == "speculate"
                        backend.candidates_many(plans)
                        backend.speculate = False
                    answer[name] = (time.perf_counter() - t) * 1e3
                    answer[name + "_trips"] = len(took)
            elif op == "quit":
                reply.write("{}\n")
                break
            else:
                raise ValueError(op)
            reply.write(json.dumps(answer) + "\n")
    finally:
        if engine == "elasticsearch" and hasattr(backend, "drop"):
            backend.drop()
        backend.close()
        services.storage.close()
        shutil.rmtree(tmp, ignore_errors=True)


# -- the driver --------------------------------------------------------------------------------

class Engine:
    """A worker process: one engine of one tree."""

    def __init__(self, tree: str, root: Path, engine: str, es_url: str) -> None:
        self.tree, self.engine = tree, engine
        self.label = f"{engine} @ {tree}"
        env = {**os.environ, "PYTHONPATH": str(root)}
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(root), engine, es_url],
            cwd=root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.searches: list[dict] = []
        self.plans: list[dict] = []
        self.builds: list[dict] = []
        self.many = False  # the tree's backend has candidates_many
        self.passes: list[int] = []  # where each pass over the query set starts in ``searches``

    def ask(self, **ask) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(ask) + "\n")
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.label}: the worker stopped (exit {self.process.wait()}); see its output above")
        return json.loads(line)

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                self.ask(op="quit")
            self.process.wait(timeout=60)
        except (RuntimeError, OSError, subprocess.TimeoutExpired):
            self.process.kill()


class Node:
    """The Elasticsearch node: one given by TUDIEN_BENCH_ES_URL, or one started here and stopped after."""

    def __init__(self) -> None:
        self.url = os.environ.get("TUDIEN_BENCH_ES_URL")
        self.env = {**os.environ, "TUDIEN_ES_PORT": os.environ.get("TUDIEN_BENCH_ES_PORT", "9260")}
        self.started = False

    def _script(self, action: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(REPO / "scripts" / "elasticsearch"), action], env=self.env,
                              capture_output=True, text=True, timeout=900)

    def start(self) -> str:
        if self.url:
            return self.url
        running = self._script("status").returncode == 0
        done = self._script("start")
        if done.returncode != 0:
            sys.exit(f"no Elasticsearch node: {done.stderr.strip()}")
        self.started = not running
        self.url = done.stdout.strip().splitlines()[-1]
        return self.url

    def cpu(self) -> float:
        """The node's CPU time so far, in seconds (from its own statistics)."""
        import urllib.request

        with urllib.request.urlopen(f"{self.url}/_nodes/_local/stats/process", timeout=10) as answer:
            stats = json.load(answer)
        return sum(n["process"]["cpu"]["total_in_millis"] for n in stats["nodes"].values()) / 1e3

    def stop(self) -> None:
        if self.started:
            self._script("stop")


def tree_of(rev: str, folder: Path) -> Path:
    """A checkout of ``rev`` in ``folder`` (a detached git worktree)."""
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(folder), rev], check=True)
    return folder


def ms(values: list[float]) -> str:
    return f"{percentile(values, .5):6.2f} / {percentile(values, .99):6.2f}"


def report(engines: list[Engine], kinds: list[str]) -> None:
    rows: list[tuple[str, ...]] = [("engine @ tree", "p50 / p99 ms", "searches/s", "index entries/s (median, range)",
                                    "CPU s per build (Python + node)")]
    by = {(e.tree, e.engine): e for e in engines}
    for e in engines:
        totals = [s["total"] for s in e.searches]
        rate = [b["entries"] / b["seconds"] for b in e.builds]
        rows.append((e.label, ms(totals), f"{len(totals) / (sum(totals) / 1e3):,.0f}",
                     f"{statistics.median(rate):,.0f} ({min(rate):,.0f}-{max(rate):,.0f}), {e.builds[0]['keys']:,} keys",
                     f"{statistics.median(b['cpu'] for b in e.builds):.2f} + "
                     f"{statistics.median(b['node_cpu'] for b in e.builds):.2f}"))
    _table(rows)
    if len(engines[0].passes) > 1:
        print()
        rows = [("per pass, p50 / p99 ms", *(e.label for e in engines))]
        for k, start in enumerate(engines[0].passes):
            rows.append((f"pass {k + 1}", *(ms([s["total"] for s in e.searches[start:start + len(kinds)]])
                                            for e in engines)))
        _table(rows)
    print()
    rows = [("Elasticsearch / embedded", "p50", "p99", "throughput")]
    for tree in dict.fromkeys(e.tree for e in engines):
        es, emb = by.get((tree, "elasticsearch")), by.get((tree, "embedded"))
        if es and emb:
            a, b = [s["total"] for s in es.searches], [s["total"] for s in emb.searches]
            rows.append((tree, f"{percentile(a, .5) / percentile(b, .5):.2f}x", f"{percentile(a, .99) / percentile(b, .99):.2f}x",
                         f"{sum(b) / sum(a):.2f}x"))
    _table(rows)
    print()
    rows = [("by kind, p50 / p99 ms", *(e.label for e in engines))]
    for kind in dict.fromkeys(kinds):
        rows.append((kind, *(ms([s["total"] for i, s in enumerate(e.searches) if kinds[i % len(kinds)] == kind])
                             for e in engines)))
    _table(rows)
    for e in engines:
        if e.engine != "elasticsearch":
            continue
        s = e.searches
        print(f"\nwhere an Elasticsearch search's time goes @ {e.tree} (p50 / p99 ms, {len(s)} searches):")
        rows = [("the node's own query time (took)", ms([x["took"] for x in s if x["took"] is not None])),
                ("backend calls (round trips, parsing)", ms([x["engine"] for x in s])),
                ("shared ranking (native.finish, or rank)", ms([x["rank"] for x in s if x["rank"] is not None])),
                ("search beyond the backend calls", ms([x["total"] - x["engine"] for x in s])),
                ("round trips per search (mean)", f"{statistics.mean(x['trips'] for x in s):.2f}")]
        _table(rows)
        if e.plans:
            p = e.plans
            print(f"\na search's plans (query + readings, mean {statistics.mean(x['plans'] for x in p):.2f}) @ {e.tree}:")
            ways = [("plan by plan (candidates)", "each"), ("candidates_many", "many"),
                    ("candidates_many, distance 2 sent at once", "speculate")]
            _table([(label, ms([x[way] for x in p]), f"{statistics.mean(x[way + '_trips'] for x in p):.2f} round trips")
                    for label, way in ways if way in p[0]])


def _table(rows: list[tuple[str, ...]]) -> None:
    width = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, width, strict=True)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", metavar="REV", help="also run another commit's code (e.g. main)")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--builds", type=int, default=3, help="index builds per engine (interleaved)")
    parser.add_argument("--million", action="store_true", help="1,000,000 synthetic entries instead of the Bahnar list")
    parser.add_argument("--synthetic", type=int, metavar="N", help="N synthetic entries (as --million builds them)")
    parser.add_argument("--passes", type=int, default=1, help="times the query set runs (the spread is printed)")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    if not DATA.is_dir():
        sys.exit(f"the benchmark reads the real word lists at {DATA}; it is not there")
    node = Node()
    url = node.start()
    trees: list[tuple[str, Path]] = [("this tree", REPO)]
    temp = Path(tempfile.mkdtemp(prefix="bench-against-"))
    engines: list[Engine] = []
    try:
        if args.against:
            rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", args.against],
                                 capture_output=True, text=True, check=True).stdout.strip()
            trees.append((f"{args.against} ({rev})", tree_of(rev, temp / "tree")))
        engines = [Engine(tree, root, engine, url) for tree, root in trees for engine in ENGINES]
        size = args.synthetic or (1_000_000 if args.million else 0)
        pairs = synthetic_pairs(size) if size else bahnar_pairs()
        for e in engines:
            e.many = e.ask(op="load", data="synthetic" if size else "bahnar", size=size)["many"]
        for e in engines:  # a first build each, not counted: a fresh node compiles its code paths
            e.ask(op="build")
        for r in range(args.builds):
            for e in engines[r % len(engines):] + engines[:r % len(engines)]:
                before = node.cpu()
                e.builds.append({**e.ask(op="build"), "node_cpu": node.cpu() - before})
        queries = query_set(pairs, args.queries)
        for e in engines:
            e.ask(op="queries", queries=queries)
        for i in range(min(100, len(queries))):  # warm every engine alike
            for e in engines:
                e.ask(op="search", i=i)
        for _ in range(args.passes):
            for e in engines:
                e.passes.append(len(e.searches))
            for i in range(len(queries)):
                turn = engines[i % len(engines):] + engines[:i % len(engines)]  # who goes first rotates
                for e in turn:
                    e.searches.append(e.ask(op="search", i=i))
        for i in range(len(queries)):
            for e in engines:
                if e.engine == "elasticsearch" and e.many:
                    e.plans.append(e.ask(op="plans", i=i))
        print(f"{engines[0].builds[0]['entries']:,} entries ({'synthetic' if size else 'the Bahnar list'}), "
              f"{len(queries):,} queries, Elasticsearch at {url}\n")
        report(engines, [k for k, _ in queries])
    finally:
        for e in engines:
            e.close()
        if args.against:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(temp / "tree")], check=False)
        shutil.rmtree(temp, ignore_errors=True)
        node.stop()


if __name__ == "__main__":
    main()
