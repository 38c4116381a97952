"""The languages as readers browse them: each language's names, counts and datasets, and its
published headwords by letter in the language's own alphabet order.

Order and letters are ICU's (:func:`dictionary.languages.collator` and
:func:`~dictionary.languages.index`, from the tailoring the registry writes once per
orthography), never a comparison written here.  A language's sorted headwords are kept in memory
per store generation: any change of the public text makes a new one, so a page never shows a
stale order, and 20,000 Ba Na headwords are sorted once, not on every page.  The counts are kept
the same way: counting reads every published row (tens of milliseconds), and every page's language
menu asks for them.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass

from dictionary import languages
from dictionary.cache import PerGeneration
from dictionary.errors import InvalidQuery, LanguageNotFound
from dictionary.languages import Language
from dictionary.storage.browse import Browse
from dictionary.storage.entries import Entries

PAGE = 50  # entries a letter page shows
MAX_PAGE = 100  # as a search page (the API says so in one message for every limit)
OTHER = "…"  # the bucket of words that start with no letter of the alphabet (digits, apostrophes…)


@dataclass(frozen=True, slots=True)
class Headword:
    row: int
    id: str
    headword: str


@dataclass(frozen=True, slots=True)
class Letters:
    """A language's published headwords by letter: ``letters`` in alphabet order with how many
    entries each has (0 for a letter no word starts with), and each letter's headwords in order."""

    generation: int
    letters: tuple[tuple[str, int], ...]
    words: dict[str, list[Headword]]


class LanguageCatalogue:
    def __init__(self, entries: Entries, browse: Browse) -> None:
        self.entry_rows = entries
        self.rows = browse
        self._sorted: dict[str, Letters] = {}
        self._lock = threading.Lock()
        self._read = PerGeneration(lambda: self.entry_rows.generation)  # what is read of the store

    def counts(self) -> dict[str, int]:
        """Published entries per language."""
        return self._read("counts", self.entry_rows.language_counts)

    def recorded(self) -> dict[str, int]:
        """Published entries with a recording, per language."""
        return self._read("recorded", self.rows.recorded)

    # -- the list ----------------------------------------------------------------------------
    def languages(self) -> list[dict]:
        """The registry's languages and any other with entries, each with its counts and whether
        it has entries; the language page's address."""
        counts, recorded = self.counts(), self.recorded()
        return [self._summary(lang, counts.get(lang.code, 0), recorded.get(lang.code, 0))
                for lang in languages.listed(counts)]

    def menu(self) -> tuple[list[str], list[str]]:
        """The codes a language menu offers, other than Vietnamese: those with entries, then those
        without, each in Vietnamese collation of their names."""
        counts = self.counts()
        codes = [lang.code for lang in languages.listed(counts) if lang.code != languages.VIETNAMESE]
        return (languages.by_name(c for c in codes if counts.get(c)),
                languages.by_name(c for c in codes if not counts.get(c)))

    @staticmethod
    def _summary(lang: Language, entries: int, recorded: int) -> dict:
        return {"code": lang.code, "name_vi": lang.name_vi, "name_en": lang.name_en, "scripts": list(lang.scripts),
                "tag": lang.tag, "entries": entries, "recorded": recorded, "has_entries": entries > 0,
                "url": f"/ngon-ngu/{lang.code}"}

    # -- one language ------------------------------------------------------------------------
    def _language(self, code: str) -> Language:
        lang = languages.get(code)  # UnknownLanguage: not an ISO 639-3 code
        if not lang.in_vietnam and not self.counts().get(code):
            raise LanguageNotFound(code)
        return lang

    def language(self, code: str) -> dict:
        """A language's names, counts, datasets (with citation, licence and what they are) and
        letters, for its page."""
        lang = self._language(code)
        letters = self.letters(code)
        entries = sum(n for _, n in letters.letters)
        out = self._summary(lang, entries, self.recorded().get(code, 0))
        spelling = languages.orthography(code)
        return {**out, "other_names": list(lang.other_names), "alphabet_source": spelling.source or None,
                "datasets": [{"name": d["name"], "title": d.get("title") or d["name"], "entries": d["entries"],
                              "citation": d.get("citation"),
                              "licence": d.get("licence"), "description": d.get("description")}
                             for d in self._read(f"datasets:{code}", lambda: self.rows.datasets(code))],
                "letters": [{"letter": letter, "entries": n} for letter, n in letters.letters]}

    def letters(self, code: str) -> Letters:
        """``code``'s published headwords by letter, sorted by its collation (made again when the
        public text changed since)."""
        generation = self.entry_rows.generation
        held = self._sorted.get(code)
        if held is not None and held.generation == generation:
            return held
        with self._lock:
            held = self._sorted.get(code)
            if held is None or held.generation != generation:
                held = self._sorted[code] = self._sort(code, generation)
        return held

    def _sort(self, code: str, generation: int) -> Letters:
        key = languages.collator(code).getSortKey
        index = languages.index(code)
        labels = [index.getBucket(i) for i in range(index.bucketCount)]
        words: dict[str, list[Headword]] = {}
        rows = self.rows.headwords(code)
        rows.sort(key=lambda r: (key(r[2]), r[1]))
        for row, entry_id, headword in rows:
            label, kind = labels[index.getBucketIndex(headword)]
            words.setdefault(label if kind == 0 else OTHER, []).append(Headword(row, entry_id, headword))
        letters = [(label, len(words.get(label, ()))) for label, kind in labels if kind == 0]
        if OTHER in words:
            letters.append((OTHER, len(words[OTHER])))
        return Letters(generation, tuple(letters), words)

    def entries(self, code: str, letter: str | None = None, after: str | None = None, limit: int = PAGE) -> dict:
        """One page of the published entries under ``letter`` (the first letter that has entries
        when none is named), in the language's order, after the entry ``after`` (an id the
        previous page ended with); ``next`` is the id to ask the following page after, or None."""
        self._language(code)
        sorted_ = self.letters(code)
        known = {label for label, _ in sorted_.letters}
        if letter is not None and letter not in known:  # a letter typed in lower case, or decomposed
            letter = unicodedata.normalize("NFC", letter).upper()
        if letter is None:
            letter = next((label for label, n in sorted_.letters if n), None)
        elif letter not in known:
            raise InvalidQuery(f"Chữ cái {letter!r} không có trong bảng chữ cái của {languages.name(code)}; "
                               f"hãy dùng một chữ trong danh sách letters của /v1/languages/{code}.")
        words = sorted_.words.get(letter, []) if letter else []
        start = 0
        if after:
            start = next((i + 1 for i, w in enumerate(words) if w.id == after), -1)
            if start < 0:
                raise InvalidQuery(f"Mục từ {after!r} không thuộc chữ {letter!r} của {languages.name(code)} "
                                   "(có thể vừa bị sửa hay gỡ); hãy mở lại trang đầu của chữ này.")
        page = words[start : start + limit]
        bodies = self.entry_rows.bodies([w.row for w in page])
        before = max(0, start - limit)
        return {"language": code, "letter": letter, "total": len(words), "position": start,
                "entries": [self._line(w, bodies.get(w.row)) for w in page],
                "next": page[-1].id if start + limit < len(words) and page else None,
                "previous": None if start == 0 else (words[before - 1].id if before else "")}

    @staticmethod
    def _line(word: Headword, body: dict | None) -> dict:
        body = body or {}
        glosses: list[str] = []
        for sense in body.get("senses", []):
            glosses += [g for g in sense.get("glosses", {}).get(languages.VIETNAMESE, []) if g not in glosses]
        extra = body.get("extra") or {}
        variety = extra.get("variety") or extra.get("dialect")
        return {"id": word.id, "headword": word.headword, "url": f"/e/{word.id}", "glosses": glosses[:5],
                "variety": variety if isinstance(variety, str) and variety else None}
