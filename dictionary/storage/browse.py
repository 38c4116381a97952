"""What the language pages read of the entries table: a language's published headwords, its
datasets, and how many of its published entries have a recording.

Plain reads over the store's read connection, in SQL both SQLite and PostgreSQL take as written
(``?`` placeholders, ``CASE``, joins, ``COUNT(DISTINCT …)``): ordering by a language's alphabet
is ICU's work, done by the caller on what these return.
"""

from __future__ import annotations

import orjson

from dictionary.storage.core import Connections


class Browse:
    """Reads of the ``entries``, ``datasets`` and ``audio_clips`` tables for the language pages."""

    def __init__(self, core: Connections) -> None:
        self.core = core

    def headwords(self, language: str) -> list[tuple[int, str, str]]:
        """(row, id, headword) of every published entry of ``language``, in no order.  An entry
        whose edit waits for review has its pending headword in the column; its published one is
        read from the public text."""
        rows = self.core.db.execute(
            "SELECT rowid, id, headword, CASE WHEN published_revision = revision THEN NULL ELSE public END "
            "FROM entries WHERE language = ? AND public IS NOT NULL", (language,)).fetchall()
        return [(rowid, entry_id, headword if pending is None else orjson.loads(pending)["headword"])
                for rowid, entry_id, headword, pending in rows]

    def recorded(self) -> dict[str, int]:
        """Published entries with at least one accepted recording, per language."""
        return dict(self.core.db.execute(
            "SELECT e.language, COUNT(DISTINCT e.id) FROM entries e JOIN audio_clips a ON a.entry_id = e.id "
            "WHERE a.kind = 'recording' AND a.review = 'accepted' AND e.public IS NOT NULL GROUP BY e.language").fetchall())

    def datasets(self, language: str) -> list[dict]:
        """The datasets ``language``'s published entries come from, each with its title, citation,
        licence and description and how many of those entries it gives, largest first."""
        cursor = self.core.db.execute(
            "SELECT d.name, d.citation, d.licence, d.description, c.n, d.title FROM datasets d JOIN (SELECT dataset, "
            "COUNT(*) AS n FROM entries WHERE language = ? AND public IS NOT NULL GROUP BY dataset) c "
            "ON c.dataset = d.name ORDER BY c.n DESC, d.name", (language,))
        return [{"name": name, "citation": citation, "licence": licence, "description": description, "entries": n,
                 "title": title or name}
                for name, citation, licence, description, n, title in cursor.fetchall()]
