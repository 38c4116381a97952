"""The offline pack's format: its tables, and the rows a feed item or a build puts in them.

``dictionary/packs/packs.md`` documents the schema for app developers.  The server writes packs with
these functions (:mod:`dictionary.packs.pack`) and an app's copy is patched with the same
:func:`apply` (``tudien offline``), so both give the same rows.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable

import orjson

from dictionary.public import published_entry
from dictionary.search.indexing import key_docs
from dictionary.storage.feed import FeedChange, FeedPage

log = logging.getLogger("tudien.packs")

SCHEMA_VERSION = 1
MEDIA_TYPE = "application/vnd.sqlite3"
SUFFIX = ".sqlite"

DDL = """
CREATE TABLE pack (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE datasets (
    name     TEXT PRIMARY KEY,
    citation TEXT,
    licence  TEXT
) WITHOUT ROWID;
CREATE TABLE entries (
    row       INTEGER PRIMARY KEY,
    authority INTEGER NOT NULL,
    meanings  INTEGER NOT NULL,
    json      TEXT NOT NULL
);
CREATE TABLE keys (
    key      INTEGER PRIMARY KEY,
    field    INTEGER NOT NULL,
    gloss    TEXT NOT NULL,
    position INTEGER NOT NULL,
    exact    TEXT NOT NULL,
    tone     TEXT NOT NULL,
    fold     TEXT NOT NULL
);
CREATE TABLE words (
    word TEXT NOT NULL,
    key  INTEGER NOT NULL,
    PRIMARY KEY (word, key)
) WITHOUT ROWID
"""
# Run once on the device after the download is checked: the look-up structures, which the pack
# leaves out on the wire (they would be a third of its bytes, and are made in a fraction of a
# second from what it holds).
SETUP = """
CREATE INDEX IF NOT EXISTS keys_fold ON keys(fold);
INSERT OR IGNORE INTO words
WITH RECURSIVE split(key, word, rest) AS (
    SELECT key, '', fold || ' ' FROM keys WHERE instr(fold, ' ') > 0
    UNION ALL
    SELECT key, substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1)
    FROM split WHERE rest <> ''
)
SELECT word, key FROM split WHERE word <> ''
"""
KEYS_PER_ENTRY = 1 << 16  # a key's number is its entry's row times this plus its place in the entry
KEY_SHIFT = 16


class PackError(Exception):
    """A pack that cannot be used as it is (another schema, another store, not a pack)."""


# -- feed items: the change feed's JSON, and what a pack makes of it ------------------------------

def feed_items(changes: Iterable[FeedChange], language: str | None, *, index: bool) -> list[dict]:
    """The change feed's items for ``changes``: ``{"seq", "id", "language", "op"}``, with
    ``entry`` (the public JSON and its recordings) for an upsert, and with ``index`` asked, the
    rows a pack (or any other copy of the index) needs: ``{"row", "meanings", "keys"}``, each key
    ``[field, gloss language or "", position, exact, tone, fold]``."""
    changes = list(changes)
    entries = {c.row: published_entry(c.public, list(c.recordings)) for c in changes if c.public is not None}
    keys: dict[int, list[list]] = {}
    if index:
        for doc in key_docs(sorted((c.row, c.public) for c in changes if c.public is not None)):
            keys.setdefault(doc.entry, []).append(
                [doc.field, doc.gloss_language or "", doc.position, doc.exact, doc.tone, doc.fold])
    out = []
    for c in changes:
        if c.public is None:
            item = {"seq": c.seq, "id": c.id, "language": c.language or language, "op": "delete"}
            if index:
                item["index"] = {"row": c.row}
            out.append(item)
            continue
        item = {"seq": c.seq, "id": c.id, "language": c.public["language"], "op": "upsert",
                "entry": entries[c.row]}
        if index:
            item["index"] = {"row": c.row, "meanings": c.meanings, "keys": keys.get(c.row, [])}
        out.append(item)
    return out


def feed_page(page: FeedPage, language: str | None, *, index: bool) -> dict:
    return {"changes": feed_items(page.changes, language, index=index), "next": page.next, "more": page.more}


def create(db: sqlite3.Connection) -> None:
    for statement in DDL.split(";"):
        if statement.strip():
            db.execute(statement)


def prepared(db: sqlite3.Connection) -> bool:
    """Whether the pack's look-up structures were made (:data:`SETUP`)."""
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = 'keys_fold'").fetchone() is not None


def prepare(db: sqlite3.Connection) -> None:
    """Make the pack's look-up structures (once, after its download is checked)."""
    if not prepared(db):
        db.execute("BEGIN")
        for statement in SETUP.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("COMMIT")


def apply(db: sqlite3.Connection, items: Iterable[dict], *, datasets: bool = True) -> int:
    """Apply change-feed items (with their ``index``) to the pack open as ``db``, in the caller's
    transaction; returns how many were applied.  Idempotent: an item applied twice leaves the
    same rows.  With ``datasets``, the datasets the items touched are then made again
    (:func:`refresh_datasets`)."""
    words = prepared(db)
    count = 0
    touched: set[str | None] = set()  # dataset names (an entry may name none)
    for item in items:
        count += 1
        index = item.get("index")
        if index is None:
            raise PackError(f"change {item['seq']} carries no index rows: ask the feed with include=index")
        row = index["row"]
        first, last = row * KEYS_PER_ENTRY, (row + 1) * KEYS_PER_ENTRY - 1
        old = db.execute("SELECT json_extract(json, '$.source.dataset') FROM entries WHERE row = ?", (row,)).fetchone()
        if old is not None:
            touched.add(old[0])
            db.execute("DELETE FROM entries WHERE row = ?", (row,))
        if words:  # by their words, the table's key: the words of the keys about to go
            db.executemany("DELETE FROM words WHERE word = ? AND key = ?", [
                (word, key) for key, fold in db.execute(
                    "SELECT key, fold FROM keys WHERE key BETWEEN ? AND ? AND instr(fold, ' ') > 0", (first, last))
                for word in fold.split(" ") if word])
        db.execute("DELETE FROM keys WHERE key BETWEEN ? AND ?", (first, last))
        if item["op"] != "upsert":
            continue
        entry = item["entry"]
        source = entry.get("source") or {}
        db.execute("INSERT INTO entries VALUES (?, ?, ?, ?)",
                   (row, int(bool(entry.get("authority"))), index["meanings"], orjson.dumps(entry).decode()))
        touched.add(source.get("dataset"))
        if len(index["keys"]) > KEYS_PER_ENTRY:  # no dictionary entry has tens of thousands of glosses
            log.warning("entry %s has %d search keys; the pack keeps its first %d", item["id"],
                        len(index["keys"]), KEYS_PER_ENTRY)
        keys = [(first + n, *key) for n, key in enumerate(index["keys"][:KEYS_PER_ENTRY])]
        db.executemany("INSERT INTO keys VALUES (?, ?, ?, ?, ?, ?, ?)", keys)
        if words:
            db.executemany("INSERT OR IGNORE INTO words VALUES (?, ?)",
                           [(word, key[0]) for key in keys if " " in key[6] for word in key[6].split(" ") if word])
    if datasets:
        refresh_datasets(db, touched)
    return count


def refresh_datasets(db: sqlite3.Connection, names: Iterable[str | None]) -> None:
    """The ``datasets`` rows of ``names`` made again from the pack's entries: a dataset's citation
    and licence as its first entry (the lowest row) gives them, so a patched pack and one built
    whole agree even where entries of one dataset differ; a dataset no entry names goes."""
    for name in {n for n in names if n}:
        first = db.execute("SELECT json_extract(json, '$.source.citation'), json_extract(json, '$.source.licence') "
                           "FROM entries WHERE json_extract(json, '$.source.dataset') = ? ORDER BY row LIMIT 1",
                           (name,)).fetchone()
        if first is None:
            db.execute("DELETE FROM datasets WHERE name = ?", (name,))
        else:
            db.execute("INSERT OR REPLACE INTO datasets VALUES (?, ?, ?)", (name, *first))


def set_meta(db: sqlite3.Connection, **values: object) -> None:
    db.executemany("INSERT OR REPLACE INTO pack VALUES (?, ?)", [(k, str(v)) for k, v in values.items()])


def meta(db: sqlite3.Connection) -> dict[str, str]:
    try:
        return dict(db.execute("SELECT key, value FROM pack"))
    except sqlite3.DatabaseError as exc:
        raise PackError(f"not a language pack ({exc})") from None


def check(db: sqlite3.Connection, where: object) -> dict[str, str]:
    """The pack's meta, once it is one this release reads."""
    found = meta(db)
    if found.get("schema") != str(SCHEMA_VERSION):
        raise PackError(f"{where}: pack schema {found.get('schema')!r}; this release reads schema {SCHEMA_VERSION}")
    return found


# -- building and patching -----------------------------------------------------------------------
