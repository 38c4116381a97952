"""The store's SQL on PostgreSQL: a connection that takes the store's SQLite-flavoured statements
as they are written, so one store runs on both.

The store writes portable SQL where it can (``RETURNING``, ``CAST``, joins instead of SQLite's
bare columns); what remains is translated here, once per statement text: ``?`` placeholders,
``INSERT OR IGNORE`` and ``INSERT OR REPLACE`` (upserts on each table's key), and the two kinds of
transaction the store opens — ``BEGIN IMMEDIATE`` (a write: one writer at a time, as SQLite has,
by a transaction-scoped advisory lock, so every node's writes are serialised exactly as one
node's are) and ``BEGIN`` (a read of one snapshot: repeatable read).

A connection that the server dropped is marked broken and raises :class:`StoreUnavailable`
(answered 503); the store opens a new one on the next call, so a node recovers by itself when
the database comes back.  A lock waited for too long raises :class:`Busy`.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
import threading
from collections.abc import Iterator
from typing import Any, NoReturn

import psycopg
from psycopg import errors as pg_errors
from psycopg.adapt import Dumper

from dictionary.errors import Busy, InvalidQuery, StoreUnavailable

WRITE_LOCK = 0x7475_6469  # the advisory lock every write transaction holds ("tudi")
CONNECT_TIMEOUT = 2  # seconds: a database that does not answer is said so quickly
LOCK_TIMEOUT = "10s"  # as long as SQLite's busy time-out
INTEGRITY_ERRORS: tuple[type[Exception], ...] = (psycopg.IntegrityError,)

# the key each INSERT OR REPLACE replaces on
_KEYS = {"meta": "key", "datasets": "name", "accounts": "name", "sessions": "digest"}
_REPLACE = re.compile(r"INSERT OR REPLACE INTO (\w+)\s*(\(([^)]*)\))?", re.I)
_IGNORE = re.compile(r"INSERT OR IGNORE INTO", re.I)
_META_COLUMNS = "key, value"


class _BoolAsInt(Dumper):
    """Python booleans as the 0/1 the store's INTEGER flags hold, as SQLite takes them."""

    oid = psycopg.adapters.types["int4"].oid

    def dump(self, obj: bool) -> bytes:
        return b"1" if obj else b"0"


@functools.lru_cache(maxsize=2048)
def translate(sql: str, params: bool = True) -> str:
    """A store statement in PostgreSQL's words (with ``params``, its ``?`` as psycopg's ``%s``,
    and a literal ``%`` doubled)."""
    text = sql.replace("%", "%%").replace("?", "%s") if params else sql
    if _IGNORE.search(text):
        text = _IGNORE.sub("INSERT INTO", text) + " ON CONFLICT DO NOTHING"
    found = _REPLACE.search(text)
    if found:
        table = found.group(1)
        columns = found.group(3) or (_META_COLUMNS if table == "meta" else None)
        if columns is None:
            raise ValueError(f"INSERT OR REPLACE INTO {table} must name its columns")
        key = _KEYS[table]
        names = [c.strip() for c in columns.split(",") if c.strip()]
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in names if c != key)
        text = _REPLACE.sub(f"INSERT INTO {table} ({', '.join(names)})", text, count=1)
        text += f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
    return text


STATEMENT_TIMEOUT = "120s"  # no statement of the store's takes long: one that does is stuck
# a server that stops answering (a dropped network, a frozen host) is noticed within seconds
KEEPALIVES: dict[str, Any] = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2,
              "tcp_user_timeout": 10_000}


def _options(readonly: bool) -> str:
    return (f"-c lock_timeout={LOCK_TIMEOUT} -c statement_timeout={STATEMENT_TIMEOUT}"
            + (" -c default_transaction_read_only=on" if readonly else ""))


def _configure(raw: psycopg.Connection) -> None:
    raw.adapters.register_dumper(bool, _BoolAsInt)


class PgConnection:
    """One PostgreSQL connection, used by the store as it uses a SQLite one (autocommit, with
    the store's own BEGIN and COMMIT): a new one to ``url``, or a pool's ``raw`` one."""

    def __init__(self, url: str | None = None, *, readonly: bool = False, raw: psycopg.Connection | None = None) -> None:
        if raw is None:
            assert url is not None, "a new connection needs the database's URL"
            try:
                raw = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT, options=_options(readonly),
                                      **KEEPALIVES)
            except psycopg.OperationalError as exc:
                raise StoreUnavailable(_unavailable(exc)) from None
            _configure(raw)
        self.raw = raw
        self.broken = False

    def execute(self, sql: str, params: Any = ()) -> psycopg.Cursor:
        statement = sql.strip()
        if statement == "BEGIN IMMEDIATE":
            self._run("BEGIN")
            return self._run("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        if statement == "BEGIN":
            return self._run("BEGIN ISOLATION LEVEL REPEATABLE READ")
        return self._run(translate(sql, bool(params)), params)

    def executemany(self, sql: str, rows) -> psycopg.Cursor:
        cursor = self.raw.cursor()
        try:
            cursor.executemany(translate(sql), list(rows))
        except psycopg.Error as exc:
            self._failed(exc)
        return cursor

    def _run(self, sql: str, params: Any = ()) -> psycopg.Cursor:
        try:
            return self.raw.execute(sql, params if params else None)
        except psycopg.Error as exc:
            self._failed(exc)

    def _failed(self, exc: psycopg.Error) -> NoReturn:
        if isinstance(exc, pg_errors.LockNotAvailable | pg_errors.QueryCanceled | pg_errors.TransactionRollback):
            raise Busy("Từ điển đang ghi một đợt thay đổi lớn (ví dụ một lần nhập dữ liệu); "
                       "xin thử lại sau ít giây.", retry_after=5) from None
        if isinstance(exc, psycopg.DataError) and not self.raw.closed:
            # text PostgreSQL cannot hold (a NUL character): nothing can match it
            raise InvalidQuery("Dữ liệu gửi lên chứa ký tự không hợp lệ (ví dụ ký tự NUL); "
                               "hãy bỏ ký tự đó rồi thử lại.") from None
        if isinstance(exc, psycopg.OperationalError) or self.raw.closed:
            self.broken = True
            raise StoreUnavailable(_unavailable(exc)) from None
        raise exc

    def busy(self) -> bool:
        """Another thread is running a statement on it now."""
        lock = getattr(self.raw, "lock", None)
        return bool(lock is not None and lock.locked())

    def close(self) -> None:
        self.raw.close()


class PgConnections:
    """A store's PostgreSQL connections, few and bounded whatever the number of threads: a
    handful the threads share for single reads (:meth:`reader`), and a pool for transactions and
    long scans (:meth:`lease`), each held for its length.  A process opens at most
    ``READERS + POOL_SIZE`` connections (and one more while it updates the index)."""

    READERS = 4
    POOL_SIZE = 8
    WAIT = 1.5  # seconds a transaction waits for a pooled connection before the answer is 503

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        from psycopg_pool import ConnectionPool

        self.url, self.readonly = url, readonly
        self._readers: list[PgConnection | None] = [None] * self.READERS
        self._turn = itertools.count()
        self._lock = threading.Lock()
        self.pool = ConnectionPool(url, min_size=1, max_size=self.POOL_SIZE, timeout=self.WAIT, name="tudien",
                                   kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT,
                                           "options": _options(readonly), **KEEPALIVES},
                                   configure=_configure, check=ConnectionPool.check_connection, open=True)

    def reader(self) -> PgConnection:
        """A shared connection for one statement: an idle one when there is one."""
        with self._lock:
            slots = [(next(self._turn) + k) % self.READERS for k in range(self.READERS)]
            for s in slots:
                reader = self._readers[s]
                if reader is not None and not reader.broken and not reader.raw.closed and not reader.busy():
                    return reader
            slot = slots[0]
            db = self._readers[slot]
            if db is not None and not db.broken and not db.raw.closed:
                return db
            self._readers[slot] = None
        if db is not None:
            db.close()
        made = PgConnection(self.url, readonly=self.readonly)  # connecting, outside the lock
        with self._lock:
            if self._readers[slot] is None:
                self._readers[slot] = made
                return made
        made.close()
        return self.reader()

    @contextlib.contextmanager
    def lease(self) -> Iterator[PgConnection]:
        from psycopg_pool import PoolTimeout

        try:
            lease = self.pool.connection()
            raw = lease.__enter__()
        except PoolTimeout:
            raise StoreUnavailable("Cơ sở dữ liệu PostgreSQL của từ điển không trả lời hoặc đang quá bận; "
                                   "xin thử lại sau ít giây.") from None
        try:
            yield PgConnection(raw=raw)
        except BaseException as exc:
            lease.__exit__(type(exc), exc, exc.__traceback__)
            raise
        else:
            lease.__exit__(None, None, None)

    def close(self) -> None:
        self.pool.close()
        for db in self._readers:
            if db is not None:
                db.close()


def _unavailable(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return (f"Cơ sở dữ liệu PostgreSQL của từ điển không trả lời ({first}); "
            "máy chủ sẽ tự kết nối lại khi nó hoạt động trở lại, xin thử lại sau ít giây.")
