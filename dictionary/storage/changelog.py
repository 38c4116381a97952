"""Entering changes of the public text in the change feed, in the writer's transaction.

Every room that changes what the public reads (entries, datasets, the audio catalogue) calls
:func:`record`; each call makes one new generation of the store.  :mod:`dictionary.storage.feed`
reads the feed.
"""

from __future__ import annotations

import sqlite3

from dictionary.storage.core import now


def record(db: sqlite3.Connection, items: list[tuple[int, str, str | None]]) -> int:
    """Enter changes of the public text in the change feed, under one new generation: each
    item is (row, id, the language whose readers it concerns; None: every language's)."""
    generation = _bump(db)  # holds the generation's row until the commit: changes are numbered in order
    first, at = head_of(db), now()
    db.executemany("INSERT INTO changes (seq, generation, entry, entry_id, language, at) VALUES (?, ?, ?, ?, ?, ?)",
                   [(first + n, generation, row, entry_id, language, at)
                    for n, (row, entry_id, language) in enumerate(items, start=1)])
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('feed_head', ?)", (str(first + len(items)),))
    return generation


def recordings_changed(db: sqlite3.Connection, entry_ids: list[str]) -> bool:
    """The recordings of these entries changed: a change of the public text of the published
    ones, entered in the feed (whether there was any)."""
    rows = []
    for start in range(0, len(entry_ids), 500):
        chunk = entry_ids[start : start + 500]
        rows += db.execute(f"SELECT rowid, id, language FROM entries WHERE public IS NOT NULL AND id IN "
                           f"({','.join('?' * len(chunk))})", chunk).fetchall()
    if rows:
        record(db, [tuple(row) for row in rows])
    return bool(rows)


def _bump(db: sqlite3.Connection) -> int:
    """The next generation: every change of the public text makes one."""
    db.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'generation'")
    return int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])


def head_of(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = 'feed_head'").fetchone()
    return int(row[0]) if row else 0


def generation_of(db: sqlite3.Connection) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0

