"""A Vietnamese text looked up term by term: the glossary a communicator needs.

The text is split into words by a Vietnamese word segmenter (underthesea), so "nước sạch" and
"gia đình" are one term each; the dictionary's own multi-syllable glosses may join several words
("ủy ban nhân dân"), by longest match up to five syllables, as long as the match ends where a word
ends.  A multi-syllable word with no equivalent is a gap, listed with the syllables the dictionary
does know as hints.  Each term is looked up in every wanted language (exact or tone-placement
matches on a gloss only: a glossary must not offer a guess), and a term with no equivalent in a
language is listed as a gap for the lexicographers.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from .errors import InvalidQuery
from .languages import VIETNAMESE
from .normalize import canonical
from .search import SearchService
from .segment import SYLLABLE, word_lengths

MAX_TEXT = 5000
MAX_TARGETS = 5
MAX_TERM = 5  # syllables
MAX_SECONDS = 10.0  # of look-ups for one text


@dataclass
class Term:
    text: str
    start: int
    end: int
    equivalents: dict[str, list[dict]] = field(default_factory=dict)
    syllables: int = 1
    parts: list[Term] = field(default_factory=list)  # of a multi-syllable gap: syllables known alone

    @property
    def gaps(self) -> list[str]:
        return [lang for lang, found in self.equivalents.items() if not found]


@dataclass
class Glossary:
    terms: list[Term]
    targets: list[str]  # the wanted languages, validated, in the order asked

    @property
    def gaps(self) -> list[str]:
        return list(dict.fromkeys(t.text for t in self.terms if t.gaps))


class Translator:
    def __init__(self, search: SearchService) -> None:
        self.search = search

    @staticmethod
    def check_text(text: str | None) -> str:
        if not text or not text.strip():
            raise InvalidQuery("Hãy dán một đoạn văn bản tiếng Việt vào trường text.")
        if len(text) > MAX_TEXT:
            raise InvalidQuery(f"Văn bản dài {len(text)} ký tự; tối đa là {MAX_TEXT}. Hãy chia nhỏ văn bản.")
        return text

    @staticmethod
    def check_target_count(targets: list | None) -> None:
        if not targets:
            raise InvalidQuery("Hãy chọn ít nhất một ngôn ngữ đích (to), ví dụ [\"mww\", \"bdq\"].")
        if len(targets) > MAX_TARGETS:
            raise InvalidQuery(f"Tối đa {MAX_TARGETS} ngôn ngữ đích mỗi lần.")

    def validate(self, text: str | None, targets: list[str] | None) -> tuple[str, list[str]]:
        """The text and the target languages, checked (each code once, in the order given)."""
        text = self.check_text(text)
        self.check_target_count(targets)
        codes = []
        for code in targets:
            code = self.search.language(code)
            if code == VIETNAMESE:
                raise InvalidQuery("Ngôn ngữ đích phải là một ngôn ngữ dân tộc thiểu số, không phải tiếng Việt.")
            if code not in codes:
                codes.append(code)
        return text, codes

    def close(self) -> None:
        """Nothing to release: look-ups run in the caller's thread."""

    def translate(self, text: str | None, targets: list[str] | None) -> Glossary:
        """The glossary of ``text`` in ``targets``.  One request's work is bounded: a text that
        needs more than ``MAX_SECONDS`` of look-ups is refused with the advice to split it."""
        text, targets = self.validate(text, targets)
        lookup = _Lookups(self.search, time.monotonic() + MAX_SECONDS)
        syllables = [(m.group(0), m.start(), m.end()) for m in SYLLABLE.finditer(text)]
        lengths = word_lengths(text) or [1] * len(syllables)
        ends = {i for i, n in enumerate(lengths) if n} | {len(syllables)}  # where a word may end
        terms: list[Term] = []
        i = 0
        while i < len(syllables):
            word = max(lengths[i], 1)
            found = self._term_at(lookup, text, syllables, i, word, ends, targets) or \
                self._term_at(lookup, text, syllables, i, 1, ends | {i + 1}, targets)
            n = found.syllables
            if n > 1 and found.gaps:  # hints for the lexicographer: the syllables the dictionary knows
                for text_, start, end in syllables[i : i + n]:
                    part = Term(canonical(text_), start, end, lookup(canonical(text_), targets))
                    if any(part.equivalents.values()):
                        found.parts.append(part)
            terms.append(found)
            i += n
        return Glossary(terms, targets)

    @staticmethod
    def _term_at(lookup: _Lookups, text: str, syllables: list, i: int, word: int, ends: set[int],
                 targets: list[str]) -> Term | None:
        """The longest run of syllables from ``i`` that is a Vietnamese gloss of the dictionary and
        ends where a word ends; else the word itself (a gap where nothing matches it)."""
        for n in range(min(MAX_TERM, len(syllables) - i), word - 1, -1):
            if n > word and (i + n) not in ends:
                continue  # a gloss that would cut the next word in two
            start, end = syllables[i][1], syllables[i + n - 1][2]
            if n > 1 and not _one_phrase(text[start:end]):
                continue  # punctuation between the syllables: not one term
            phrase = canonical(text[start:end])
            equivalents = lookup(phrase, targets)
            if n == word or any(equivalents.values()):
                return Term(phrase, start, end, equivalents, syllables=n)
        return None


class _Lookups:
    """One translation's look-ups: each phrase is looked up once, in every target language at a
    time, and none starts after the deadline."""

    def __init__(self, search: SearchService, deadline: float) -> None:
        self.search = search
        self.deadline = deadline
        self.seen: dict[str, dict[str, list[dict]]] = {}

    def __call__(self, phrase: str, targets: list[str]) -> dict[str, list[dict]]:
        found = self.seen.get(phrase)
        if found is None:
            if time.monotonic() > self.deadline:
                raise InvalidQuery(
                    f"Văn bản này cần tra quá {MAX_SECONDS:g} giây; hãy chia thành nhiều đoạn ngắn hơn "
                    "hoặc chọn ít ngôn ngữ đích hơn."
                )
            found = self.seen[phrase] = self.search.gloss_entries(phrase, tuple(targets))
        return found


def _one_phrase(span: str) -> bool:
    return re.fullmatch(r"[^\W\d_]+(?:[\s'’-]+[^\W\d_]+)*", span) is not None
