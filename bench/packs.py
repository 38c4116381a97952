"""Offline packs benchmark: what a language pack costs to make, to download and to keep current,
and how fast the offline client searches it beside the server's own search.

    .venv/bin/python bench/packs.py [--edits 100]

Data: the Bahnar–Vietnamese list (../shared/data/bahnar/bahnaric.csv, Apache-2.0,
IAmSkyDra/BARTBahnar, 20,686 entries), read in place and imported into a temporary folder, and the
public relevance set's Bahnar queries (../shared/eval/public).  Measured in process through the
real API (the app with its gzip middleware): the pack built whole, its bytes as SQLite and gzipped
on the wire; then ``--edits`` published entries edited and published again (a real gloss of
theirs dropped, as an editor's correction), the bytes of the change feed that brings a pack up to
date (gzipped, with and without the index rows), the server's patch of its pack, and the client's
sync; then search latency of the server (embedded engine) and of the offline client over the
pack.  Prints a table; compare within one run (the machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"
EVAL = REPO.parent / "shared" / "eval" / "public" / "queries.jsonl"

from search import percentile  # noqa: E402  (bench/search.py, beside this file)

from corpora.imports import Imports  # noqa: E402
from corpora.tabular import Columns  # noqa: E402
from dictionary.model import Entry, Status  # noqa: E402
from dictionary.packs.pack import apply, prepare, set_meta  # noqa: E402
from tudien.offline import open_search  # noqa: E402
from tudien.settings import Settings  # noqa: E402
from tudien.wiring import create_app, open_services  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=100)
    args = parser.parse_args()
    from fastapi.testclient import TestClient

    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="tudien-bench-packs-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", pack_interval=0)
        services = open_services(settings)
        Imports.of(services).import_file(DATA / "bahnar" / "bahnaric.csv", "csv", language="bdq",
                                         columns=Columns("Bahnaric", "Vietnamese"))
        entries = services.storage.entries  # the feed is what is measured: revisions are written as they are
        shelf = services.packs

        started = time.perf_counter()
        info = shelf.refresh("bdq")
        rows.append(("pack built whole", f"{time.perf_counter() - started:.2f} s, {info.entries} entries"))
        rows.append(("pack bytes, SQLite", f"{info.bytes:,}"))
        rows.append(("pack bytes on the wire (gzip)", f"{info.gzip_bytes:,}"))
        phone = Path(tmp) / "phone"
        phone.mkdir()
        pack = phone / "bdq.sqlite"
        shutil.copyfile(shelf.path(info.file), pack)
        db = sqlite3.connect(pack, isolation_level=None)
        started = time.perf_counter()
        prepare(db)
        rows.append(("setup on the device (index, words)", f"{(time.perf_counter() - started) * 1000:.0f} ms, "
                                                           f"{pack.stat().st_size:,} bytes after"))

        # editors correct published entries: a gloss of theirs dropped, published again
        version = info.version
        edited = 0
        for _, body in entries.iter_entries():
            if edited == args.edits:
                break
            if len(body["senses"]) < 2:
                continue
            entry = Entry.model_validate({**body, "senses": body["senses"][:-1]})
            state = entries.state(entry.id)
            entries.write_revision(entry, author="bench", comment="bỏ nghĩa trùng", status=Status.published,
                                 expected=state.revision, action="entry.update")
            edited += 1
        with TestClient(create_app(settings, services)) as client:
            sizes = {}
            for include in ("index", None):
                params = {"since": version, "language": "bdq", "limit": 5000, **({"include": include} if include else {})}
                response = client.get("/v1/changes", params=params, headers={"Accept-Encoding": "gzip"})
                sizes[include] = (response.num_bytes_downloaded, len(response.content), response.json())
            rows.append((f"changes for {edited} edited entries, with index rows",
                         f"{sizes['index'][0]:,} bytes gzipped ({sizes['index'][1]:,} as JSON)"))
            rows.append((f"changes for {edited} edited entries, entries only",
                         f"{sizes[None][0]:,} bytes gzipped ({sizes[None][1]:,} as JSON)"))
            page = sizes["index"][2]
            started = time.perf_counter()
            db.execute("BEGIN")
            apply(db, page["changes"])
            set_meta(db, version=page["next"])
            db.execute("COMMIT")
            rows.append(("client applies them", f"{(time.perf_counter() - started) * 1000:.0f} ms"))
            db.close()
        started = time.perf_counter()
        patched = shelf.refresh("bdq")
        rows.append(("server patches its pack", f"{time.perf_counter() - started:.2f} s "
                                                f"({patched.gzip_bytes:,} bytes gzipped)"))

        queries = [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines() if line.strip()]
        queries = [q for q in queries if "bdq" in (q.get("from"), q.get("to"))]
        offline = open_search(phone)
        for name, service in (("server (embedded engine)", services.search), ("offline client (pack)", offline)):
            service.search("nhà", "vie", "bdq")  # warm
            times = []
            for q in queries:
                started = time.perf_counter()
                service.search(q["q"], q.get("from"), q.get("to"), 10)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            rows.append((f"search, {name}, {len(queries)} Bahnar queries",
                         f"p50 {percentile(times, 0.5):.2f} ms, p99 {percentile(times, 0.99):.2f} ms"))
        services.close()
    width = max(len(a) for a, _ in rows)
    for a, b in rows:
        print(f"{a:<{width}}  {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
