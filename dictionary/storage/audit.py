"""The audit log: who did what, when, from where; appended to, never changed.

Every room that makes a change an account answers for writes its record with :func:`write` in the
same transaction as the change."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import orjson

from dictionary.storage import chain
from dictionary.storage.core import Connections, now


def write(db: sqlite3.Connection, actor: str, action: str, target: str | None, *,
          client: str | None = None, detail: dict | None = None) -> None:
    """Append one record to the audit log, in the transaction ``db`` runs, chained to the last
    one (:mod:`dictionary.storage.chain`): the write transaction holds the store's write lock, so
    no other record comes between the read of the last digest and this insert."""
    row = {"at": now("milliseconds"), "actor": actor, "client": client, "action": action, "target": target,
           "detail": orjson.dumps(detail).decode() if detail is not None else None}
    last = db.execute("SELECT digest FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    prev = last[0] if last and last[0] else chain.ORIGIN
    db.execute(
        "INSERT INTO audit_log (at, actor, client, action, target, detail, prev, digest) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (*(row[name] for name in chain.FIELDS), prev, chain.digest(row, prev)),
    )


@dataclass(frozen=True, slots=True)
class Record:
    """One audit record to write with a change, in its transaction."""

    actor: str
    action: str
    target: str | None = None
    client: str | None = None
    detail: dict | None = None

    def write(self, db: sqlite3.Connection) -> None:
        write(db, self.actor, self.action, self.target, client=self.client, detail=self.detail)


class AuditLog:
    """The ``audit_log`` table."""

    def __init__(self, core: Connections) -> None:
        self.core = core

    def record(self, actor: str, action: str, target: str | None = None, *, client: str | None = None,
               detail: dict | None = None) -> None:
        """Append one record to the audit log (nothing updates or deletes them)."""
        with self.core.transaction() as db:
            write(db, actor, action, target, client=client, detail=detail)

    def records(self, since: str | None = None, limit: int = 100, after: int = 0) -> list[dict]:
        """Records from ``since`` (an ISO time) on and after record number ``after``, oldest first."""
        rows = self.core.rows(
            "SELECT * FROM audit_log WHERE at >= ? AND id > ? ORDER BY id LIMIT ?", (since or "", after, limit)
        )
        for row in rows:
            row["detail"] = orjson.loads(row["detail"]) if row["detail"] else None
            del row["prev"], row["digest"]  # the chain's own columns: read by :meth:`chained`
        return rows

    def chained(self, after: int = 0, limit: int = 1000) -> list[dict]:
        """Records after number ``after`` as stored (``detail`` as its text, ``prev``, ``digest``),
        oldest first: what the chain is checked over."""
        return self.core.rows("SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT ?", (after, limit))

    def digest_before(self, number: int) -> str:
        """The digest of the last record before number ``number`` (the chain's origin when none)."""
        row = self.core.db.execute("SELECT digest FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1",
                                   (number,)).fetchone()
        return row[0] if row and row[0] else chain.ORIGIN

