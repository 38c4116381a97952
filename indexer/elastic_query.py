"""The Elasticsearch index as data: its mapping and the queries of each search stage.

Pure functions, no I/O: :func:`stage_bodies` builds a plan's first round trip, stage by stage in
the embedded engine's order, and :func:`fuzzy2_body` the distance-2 stage that follows only when
the first answer is short; :mod:`indexer.elastic` sends them, and :func:`take_hits` reads a
stage's hits as candidates.  A test can hold the queries to
what they should be without a cluster.
"""

from __future__ import annotations

from typing import Any

from dictionary.search.ports import (
    EDGE,
    FUZZY_SCORE,
    SAME_START_BONUS,
    SCORE_OF,
    looseness_of_score,
    tier_of_score,
)
from dictionary.search.ranking import Candidate, QueryPlan, Scope, Tier

FIELDS = ("entry", "len", "pos", "field")
_MAX_EXPANSIONS = 4096  # fuzzy terms considered; the embedded engine walks them all

# Keys are only matched (no doc values: nothing sorts or aggregates on them); the numbers a hit is
# read by are only read (doc values, no index) but for the entry, which updates look up.
MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "side": {"type": "keyword", "doc_values": False},  # h: headword, variant, romanized; g: gloss
        "exact": {"type": "keyword", "doc_values": False},
        "tone": {"type": "keyword", "doc_values": False},
        "fold": {"type": "keyword", "doc_values": False},
        "prefix": {"type": "keyword", "doc_values": False},
        "words": {"type": "text", "analyzer": "standard", "norms": False, "index_options": "docs"},
        "lang": {"type": "keyword", "doc_values": False},
        "glang": {"type": "keyword", "doc_values": False},
        "entry": {"type": "long"},
        "len": {"type": "integer", "index": False},
        "pos": {"type": "integer", "index": False},
        "field": {"type": "byte", "index": False},
    },
}


# -- queries as data ------------------------------------------------------------------------------

def _const(query: dict, boost: float) -> dict:
    return {"constant_score": {"filter": query, "boost": boost}}


def _scope_filter(scope: Scope) -> list[dict]:
    filters: list[dict] = [{"term": {"side": "g" if scope.gloss_language else "h"}}]
    if scope.gloss_language:
        filters.append({"term": {"glang": scope.gloss_language}})
    if scope.languages:
        filters.append({"terms": {"lang": list(scope.languages)}})
    return filters


def _scoped(plan: QueryPlan, query: dict) -> dict:
    """``query`` restricted to the plan's scopes (any of them)."""
    scopes = [{"bool": {"filter": _scope_filter(s)}} for s in plan.scopes]
    return {"bool": {"must": [query], "filter": [{"bool": {"should": scopes, "minimum_should_match": 1}}]}}


def _body(plan: QueryPlan, query: dict, *, by_length: bool) -> dict:
    body: dict[str, Any] = {
        "query": _scoped(plan, query),
        "size": plan.cap,
        "_source": False,
        "stored_fields": "_none_",  # not even the id: a hit is read from its doc values alone
        "docvalue_fields": list(FIELDS),
        "track_total_hits": False,
    }
    # Ties are broken by the key's length, then the store's row order, as the embedded engine's
    # single segment (written shortest key first) does, so both engines cut a stage at its cap in
    # the same place.
    if by_length:
        body["sort"] = [{"len": "asc"}, {"entry": "asc"}]
    else:
        body["sort"] = [{"_score": "desc"}, {"len": "asc"}, {"entry": "asc"}]
    return body


def _fuzzy(field: str, value: str, distance: int) -> dict:
    return {"fuzzy": {field: {"value": value, "fuzziness": distance, "transpositions": True,
                              "prefix_length": 0, "max_expansions": _MAX_EXPANSIONS,
                              "rewrite": "constant_score"}}}


def stage_bodies(plan: QueryPlan) -> list[tuple[str, dict]]:
    """The searches of one plan's first round trip, named by stage, in the embedded engine's
    order: exact/tone/fold, prefix, every word, fuzzy with diacritics, fuzzy distance 1."""
    keys, fold = plan.keys, plan.keys.fold
    stages: list[tuple[str, dict]] = []
    exact = {"bool": {"should": [
        _const({"term": {"exact": keys.exact}}, SCORE_OF[Tier.EXACT]),
        _const({"term": {"tone": keys.tone}}, SCORE_OF[Tier.TONE]),
        _const({"term": {"fold": fold}}, SCORE_OF[Tier.FOLD]),
    ], "minimum_should_match": 1}}
    stages.append(("exact", _body(plan, exact, by_length=False)))
    if not fold:
        return stages
    if plan.prefix:
        prefix = {"term": {"prefix": fold}} if len(fold) <= EDGE else {"prefix": {"fold": fold}}
        stages.append(("prefix", _body(plan, _const(prefix, 1.0), by_length=True)))
    words = sorted(set(plan.words))
    if words:
        every = {"bool": {"filter": [{"match": {"words": {"query": w, "operator": "and"}}} for w in words]}}
        stages.append(("words", _body(plan, every, by_length=True)))
    if plan.fuzzy >= 1 and keys.tone != fold:
        stages.append(("fuzzy_tone", _body(plan, _const(_fuzzy("tone", keys.tone, 1), 1.0), by_length=True)))
    if plan.fuzzy >= 1:
        stages.append(("fuzzy1", _body(plan, _fuzzy_fold(fold, 1), by_length=False)))
    return stages


def _fuzzy_fold(fold: str, distance: int) -> dict:
    """Fuzzy on the folded key; keeping the query's first two letters scores 2, else 1."""
    return {"bool": {
        "must": [_const(_fuzzy("fold", fold, distance), FUZZY_SCORE)],
        "should": [_const({"term": {"prefix": fold[:2]}}, SAME_START_BONUS)],
    }}


def fuzzy2_body(plan: QueryPlan) -> dict:
    return _body(plan, _fuzzy_fold(plan.keys.fold, 2), by_length=False)


# -- answers as candidates ------------------------------------------------------------------------

def take_hits(stage: str, hits: list[dict], out: list[Candidate], entries: set[int]) -> None:
    """Append the candidates of one stage's ``hits`` to ``out``, and their entries to ``entries``."""
    for hit in hits:
        f = hit["fields"]
        entry, length, pos, field = (int(f[name][0]) for name in FIELDS)
        score = hit.get("_score") or 0.0
        if stage == "exact":
            cand = Candidate(entry, tier_of_score(score), 0, 0, pos, length, field)
        elif stage == "prefix":
            cand = Candidate(entry, Tier.PREFIX, 0, 0, pos, length, field)
        elif stage == "words":
            cand = Candidate(entry, Tier.WORDS, 0, 0, pos, length, field)
        elif stage == "fuzzy_tone":
            cand = Candidate(entry, Tier.FUZZY, 1, 0, pos, length, field)
        else:
            distance = 1 if stage == "fuzzy1" else 2
            cand = Candidate(entry, Tier.FUZZY, distance, looseness_of_score(score), pos, length, field)
        out.append(cand)
        entries.add(entry)
