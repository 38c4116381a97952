"""The store's core: connections, transactions and the write lock, shared by every room.

The canonical store is one SQLite file under the data directory (or one PostgreSQL database,
:mod:`dictionary.storage.sql`).  Each group of tables has a room of its own beside this module
(:mod:`~dictionary.storage.entries`, :mod:`~dictionary.storage.datasets`,
:mod:`~dictionary.storage.accounts`, :mod:`~dictionary.storage.suggestions`,
:mod:`~dictionary.storage.audit`, :mod:`~dictionary.storage.clips`,
:mod:`~dictionary.storage.feed`, :mod:`~dictionary.storage.demand`,
:mod:`~dictionary.storage.requests`, :mod:`~dictionary.storage.campaigns`); every room writes through the one :class:`Connections` it is
given, so a write that touches several rooms' tables is still one transaction.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

import orjson

from dictionary.errors import Busy, StoreUnavailable
from dictionary.model import Entry
from dictionary.storage.schema import migrate

if TYPE_CHECKING:  # loaded on first use, and only on PostgreSQL
    from dictionary.storage.sql import PgConnection, PgConnections


def now(timespec: str = "seconds") -> str:
    return datetime.now(UTC).isoformat(timespec=timespec)


def as_json(entry: Entry | dict) -> bytes:
    if isinstance(entry, Entry):
        return entry.__pydantic_serializer__.to_json(entry)  # what model_dump_json encodes
    return orjson.dumps(entry)


def rows_of(db: sqlite3.Connection, sql: str, params: Iterable = ()) -> list[dict]:
    """The rows of a query as dicts by column name."""
    cursor = db.execute(sql, tuple(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


class Connections:
    """One database's connections.  Connections are per thread; writers use one transaction each."""

    def __init__(self, path: Path, *, readonly: bool = False, url: str | None = None) -> None:
        """The SQLite file at ``path``, or with ``url`` (``postgresql://…``) the PostgreSQL
        database there (``path`` then only places the node's own lock files)."""
        self.path = Path(path)
        self.readonly = readonly
        self.url = url
        self._local = threading.local()
        self._opened: list = []  # every thread's connection, closed together by close()
        self._opened_lock = threading.Lock()
        self._pg_connections: PgConnections | None = None  # on PostgreSQL
        # on PostgreSQL, this process's writers queue here, not on pooled connections (one waits
        # for the database's write lock at a time), and one thread at a time holds the index lock
        self._write_gate = threading.Lock()
        self._index_gate = threading.Lock()
        self._index_db: PgConnection | None = None
        self.integrity: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)
        if url:
            from dictionary.storage import sql

            self.integrity += sql.INTEGRITY_ERRORS
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

            return _as_sqlite(PgConnection(self.url, readonly=self.readonly))
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
            return _as_sqlite(self._pg().reader())
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

    def _pg(self) -> PgConnections:
        """The PostgreSQL connections of this store (made on first use)."""
        with self._opened_lock:
            if self._pg_connections is None:
                from dictionary.storage.sql import PgConnections

                self._pg_connections = PgConnections(self.url or "", readonly=self.readonly)
            return self._pg_connections

    @contextmanager
    def own(self) -> Iterator[sqlite3.Connection]:
        """A connection for one piece of work apart from the thread's (a read of one snapshot, a
        long scan while others write): a new SQLite connection, or one of the PostgreSQL pool's."""
        if self.url:
            with self._pg().lease() as pg:
                yield _as_sqlite(pg)
            return
        db = self._connect()
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def writer(self) -> Iterator[sqlite3.Connection]:
        """The connection a write transaction runs on: the thread's SQLite connection, or one of
        the PostgreSQL pool's for the transaction's length."""
        if self.url:
            if not self._write_gate.acquire(timeout=10):
                raise Busy("Từ điển đang ghi một đợt thay đổi lớn (ví dụ một lần nhập dữ liệu); "
                           "xin thử lại sau ít giây.", retry_after=5)
            try:
                with self._pg().lease() as pg:
                    yield _as_sqlite(pg)
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
            while not (db.execute("SELECT pg_try_advisory_lock(?)", (key,)).fetchone() or (False,))[0]:
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

    def rows(self, sql: str, params: Iterable = ()) -> list[dict]:
        return rows_of(self.db, sql, params)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.writer() as db:
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


def _as_sqlite(db: PgConnection) -> sqlite3.Connection:
    """A PostgreSQL connection where the rooms expect a SQLite one: it answers the calls they
    make (execute, executemany, fetch…, the store's own BEGIN and COMMIT) the same way."""
    return cast("sqlite3.Connection", db)
