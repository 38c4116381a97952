"""Compare the full ranked lists of a query set on two checkouts (the ranking is contractual).

    PYTHONPATH=<checkout> .venv/bin/python bench/compare_ranking.py DATA_DIR OUT.jsonl [--build]

With --build, imports the manifest of ../shared/eval/public into DATA_DIR first (the embedded
index included).  For every query, writes one JSON line: the whole ranked list (entry, tier,
distance, loose, position, length, field, the reading that matched, matches as typed) and the
rendered first page.  Run it with each checkout on the same DATA_DIR and compare the files
(``cmp``): a checkout without the search core ranks in Python (the path it replaced).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, replace
from pathlib import Path

from dictionary.search.queries import reread_typing
from dictionary.search.ranking import QueryPlan, Tier, fuzzy_distance_for
from dictionary.search.service import DID_YOU_MEAN_POOL, has_word_character
from dictionary.text.normalize import has_diacritics, search_keys
from tudien.evaluation import import_manifest, load_manifest
from tudien.settings import Settings
from tudien.wiring import open_services

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "public"


def old_ranking(svc, q, source, target):  # the search path before the search core
    text = svc.query_text(q)
    keys = search_keys(text)
    scopes = svc.scopes(source, target)
    plan = QueryPlan(keys=keys, scopes=scopes, fuzzy=fuzzy_distance_for(keys.fold), wanted=10)
    candidates = svc.backend.candidates(plan)
    readings: dict[int, str] = {}
    marked = has_diacritics(text)
    if has_word_character(text):
        found = any(svc.is_exact(c, marked) for c in candidates)
        for reading in svc.readings(q, text, typing=reread_typing(text, source, found)):
            candidates.extend(svc._decoded_candidates(reading, scopes, 10, readings))
    else:
        candidates = [c for c in candidates if c.tier == Tier.EXACT]
    ranked = svc.rank(candidates, svc.entries.generation)
    exact = [r for r in ranked if svc.is_exact(r.candidate, marked)]
    held = {r.entry for r in exact}
    ranked = exact + [r for r in ranked if r.entry not in held]
    return [[*r.candidate, readings.get(r.entry) if r.candidate.tier == Tier.DECODED else None,
             r.entry in held] for r in ranked]


def new_ranking(svc, q, source, target):
    from dictionary.search import native

    text = svc.query_text(q)
    keys = search_keys(text)
    scopes = svc.scopes(source, target)
    plan = QueryPlan(keys=keys, scopes=scopes, fuzzy=fuzzy_distance_for(keys.fold), wanted=10)
    word = has_word_character(text)
    typed, plain = svc.reading_lists(q, text) if word else ([], [])
    readings = list(dict.fromkeys(typed + plain))
    ask = native.Ask([readings.index(r) for r in typed], [readings.index(r) for r in plain],
                     reread_typing(text, source, True), has_diacritics(text), word, 0, 10**6, DID_YOU_MEAN_POOL)
    plans = [QueryPlan(keys=search_keys(r), scopes=scopes, fuzzy=0, wanted=10) for r in readings]
    found = svc._outcome(plan, plans, ask, svc._ranking_facts(svc.entries.generation))
    return [[*row.ranked.candidate,
             readings[row.reading] if row.ranked.candidate.tier == Tier.DECODED and row.reading >= 0 else None,
             row.exact] for row in found.page]


def main() -> int:
    data, out = Path(sys.argv[1]), Path(sys.argv[2])
    manifest, queries, data_root = load_manifest(EVAL)
    settings = replace(Settings.from_env(), data_dir=data)
    services = import_manifest(manifest, data_root, settings) if "--build" in sys.argv else open_services(settings)
    svc = services.search
    ranking = new_ranking if hasattr(svc, "_outcome") else old_ranking
    with out.open("w", encoding="utf-8") as f:
        for query in queries:
            q, source, target = query["q"], query.get("from"), query.get("to")
            full = ranking(svc, q, source, target)
            page = svc.search(q, source, target, limit=10)
            f.write(json.dumps({"id": query["id"], "ranked": full, "page": asdict(page)},
                               ensure_ascii=False, sort_keys=True, default=str) + "\n")
    services.close()
    print(f"{len(queries)} queries -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
