"""In-process search latency alone, on the Bahnar list: what bench/search.py measures first, run
several times in a row to show the run-to-run spread (seconds, not the minutes of the whole
benchmark).

    PYTHONPATH=<checkout> .venv/bin/python bench/in_process.py [--runs 5] [--queries 2000]

The queries are bench/search.py's mix (exact, no diacritics, one typo), made the same way.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

from corpora.imports import Imports
from corpora.tabular import Columns
from dictionary.text.normalize import fold
from tudien.settings import Settings
from tudien.wiring import open_services

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def queries_from(words: list[str], n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        w = rng.choice(words)
        if i % 4 == 1:
            w = fold(w)
        elif i % 4 == 2 and len(w) > 3:
            k = rng.randrange(1, len(w) - 1)
            w = w[:k] + w[k + 1:]
        out.append(w)
    return out


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        services = open_services(Settings(data_dir=Path(tmp)))
        Imports.of(services).import_file(DATA / "bahnar/bahnaric.csv", "csv", index=False, language="bdq",
                                         columns=Columns("Bahnaric", "Vietnamese"))
        services.follower.rebuild()
        rows = csv.reader((DATA / "bahnar/bahnaric.csv").read_text(encoding="utf-8-sig").splitlines()[1:])
        queries = queries_from([r[0] for r in rows], args.queries)
        search = services.search.search
        for q in queries[:50]:
            search(q)  # warm
        for run in range(args.runs):
            lat = []
            for q in queries:
                t = time.perf_counter()
                search(q)
                lat.append((time.perf_counter() - t) * 1e3)
            print(f"run {run + 1}: p50 {percentile(lat, .5):.3f} ms  p99 {percentile(lat, .99):.3f} ms  "
                  f"mean {sum(lat) / len(lat):.3f} ms")
        services.close()


if __name__ == "__main__":
    main()
