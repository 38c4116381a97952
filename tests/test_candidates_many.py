"""``candidates_many`` answers several plans exactly as ``candidates`` answers each, on every
engine: Elasticsearch in one ``_msearch`` round trip (the distance-2 stage sent with the rest and
its hits dropped where the closer stages found something), the embedded engine plan by plan.
The plans are the service's own over the Bahnar list: its headwords exact, without diacritics and
with a typo, its Vietnamese glosses with and without diacritics, their Telex/VNI readings."""

from __future__ import annotations

import csv
import random

import pytest
from support import DATA, Library, elastic_settings

from dictionary.search.ranking import QueryPlan, Scope, Tier, fuzzy_distance_for
from dictionary.text.normalize import fold, search_keys

pytestmark = pytest.mark.shared_data


def _texts(rng: random.Random, n: int) -> list[tuple[str, str | None, str | None]]:
    """(query, from, to): the mixed set, plus long typos (distance 2, sometimes matching
    nothing closer) and words the list does not hold."""
    rows = list(csv.reader((DATA / "bahnar/bahnaric.csv").read_text(encoding="utf-8-sig").splitlines()[1:]))
    heads = [r[0].strip() for r in rows if r and r[0].strip()]
    glosses = [g.strip() for r in rows if len(r) > 1 for g in r[1].split(",") if g.strip()]
    out: list[tuple[str, str | None, str | None]] = []
    for i in range(n):
        head, gloss = rng.choice(heads), rng.choice(glosses)
        kind = i % 7
        if kind == 0:
            out.append((head, "bdq", None))
        elif kind == 1:
            out.append((fold(head), None, None))
        elif kind == 2 and len(head) > 3:
            k = rng.randrange(1, len(head) - 1)
            out.append((head[:k] + head[k + 1:], "bdq", None))
        elif kind == 3:
            out.append((gloss, "vie", None))
        elif kind == 4:
            out.append((fold(gloss), None, None))
        elif kind == 5:  # a long word with two letters changed: the distance-2 stage's case
            word = rng.choice([g for g in glosses if len(fold(g)) > 8])
            letters = list(word)
            for _ in range(2):
                letters[rng.randrange(len(letters))] = rng.choice("qxzwj")
            out.append(("".join(letters), None, None))
        else:
            out.append((rng.choice(["tieengs vieejt", "nuwowcs", "zzqxwvkj", "ngươif", "ca1y"]), None, None))
    return out


def _plans(lib: Library, query: str, source: str | None, target: str | None) -> list[QueryPlan]:
    """The plans one search makes: the query's own, each of its readings', and the ones of the
    suggestions and of a glossary's look-up of the same text."""
    service = lib.service
    keys = search_keys(query)
    scopes = service.scopes(source, target)
    plans = [QueryPlan(keys=keys, scopes=scopes, fuzzy=fuzzy_distance_for(keys.fold), wanted=10)]
    plans += [QueryPlan(keys=search_keys(r), scopes=scopes, fuzzy=0, wanted=10) for r in service.readings(query, query)]
    plans.append(QueryPlan(keys=keys, scopes=(Scope(None, None), Scope("vie", None)), fuzzy=0, wanted=10, cap=100))
    plans.append(QueryPlan(keys=keys, scopes=(Scope("vie", None),), fuzzy=0, wanted=30, cap=1000, loose=False))
    return plans


@pytest.fixture(scope="module", params=["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def bahnar(request, tmp_path_factory, shared_data):
    folder = tmp_path_factory.mktemp(request.param) / "data"
    if request.param == "elasticsearch":
        lib = Library(folder, "elasticsearch", elastic_settings(request.getfixturevalue("elastic_node").url))
    else:
        lib = Library(folder)
    lib.add(DATA / "bahnar/bahnaric.csv", "csv", "bdq", "Bahnaric", "Vietnamese")
    lib.index()
    yield lib
    lib.close()


def test_many_plans_give_what_each_plan_gives(bahnar):
    backend = bahnar.backend
    rng = random.Random(31)
    searches = [_plans(bahnar, *t) for t in _texts(rng, 350)]
    wider = closer = 0
    for plans in searches:
        alone = [backend.candidates(p) for p in plans]
        assert backend.candidates_many(plans) == alone, plans[0].keys
        main = plans[0]
        if main.fuzzy >= 2:  # the distance-2 stage was sent: it counted, or its hits were dropped
            if any(c.tier == Tier.FUZZY and c.distance == 2 for c in alone[0]):
                wider += 1
            elif alone[0]:
                closer += 1
    # both sides of the distance-2 condition were met, many times
    assert wider >= 10 and closer >= 10, (wider, closer)
    # a whole page's searches at once, and nothing at all
    every = [p for plans in searches[:40] for p in plans]
    assert backend.candidates_many(every) == [backend.candidates(p) for p in every]
    assert backend.candidates_many([]) == []


@pytest.mark.parametrize("bahnar", [pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)], indirect=True)
def test_elasticsearch_answers_many_plans_in_one_round_trip(bahnar):
    backend = bahnar.backend
    transport = backend.client.transport
    sent: list[str] = []
    perform = transport.perform_request

    def counted(method, target, **kwargs):
        sent.append(target.split("?")[0])
        return perform(method, target, **kwargs)

    found = _plans(bahnar, "nuwowcs", None, None) + _plans(bahnar, "buổi sáng", None, None)
    nothing = _plans(bahnar, "zzqxwvkjaaq", None, None)  # long, and nothing closer: distance 2
    assert any(p.fuzzy == 2 for p in found) and nothing[0].fuzzy == 2
    transport.perform_request = counted  # type: ignore[method-assign]
    try:
        backend.candidates_many(found)  # every stage of every plan: one round trip
        assert sent == ["/_msearch"]
        sent.clear()
        backend.candidates_many(found + nothing + nothing)  # and one for the distance-2 stages
        assert sent == ["/_msearch", "/_msearch"]
        sent.clear()
        for plan in found + nothing:  # plan by plan: a round trip each, and one more for distance 2
            backend.candidates(plan)
        assert len(sent) == len(found + nothing) + 1
        sent.clear()
        backend.speculate = True  # distance 2 sent before it is known to be wanted: one round trip
        every = found + nothing
        assert backend.candidates_many(every) == [backend.candidates(p) for p in every]
        assert sent[0] == "/_msearch" and len(sent) == 1 + len(every) + 1
    finally:
        backend.speculate = False
        del transport.perform_request
