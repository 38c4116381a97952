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
from dataclasses import dataclass, field

from .errors import InvalidQuery
from .languages import VIETNAMESE
from .normalize import canonical
from .search import SearchService
from .segment import SYLLABLE, word_lengths

MAX_TEXT = 5000
MAX_TARGETS = 5
MAX_TERM = 5  # syllables


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

    def _validate(self, text: str | None, targets: list[str] | None) -> tuple[str, list[str]]:
        if not text or not text.strip():
            raise InvalidQuery("Hãy dán một đoạn văn bản tiếng Việt vào trường text.")
        if len(text) > MAX_TEXT:
            raise InvalidQuery(f"Văn bản dài {len(text)} ký tự; tối đa là {MAX_TEXT}. Hãy chia nhỏ văn bản.")
        if not targets:
            raise InvalidQuery("Hãy chọn ít nhất một ngôn ngữ đích (to), ví dụ [\"mww\", \"bdq\"].")
        if len(targets) > MAX_TARGETS:
            raise InvalidQuery(f"Tối đa {MAX_TARGETS} ngôn ngữ đích mỗi lần.")
        codes = []
        for code in targets:
            code = self.search.language(code)
            if code == VIETNAMESE:
                raise InvalidQuery("Ngôn ngữ đích phải là một ngôn ngữ dân tộc thiểu số, không phải tiếng Việt.")
            if code not in codes:
                codes.append(code)
        return text, codes

    def _lookup(self, phrase: str, language: str) -> list[dict]:
        return self.search.gloss_entries(phrase, language)

    def translate(self, text: str | None, targets: list[str] | None) -> Glossary:
        text, targets = self._validate(text, targets)
        syllables = [(m.group(0), m.start(), m.end()) for m in SYLLABLE.finditer(text)]
        lengths = word_lengths(text) or [1] * len(syllables)
        ends = {i for i, n in enumerate(lengths) if n} | {len(syllables)}  # where a word may end
        terms: list[Term] = []
        i = 0
        while i < len(syllables):
            word = max(lengths[i], 1)
            found = self._term_at(text, syllables, i, word, ends, targets) or \
                self._term_at(text, syllables, i, 1, ends | {i + 1}, targets)
            n = found.syllables
            if n > 1 and found.gaps:  # hints for the lexicographer: the syllables the dictionary knows
                for text_, start, end in syllables[i : i + n]:
                    part = Term(canonical(text_), start, end, {lang: self._lookup(canonical(text_), lang)
                                                               for lang in targets})
                    if any(part.equivalents.values()):
                        found.parts.append(part)
            terms.append(found)
            i += n
        return Glossary(terms, targets)

    def _term_at(self, text: str, syllables: list, i: int, word: int, ends: set[int],
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
            equivalents = {lang: self._lookup(phrase, lang) for lang in targets}
            if n == word or any(equivalents.values()):
                return Term(phrase, start, end, equivalents, syllables=n)
        return None


def _one_phrase(span: str) -> bool:
    return re.fullmatch(r"[^\W\d_]+(?:[\s'’-]+[^\W\d_]+)*", span) is not None
