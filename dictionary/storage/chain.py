"""The audit log's chain: each record carries the digest of the one before it and its own.

A record's digest is the SHA-256 of its fields (time, actor, client, action, target, detail as
stored) and the digest before it, so that changing, removing or reordering a record breaks the
chain at that record; :func:`first_break` finds where.  The first record follows :data:`ORIGIN`.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable

import orjson

ORIGIN = "0" * 64  # what the first record's ``prev`` holds
FIELDS = ("at", "actor", "client", "action", "target", "detail")


def digest(row: dict, prev: str) -> str:
    """The digest of ``row`` (its :data:`FIELDS`) after the record whose digest is ``prev``."""
    return hashlib.sha256(orjson.dumps([prev, *(row.get(name) for name in FIELDS)])).hexdigest()


def first_break(rows: Iterable[dict], prev: str = ORIGIN) -> tuple[int, int | None, str]:
    """(the records that hold, the ``id`` of the first that does not or None, why) for ``rows``
    in order of ``id``, starting after the digest ``prev``."""
    held = 0
    for row in rows:
        if row["prev"] != prev:
            return held, row["id"], "không mang mã băm của bản ghi trước nó (một bản ghi đã bị xóa hay chèn)"
        if row["digest"] != digest(row, prev):
            return held, row["id"], "mã băm không khớp nội dung (bản ghi đã bị sửa)"
        prev = row["digest"]
        held += 1
    return held, None, ""


def chain_existing(db: sqlite3.Connection) -> None:
    """Give every record that has no digest yet its ``prev`` and ``digest``, in order of ``id``
    (the migration that adds the columns; the records after the last chained one)."""
    last = db.execute("SELECT digest FROM audit_log WHERE digest IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
    prev = last[0] if last else ORIGIN
    names = ("id", *FIELDS)
    pending = [dict(zip(names, row, strict=True)) for row in db.execute(
        f"SELECT {', '.join(names)} FROM audit_log WHERE digest IS NULL ORDER BY id").fetchall()]
    for row in pending:
        own = digest(row, prev)
        db.execute("UPDATE audit_log SET prev = ?, digest = ? WHERE id = ?", (prev, own, row["id"]))
        prev = own
