"""The change feed: every change of the public text, numbered, with the generation it made.

Every write that changes what the public reads (an import, an edit, a recording, a removal)
enters its entries in the feed with :func:`dictionary.storage.changelog.record`, in the writer's
transaction; these are the feed's reads.  The search index
follows the store by it (:mod:`dictionary.search.indexing`), and offline packs are patched from it
(:mod:`dictionary.packs.pack`).  The store's generation and identity live here too.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from dictionary.errors import FeedExpired
from dictionary.storage.changelog import generation_of, head_of
from dictionary.storage.clips import recordings_of
from dictionary.storage.core import Connections

INDEX_LOCK = 0x696E_6478  # the database lock of whoever updates the search index ("indx")


@dataclass(frozen=True, slots=True)
class FeedChange:
    """One entry in the change feed: its public text now (None: the public no longer reads it
    there: a deletion), its count of meanings and its recordings (catalogue rows)."""

    seq: int
    row: int
    id: str
    language: str | None  # whose readers it concerns (None: every language's)
    public: dict | None
    meanings: int
    recordings: tuple[dict, ...]


@dataclass(frozen=True, slots=True)
class FeedPage:
    changes: list[FeedChange]
    next: int  # the cursor to ask from next
    more: bool  # the limit cut the page: ask again from ``next``


class Feed:
    """The change feed's reads, its compaction, and the lock of whoever follows it into an index."""

    def __init__(self, core: Connections) -> None:
        self.core = core

    @property
    def generation(self) -> int:
        return generation_of(self.core.db)

    @property
    def store_id(self) -> str:
        """This store's identity: a feed cursor or a pack of another store means nothing here."""
        return self.core.db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()[0]

    def head(self) -> int:
        """The sequence number of the last change of the public text (0: none yet)."""
        return head_of(self.core.db)

    def changed_since(self, generation: int) -> list[int] | None:
        """Rows whose public text changed after ``generation`` (removed ones included), or None
        when the change feed does not reach back that far (a full rebuild is needed)."""
        start = self.core.db.execute("SELECT value FROM meta WHERE key = 'feed_start'").fetchone()
        if start is not None and generation < int(start[0]):
            return None
        return [r for (r,) in self.core.db.execute(
            "SELECT DISTINCT entry FROM changes WHERE generation > ?", (generation,))]


    def changes_after(self, since: int, language: str | None = None) -> int:
        """How many changes the feed holds after ``since`` (of ``language``'s readers, when
        named): an upper bound of the entries a reader following from there is sent."""
        if since >= self.head():  # none, or a cursor of another store (beyond SQLite's integers too)
            return 0
        concerning = "" if language is None else " AND (language = ? OR language IS NULL)"
        row = self.core.db.execute(f"SELECT COUNT(*) FROM changes WHERE seq > ?{concerning}",
                                   (since, *([language] if language else []))).fetchone()
        return int(row[0]) if row else 0

    def changes(self, since: int, language: str | None = None, limit: int = 100) -> FeedPage:
        """The entries whose public text changed after change ``since`` (of ``language``'s
        readers, when named), each once, in the order of its last change, up to ``limit``:
        (seq, row, id, public text or None when the public no longer reads it there).  Read in
        one snapshot.  FeedExpired when the feed no longer reaches back to ``since``, or never
        reached it (a cursor of another store)."""
        with self.core.own() as db:
            db.execute("BEGIN")
            head = head_of(db)
            start = int(db.execute("SELECT value FROM meta WHERE key = 'changes_start'").fetchone()[0])
            if since < start or since > head:
                raise FeedExpired(since, start, head)
            concerning = "" if language is None else " AND (language = ? OR language IS NULL)"
            rows = db.execute(
                "SELECT c.seq, c.entry, c.entry_id, c.language FROM changes c JOIN "
                f"(SELECT MAX(seq) AS s FROM changes WHERE seq > ?{concerning} GROUP BY entry, entry_id "
                "ORDER BY s LIMIT ?) m "
                "ON c.seq = m.s ORDER BY c.seq",
                (since, *([language] if language else []), limit + 1)).fetchall()
            more = len(rows) > limit
            rows = rows[:limit]
            bodies: dict[tuple[int, str], tuple] = {}  # by (rowid, id): SQLite may give a removed row's rowid again
            for start_at in range(0, len(rows), 500):
                chunk = [row[1] for row in rows[start_at : start_at + 500]]
                bodies.update(((r[0], r[1]), r[2:]) for r in db.execute(
                    f"SELECT rowid, id, public, language, meanings FROM entries WHERE public IS NOT NULL AND rowid IN "
                    f"({','.join('?' * len(chunk))})", chunk))
            public_ids = [row[2] for row in rows if (row[1], row[2]) in bodies]
            recordings = recordings_of(db, public_ids)
            changes = []
            for seq, rowid, entry_id, concerns in rows:
                concerns = language or concerns
                found = bodies.get((rowid, entry_id))  # a row SQLite gave again is another entry
                # the language of the public text (a draft waiting for review may name another)
                public = orjson.loads(found[0]) if found is not None else None
                if found is None or public is None or (language is not None and public["language"] != language):
                    changes.append(FeedChange(seq, rowid, entry_id, concerns, None, 0, ()))
                else:
                    changes.append(FeedChange(seq, rowid, entry_id, public["language"], public, found[2],
                                              tuple(recordings.get(entry_id, ()))))
            db.execute("COMMIT")
        return FeedPage(changes, rows[-1][0] if more else head, more)

    def snapshot(self, language: str) -> tuple[int, list[FeedChange]]:
        """Every public entry of ``language`` with its recordings, in row order, and the change
        they reflect (the feed's head), read in one snapshot: what an offline pack holds."""
        with self.core.own() as db:
            db.execute("BEGIN")
            head = head_of(db)
            # by the public text's language: an entry whose draft waiting for review names another
            # language is still the public's entry of the one it was published in
            rows = [(rowid, entry_id, public, breadth) for rowid, entry_id, public, breadth in (
                (rowid, entry_id, orjson.loads(body), breadth) for rowid, entry_id, body, breadth in db.execute(
                    "SELECT rowid, id, public, meanings FROM entries WHERE public IS NOT NULL AND (language = ? "
                    "OR published_revision != revision) ORDER BY rowid", (language,)))
                if public["language"] == language]
            recordings = recordings_of(db, [row[1] for row in rows])
            db.execute("COMMIT")
        return head, [FeedChange(head, rowid, entry_id, language, public, breadth, tuple(recordings.get(entry_id, ())))
                      for rowid, entry_id, public, breadth in rows]

    def compact(self, keep_deleted_days: float) -> dict:
        """Drop what no reader of the feed needs: an entry's earlier changes once a later one
        says the same to the same readers (nothing is lost: a reader gets each entry once, as it
        is now), and deletions older than ``keep_deleted_days`` (a reader whose cursor is older
        must download its pack again: the feed then answers FeedExpired)."""
        cutoff = (datetime.now(UTC) - timedelta(days=keep_deleted_days)).isoformat(timespec="seconds")
        with self.core.transaction() as db:
            # the head is kept before any change goes: numbers are never given twice
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('feed_head', ?)", (str(head_of(db)),))
            superseded = db.execute(
                "DELETE FROM changes WHERE seq NOT IN (SELECT MAX(seq) FROM changes "
                "GROUP BY entry, entry_id, COALESCE(language, ''))").rowcount
            gone = db.execute(
                "SELECT seq, generation FROM changes c WHERE at <= ? AND NOT EXISTS "
                "(SELECT 1 FROM entries e WHERE e.rowid = c.entry AND e.id = c.entry_id AND e.public IS NOT NULL)",
                (cutoff,)).fetchall()
            if gone:
                last_seq = max(seq for seq, _ in gone)
                last_generation = max(generation for _, generation in gone)
                db.executemany("DELETE FROM changes WHERE seq = ?", [(seq,) for seq, _ in gone])
                kept = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('changes_start', 'feed_start')"))
                db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [
                    ("changes_start", str(max(last_seq, int(kept.get("changes_start", 0))))),
                    ("feed_start", str(max(last_generation, int(kept.get("feed_start", 0)))))])
        return {"superseded": superseded, "deletions_expired": len(gone)}


    @property
    def lock_path(self) -> Path:
        """A lock file beside the store: whoever updates the search index from the store holds it."""
        return self.core.path.with_name(self.core.path.name + ".index.lock")

    @contextlib.contextmanager
    def index_lock(self, wait: float | None, shared: bool = False) -> Iterator[bool]:
        """Hold the index's lock: blocking when ``wait`` is None, else trying for ``wait`` seconds.
        Yields whether it is held.  A lock file beside the store (an index of this node's); for an
        index ``shared`` by nodes on several machines over one PostgreSQL database, a lock of the
        database's."""
        if self.core.url and shared:
            with self.core.exclusive(INDEX_LOCK, wait) as held:
                yield held
            return
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "a+b") as handle:
            deadline = None if wait is None else time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() >= deadline:  # LOCK_NB only with one
                        yield False
                        return
                    time.sleep(0.02)
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
