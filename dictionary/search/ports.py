"""The ports: what the domain asks of a search engine, and what it hands one to index.

A backend answers a :class:`~dictionary.search.ranking.QueryPlan` with
:class:`~dictionary.search.ranking.Candidate` records and indexes :class:`KeyDoc` documents; it never
normalises text or ranks (that is :mod:`dictionary.text.normalize` and :func:`dictionary.search.ranking.rank`),
so every engine gives the same order.  ``indexer/`` holds the implementations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol

from dictionary.search.ranking import Candidate, QueryPlan, Tier

# Folded prefixes up to this many letters are indexed as terms (shorter prefix look-ups would
# otherwise walk much of the term dictionary); longer ones are prefix queries on the folded key.
EDGE = 3

# The exact/tone/fold stage is one query whose clauses score these constants (each larger than
# the ones below it together); a hit's score says which clause matched best.
SCORE_OF: dict[Tier, float] = {Tier.EXACT: 4.0, Tier.TONE: 2.0, Tier.FOLD: 1.0}
# In the fuzzy stage every hit scores FUZZY_SCORE, and one that keeps the query's first two
# letters SAME_START_BONUS more.
FUZZY_SCORE = 1.0
SAME_START_BONUS = 1.0
_TOLERANCE = 1e-6  # engines add float scores; 3.9999997 is 4


def tier_of_score(score: float) -> Tier:
    """The tier of an exact-stage hit, from its score."""
    for tier, threshold in SCORE_OF.items():
        if score >= threshold - _TOLERANCE:
            return tier
    return Tier.FOLD


def looseness_of_score(score: float) -> int:
    """A fuzzy hit's looseness from its score: 1 when it keeps the query's first letters, else 2."""
    return 1 if score >= FUZZY_SCORE + SAME_START_BONUS - _TOLERANCE else 2


class KeyDoc(NamedTuple):
    """One searchable text of an entry (headword, variant, Latin key or gloss) with its keys."""

    entry: int  # row in the store
    language: str  # the entry's language
    field: int  # Field
    gloss_language: str | None  # for glosses
    position: int  # order within the entry (0 = headword or first gloss)
    exact: str
    tone: str
    fold: str


class EntryReader(Protocol):
    """What the search service reads of entries beside the engine's keys: the canonical store on
    the server, a folder of offline packs on a phone (:class:`dictionary.packs.pack.PackReader`)."""

    @property
    def generation(self) -> int: ...

    def authoritative(self) -> frozenset[int]: ...

    def broad(self, above: int) -> dict[int, int]: ...

    def bodies(self, rows: list[int]) -> dict[int, dict]: ...

    def heads(self, rows: list[int]) -> dict[int, dict]: ...

    def count(self) -> int: ...

    def language_counts(self) -> dict[str, int]: ...


class Backend(Protocol):
    name: str
    remote: bool  # calls wait on a network (run them off the event loop)

    def candidates(self, plan: QueryPlan) -> list[Candidate]:
        """Keys matching ``plan``, each with the stage (tier) that found it."""
        ...

    def candidates_many(self, plans: Sequence[QueryPlan]) -> list[list[Candidate]]:
        """The candidates of several plans at once (a query and its other readings): item ``i``
        is exactly what ``candidates(plans[i])`` returns, in the same order.  A remote engine
        answers them all in one round trip; an engine in process may simply ask plan by plan."""
        ...

    def rebuild(self, docs: Iterable[KeyDoc], generation: int) -> int:
        """Replace the whole index with ``docs``; returns how many were indexed."""
        ...

    def update(self, entries: list[int], docs: Iterable[KeyDoc], generation: int) -> None:
        """Replace the documents of ``entries`` (rows in the store) with ``docs`` (an entry with
        no documents is removed) and record that the index now follows the store's
        ``generation``; searchable by every reader within a second of returning."""
        ...

    def status(self) -> dict:
        """``{"ok": bool, "generation": int | None, ...}`` for /health."""
        ...

    def generation(self, fresh: bool = False) -> int | None:
        """The store generation the serving index follows, as last known: cheap enough to ask
        after every search (no round trip each time); with ``fresh``, read from the index itself.
        None when unknown."""
        ...

    def close(self) -> None: ...
