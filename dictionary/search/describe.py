"""What a search says of its results beyond their order: which text of an entry matched and how
far it is from the query, and, when nothing matched as typed, the words the query most likely
meant."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import OSA

from dictionary.search.indexing import texts_of
from dictionary.search.ranking import Field, Ranked, Tier, fuzzy_distance_for
from dictionary.text.normalize import search_keys

DID_YOU_MEAN = 3  # words offered when nothing matched as typed


@dataclass(frozen=True)
class Match:
    field: str
    tier: str
    distance: int
    text: str
    language: str | None  # the gloss language for a gloss match
    decoded: str | None = None  # the reading of a Telex/VNI-typed query that matched
    exact: bool = False  # the text is the query as typed (see SearchService.is_exact)


def did_you_mean(text: str, pool: list[Ranked], bodies: dict[int, dict],
                 wanted: int = DID_YOU_MEAN) -> tuple[str, ...]:
    """Up to ``wanted`` words of the dictionary that a query matching none exactly most likely
    meant: the texts its closest matches (``pool``, with their ``bodies``) matched, nearest
    first (letters, then diacritics), then the one most entries give.  Words far from the
    query are never offered."""
    query = search_keys(text)
    bound = max(1, fuzzy_distance_for(query.fold))
    found: dict[str, list] = {}  # tone key → [fold distance, tone distance, -entries, text]
    for r in pool:
        entry = bodies.get(r.entry)
        if entry is None or r.candidate.tier == Tier.WORDS:
            continue
        field = Field(r.candidate.field)
        texts = [(entry["headword"], None)] if field == Field.ROMANIZED else texts_of(entry, field)
        for candidate_text, _ in texts:
            if abs(len(candidate_text) - len(text)) > 2 * bound + 2:  # too long or short to be near
                continue
            keys = search_keys(candidate_text)
            letters = OSA.distance(keys.fold, query.fold)
            if letters > bound or keys.tone == query.tone:
                continue
            held = found.get(keys.tone)
            if held is None:
                found[keys.tone] = [letters, OSA.distance(keys.tone, query.tone), -1, candidate_text]
            else:
                held[2] -= 1
    best = sorted(found.values(), key=lambda item: (item[0], item[1], item[2], item[3]))
    return tuple(item[3] for item in best[:wanted])


def describe(ranked: Ranked, entry: dict, query: str, decoded: str | None = None, exact: bool = False) -> Match:
    """Which text of the entry matched, and how far it is from the query."""
    cand = ranked.candidate
    field = Field(cand.field)
    texts = texts_of(entry, field)
    qkeys = search_keys(query)
    best = min(
        texts,
        key=lambda item: (
            len(search_keys(item[0]).fold) != cand.length,
            OSA.distance(search_keys(item[0]).fold, qkeys.fold),
            OSA.distance(search_keys(item[0]).exact, qkeys.exact),
        ),
        default=(entry["headword"], None),
    )
    distance = OSA.distance(search_keys(best[0]).exact, qkeys.exact)
    return Match(field.label, Tier(cand.tier).label, distance, best[0], best[1], decoded, exact)
