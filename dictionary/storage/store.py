"""The canonical store: SQLite under the data directory.

Entries are kept whole (as JSON) with the columns that queries need beside them.  Every write
bumps a generation number; the search index records the generation it was built from, so a stale
index can be told apart from a current one.  The index can always be rebuilt from this store.
The store owns every table (:mod:`dictionary.storage.schema` defines them and their migrations): the
entries, the datasets and the pronunciation catalogue; nothing else writes SQL against them.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from dictionary.errors import (
    AccountExists,
    AccountNotFound,
    Busy,
    EntryNotFound,
    FeedExpired,
    StoreUnavailable,
)
from dictionary.model import Entry, Status, meanings
from dictionary.storage.schema import migrate


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    format: str
    citation: str | None = None
    licence: str | None = None
    source_file: str | None = None
    sha256: str | None = None
    description: str | None = None  # what the dataset is, for its readers


@dataclass(frozen=True, slots=True)
class ReplaceStats:
    added: int
    updated: int
    unchanged: int
    removed: int
    kept: tuple[str, ...] = ()  # entries editors changed since the last import: left as they are


@dataclass(frozen=True, slots=True)
class EntryState:
    """An entry as the store holds it: its latest revision (``body``) and, apart, the revision the
    public reads (``public``, None when none is published)."""

    rowid: int
    id: str
    language: str
    dataset: str
    status: Status
    revision: int
    published_revision: int | None
    body: dict
    public: dict | None
    edited_at: str | None

    @property
    def pending(self) -> bool:
        """A revision newer than the published one waits for review."""
        return self.public is not None and self.published_revision != self.revision


@dataclass(frozen=True, slots=True)
class Written:
    """What one editorial write did."""

    state: EntryState
    public_changed: bool  # the public text changed: the index must follow


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


class RevisionConflict(Exception):
    """The entry moved on since the revision the writer read (the store's side of 412)."""

    def __init__(self, current: int) -> None:
        self.current = current
        super().__init__(current)


def _now(timespec: str = "seconds") -> str:
    return datetime.now(UTC).isoformat(timespec=timespec)


def _json(entry: Entry | dict) -> bytes:
    if isinstance(entry, Entry):
        return entry.__pydantic_serializer__.to_json(entry)  # what model_dump_json encodes
    return orjson.dumps(entry)


def changes(old: dict | None, new: dict) -> list[str]:
    """What changed between two revisions' contents, as field paths (``headword``,
    ``senses[0].glosses.vie``, ``status``); ``["created"]`` for a first revision."""
    if old is None:
        return ["created"]
    out: list[str] = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key == "senses" and isinstance(a, list) and isinstance(b, list):
            for i in range(max(len(a), len(b))):
                sa = a[i] if i < len(a) else None
                sb = b[i] if i < len(b) else None
                if sa == sb:
                    continue
                if sa is None or sb is None:
                    out.append(f"senses[{i}]")
                    continue
                for field in dict.fromkeys([*sa, *sb]):
                    fa, fb = sa.get(field), sb.get(field)
                    if fa == fb:
                        continue
                    if field in ("glosses", "definitions") and isinstance(fa, dict) and isinstance(fb, dict):
                        out.extend(f"senses[{i}].{field}.{lang}" for lang in dict.fromkeys([*fa, *fb])
                                   if fa.get(lang) != fb.get(lang))
                    else:
                        out.append(f"senses[{i}].{field}")
        else:
            out.append(key)
    return out


_STATE_COLUMNS = "rowid, id, language, dataset, status, revision, published_revision, body, public, edited_at"


def _state(row) -> EntryState:
    rowid, id_, language, dataset, status, revision, published, body, public, edited = row
    return EntryState(rowid, id_, language, dataset, Status(status), revision, published, orjson.loads(body),
                      orjson.loads(public) if public is not None else None, edited)


class Store:
    """One SQLite database.  Connections are per thread; writers use one transaction each."""

    def __init__(self, path: Path, *, readonly: bool = False, url: str | None = None) -> None:
        """The SQLite file at ``path``, or with ``url`` (``postgresql://…``) the PostgreSQL
        database there (``path`` then only places the node's own lock files)."""
        self.path = Path(path)
        self.readonly = readonly
        self.url = url
        self._local = threading.local()
        self._opened: list = []  # every thread's connection, closed together by close()
        self._opened_lock = threading.Lock()
        self._pg_connections = None  # on PostgreSQL: sql.PgConnections
        # on PostgreSQL, this process's writers queue here, not on pooled connections (one waits
        # for the database's write lock at a time), and one thread at a time holds the index lock
        self._write_gate = threading.Lock()
        self._index_gate = threading.Lock()
        self._index_db = None
        self._integrity: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)
        if url:
            from dictionary.storage import sql

            self._integrity += sql.INTEGRITY_ERRORS
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = self._connect()
            try:
                migrate(db, postgres=bool(url))
            finally:
                db.close()

    @property
    def kind(self) -> str:
        return "postgresql" if self.url else "sqlite"

    # -- connections -------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self.url:
            from dictionary.storage.sql import PgConnection

            return PgConnection(self.url, readonly=self.readonly)  # type: ignore[return-value]
        if self.readonly:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        else:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            # a write acknowledged is on disk: the commit waits for the WAL's fsync (NORMAL would
            # survive a killed process but not a power cut)
            db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA busy_timeout=10000")
        return db

    @property
    def db(self) -> sqlite3.Connection:
        """The connection reads outside a transaction use: the thread's own SQLite connection; on
        PostgreSQL one of a few the threads share (each statement is whole: psycopg lets one
        thread at a time use a connection, and a result is read whole before the next)."""
        if self.url:
            return self._pg().reader()  # type: ignore[return-value]
        db = getattr(self._local, "db", None)
        if db is not None and getattr(db, "broken", False):  # the database went away: a new connection
            db.close()
            db = None
        if db is None:
            db = self._local.db = self._connect()
            with self._opened_lock:
                self._opened = [c for c in self._opened if not getattr(c, "broken", False)] + [db]
        return db

    def close(self) -> None:
        """Close every thread's connection (the store is done with: the threads that used it too)."""
        with self._opened_lock:
            opened, self._opened = self._opened, []
            pg, self._pg_connections = self._pg_connections, None
        for db in opened:
            db.close()
        if pg is not None:
            pg.close()
        if self._index_db is not None:
            self._index_db.close()
            self._index_db = None
        self._local = threading.local()

    def _pg(self):
        """The PostgreSQL connections of this store (made on first use)."""
        with self._opened_lock:
            if self._pg_connections is None:
                from dictionary.storage.sql import PgConnections

                self._pg_connections = PgConnections(self.url, readonly=self.readonly)
            return self._pg_connections

    @contextmanager
    def _own(self) -> Iterator[sqlite3.Connection]:
        """A connection for one piece of work apart from the thread's (a read of one snapshot, a
        long scan while others write): a new SQLite connection, or one of the PostgreSQL pool's."""
        if self.url:
            with self._pg().lease() as db:
                yield db
            return
        db = self._connect()
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def _writer(self) -> Iterator[sqlite3.Connection]:
        """The connection a write transaction runs on: the thread's SQLite connection, or one of
        the PostgreSQL pool's for the transaction's length."""
        if self.url:
            if not self._write_gate.acquire(timeout=10):
                raise Busy("Từ điển đang ghi một đợt thay đổi lớn (ví dụ một lần nhập dữ liệu); "
                           "xin thử lại sau ít giây.", retry_after=5)
            try:
                with self._pg().lease() as db:
                    yield db
            finally:
                self._write_gate.release()
            return
        yield self.db

    @contextmanager
    def exclusive(self, key: int, wait: float | None) -> Iterator[bool]:
        """On PostgreSQL, hold the database's advisory lock ``key`` for as long as the block runs:
        waiting when ``wait`` is None, else trying for ``wait`` seconds.  Yields whether it is
        held.  One thread of the process at a time asks, on a connection kept for it (outside
        the pool: a wait here never takes a connection from a request)."""
        deadline = None if wait is None else time.monotonic() + wait
        if not self._index_gate.acquire(timeout=-1 if wait is None else wait):
            yield False
            return
        try:
            if self._index_db is None or self._index_db.broken:
                from dictionary.storage.sql import PgConnection

                self._index_db = PgConnection(self.url)
            db = self._index_db
            while not db.execute("SELECT pg_try_advisory_lock(?)", (key,)).fetchone()[0]:
                if deadline is not None and time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
            try:
                yield True
            finally:
                if not db.broken:
                    try:
                        db.execute("SELECT pg_advisory_unlock(?)", (key,))
                    except StoreUnavailable:
                        pass  # the session ended: the database released the lock with it
        finally:
            self._index_gate.release()

    @property
    def lock_path(self) -> Path:
        """A lock file beside the store: whoever updates the search index from the store holds it."""
        return self.path.with_name(self.path.name + ".index.lock")

    # -- writing -----------------------------------------------------------------------------
    def replace_dataset(self, dataset: Dataset, entries: Iterable[Entry], *,
                        status: Status = Status.published, actor: str = "import",
                        client: str | None = None) -> ReplaceStats:
        """Make ``dataset`` hold exactly ``entries``, in one transaction (see :meth:`_replace_dataset`)."""
        with self._writer() as db:
            return self._replace_dataset(db, dataset, entries, status=status, actor=actor, client=client)

    def _replace_dataset(self, db, dataset: Dataset, entries: Iterable[Entry], *,
                        status: Status = Status.published, actor: str = "import",
                        client: str | None = None) -> ReplaceStats:
        """Make ``dataset`` hold exactly ``entries``, in one transaction.

        New entries get ``status`` (published: the public reads them at once; draft: they wait for
        review).  Entries imported before keep their row (so index references and URLs stay
        valid) and their status; a changed one gets a new revision.  An entry that editors have
        changed since is neither overwritten nor removed: it is reported in ``kept``.  Entries the
        new file no longer has are removed."""
        added = updated = unchanged = 0
        seen: set[str] = set()
        kept: list[str] = []
        author = f"import:{dataset.name}"
        now = _now()
        try:
            db.execute("BEGIN IMMEDIATE")
            existing = {
                row[1]: row
                for row in db.execute(
                    "SELECT rowid, id, status, revision, body, public IS NOT NULL, edited_at, language "
                    "FROM entries WHERE dataset = ?", (dataset.name,)
                )
            }
            inserts, revisions, updates = [], [], []
            public_rows: list[tuple[str, str | None]] = []
            for entry in entries:
                seen.add(entry.id)
                old = existing.get(entry.id)
                if old is not None and old[6] is not None:  # edited since: the editors' text stands
                    kept.append(entry.id)
                    continue
                entry_status = Status(old[2]) if old is not None else status
                entry = entry.model_copy(update={"status": entry_status})
                body = _json(entry)
                published = entry_status == Status.published
                if old is None:
                    inserts.append((entry.id, entry.language, dataset.name, entry.headword, entry_status.value,
                                    body, body if published else None, 1 if published else None,
                                    int(published and bool(entry.authority)),
                                    meanings(orjson.loads(body)) if published else 0))
                    revisions.append((entry.id, 1, author, now, entry_status.value, None, '["created"]', body))
                elif old[4] != body:
                    revision = old[3] + 1
                    updates.append((entry.language, entry.headword, body, revision, published, body, published,
                                    revision, published, int(bool(entry.authority)), published,
                                    meanings(orjson.loads(body)), entry.id))
                    revisions.append((entry.id, revision, author, now, entry_status.value, None,
                                      orjson.dumps(changes(orjson.loads(old[4]), orjson.loads(body))).decode(), body))
                else:
                    unchanged += 1
                    continue
                if published or (old is not None and old[5]):
                    # an entry moving to another language concerns the readers of both
                    moved = old is not None and old[5] and old[7] != entry.language
                    public_rows.append((entry.id, None if moved else entry.language))
            conflict = self._other_dataset_ids(db, dataset.name, [row[0] for row in inserts])
            if conflict:
                raise ValueError(f"entry id {conflict} already belongs to another dataset")
            db.executemany(
                "INSERT INTO entries (id, language, dataset, headword, status, body, public, published_revision, "
                "authority, meanings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                inserts,
            )
            db.executemany(
                "UPDATE entries SET language = ?, headword = ?, body = ?, revision = ?, "
                "public = CASE WHEN ? = 1 THEN ? ELSE public END, "
                "published_revision = CASE WHEN ? = 1 THEN ? ELSE published_revision END, "
                "authority = CASE WHEN ? = 1 THEN ? ELSE authority END, "
                "meanings = CASE WHEN ? = 1 THEN ? ELSE meanings END WHERE id = ?", updates
            )
            gone = [entry_id for entry_id in existing if entry_id not in seen]
            kept.extend(entry_id for entry_id in gone if existing[entry_id][6] is not None)
            gone = [entry_id for entry_id in gone if existing[entry_id][6] is None]
            gone_public = [(existing[e][0], e) for e in gone if existing[e][5]]
            self._close_suggestions(db, gone, actor)
            db.executemany("DELETE FROM entries WHERE id = ?", [(e,) for e in gone])
            db.executemany("DELETE FROM revisions WHERE entry_id = ?", [(e,) for e in gone])
            db.executemany("INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", revisions)
            added, updated = len(inserts), len(updates)
            db.execute(
                "INSERT OR REPLACE INTO datasets (name, format, citation, licence, source_file, sha256, "
                "imported_at, entries, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                "COALESCE(?, (SELECT description FROM datasets WHERE name = ?)))",
                (
                    dataset.name,
                    dataset.format,
                    dataset.citation,
                    dataset.licence,
                    dataset.source_file,
                    dataset.sha256,
                    now,
                    len(seen),
                    dataset.description,
                    dataset.name,
                ),
            )
            if public_rows or gone_public:
                rows = self._rowids(db, [entry_id for entry_id, _ in public_rows])
                self._record(db, [(rows[entry_id], entry_id, language) for entry_id, language in public_rows]
                             + [(rowid, entry_id, existing[entry_id][7]) for rowid, entry_id in gone_public])
            self._audit(db, actor, "import", dataset.name, client=client, detail={
                "status": status.value, "added": added, "updated": updated, "unchanged": unchanged,
                "removed": len(gone), "kept": len(kept)})
            db.execute("COMMIT")
        except BaseException:
            if not getattr(db, "broken", False):
                db.execute("ROLLBACK")
            raise
        return ReplaceStats(added, updated, unchanged, len(gone), tuple(kept))

    @staticmethod
    def _close_suggestions(db: sqlite3.Connection, entry_ids: list[str], actor: str) -> None:
        """Open suggestions on entries about to be deleted are closed (kept, with why), so the
        editors' queue never points at an entry that is gone."""
        db.executemany(
            "UPDATE suggestions SET status = 'dismissed', resolved_by = ?, resolved_at = ?, "
            "comment = 'Mục từ đã bị xoá cùng bộ dữ liệu của nó.' WHERE entry_id = ? AND status = 'open'",
            [(actor, _now(), entry_id) for entry_id in entry_ids])

    @staticmethod
    def _rowids(db: sqlite3.Connection, ids: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            out.update(db.execute(f"SELECT id, rowid FROM entries WHERE id IN ({','.join('?' * len(chunk))})",
                                  chunk))
        return out

    def write_revision(self, entry: Entry, *, author: str, comment: str | None, status: Status,
                       expected: int | None = None, create: bool = False, action: str,
                       client: str | None = None, detail: dict | None = None) -> Written:
        """Store a new revision of ``entry`` with ``status``, in one transaction with its audit
        record: its content, author, time, comment and what changed.

        ``expected`` is the revision the writer read: when the entry has moved on since,
        RevisionConflict and nothing is written.  Publishing makes this revision the public
        text; retiring withdraws the public text; any other status leaves the public text as it
        was (an edit of a published entry waits for review while the public keeps reading the
        published revision)."""
        entry = entry.model_copy(update={"status": status})
        body = _json(entry)
        now = _now()
        with self._transaction() as db:
            row = db.execute(f"SELECT {_STATE_COLUMNS} FROM entries WHERE id = ?", (entry.id,)).fetchone()
            if create:
                if row is not None:
                    raise RevisionConflict(row[5])
                revision, old_body, had_public = 1, None, False
            else:
                if row is None:
                    raise EntryNotFound(entry.id)
                if expected is not None and row[5] != expected:
                    raise RevisionConflict(row[5])
                revision, old_body, had_public = row[5] + 1, orjson.loads(row[7]), row[8] is not None
            changed = changes(old_body, orjson.loads(body))
            # an entry editors changed the content of is theirs: a re-import leaves it (a status
            # move alone does not make it so)
            edited = now if create or any(c != "status" for c in changed) else row[9]
            if status == Status.published:
                public, published_revision = body, revision
            elif status == Status.retired:
                public, published_revision = None, None
            else:
                public = row[8] if row is not None else None
                published_revision = row[6] if row is not None else None
            shown = orjson.loads(public) if public is not None else None
            authority = int(shown is not None and bool(shown.get("authority")))
            breadth = meanings(shown) if shown is not None else 0
            if create:
                db.execute(
                    "INSERT INTO entries (id, language, dataset, headword, status, body, revision, public, "
                    "published_revision, edited_at, authority, meanings) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
                    (entry.id, entry.language, entry.provenance.dataset, entry.headword, status.value, body,
                     public, published_revision, edited, authority, breadth),
                )
            else:
                db.execute(
                    "UPDATE entries SET language = ?, headword = ?, status = ?, body = ?, revision = ?, public = ?, "
                    "published_revision = ?, edited_at = ?, authority = ?, meanings = ? WHERE id = ?",
                    (entry.language, entry.headword, status.value, body, revision, public, published_revision, edited,
                     authority, breadth, entry.id),
                )
            db.execute("INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (entry.id, revision, author, now, status.value, comment, orjson.dumps(changed).decode(), body))
            public_changed = public is not None or had_public
            public_changed = public_changed and (row is None or public != row[8])
            if public_changed:
                rowid = db.execute("SELECT rowid FROM entries WHERE id = ?", (entry.id,)).fetchone()[0]
                before = orjson.loads(row[8])["language"] if row is not None and row[8] is not None else None
                after = shown["language"] if shown is not None else None
                # retired: its readers lose it; moved to another language: the readers of both
                language = after if before in (None, after) else before if after is None else None
                self._record(db, [(rowid, entry.id, language)])
            self._audit(db, author, action, entry.id, client=client,
                        detail={"revision": revision, "status": status.value, **(detail or {})})
            state = _state(db.execute(f"SELECT {_STATE_COLUMNS} FROM entries WHERE id = ?", (entry.id,)).fetchone())
        return Written(state, public_changed)

    @staticmethod
    def _other_dataset_ids(db: sqlite3.Connection, dataset: str, ids: list[str]) -> str | None:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            row = db.execute(
                f"SELECT id FROM entries WHERE dataset != ? AND id IN ({marks}) LIMIT 1",
                (dataset, *chunk),
            ).fetchone()
            if row:
                return row[0]
        return None

    @classmethod
    def _record(cls, db: sqlite3.Connection, items: list[tuple[int, str, str | None]]) -> int:
        """Enter changes of the public text in the change feed, under one new generation: each
        item is (row, id, the language whose readers it concerns; None: every language's)."""
        generation = cls._bump(db)  # holds the generation's row until the commit: changes are numbered in order
        head, now = cls._head(db), _now()
        db.executemany("INSERT INTO changes (seq, generation, entry, entry_id, language, at) VALUES (?, ?, ?, ?, ?, ?)",
                       [(head + n, generation, row, entry_id, language, now)
                        for n, (row, entry_id, language) in enumerate(items, start=1)])
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('feed_head', ?)", (str(head + len(items)),))
        return generation

    @staticmethod
    def _bump(db: sqlite3.Connection) -> int:
        """The next generation: every change of the public text makes one."""
        db.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'generation'")
        return int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    # -- reading -----------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def get(self, entry_id: str) -> Entry:
        """The entry as the public reads it: its published revision.  EntryNotFound when it has
        none (never published, or retired)."""
        row = self.db.execute("SELECT public FROM entries WHERE id = ?", (entry_id,)).fetchone()
        if row is None or row[0] is None:
            raise EntryNotFound(entry_id)
        return Entry.model_validate(orjson.loads(row[0]))

    def state(self, entry_id: str) -> EntryState:
        """The entry whatever its status, with its latest revision and its published one."""
        row = self.db.execute(f"SELECT {_STATE_COLUMNS} FROM entries WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise EntryNotFound(entry_id)
        return _state(row)

    def bodies(self, rowids: list[int]) -> dict[int, dict]:
        """Published entries as raw dicts by row, for building responses without re-validating."""
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        rows = self.db.execute(
            f"SELECT rowid, public FROM entries WHERE public IS NOT NULL AND rowid IN ({marks})", rowids
        ).fetchall()
        return {rowid: orjson.loads(body) for rowid, body in rows}

    def heads(self, rowids: list[int]) -> dict[int, dict]:
        """``{"id", "language", "headword"}`` of published entries by row, read from the columns;
        only an entry whose latest revision waits for review (its headword column may be the
        pending one) has its published text parsed."""
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        rows = self.db.execute(
            "SELECT rowid, id, language, headword, CASE WHEN published_revision = revision THEN NULL ELSE public END "
            f"FROM entries WHERE public IS NOT NULL AND rowid IN ({marks})", rowids
        ).fetchall()
        return {rowid: {"id": id_, "language": language,
                        "headword": headword if pending is None else orjson.loads(pending)["headword"]}
                for rowid, id_, language, headword, pending in rows}

    def authoritative(self) -> frozenset[int]:
        """Rows of the published entries that name an authority (a decision that fixed the term)."""
        return frozenset(r for (r,) in self.db.execute("SELECT rowid FROM entries WHERE authority = 1"))

    def broad(self, above: int) -> dict[int, int]:
        """Rows of the published entries giving more than ``above`` meanings, with how many."""
        return dict(self.db.execute("SELECT rowid, meanings FROM entries WHERE meanings > ?", (above,)))

    def iter_entries(self, batch: int = 5000) -> Iterator[tuple[int, dict]]:
        """Every published entry as (row, raw dict), in row order, streamed in batches."""
        last = 0
        with self._own() as db:  # a connection of its own: the caller may write meanwhile
            while True:
                rows = db.execute(
                    "SELECT rowid, public FROM entries WHERE rowid > ? AND public IS NOT NULL "
                    "ORDER BY rowid LIMIT ?",
                    (last, batch),
                ).fetchall()
                if not rows:
                    return
                for rowid, body in rows:
                    yield rowid, orjson.loads(body)
                last = rows[-1][0]

    def export_entries(self, *, language: str | None = None, dataset: str | None = None,
                       latest: bool = False, batch: int = 2000) -> Iterator[dict]:
        """Entries to hand on, in row order: the public text of the published ones, or with
        ``latest`` every entry's latest revision (drafts and entries waiting for review too, for
        the editors' own copy); restricted to a ``language`` and a ``dataset`` when named."""
        column = "body" if latest else "public"
        where = [f"{column} IS NOT NULL", "rowid > ?"]
        params: list = []
        if language:
            where.append("language = ?")
            params.append(language)
        if dataset:
            where.append("dataset = ?")
            params.append(dataset)
        last = 0
        with self._own() as db:
            while True:
                rows = db.execute(f"SELECT rowid, {column} FROM entries WHERE {' AND '.join(where)} "
                                  "ORDER BY rowid LIMIT ?", (last, *params, batch)).fetchall()
                if not rows:
                    return
                for _, body in rows:
                    yield orjson.loads(body)
                last = rows[-1][0]

    def count(self) -> int:
        """Published entries."""
        return self.db.execute("SELECT COUNT(*) FROM entries WHERE public IS NOT NULL").fetchone()[0]

    def language_counts(self) -> dict[str, int]:
        """Published entries per language."""
        return dict(self.db.execute(
            "SELECT language, COUNT(*) FROM entries WHERE public IS NOT NULL GROUP BY language"))

    def public_entries(self, rowids: Iterable[int]) -> dict[int, dict]:
        """Published entries of these rows, read on a connection of its own (an index update)."""
        rowids = list(rowids)
        out: dict[int, dict] = {}
        with self._own() as db:
            for start in range(0, len(rowids), 500):
                chunk = rowids[start : start + 500]
                out.update((rowid, orjson.loads(body)) for rowid, body in db.execute(
                    f"SELECT rowid, public FROM entries WHERE public IS NOT NULL AND rowid IN "
                    f"({','.join('?' * len(chunk))})", chunk))
        return out

    def changed_since(self, generation: int) -> list[int] | None:
        """Rows whose public text changed after ``generation`` (removed ones included), or None
        when the change feed does not reach back that far (a full rebuild is needed)."""
        start = self.db.execute("SELECT value FROM meta WHERE key = 'feed_start'").fetchone()
        if start is not None and generation < int(start[0]):
            return None
        return [r for (r,) in self.db.execute(
            "SELECT DISTINCT entry FROM changes WHERE generation > ?", (generation,))]

    # -- the change feed ---------------------------------------------------------------------
    @property
    def store_id(self) -> str:
        """This store's identity: a feed cursor or a pack of another store means nothing here."""
        return self.db.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()[0]

    @staticmethod
    def _head(db: sqlite3.Connection) -> int:
        row = db.execute("SELECT value FROM meta WHERE key = 'feed_head'").fetchone()
        return int(row[0]) if row else 0

    def feed_head(self) -> int:
        """The sequence number of the last change of the public text (0: none yet)."""
        return self._head(self.db)

    def changes(self, since: int, language: str | None = None, limit: int = 100) -> FeedPage:
        """The entries whose public text changed after change ``since`` (of ``language``'s
        readers, when named), each once, in the order of its last change, up to ``limit``:
        (seq, row, id, public text or None when the public no longer reads it there).  Read in
        one snapshot.  FeedExpired when the feed no longer reaches back to ``since``, or never
        reached it (a cursor of another store)."""
        with self._own() as db:
            db.execute("BEGIN")
            head = self._head(db)
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
            bodies: dict[int, tuple] = {}
            for start_at in range(0, len(rows), 500):
                chunk = [row[1] for row in rows[start_at : start_at + 500]]
                bodies.update(((r[0], r[1]), r[2:]) for r in db.execute(
                    f"SELECT rowid, id, public, language, meanings FROM entries WHERE public IS NOT NULL AND rowid IN "
                    f"({','.join('?' * len(chunk))})", chunk))
            public_ids = [row[2] for row in rows if (row[1], row[2]) in bodies]
            recordings = self._recordings(db, public_ids)
            changes = []
            for seq, rowid, entry_id, concerns in rows:
                concerns = language or concerns
                found = bodies.get((rowid, entry_id))  # a row SQLite gave again is another entry
                # the language of the public text (a draft waiting for review may name another)
                public = orjson.loads(found[0]) if found is not None else None
                if public is None or (language is not None and public["language"] != language):
                    changes.append(FeedChange(seq, rowid, entry_id, concerns, None, 0, ()))
                else:
                    changes.append(FeedChange(seq, rowid, entry_id, public["language"], public, found[2],
                                              tuple(recordings.get(entry_id, ()))))
            db.execute("COMMIT")
        return FeedPage(changes, rows[-1][0] if more else head, more)

    def snapshot(self, language: str) -> tuple[int, list[FeedChange]]:
        """Every public entry of ``language`` with its recordings, in row order, and the change
        they reflect (the feed's head), read in one snapshot: what an offline pack holds."""
        with self._own() as db:
            db.execute("BEGIN")
            head = self._head(db)
            # by the public text's language: an entry whose draft waiting for review names another
            # language is still the public's entry of the one it was published in
            rows = [(rowid, entry_id, public, breadth) for rowid, entry_id, public, breadth in (
                (rowid, entry_id, orjson.loads(body), breadth) for rowid, entry_id, body, breadth in db.execute(
                    "SELECT rowid, id, public, meanings FROM entries WHERE public IS NOT NULL AND (language = ? "
                    "OR published_revision != revision) ORDER BY rowid", (language,)))
                if public["language"] == language]
            recordings = self._recordings(db, [row[1] for row in rows])
            db.execute("COMMIT")
        return head, [FeedChange(head, rowid, entry_id, language, public, breadth, tuple(recordings.get(entry_id, ())))
                      for rowid, entry_id, public, breadth in rows]

    def compact_changes(self, keep_deleted_days: float) -> dict:
        """Drop what no reader of the feed needs: an entry's earlier changes once a later one
        says the same to the same readers (nothing is lost: a reader gets each entry once, as it
        is now), and deletions older than ``keep_deleted_days`` (a reader whose cursor is older
        must download its pack again: the feed then answers FeedExpired)."""
        cutoff = (datetime.now(UTC) - timedelta(days=keep_deleted_days)).isoformat(timespec="seconds")
        with self._transaction() as db:
            # the head is kept before any change goes: numbers are never given twice
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('feed_head', ?)", (str(self._head(db)),))
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

    # -- revisions, review, suggestions -------------------------------------------------------
    def revisions(self, entry_id: str) -> list[dict]:
        """Every revision of an entry, oldest first, without content."""
        rows = self._rows("SELECT revision, author, at, status, comment, changes FROM revisions "
                          "WHERE entry_id = ? ORDER BY revision", (entry_id,))
        for row in rows:
            row["changes"] = orjson.loads(row["changes"])
        return rows

    def revision(self, entry_id: str, revision: int) -> dict | None:
        """One revision with its content (``body``), or None."""
        rows = self._rows("SELECT revision, author, at, status, comment, changes, body FROM revisions "
                          "WHERE entry_id = ? AND revision = ?", (entry_id, revision))
        if not rows:
            return None
        row = rows[0]
        row["changes"], row["body"] = orjson.loads(row["changes"]), orjson.loads(row["body"])
        return row

    def in_review(self, languages: tuple[str, ...] | None, limit: int = 100) -> list[dict]:
        """Entries waiting for an editor (status review), oldest wait first, in ``languages``
        (None: every language), with their latest revision's author, time and comment."""
        where, params = "", []
        if languages is not None:
            where = f" AND e.language IN ({','.join('?' * len(languages))})"
            params = list(languages)
        return self._rows(
            "SELECT e.id, e.language, e.headword, e.revision, e.published_revision, r.author, r.at, r.comment "
            "FROM entries e JOIN revisions r ON r.entry_id = e.id AND r.revision = e.revision "
            f"WHERE e.status = 'review'{where} ORDER BY r.at LIMIT ?", (*params, limit))

    def drafts_of(self, author: str, limit: int = 100) -> list[dict]:
        """Drafts ``author`` wrote a revision of, newest change first, with the latest revision's
        author, time and comment."""
        return self._rows(
            "SELECT e.id, e.language, e.headword, e.revision, e.published_revision, r.author, r.at, r.comment "
            "FROM entries e JOIN revisions r ON r.entry_id = e.id AND r.revision = e.revision "
            "WHERE e.status = 'draft' AND EXISTS (SELECT 1 FROM revisions m WHERE m.entry_id = e.id AND m.author = ?) "
            "ORDER BY r.at DESC LIMIT ?", (author, limit))

    def add_suggestion(self, entry_id: str, language: str, text: str, contact: str | None,
                       client: str | None, actor: str = "anonymous") -> int:
        with self._transaction() as db:
            number = db.execute(
                "INSERT INTO suggestions (entry_id, language, text, contact, client, at, status) "
                "VALUES (?, ?, ?, ?, ?, ?, 'open') RETURNING id", (entry_id, language, text, contact, client, _now())
            ).fetchone()[0]
            self._audit(db, actor, "suggestion.create", entry_id, client=client, detail={"suggestion": number})
        return number

    def suggestions(self, status: str | None, languages: tuple[str, ...] | None, limit: int = 100) -> list[dict]:
        clauses, params = [], []
        if status is not None:
            clauses.append("status = ?")
            params.append(status)
        if languages is not None:
            clauses.append(f"language IN ({','.join('?' * len(languages))})")
            params.extend(languages)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return self._rows(f"SELECT * FROM suggestions{where} ORDER BY id LIMIT ?", (*params, limit))

    def suggestion(self, number: int) -> dict | None:
        rows = self._rows("SELECT * FROM suggestions WHERE id = ?", (number,))
        return rows[0] if rows else None

    def resolve_suggestion(self, number: int, status: str, actor: str, comment: str | None,
                           client: str | None) -> bool:
        """Close an open suggestion; False when it was closed already."""
        with self._transaction() as db:
            done = db.execute(
                "UPDATE suggestions SET status = ?, resolved_by = ?, resolved_at = ?, comment = ? "
                "WHERE id = ? AND status = 'open'", (status, actor, _now(), comment, number)
            ).rowcount
            if done:
                self._audit(db, actor, f"suggestion.{status}", str(number), client=client,
                            detail={"comment": comment} if comment else None)
        return bool(done)

    def datasets(self) -> list[dict]:
        cursor = self.db.execute("SELECT * FROM datasets ORDER BY name")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def dataset(self, name: str) -> dict | None:
        """One dataset's row, with how many of its entries the public reads, by language, and
        how many editors changed since its import; None when there is none of that name."""
        cursor = self.db.execute("SELECT * FROM datasets WHERE name = ?", (name,))
        row = cursor.fetchone()
        if row is None:
            return None
        out = dict(zip([d[0] for d in cursor.description], row, strict=True))
        out["languages"] = dict(self.db.execute(
            "SELECT language, COUNT(*) FROM entries WHERE dataset = ? AND public IS NOT NULL "
            "GROUP BY language ORDER BY language", (name,)))
        out["edited"] = self.db.execute("SELECT COUNT(*) FROM entries WHERE dataset = ? AND edited_at IS NOT NULL",
                                        (name,)).fetchone()[0]
        return out

    def remove_dataset(self, name: str, *, actor: str, client: str | None = None) -> int:
        """Delete a dataset, its entries and their revisions, in one transaction with its audit
        record; the public entries leave the index through the change feed.  Returns how many
        entries went.  Recordings of those entries stay in the catalogue (``tudien audio gc``
        reports them)."""
        with self._transaction() as db:
            rows = db.execute("SELECT rowid, id, public IS NOT NULL, language FROM entries WHERE dataset = ?",
                              (name,)).fetchall()
            exists = db.execute("SELECT 1 FROM datasets WHERE name = ?", (name,)).fetchone()
            if exists is None:
                raise KeyError(name)
            gone_public = [(rowid, entry_id, language) for rowid, entry_id, public, language in rows if public]
            self._close_suggestions(db, [row[1] for row in rows], actor)
            db.executemany("DELETE FROM revisions WHERE entry_id = ?", [(row[1],) for row in rows])
            db.execute("DELETE FROM entries WHERE dataset = ?", (name,))
            db.execute("DELETE FROM datasets WHERE name = ?", (name,))
            if gone_public:
                self._record(db, gone_public)
            self._audit(db, actor, "dataset.remove", name, client=client, detail={"entries": len(rows)})
        return len(rows)

    def headwords(self, language: str) -> Iterator[tuple[str, str]]:
        """(id, headword) of every entry of ``language``."""
        yield from self.db.execute("SELECT id, headword FROM entries WHERE language = ?", (language,))

    def dataset_entries(self, dataset: str) -> list[tuple[str, dict]]:
        """(id, raw dict) of every entry of ``dataset``."""
        rows = self.db.execute("SELECT id, body FROM entries WHERE dataset = ?", (dataset,)).fetchall()
        return [(entry_id, orjson.loads(body)) for entry_id, body in rows]

    # -- the pronunciation catalogue ---------------------------------------------------------
    def _rows(self, sql: str, params: Iterable = ()) -> list[dict]:
        cursor = self.db.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def clips(self, ids: list[str]) -> dict[str, dict]:
        """Catalogue rows of the clips with these ids (those that exist)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {r["id"]: r for r in self._rows(f"SELECT * FROM audio_clips WHERE id IN ({marks})", ids)}

    def recordings(self, entry_ids: list[str]) -> dict[str, list[dict]]:
        """Each entry's recordings, in the order they were added."""
        return self._recordings(self.db, entry_ids)

    @staticmethod
    def _recordings(db: sqlite3.Connection, entry_ids: list[str]) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for start in range(0, len(entry_ids), 500):
            chunk = entry_ids[start : start + 500]
            cursor = db.execute(f"SELECT * FROM audio_clips WHERE kind = 'recording' AND entry_id IN "
                                f"({','.join('?' * len(chunk))}) ORDER BY rowid", chunk)
            names = [d[0] for d in cursor.description]
            for values in cursor:
                row = dict(zip(names, values, strict=True))
                out.setdefault(row["entry_id"], []).append(row)
        return out

    def recording_ids(self, language: str) -> list[str]:
        """The ids of the recordings of ``language``'s published entries, sorted."""
        return [r for (r,) in self.db.execute(
            "SELECT a.id FROM audio_clips a JOIN entries e ON e.id = a.entry_id WHERE a.kind = 'recording' "
            "AND e.language = ? AND e.public IS NOT NULL ORDER BY a.id", (language,))]

    def public_recordings(self, language: str) -> tuple[int, list[dict]]:
        """The feed's head and the recordings of ``language``'s published entries (catalogue
        rows, in the order they were added), read in one snapshot."""
        with self._own() as db:
            db.execute("BEGIN")
            head = self._head(db)
            cursor = db.execute("SELECT a.* FROM audio_clips a JOIN entries e ON e.id = a.entry_id "
                                "WHERE a.kind = 'recording' AND e.language = ? AND e.public IS NOT NULL "
                                "ORDER BY a.rowid", (language,))
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, values, strict=True)) for values in cursor]
            db.execute("COMMIT")
        return head, rows

    def add_clip(self, row: dict) -> bool:
        """Catalogue a clip (a clip already there is left as it is).  A recording of a published
        entry changes what the public reads of it: the change feed says so.  Returns whether the
        public text changed."""
        row = {**row, "created_at": _now()}
        names = ",".join(row)
        marks = ",".join("?" * len(row))
        with self._transaction() as db:
            added = db.execute(f"INSERT OR IGNORE INTO audio_clips ({names}) VALUES ({marks})",
                               tuple(row.values())).rowcount
            return bool(added) and row["kind"] == "recording" and self._recorded(db, [row["entry_id"]])

    def delete_clips(self, ids: Iterable[str]) -> bool:
        """Remove clips from the catalogue; returns whether the public text of an entry changed
        (one of its recordings went)."""
        ids = list(ids)
        with self._transaction() as db:
            entries: set[str] = set()
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                entries.update(r for (r,) in db.execute(
                    f"SELECT DISTINCT entry_id FROM audio_clips WHERE kind = 'recording' AND entry_id IS NOT NULL "
                    f"AND id IN ({','.join('?' * len(chunk))})", chunk))
            db.executemany("DELETE FROM audio_clips WHERE id = ?", [(i,) for i in ids])
            return self._recorded(db, sorted(entries))

    def _recorded(self, db: sqlite3.Connection, entry_ids: list[str]) -> bool:
        """The recordings of these entries changed: a change of the public text of the published ones."""
        rows = []
        for start in range(0, len(entry_ids), 500):
            chunk = entry_ids[start : start + 500]
            rows += db.execute(f"SELECT rowid, id, language FROM entries WHERE public IS NOT NULL AND id IN "
                               f"({','.join('?' * len(chunk))})", chunk).fetchall()
        if rows:
            self._record(db, [tuple(row) for row in rows])
        return bool(rows)

    def clip_files(self) -> list[tuple[str, str, str]]:
        """(id, original sha, playback sha) of every clip."""
        return self.db.execute("SELECT id, original_sha, playback_sha FROM audio_clips").fetchall()

    def orphan_recordings(self) -> set[str]:
        """Recordings whose entry no longer exists."""
        return {r for (r,) in self.db.execute(
            "SELECT a.id FROM audio_clips a LEFT JOIN entries e ON e.id = a.entry_id "
            "WHERE a.kind = 'recording' AND e.id IS NULL")}

    def synthetic_total(self) -> int:
        """Bytes of every synthetic clip's playback copy."""
        return self.db.execute(
            "SELECT COALESCE(SUM(playback_bytes), 0) FROM audio_clips WHERE kind = 'synthetic'"
        ).fetchone()[0]

    def synthetic_sizes(self) -> list[tuple[str, int]]:
        """(id, bytes) of every synthetic clip, newest first."""
        return self.db.execute(
            "SELECT id, playback_bytes FROM audio_clips WHERE kind = 'synthetic' ORDER BY rowid DESC"
        ).fetchall()

    # -- accounts and the audit log -----------------------------------------------------------
    def add_account(self, row: dict) -> None:
        """A new account; AccountExists when the name is taken."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        row = {**row, "created_at": now, "updated_at": now}
        try:
            with self._transaction() as db:
                db.execute(f"INSERT INTO accounts ({','.join(row)}) VALUES ({','.join('?' * len(row))})",
                           tuple(row.values()))
        except self._integrity:
            raise AccountExists(row["name"]) from None

    def update_account(self, name: str, **fields) -> None:
        fields["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        with self._transaction() as db:
            changed = db.execute(
                f"UPDATE accounts SET {', '.join(f'{k} = ?' for k in fields)} WHERE name = ?",
                (*fields.values(), name),
            ).rowcount
        if not changed:
            raise AccountNotFound(name)

    def account(self, name: str) -> dict | None:
        rows = self._rows("SELECT * FROM accounts WHERE name = ?", (name,))
        return rows[0] if rows else None

    def account_by_token(self, token_hash: str) -> dict | None:
        rows = self._rows("SELECT * FROM accounts WHERE token_hash = ?", (token_hash,))
        return rows[0] if rows else None

    def accounts(self) -> list[dict]:
        return self._rows("SELECT * FROM accounts ORDER BY name")

    def audit(self, actor: str, action: str, target: str | None = None, *, client: str | None = None,
              detail: dict | None = None) -> None:
        """Append one record to the audit log (nothing updates or deletes them)."""
        with self._transaction() as db:
            self._audit(db, actor, action, target, client=client, detail=detail)

    @staticmethod
    def _audit(db: sqlite3.Connection, actor: str, action: str, target: str | None, *,
               client: str | None = None, detail: dict | None = None) -> None:
        db.execute(
            "INSERT INTO audit_log (at, actor, client, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (_now("milliseconds"), actor, client, action, target,
             orjson.dumps(detail).decode() if detail is not None else None),
        )

    def audit_log(self, since: str | None = None, limit: int = 100, after: int = 0) -> list[dict]:
        """Records from ``since`` (an ISO time) on and after record number ``after``, oldest first."""
        rows = self._rows(
            "SELECT * FROM audit_log WHERE at >= ? AND id > ? ORDER BY id LIMIT ?", (since or "", after, limit)
        )
        for row in rows:
            row["detail"] = orjson.loads(row["detail"]) if row["detail"] else None
        return rows

    # -- sign-in sessions and failed sign-ins ------------------------------------------------
    def add_session(self, digest: str, account: str, expires_at: str, client: str | None) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE expires_at < ?", (_now(),))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", (digest, account, _now(), expires_at, client))
            self._audit(db, account, "session.open", account, client=client)

    def session(self, digest: str) -> dict | None:
        """The session with this digest, unexpired, with its account's row (``account``)."""
        rows = self._rows("SELECT s.expires_at, a.* FROM sessions s JOIN accounts a ON a.name = s.account "
                          "WHERE s.digest = ? AND s.expires_at > ?", (digest, _now()))
        return rows[0] if rows else None

    def delete_session(self, digest: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE digest = ?", (digest,))

    def delete_sessions(self, account: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE account = ?", (account,))

    def sign_in_failed(self, name: str, client: str, at: float, actor: str | None = None) -> None:
        """Record a failed sign-in for ``name`` (an account's name, or what stands for an unknown
        one) from ``client``; the audit log names ``actor`` (by default ``name``)."""
        with self._transaction() as db:
            db.execute("INSERT INTO sign_in_failures (name, client, at) VALUES (?, ?, ?)", (name, client, at))
            db.execute("DELETE FROM sign_in_failures WHERE at < ?", (at - 86400,))
            self._audit(db, actor or name or "?", "session.failed", name, client=client)

    def sign_in_failures_from(self, name: str, client: str, since: float) -> tuple[int, float, int, float]:
        """(failures of ``name`` from ``client``, the latest of them, failures from ``client`` for
        any name, the latest of them) since ``since``."""
        by_pair, last_pair = self.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(at), 0) FROM sign_in_failures WHERE name = ? AND client = ? AND at >= ?",
            (name, client, since)).fetchone()
        by_client, last_client = self.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(at), 0) FROM sign_in_failures WHERE client = ? AND at >= ?",
            (client, since)).fetchone()
        return by_pair, last_pair, by_client, last_client

    def clear_sign_in_failures(self, name: str, client: str | None = None) -> None:
        """Forget the failed sign-ins of ``name`` (from ``client`` only, when given)."""
        with self._transaction() as db:
            if client is None:
                db.execute("DELETE FROM sign_in_failures WHERE name = ?", (name,))
            else:
                db.execute("DELETE FROM sign_in_failures WHERE name = ? AND client = ?", (name, client))

    def secret_key(self, name: str) -> bytes:
        """The store's secret key ``name`` (32 random bytes), made on first use and the same for
        every node of the store; never shown, exported or sent."""
        key = f"secret.{name}"
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:  # the first use: one node makes it, every other reads that one
            with self._transaction() as db:
                db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, secrets.token_hex(32)))
                row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return bytes.fromhex(row[0])

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._writer() as db:
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                # another writer (a large import) held the store past the busy time-out
                raise Busy("Từ điển đang ghi một đợt thay đổi lớn (ví dụ một lần nhập dữ liệu); "
                           "xin thử lại sau ít giây.", retry_after=5) from None
            try:
                yield db
            except BaseException:
                if not getattr(db, "broken", False):
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
