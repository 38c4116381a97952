"""Demand: missed searches and entry look-ups, counted per day and nothing else.

A row says how often a text was looked up without an exact match on a day, in which direction
and from which part of the service (a search, or a gap of the translation workbench); another says
how often an entry was read on a day.  No address, account, agent, cookie or digest of a client
is ever written here: the counts arrive in batches from :class:`dictionary.growth.demand.Counter`,
each batch adding to the rows it meets (several processes add to the same rows)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dictionary.storage.core import Connections

MissKey = tuple[str, str, str, str, str, str]  # day, term, source, target, origin, text as written
LookupKey = tuple[str, str]  # day, entry id


class Demand:
    """The ``misses`` and ``lookups`` tables."""

    def __init__(self, core: Connections) -> None:
        self.core = core

    def add(self, misses: Mapping[MissKey, int], lookups: Mapping[LookupKey, int]) -> None:
        """Add one batch of counts to the rows, in one transaction."""
        if not misses and not lookups:
            return
        with self.core.transaction() as db:
            db.executemany(
                "INSERT INTO misses (day, term, source, target, origin, text, count) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (day, term, source, target, origin) DO UPDATE SET count = misses.count + excluded.count",
                [(*key, n) for key, n in misses.items()])
            db.executemany(
                "INSERT INTO lookups (day, entry_id, count) VALUES (?, ?, ?) "
                "ON CONFLICT (day, entry_id) DO UPDATE SET count = lookups.count + excluded.count",
                [(*key, n) for key, n in lookups.items()])

    def forget_before(self, day: str) -> int:
        """Drop the rows of the days before ``day``; how many went."""
        with self.core.transaction() as db:
            gone = db.execute("DELETE FROM misses WHERE day < ?", (day,)).rowcount
            gone += db.execute("DELETE FROM lookups WHERE day < ?", (day,)).rowcount
        return gone

    def misses(self, since: str, languages: Iterable[str] | None = None) -> list[dict]:
        """The missed texts since ``since`` (a day), summed per term and direction: ``searches``
        and ``translations`` counts, the last day seen, and one of the ways it was written (the
        first in alphabetical order — ``MIN(text)``, the same whichever process wrote first)."""
        rows = self.core.rows(
            "SELECT term, source, target, MIN(text) AS text, MAX(day) AS last_seen, "
            "SUM(CASE WHEN origin = 'search' THEN count ELSE 0 END) AS searches, "
            "SUM(CASE WHEN origin = 'translate' THEN count ELSE 0 END) AS translations "
            "FROM misses WHERE day >= ? GROUP BY term, source, target", (since,))
        if languages is None:
            return rows
        wanted = set(languages) | {ANY}
        return [r for r in rows if wanted & set(concerned(r["source"], r["target"]))]

    def rows(self) -> list[dict]:
        """Every row as stored (what a privacy check reads)."""
        return self.core.rows("SELECT * FROM misses ORDER BY day, term") + \
            self.core.rows("SELECT * FROM lookups ORDER BY day, entry_id")

    def lookups(self, entry_ids: list[str]) -> dict[str, int]:
        """How often each entry was looked up over the days kept."""
        out: dict[str, int] = {}
        for start in range(0, len(entry_ids), 500):
            chunk = entry_ids[start : start + 500]
            for entry_id, n in self.core.db.execute(
                    f"SELECT entry_id, SUM(count) FROM lookups WHERE entry_id IN ({','.join('?' * len(chunk))}) "
                    "GROUP BY entry_id", chunk):
                out[entry_id] = int(n)
        return out


ANY = "*"  # a miss in no particular minority language concerns them all


def concerned(source: str, target: str) -> tuple[str, ...]:
    """The languages a miss in this direction is a gap of: the minority languages it names, or
    every language (:data:`ANY`) when it names none (a Vietnamese word looked up everywhere)."""
    named = tuple(code for code in (source, target) if code and code != "vie")
    return named or (ANY,)
