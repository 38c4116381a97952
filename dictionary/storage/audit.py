"""The audit log: who did what, when, from where; appended to, never changed.

Every room that makes a change an account answers for writes its record with :func:`write` in the
same transaction as the change."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import orjson

from dictionary.storage.core import Connections, now


def write(db: sqlite3.Connection, actor: str, action: str, target: str | None, *,
          client: str | None = None, detail: dict | None = None) -> None:
    """Append one record to the audit log, in the transaction ``db`` runs."""
    db.execute(
        "INSERT INTO audit_log (at, actor, client, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (now("milliseconds"), actor, client, action, target,
         orjson.dumps(detail).decode() if detail is not None else None),
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
        return rows

