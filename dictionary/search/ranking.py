"""The query plan every backend receives, the candidates it returns, and the one ranking.

A backend does not rank.  It answers a :class:`QueryPlan` with :class:`Candidate` records that say
which of the plan's stages found a key (so the tier) and how long the key is; :func:`rank` turns
them into an ordered list of entries.  Because the order is computed in one place, the search
core (``tudien_core``, see :mod:`dictionary.search.native`), every backend gives the same order for
the same candidates.

Tiers, best first:

====== =====================================================================
exact  the canonical, case-folded key equals the query's
tone   equal except for where tone marks sit (hòa = hoà)
fold   equal ignoring every Latin diacritic, apostrophes and hyphens
decoded the query read as Telex or VNI typing (``tieengs`` → tiếng) matches exactly, or
       else ignoring diacritics (distance 1); placed below every literal
       exact/tone/fold match, so a real word typed as it is spelt still wins
prefix the folded key starts with the folded query
words  the folded key holds every word of the folded query
fuzzy  the folded keys are within edit distance 1 (2 for long queries);
       a transposition counts as one edit
====== =====================================================================

Within a tier: smaller distance first (a fuzzy match whose diacritics agree too is closer than
one that keeps the query's first two letters, which is closer than any other), then an entry that
names its authority (a decision or standard that fixed the term), then, for a gloss match, the
entry for which the query is one of few meanings (see :data:`BREADTH`: a function word glossed a
hundred ways is rarely what is looked for by one of them), then the key a sense lists first, then
the shorter key, then the entry's row as a stable tie-breaker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import NamedTuple

import tudien_core

from dictionary.text.normalize import SearchKeys


class Tier(IntEnum):
    EXACT = 0
    TONE = 1
    FOLD = 2
    DECODED = 3
    PREFIX = 4
    WORDS = 5
    FUZZY = 6

    @property
    def label(self) -> str:
        return self.name.lower()


class Field(IntEnum):
    HEADWORD = 0
    VARIANT = 1
    GLOSS = 2
    ROMANIZED = 3  # the Latin key of a headword or variant in Khmer, Cham or Tai Viet script

    @property
    def label(self) -> str:
        return self.name.lower()


class Scope(NamedTuple):
    """Where to look: headwords/variants (``gloss_language`` None) or glosses in one language,
    of entries in ``languages`` (None: every language)."""

    gloss_language: str | None
    languages: tuple[str, ...] | None


@dataclass(frozen=True)
class QueryPlan:
    """A query as data: what to look up, where, and how loosely.  Backends translate it."""

    keys: SearchKeys
    scopes: tuple[Scope, ...]
    fuzzy: int  # the largest edit distance allowed (0: none)
    wanted: int  # how many entries the caller needs; looser stages run only to reach it
    cap: int = 0  # the most keys one stage returns (0: enough for ``wanted``, see below)
    prefix: bool = True
    loose: bool = True  # False: the exact/tone/fold stage alone (no prefix, words or fuzzy stages)

    def __post_init__(self) -> None:
        if not self.loose:
            object.__setattr__(self, "prefix", False)
            object.__setattr__(self, "fuzzy", 0)
        if not self.cap:
            # Every candidate costs Python time; a stage returning four times what the page
            # needs leaves room for the entries that several keys point to.
            object.__setattr__(self, "cap", min(1000, max(40, 4 * self.wanted)))

    def wider_fuzzy(self, found: int) -> bool:
        """Run distance 2 after distance 1 found ``found`` entries?  Only when the closer stages
        found nothing: on a long key a distance-2 automaton costs several times the rest of the
        search, and what it adds after a closer match is filler below it."""
        return found == 0

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.keys.fold.split(" ")) if self.keys.fold and self.loose else ()


class Candidate(NamedTuple):
    entry: int  # the entry's row in the store
    tier: int
    distance: int
    loose: int  # fuzzy closeness: 0 diacritics agree too, 1 same first letters, 2 neither
    position: int  # the key's place in its entry: 0 for the headword and the first gloss
    length: int  # length of the folded key
    field: int


@dataclass(order=True, frozen=True)
class Ranked:
    sort_key: tuple[int, ...]
    entry: int = field(compare=False)
    candidate: Candidate = field(compare=False)


# An entry giving more meanings than each of these ranks one step lower among gloss matches of
# the same tier: up to 5 meanings is a word's main sense; dozens make a word of many uses.
BREADTH = (5, 20, 50)  # the search core holds the same steps (indexer/native/src/rank.rs)


def fuzzy_distance_for(folded_query: str) -> int:
    """Edit distance 1 for short keys, 2 for long ones; none for one or two letters."""
    length = len(folded_query)
    if length <= 2:
        return 0
    if length <= 7:
        return 1
    return 2


def rank(candidates: list[Candidate], facts: tudien_core.Facts | None = None) -> list[Ranked]:
    """The ordered, de-duplicated entries.  Each entry is placed by its best key.  Among equally
    good matches (same tier, distance and looseness), the authoritative entries (those a
    decision or standard fixed) come first, then, for gloss matches, entries of few meanings
    before broad ones (``facts``: :func:`dictionary.search.native.facts`).  Computed in the
    search core, which every engine's candidates go through."""
    ranked = tudien_core.rank(candidates, facts if facts is not None else tudien_core.Facts())
    return [Ranked(tuple(key), entry, Candidate(*cand)) for key, entry, cand in ranked]
