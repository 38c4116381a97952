"""A language's recordings as one SQLite file for offline use, beside its offline pack of entries."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from dictionary.files import file_sha256

OFFLINE_TYPE = "audio/ogg; codecs=opus"  # media.OFFLINE_TYPE


def write_pack(path: Path, language: str, version: int, store_id: str, rows: list[dict],
               copy: Callable[[str], bytes]) -> dict:
    """Write ``rows`` (catalogue rows of recordings, as of change ``version`` of store
    ``store_id``) to ``path``, each as its compact copy (``copy`` of its playback sha)."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("BEGIN")
        db.execute("CREATE TABLE pack (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
        db.execute("CREATE TABLE recordings (id TEXT PRIMARY KEY, entry TEXT NOT NULL, content_type TEXT NOT NULL, "
                   "duration_ms INTEGER NOT NULL, data BLOB NOT NULL)")
        db.execute("CREATE INDEX recordings_entry ON recordings(entry)")
        for row in rows:
            db.execute("INSERT INTO recordings VALUES (?, ?, ?, ?, ?)",
                       (row["id"], row["entry_id"], OFFLINE_TYPE, row["duration_ms"], copy(row["playback_sha"])))
        db.executemany("INSERT INTO pack VALUES (?, ?)", [
            ("schema", "1"), ("kind", "audio"), ("language", language), ("version", str(version)),
            ("store", store_id), ("recordings", str(len(rows)))])
        db.execute("COMMIT")
    finally:
        db.close()
    return {"file": path.name, "bytes": path.stat().st_size, "sha256": file_sha256(path),
            "recordings": len(rows), "version": version}
