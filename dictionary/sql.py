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

import functools
import re
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.adapt import Dumper

from .errors import Busy, StoreUnavailable

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
def translate(sql: str) -> str:
    """A store statement in PostgreSQL's words."""
    text = sql.replace("%", "%%").replace("?", "%s")
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


class PgConnection:
    """One PostgreSQL connection, used by the store as it uses a SQLite one (autocommit, with
    the store's own BEGIN and COMMIT)."""

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        options = f"-c lock_timeout={LOCK_TIMEOUT}"
        if readonly:
            options += " -c default_transaction_read_only=on"
        try:
            self.raw = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT, options=options)
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(_unavailable(exc)) from None
        self.raw.adapters.register_dumper(bool, _BoolAsInt)
        self.broken = False

    def execute(self, sql: str, params: Any = ()) -> psycopg.Cursor:
        statement = sql.strip()
        if statement == "BEGIN IMMEDIATE":
            self._run("BEGIN")
            return self._run("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        if statement == "BEGIN":
            return self._run("BEGIN ISOLATION LEVEL REPEATABLE READ")
        return self._run(translate(sql), params)

    def executemany(self, sql: str, rows) -> psycopg.Cursor:
        cursor = self.raw.cursor()
        try:
            cursor.executemany(translate(sql), list(rows))
        except psycopg.Error as exc:
            self._failed(exc)
        return cursor

    def _run(self, sql: str, params: Any = ()) -> psycopg.Cursor:
        try:
            return self.raw.execute(sql, params or None)
        except psycopg.Error as exc:
            self._failed(exc)

    def _failed(self, exc: psycopg.Error):
        if isinstance(exc, pg_errors.LockNotAvailable | pg_errors.QueryCanceled):
            raise Busy("Từ điển đang ghi một đợt thay đổi lớn (ví dụ một lần nhập dữ liệu); "
                       "xin thử lại sau ít giây.", retry_after=5) from None
        if isinstance(exc, psycopg.OperationalError) or self.raw.closed:
            self.broken = True
            raise StoreUnavailable(_unavailable(exc)) from None
        raise exc

    def close(self) -> None:
        self.raw.close()


def _unavailable(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return (f"Cơ sở dữ liệu PostgreSQL của từ điển không trả lời ({first}); "
            "máy chủ sẽ tự kết nối lại khi nó hoạt động trở lại, xin thử lại sau ít giây.")
