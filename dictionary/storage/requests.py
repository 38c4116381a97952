"""Term requests and the worklist's decisions.

A request asks for a term in a language; asked again (the same term, the same language) it adds
to the first request's count.  The ``worklist`` table keeps what editors decided about an item
of demand (a term in a language): dismissed (with why).  Whether an item is done is read from
the published entries (:mod:`dictionary.growth.worklist`), never kept here."""

from __future__ import annotations

from collections.abc import Iterable

from dictionary.storage.audit import Record
from dictionary.storage.core import Connections, now


class Requests:
    """The ``term_requests`` and ``worklist`` tables."""

    def __init__(self, core: Connections) -> None:
        self.core = core

    def ask(self, term: str, language: str, text: str, context: str | None, contact: str | None,
            audited: Record) -> tuple[int, int]:
        """Record a request (or count it again); (its number, how many times it was asked)."""
        at = now()
        with self.core.transaction() as db:
            number, count = db.execute(
                "INSERT INTO term_requests (term, language, text, context, contact, count, at, last_at) "
                "VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (term, language) DO UPDATE SET "
                "count = term_requests.count + 1, last_at = excluded.last_at, "
                "context = COALESCE(term_requests.context, excluded.context), "
                "contact = COALESCE(term_requests.contact, excluded.contact) RETURNING id, count",
                (term, language, text, context, contact, at, at)).fetchone()
            Record(audited.actor, "request.create" if count == 1 else "request.repeat", str(number),
                   audited.client, {"language": language}).write(db)
        return int(number), int(count)

    def get(self, number: int) -> dict | None:
        rows = self.core.rows("SELECT * FROM term_requests WHERE id = ?", (number,))
        return rows[0] if rows else None

    def select(self, languages: tuple[str, ...] | None) -> list[dict]:
        """Every request (of these languages)."""
        if languages is None:
            return self.core.rows("SELECT * FROM term_requests ORDER BY id")
        marks = ",".join("?" * len(languages))
        return self.core.rows(f"SELECT * FROM term_requests WHERE language IN ({marks}) ORDER BY id", languages)

    def decisions(self, languages: tuple[str, ...] | None) -> dict[tuple[str, str], dict]:
        """The worklist's decisions by (language, term)."""
        if languages is None:
            rows = self.core.rows("SELECT * FROM worklist")
        else:
            marks = ",".join("?" * len(languages))
            rows = self.core.rows(f"SELECT * FROM worklist WHERE language IN ({marks})", languages)
        return {(r["language"], r["term"]): r for r in rows}

    def decide(self, language: str, term: str, status: str, entry_id: str | None, reason: str | None,
               audited: Record) -> None:
        """Mark an item dismissed (a decision replaces the one before), audited with it; its
        requests' contacts go, no longer needed."""
        with self.core.transaction() as db:
            db.execute("DELETE FROM worklist WHERE language = ? AND term = ?", (language, term))
            db.execute("UPDATE term_requests SET contact = NULL WHERE language = ? AND term = ?", (language, term))
            db.execute("INSERT INTO worklist (language, term, status, entry_id, reason, actor, at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", (language, term, status, entry_id, reason, audited.actor, now()))
            audited.write(db)

    def reopen(self, language: str, term: str, audited: Record) -> None:
        with self.core.transaction() as db:
            db.execute("DELETE FROM worklist WHERE language = ? AND term = ?", (language, term))
            audited.write(db)

    def forget_contacts(self, numbers: Iterable[int] = (), asked_before: str | None = None) -> int:
        """Drop the contacts of these requests (answered ones), and of those first asked before
        ``asked_before`` (a day); how many went."""
        with self.core.transaction() as db:
            gone = sum(db.execute("UPDATE term_requests SET contact = NULL WHERE id = ? AND contact IS NOT NULL",
                                  (n,)).rowcount for n in numbers)
            if asked_before is not None:
                gone += db.execute("UPDATE term_requests SET contact = NULL WHERE at < ? AND contact IS NOT NULL",
                                   (asked_before,)).rowcount
        return gone
