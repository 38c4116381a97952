"""The offline backend: the keys of a folder of language packs (:mod:`dictionary.packs.pack`), searched
with SQLite and RapidFuzz, as the offline client's engine.

It answers a :class:`~dictionary.search.ranking.QueryPlan` stage by stage as the embedded engine does,
and returns its hits in the same order: within a stage, by score, then shortest folded key, then
the entry's row and the key's place in its entry (a key's number is ``row * 65536 + place``, the
order in which the embedded engine writes its documents).  So the shared ranker gives the same
results offline as on the server.

Equality and prefix look-ups use the folded key's index (every exact or tone match is a fold
match: both keys fold to it); a multi-word key is found by its words; the fuzzy stage compares
the query with each distinct folded key of the side it searches (RapidFuzz, in C), which a pack's
tens of thousands of keys allow in a few milliseconds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA

from dictionary.errors import IndexMissing
from dictionary.packs.pack import KEY_SHIFT, PackReader
from dictionary.search.ranking import Candidate, QueryPlan, Tier

_TOP = "\U0010ffff"  # sorts after every character: the end of a prefix range
_COLUMNS = "key, field, position, exact, tone, fold"


class PackBackend:
    name = "pack"
    remote = False

    def __init__(self, reader: PackReader) -> None:
        self.reader = reader
        # (language, gloss, version, column) → the side's distinct keys by length
        self._folds: dict[tuple[str, str, str, str], dict[int, list[str]]] = {}

    # -- the port's other duties -----------------------------------------------------------------
    def rebuild(self, docs, generation: int) -> int:
        raise IndexMissing("Gói ngôn ngữ chỉ được cập nhật bằng `tudien offline sync`.")

    def update(self, entries, docs, generation: int) -> None:
        raise IndexMissing("Gói ngôn ngữ chỉ được cập nhật bằng `tudien offline sync`.")

    def status(self) -> dict:
        return {"ok": bool(self.reader.packs), "engine": self.name, "generation": self.reader.generation,
                "packs": {language: {"version": int(m["version"]), "entries": int(m["entries"])}
                          for language, m in self.reader.meta.items()}}

    def generation(self, fresh: bool = False) -> int | None:
        return self.reader.generation

    def close(self) -> None:
        self.reader.close()

    # -- searching ---------------------------------------------------------------------------
    def _sides(self, plan: QueryPlan) -> list[tuple[str, sqlite3.Connection, list[str]]]:
        """Each pack the plan's scopes reach, with the gloss languages searched there ('' for
        headwords, variants and romanized keys)."""
        out = []
        for language, db in self.reader.packs.items():
            glosses = sorted({scope.gloss_language or "" for scope in plan.scopes
                              if scope.languages is None or language in scope.languages})
            if glosses:
                out.append((language, db, glosses))
        return out

    @staticmethod
    def _query(db: sqlite3.Connection, where: str, params: Iterable, glosses: list[str], order: str,
               cap: int) -> list[tuple]:
        marks = ",".join("?" * len(glosses))
        return db.execute(f"SELECT {_COLUMNS} FROM keys WHERE {where} AND gloss IN ({marks}) "
                          f"ORDER BY {order} LIMIT ?", (*params, *glosses, cap)).fetchall()

    @staticmethod
    def _cut(rows: list[tuple], cap: int, score=None) -> list[tuple]:
        """The first ``cap`` rows of every pack together, in the engines' order."""
        if score is None:
            rows.sort(key=lambda r: (len(r[5]), r[0]))
        else:
            rows.sort(key=lambda r: (-score(r), len(r[5]), r[0]))
        return rows[:cap]

    def _distinct(self, language: str, db: sqlite3.Connection, gloss: str, column: str,
                  lengths: range) -> list[str]:
        """The distinct keys of one side whose length is in ``lengths`` (no key of another length
        can be within the distance: comparing only these is what keeps the fuzzy stage fast)."""
        key = (language, gloss, self.reader.meta[language]["version"], column)
        by_length = self._folds.get(key)
        if by_length is None:
            by_length = {}
            for (text,) in db.execute(f"SELECT DISTINCT {column} FROM keys WHERE gloss = ?", (gloss,)):
                by_length.setdefault(len(text), []).append(text)
            self._folds[key] = by_length
        return [text for length in lengths for text in by_length.get(length, ())]

    def _near(self, sides, column: str, text: str, distance: int, cap: int, score=None) -> list[tuple]:
        """Keys whose ``column`` is within ``distance`` edits of ``text`` (a transposition is one)."""
        rows: list[tuple] = []
        for language, db, glosses in sides:
            for gloss in glosses:
                lengths = range(len(text) - distance, len(text) + distance + 1)
                near = [choice for choice, _, _ in process.extract(
                    text, self._distinct(language, db, gloss, column, lengths), scorer=OSA.distance,
                    score_cutoff=distance, limit=None)]
                for start in range(0, len(near), 500):
                    chunk = near[start : start + 500]
                    rows.extend(db.execute(
                        f"SELECT {_COLUMNS} FROM keys WHERE {column} IN ({','.join('?' * len(chunk))}) AND gloss = ?",
                        (*chunk, gloss)))
        return self._cut(rows, cap, score)

    def candidates_many(self, plans: Sequence[QueryPlan]) -> list[list[Candidate]]:
        """Plan by plan: in process, several plans cost no more apart than together."""
        return [self.candidates(plan) for plan in plans]

    def candidates(self, plan: QueryPlan) -> list[Candidate]:
        keys, cap = plan.keys, plan.cap
        sides = self._sides(plan)
        out: list[Candidate] = []
        entries: set[int] = set()

        def take(rows, tier, distance=0, loose=0):
            for key, field, position, _exact, _tone, fold in rows:
                row = key >> KEY_SHIFT
                out.append(Candidate(row, tier, distance, loose, position, min(len(fold), 4095), field))
                entries.add(row)

        # 1. exact, tone and fold equality: one look-up of the folded key
        def tier(r):
            return Tier.EXACT if r[3] == keys.exact else Tier.TONE if r[4] == keys.tone else Tier.FOLD

        rows = []
        for _, db, glosses in sides:
            rows.extend(self._query(db, "fold = ?", (keys.fold,), glosses, "key", -1))
        rows.sort(key=lambda r: (tier(r), len(r[5]), r[0]))
        for r in rows[:cap]:
            take([r], tier(r))
        fold = keys.fold
        if not fold:
            return out

        # 2. prefix of the folded key, shortest first
        if plan.prefix:
            rows = []
            for _, db, glosses in sides:
                rows.extend(self._query(db, "fold >= ? AND fold < ?", (fold, fold + _TOP), glosses,
                                        "length(fold), key", cap))
            take(self._cut(rows, cap), Tier.PREFIX)

        # 3. every word of the query among the key's words (multi-word keys only)
        words = sorted(set(plan.words))
        if words:
            rows = []
            marks = ",".join("?" * len(words))
            for _, db, glosses in sides:
                rows.extend(self._query(
                    db, f"key IN (SELECT key FROM words WHERE word IN ({marks}) GROUP BY key HAVING COUNT(*) = ?)",
                    (*words, len(words)), glosses, "length(fold), key", cap))
            take(self._cut(rows, cap), Tier.WORDS)

        # 4. fuzzy on the folded key (see the embedded engine for the stages and their scores)
        check_tone = keys.tone != fold
        start = fold[:2]
        for distance in range(1, plan.fuzzy + 1):
            if distance > 1 and not plan.wider_fuzzy(len(entries)):
                break
            hits = self._near(sides, "fold", fold, distance, cap, score=lambda r: 1 + r[5].startswith(start))
            compare = distance == 1 and check_tone and len(hits) < cap
            if distance == 1 and check_tone and not compare:
                take(self._near(sides, "tone", keys.tone, 1, cap), Tier.FUZZY, 1, 0)
            for r in hits:
                loose = 1 if r[5].startswith(start) else 2
                if compare and OSA.distance(r[4], keys.tone, score_cutoff=1) <= 1:
                    loose = 0
                take([r], Tier.FUZZY, distance, loose)
        return out
