"""The search service: validates a query, plans it, asks the backend, ranks, builds results.

A query flows one way: normaliser → plans (the query's and its readings') → the search core
(candidates and the shared ranking in one call on the embedded engine; another engine's
candidates ranked by the same core) → entries from the store → results that say which field
matched and how.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dictionary import languages
from dictionary.cache import PerGeneration
from dictionary.errors import StoreUnavailable
from dictionary.languages import VIETNAMESE
from dictionary.search import describe, native, queries
from dictionary.search.describe import Match
from dictionary.search.indexing import texts_of
from dictionary.search.ports import Backend, EntryReader
from dictionary.search.queries import ENGLISH
from dictionary.search.ranking import (
    BREADTH,
    Candidate,
    Field,
    QueryPlan,
    Ranked,
    Scope,
    Tier,
    fuzzy_distance_for,
    rank,
)
from dictionary.text import legacy
from dictionary.text.normalize import canonical, has_diacritics, search_keys
from dictionary.text.transliterate import romanize
from dictionary.text.vietnamese import decode_query

# Exact and tone-placement matches of one gloss across a glossary's languages: far more than any
# gloss has (exact and tone hits outscore diacritic-blind ones, which are cut first).
GLOSS_CAP = 1000
DID_YOU_MEAN_POOL = 20  # the closest matches they are taken from (a page's worth: read once)


@dataclass(frozen=True)
class Hit:
    entry: dict[str, Any]
    match: Match


@dataclass(frozen=True)
class SearchResult:
    query: dict[str, Any]
    total: int
    hits: list[Hit]
    stale: bool = False  # the index is behind the store: recent changes may be missing
    exact_matches: int = 0  # how many of ``total`` match the query as typed
    did_you_mean: tuple[str, ...] = ()  # when none does: the dictionary's words it most likely meant


_NOT_WORDS = frozenset({"true", "false"})  # what a spreadsheet writes for a cell it took for a yes/no


def has_word_character(text: str) -> bool:
    """Whether a query holds a letter or a digit (of any script): one that holds none (``?``,
    ``*?~^``, an emoji) has nothing to match loosely, and finds only texts equal to it."""
    return any(ch.isalnum() for ch in text)


def is_word(headword: str) -> bool:
    """Whether a headword can be offered as a word: it has a letter, and is not a spreadsheet's
    TRUE/FALSE (real lists hold both kinds of debris)."""
    return any(ch.isalpha() for ch in headword) and headword.strip().casefold() not in _NOT_WORDS


class SearchService:
    def __init__(self, entries: EntryReader, backend: Backend) -> None:
        self.entries = entries
        self.backend = backend
        self._facts: tuple[int, native.Facts] = (-1, native.Facts())
        # each page's language menus, /health's counts (counting is a scan of the store)
        self.per_generation = PerGeneration(lambda: self.entries.generation)

    def languages(self) -> dict[str, int]:
        """The languages with published entries, and how many each has (the search form's
        choices; counted once per generation)."""
        return self.per_generation("languages", self.entries.language_counts)

    def _ranking_facts(self, generation: int) -> native.Facts:
        """What the ranking knows of entries beyond their keys: the rows that name an authority,
        and the rows giving many meanings; read again when the public text changed (a new
        generation)."""
        known, found = self._facts
        if known != generation:
            found = native.facts(self.entries.authoritative(), self.entries.broad(BREADTH[0]))
            self._facts = (generation, found)
        return found

    def rank(self, candidates: list[Candidate], generation: int) -> list[Ranked]:
        return rank(candidates, self._ranking_facts(generation))

    # -- validation and planning: dictionary.search.queries -------------------------------------
    language = staticmethod(queries.language)
    query_text = staticmethod(queries.query_text)
    check_page = staticmethod(queries.check_page)
    scopes = staticmethod(queries.scopes)

    # -- searching ---------------------------------------------------------------------------
    def search(
        self,
        q: str | None,
        source: str | None = None,
        target: str | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> SearchResult:
        self.check_page(limit, offset)
        text = self.query_text(q)
        source = self.language(source)
        target = self.language(target)
        scopes = self.scopes(source, target)
        wanted = offset + limit
        keys = search_keys(text)
        plan = QueryPlan(keys=keys, scopes=scopes, fuzzy=fuzzy_distance_for(keys.fold), wanted=wanted)
        word = has_word_character(text)
        typed, plain = self.reading_lists(q or text, text) if word else ([], [])  # q: checked, so given
        readings = list(dict.fromkeys(typed + plain))
        ask = native.Ask([readings.index(r) for r in typed], [readings.index(r) for r in plain],
                         queries.reread_typing(text, source, True), has_diacritics(text), word,
                         offset, limit, DID_YOU_MEAN_POOL)
        plans = [QueryPlan(keys=search_keys(r), scopes=scopes, fuzzy=0, wanted=wanted) for r in readings]
        generation = self.entries.generation
        found = self._outcome(plan, plans, ask, self._ranking_facts(generation))
        held = {row.ranked.entry for row in found.page if row.exact}
        # when nothing matched as typed, the closest matches' texts are read once, for the page
        # and for what the query most likely meant
        pool = [row.ranked for row in found.pool]
        page = [row.ranked for row in found.page]
        bodies = self.entries.bodies(list({r.entry: None for r in (*page, *pool)}))
        hits = []
        for row in found.page:
            r = row.ranked
            if r.entry not in bodies:
                continue
            decoded = readings[row.reading] if r.candidate.tier == Tier.DECODED and row.reading >= 0 else None
            match = self._describe(r, bodies[r.entry], decoded or text, decoded, r.entry in held)
            hits.append(Hit(bodies[r.entry], match))
        return SearchResult(
            query={"q": text, "from": source, "to": target, "limit": limit, "offset": offset},
            total=found.total,
            hits=hits,
            stale=self.index_behind(generation) is not None,
            exact_matches=found.exact,
            did_you_mean=() if found.exact else self.did_you_mean(text, pool, bodies),
        )

    def _outcome(self, plan: QueryPlan, plans: list[QueryPlan], ask: native.Ask,
                 ranking: native.Facts) -> native.Outcome:
        """The ranked page of a query and its readings: in one call of the search core on the
        embedded engine; on another, from its candidates (one round trip for the query and every
        reading when it has ``candidates_many``: the Telex/VNI readings are then looked up even
        when they will not be wanted, and left out)."""
        search = getattr(self.backend, "search_ranked", None)
        if search is not None:
            return search(plan, plans, ask, ranking)
        many = getattr(self.backend, "candidates_many", None)
        found: list[list[Candidate] | None]
        if many is not None and plans:
            main, *found = many([plan, *plans])
        else:
            main = self.backend.candidates(plan)
            chosen = set(ask.chosen(any(self.is_exact(c, ask.marked) for c in main))) if ask.word else set()
            found = [self.backend.candidates(p) if i in chosen else None for i, p in enumerate(plans)]
        return native.finish(main, found, ask, ranking)

    @staticmethod
    def is_exact(cand: Candidate, marked: bool) -> bool:
        """Whether a candidate matches the query as typed: the same letters and diacritics, but
        for where tone marks sit; for a query typed without any diacritic (``marked`` False),
        ignoring them; or as a Telex/VNI reading of the query spells it.  The letters agree
        (distance 0, within every fuzzy bound): a text without letters, whose folded key is
        empty, is no match but the very text (tier exact)."""
        if cand.tier == Tier.EXACT:
            return True
        if cand.tier <= Tier.FOLD:
            return cand.length > 0 and (cand.tier == Tier.TONE or not marked)
        return cand.tier == Tier.DECODED and cand.distance == 0

    @staticmethod
    def readings(raw: str, text: str, typing: bool = True) -> list[str]:
        """Other readings of a query: as Telex or VNI typing (when ``typing``: see
        :func:`queries.reread_typing`), in Latin letters when it is written in Khmer, Cham or
        Tai Viet script, or, for text pasted from an old document, converted from TCVN3 or
        VNI-Windows (read from the raw query, before the soft hyphen that is TCVN3's ư is
        removed as invisible)."""
        typed, plain = SearchService.reading_lists(raw, text)
        return typed if typing else plain

    @staticmethod
    def reading_lists(raw: str, text: str) -> tuple[list[str], list[str]]:
        """:meth:`readings` with typing and without, each piece computed once."""
        others = []
        latin = romanize(text)
        if latin and latin != text:
            others.append(latin)
        found = legacy.detect(raw, min_gain=1)
        converted = canonical(legacy.convert(raw, found.encoding)[0]) if found is not None else None

        def joined(out: list[str]) -> list[str]:
            out = out + others
            if converted is not None and converted != text and converted not in out:
                out.append(converted)
            return out

        return joined(decode_query(text)), joined([])

    did_you_mean = staticmethod(describe.did_you_mean)
    _describe = staticmethod(describe.describe)

    def suggest(self, q: str | None, language: str | None = None, limit: int = 10) -> list[str]:
        """Up to ``limit`` completions of ``q``: headwords (or, for Vietnamese, glosses too)
        that start with it, shortest first."""
        return [item["text"] for item in self.suggest_items(q, language, limit)]

    def suggest_items(self, q: str | None, language: str | None = None, limit: int = 10) -> list[dict]:
        """:meth:`suggest`'s completions, each with its language and a short meaning: a
        headword's first Vietnamese glosses, or for a Vietnamese gloss the word it translates."""
        text = self.query_text(q)
        language = self.language(language)
        scopes: tuple[Scope, ...]
        if language in (None, VIETNAMESE):
            scopes = (Scope(None, None if language is None else (VIETNAMESE,)), Scope(VIETNAMESE, None))
        elif language == ENGLISH:
            scopes = (Scope(ENGLISH, None),)
        else:
            scopes = (Scope(None, (language,)),)
        keys = search_keys(text)
        plan = QueryPlan(keys=keys, scopes=scopes, fuzzy=0, wanted=limit, cap=100)
        candidates = [
            c for c in self.backend.candidates(plan) if c.tier <= Tier.PREFIX
        ]
        candidates.sort(key=lambda c: (c.length, c.tier, c.entry))
        bodies = self.entries.bodies(list(dict.fromkeys(c.entry for c in candidates))[: limit * 3])
        out: dict[str, dict] = {}
        for cand in candidates:
            entry = bodies.get(cand.entry)
            if entry is None:
                continue
            field = Field(cand.field)
            if field == Field.ROMANIZED:  # suggest the word as written, not its Latin key
                out.setdefault(entry["headword"], self._head_item(entry["headword"], entry))
                continue
            for candidate_text, gloss_language in texts_of(entry, field):
                folded = search_keys(candidate_text).fold
                if folded.startswith(keys.fold) and len(folded) == cand.length:
                    if field == Field.GLOSS:
                        out.setdefault(candidate_text, {
                            "text": candidate_text, "language": gloss_language,
                            "meaning": f"{entry['headword']} ({languages.name(entry['language'])})"})
                    else:
                        out.setdefault(candidate_text, self._head_item(candidate_text, entry))
            if len(out) >= limit:
                break
        return list(out.values())[:limit]

    @staticmethod
    def _head_item(text: str, entry: dict) -> dict:
        glosses = [g for g, language in texts_of(entry, Field.GLOSS) if language == VIETNAMESE]
        meaning = "; ".join(dict.fromkeys(glosses[:3])) or None
        return {"text": text, "language": entry["language"], "meaning": meaning}


    def gloss_entries(self, phrase: str, languages: tuple[str, ...], limit: int = 10
                      ) -> tuple[dict[str, list[dict]], bool]:
        """For each of ``languages``, up to ``limit`` entries one of whose Vietnamese glosses is
        ``phrase``, exactly or but for where its tone marks sit: what a glossary may offer (never a
        guess), best first (main meanings before words of many uses); and whether any entry of any
        language has that gloss (a term the dictionary knows, to keep whole).  One look-up for
        every language.  Each entry is ``{"id", "language", "headword", "meaning", "dataset"}``,
        ``meaning`` its first Vietnamese glosses.  A headword that is no word (no letter at all,
        or a spreadsheet's TRUE) is never offered."""
        plan = QueryPlan(keys=search_keys(phrase), scopes=(Scope(VIETNAMESE, None),), fuzzy=0,
                         wanted=limit * max(len(languages), 1), cap=GLOSS_CAP, loose=False)
        ranked = [r for r in self.rank(self.backend.candidates(plan), self.entries.generation)
                  if r.candidate.tier <= Tier.TONE and r.candidate.field == Field.GLOSS]
        heads = self.entries.heads([r.entry for r in ranked])
        out: dict[str, list[int]] = {language: [] for language in languages}
        known = False
        for r in ranked:
            head = heads.get(r.entry)
            if head is None:
                continue
            known = True
            found = out.get(head["language"])
            if found is not None and len(found) < limit and is_word(head["headword"]):
                found.append(r.entry)
        bodies = self.entries.bodies([row for rows in out.values() for row in rows])
        return {language: [self._gloss_head(bodies[row], phrase) for row in rows if row in bodies]
                for language, rows in out.items()}, known

    @staticmethod
    def _gloss_head(entry: dict, phrase: str) -> dict:
        """An entry as a glossary offers it; its ``meaning`` says what else the word means (a word
        meaning only the phrase is the surest equivalent)."""
        wanted = search_keys(phrase).tone
        glosses = list(dict.fromkeys(search_keys(g).tone for g, language in texts_of(entry, Field.GLOSS)
                                     if language == VIETNAMESE))  # in the entry's order, for the workbench
        others = list(dict.fromkeys(
            g for g, language in texts_of(entry, Field.GLOSS)
            if language == VIETNAMESE and search_keys(g).tone != wanted))
        if not others:
            meaning = f"chỉ có nghĩa «{phrase}»"
        else:
            meaning = "cũng nghĩa: " + "; ".join(others[:3]) + (f" (và {len(others) - 3} nghĩa khác)"
                                                                if len(others) > 3 else "")
        return {"id": entry["id"], "language": entry["language"], "headword": entry["headword"],
                "meaning": meaning, "dataset": (entry.get("provenance") or {}).get("dataset"),
                "place": (glosses.index(wanted) if wanted in glosses else len(glosses), len(glosses))}

    def index_behind(self, current: int | None = None) -> tuple[int, int] | None:
        """(index generation, store generation) when the index follows an older store than the
        one it serves, else None."""
        built = self.backend.generation()
        current = self.entries.generation if current is None else current
        return None if built is None or built == current else (built, current)

    def health(self) -> dict:
        """The index's state against the store's: ``ok``, ``stale`` (behind the store) or
        ``unavailable``, with the engine's own report."""
        index = self.backend.status()
        kind = getattr(self.entries, "kind", "pack")
        try:
            generation = self.entries.generation
            store = {"ok": True, "kind": kind, "entries": self.per_generation("count", self.entries.count),
                     "generation": generation}
        except StoreUnavailable as exc:  # the database is down: say so, and which part it is
            return {"status": "unavailable", "store": {"ok": False, "kind": kind, "error": str(exc)}, "index": index}
        current = index.get("ok") and index.get("generation") == generation
        return {
            "status": "ok" if current else ("stale" if index.get("ok") else "unavailable"),
            "store": store,
            "index": index,
        }
