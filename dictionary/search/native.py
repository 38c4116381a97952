"""The search core (``tudien_core``, a compiled extension built from ``indexer/native``): the
shared ranking and everything after candidate generation, for every engine.

The embedded engine runs a whole search in it, every stage of the query and of its readings
included (:meth:`indexer.embedded.EmbeddedBackend.search_ranked`); another engine finds its
candidates itself and hands them to :func:`finish`.  Both return the same :class:`Outcome`.
Text normalisation stays in Python: plans carry their keys already computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import tudien_core

from dictionary.search.ranking import Candidate, QueryPlan, Ranked

Facts = tudien_core.Facts  # the rows naming an authority, and the broad rows' meanings


def facts(authoritative: frozenset[int], broad: dict[int, int]) -> tudien_core.Facts:
    return tudien_core.Facts(list(authoritative), broad)


def plan_tuple(plan: QueryPlan) -> tuple:
    """A plan as the core reads it: (exact, tone, fold, words, scopes, fuzzy, cap, prefix)."""
    keys = plan.keys
    scopes = [(s.gloss_language or None, list(s.languages) if s.languages else None) for s in plan.scopes]
    return (keys.exact, keys.tone, keys.fold, list(plan.words), scopes, plan.fuzzy, plan.cap, plan.prefix)


@dataclass(frozen=True)
class Ask:
    """What a search asks beyond its plans: which readings to look up (``with_typing`` when the
    query as typed matched nothing exactly or ``typing_if_found``, else ``without_typing``:
    indexes into the readings), whether the query has diacritics (``marked``) and a letter or
    digit at all (``word``), and the page."""

    with_typing: list[int]
    without_typing: list[int]
    typing_if_found: bool
    marked: bool
    word: bool
    offset: int
    limit: int
    pool: int

    def args(self) -> tuple:
        return (self.with_typing, self.without_typing, self.typing_if_found, self.marked, self.word)

    def page(self) -> tuple:
        return (self.offset, self.limit, self.pool)

    def chosen(self, found: bool) -> list[int]:
        return self.with_typing if not found or self.typing_if_found else self.without_typing


@dataclass(frozen=True)
class Row:
    ranked: Ranked
    reading: int  # the index of the first reading that found the entry, or -1
    exact: bool  # matches the query as typed


@dataclass(frozen=True)
class Outcome:
    total: int
    exact: int  # how many of ``total`` match the query as typed (they come first)
    page: list[Row]
    pool: list[Row]  # when none does: the first rows, what the query most likely meant


def outcome(raw: tuple) -> Outcome:
    total, exact, page, pool = raw

    def rows(items: list[tuple]) -> list[Row]:
        return [Row(Ranked((), item[0], Candidate(*item[:7])), item[7], item[8]) for item in items]

    return Outcome(total, exact, rows(page), rows(pool))


def finish(candidates: list[Candidate], readings: Sequence[list[Candidate] | None], ask: Ask,
           ranking: tudien_core.Facts) -> Outcome:
    """A search whose candidates an engine found (``readings[i]`` None for a reading it did not
    look up): the readings' DECODED tier, the ranking, what matches as typed first."""
    return outcome(tudien_core.finish(candidates, list(readings), *ask.args(), ranking, *ask.page()))

