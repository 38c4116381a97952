"""Suggestions: what readers propose for an entry, waiting for an editor."""

from __future__ import annotations

import sqlite3

from dictionary.storage import audit
from dictionary.storage.core import Connections, now


def close_on_removal(db: sqlite3.Connection, entry_ids: list[str], actor: str) -> None:
    """Open suggestions on entries about to be deleted are closed (kept, with why), so the
    editors' queue never points at an entry that is gone."""
    db.executemany(
        "UPDATE suggestions SET status = 'dismissed', resolved_by = ?, resolved_at = ?, "
        "comment = 'Mục từ đã bị xoá cùng bộ dữ liệu của nó.' WHERE entry_id = ? AND status = 'open'",
        [(actor, now(), entry_id) for entry_id in entry_ids])


class Suggestions:
    """The ``suggestions`` table."""

    def __init__(self, core: Connections) -> None:
        self.core = core

    def add(self, entry_id: str, language: str, text: str, contact: str | None,
            client: str | None, actor: str = "anonymous") -> int:
        with self.core.transaction() as db:
            number = db.execute(
                "INSERT INTO suggestions (entry_id, language, text, contact, client, at, status) "
                "VALUES (?, ?, ?, ?, ?, ?, 'open') RETURNING id", (entry_id, language, text, contact, client, now())
            ).fetchone()[0]
            audit.write(db, actor, "suggestion.create", entry_id, client=client, detail={"suggestion": number})
        return number

    def select(self, status: str | None, languages: tuple[str, ...] | None, limit: int = 100) -> list[dict]:
        clauses, params = [], []
        if status is not None:
            clauses.append("status = ?")
            params.append(status)
        if languages is not None:
            clauses.append(f"language IN ({','.join('?' * len(languages))})")
            params.extend(languages)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return self.core.rows(f"SELECT * FROM suggestions{where} ORDER BY id LIMIT ?", (*params, limit))

    def get(self, number: int) -> dict | None:
        rows = self.core.rows("SELECT * FROM suggestions WHERE id = ?", (number,))
        return rows[0] if rows else None

    def resolve(self, number: int, status: str, actor: str, comment: str | None,
                client: str | None) -> bool:
        """Close an open suggestion; False when it was closed already."""
        with self.core.transaction() as db:
            done = db.execute(
                "UPDATE suggestions SET status = ?, resolved_by = ?, resolved_at = ?, comment = ? "
                "WHERE id = ? AND status = 'open'", (status, actor, now(), comment, number)
            ).rowcount
            if done:
                audit.write(db, actor, f"suggestion.{status}", str(number), client=client,
                            detail={"comment": comment} if comment else None)
        return bool(done)
