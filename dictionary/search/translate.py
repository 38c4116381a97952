"""A Vietnamese text looked up term by term: the glossary a communicator needs.

The text is split into words by a Vietnamese word segmenter (underthesea), so "nước sạch" and
"gia đình" are one term each.  Before that, the names of administrative bodies, papers and
policies (:mod:`dictionary.text.phrases`: "Ủy ban nhân dân", "căn cước công dân") are made one word
each, and the dictionary's own multi-syllable glosses, in any of its languages, may join several
words, by longest match up to five syllables, as long as the match ends where a word ends.  A
multi-syllable term with no equivalent is a gap, listed with the syllables the dictionary does
know as hints.  Each term is looked up in every wanted language (exact or tone-placement matches
on a gloss only: a glossary must not offer a guess), best first, each equivalent with its own
Vietnamese meanings; a term with no equivalent in a language is a gap for the lexicographers.
Function words (và, là, của…) are marked, so a glossary can set them apart, and are never gaps.

A cell's equivalents are ranked by how surely they mean the term (:func:`rank_equivalents`): a
word that three or more entries of the language, spelled alike but for diacritics and apostrophes
('năr, năr, nar), give for the term first; then a word whose only meaning is the term, then one
whose first meaning it is, then by how early and among how few meanings it comes (the term as a
word's second of three before its fifth of eleven).  A headword is offered once per language.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from dictionary.errors import InvalidQuery
from dictionary.languages import VIETNAMESE
from dictionary.model import EDITORS_DATASET
from dictionary.search.service import SearchService
from dictionary.text.normalize import canonical, fold, search_keys
from dictionary.text.phrases import administrative, is_function_word
from dictionary.text.segment import SYLLABLE, word_lengths

MAX_TEXT = 5000
MAX_TARGETS = 5
MAX_TERM = 5  # syllables
MAX_SECONDS = 10.0  # of look-ups for one text
SHOWN = 10  # equivalents per language and term
LOOKED_AT = 30  # entries per language ranked to choose them from
AGREEING = 3  # entries spelled alike that give a term: from this many, their word leads


@dataclass
class Term:
    text: str
    start: int
    end: int
    equivalents: dict[str, list[dict]] = field(default_factory=dict)
    syllables: int = 1
    parts: list[Term] = field(default_factory=list)  # of a multi-syllable gap: syllables known alone
    function_word: bool = False  # và, là, của…: set apart, never a gap

    @property
    def gaps(self) -> list[str]:
        if self.function_word:
            return []
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
    def check_target_count(targets: list[str] | None) -> list[str]:
        if not targets:
            raise InvalidQuery("Hãy chọn ít nhất một ngôn ngữ đích (to), ví dụ [\"mww\", \"bdq\"].")
        if len(targets) > MAX_TARGETS:
            raise InvalidQuery(f"Tối đa {MAX_TARGETS} ngôn ngữ đích mỗi lần.")
        return targets

    def validate(self, text: str | None, targets: list[str] | None) -> tuple[str, list[str]]:
        """The text and the target languages, checked (each code once, in the order given)."""
        text = self.check_text(text)
        codes: list[str] = []
        for given in self.check_target_count(targets):
            code = self.search.language(given)
            if code is None:  # an empty code names no language
                continue
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
        lengths = keep_phrases_whole(text, syllables, word_lengths(text) or [1] * len(syllables))
        ends = {i for i, n in enumerate(lengths) if n} | {len(syllables)}  # where a word may end
        terms: list[Term] = []
        i = 0
        while i < len(syllables):
            word = max(lengths[i], 1)
            found = self._term_at(lookup, text, syllables, i, word, ends, targets) or \
                self._term_at(lookup, text, syllables, i, 1, ends | {i + 1}, targets)
            assert found is not None, "one syllable is always a term"
            n = found.syllables
            found.function_word = n == 1 and is_function_word(found.text)
            if n > 1 and found.gaps:  # hints for the lexicographer: the syllables the dictionary knows
                for text_, start, end in syllables[i : i + n]:
                    if is_function_word(text_):
                        continue
                    part = Term(canonical(text_), start, end, lookup(canonical(text_), targets)[0])
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
        for n in range(max(word, min(MAX_TERM, len(syllables) - i)), word - 1, -1):
            if n > word and (i + n) not in ends:
                continue  # a gloss that would cut the next word in two
            start, end = syllables[i][1], syllables[i + n - 1][2]
            if n > 1 and not _one_phrase(text[start:end]):
                continue  # punctuation between the syllables: not one term
            phrase = canonical(text[start:end])
            equivalents, known = lookup(phrase, targets)
            # a gloss of the dictionary in any language is one term, even where the wanted
            # languages lack it: the whole term is then the gap to fill
            if n == word or any(equivalents.values()) or (known and n > 1):
                return Term(phrase, start, end, equivalents, syllables=n)
        return None


class _Lookups:
    """One translation's look-ups: each phrase is looked up once, in every target language at a
    time, and none starts after the deadline."""

    def __init__(self, search: SearchService, deadline: float) -> None:
        self.search = search
        self.deadline = deadline
        self.seen: dict[str, tuple[dict[str, list[dict]], bool]] = {}

    def __call__(self, phrase: str, targets: list[str]) -> tuple[dict[str, list[dict]], bool]:
        found = self.seen.get(phrase)
        if found is None:
            if time.monotonic() > self.deadline:
                raise InvalidQuery(
                    f"Văn bản này cần tra quá {MAX_SECONDS:g} giây; hãy chia thành nhiều đoạn ngắn hơn "
                    "hoặc chọn ít ngôn ngữ đích hơn."
                )
            equivalents, known = self.search.gloss_entries(phrase, tuple(targets), limit=LOOKED_AT)
            found = self.seen[phrase] = ({code: rank_equivalents(rows)[:SHOWN] for code, rows in equivalents.items()},
                                         known)
        return found


def rank_equivalents(found: list[dict]) -> list[dict]:
    """Entries that give a term (as :meth:`SearchService.gloss_entries` lists them, each with its
    ``place``: the term's position among its Vietnamese meanings, and how many it has), the
    surest first, each headword once: first the words that ``AGREEING`` or more entries spelled
    alike give (independent rows agreeing; two may be one word's chance), then a word meaning only the term, then one meaning it first,
    then by how early and among how few meanings it comes; of equals, the entry this
    dictionary's editors wrote (and another editor published) before an imported one, then the
    search's order."""
    support: dict[str, int] = {}
    for e in found:
        key = fold(e["headword"])
        support[key] = support.get(key, 0) + 1

    def sureness(item: tuple[int, dict]) -> tuple:
        order, e = item
        position, count = e.get("place", (0, 1))
        kind = 0 if count <= 1 else 1 if position == 0 else 2
        agreeing = support[fold(e["headword"])]
        written_here = e.get("dataset") == EDITORS_DATASET  # by this dictionary's editors, reviewed
        return (-(agreeing if agreeing >= AGREEING else 1), kind, position, count, not written_here, order)

    out: list[dict] = []
    seen: set[str] = set()
    for _, e in sorted(enumerate(found), key=sureness):
        same = canonical(e["headword"]).casefold()
        if same in seen:  # the same word from another entry or dataset: offered once
            continue
        seen.add(same)
        out.append(e)
    return out


def keep_phrases_whole(text: str, syllables: list[tuple[str, int, int]], lengths: list[int]) -> list[int]:
    """``lengths`` (the segmenter's words: syllables of the word starting at each syllable, 0
    inside a word) with every administrative term of ``text`` made one word, longest first; the
    words it cut into keep their other syllables."""
    lengths = list(lengths)
    known = administrative()
    sizes = sorted(known, reverse=True)
    i = 0
    while i < len(syllables):
        for n in sizes:
            if i + n > len(syllables):
                continue
            start, end = syllables[i][1], syllables[i + n - 1][2]
            if not _one_phrase(text[start:end]) or search_keys(canonical(text[start:end])).tone not in known[n]:
                continue
            _make_word(lengths, i, n)
            i += n - 1
            break
        i += 1
    return lengths


def _make_word(lengths: list[int], i: int, n: int) -> None:
    """Make syllables ``i``…``i+n-1`` one word, shortening the words it overlaps."""
    j = i
    while j > 0 and lengths[j] == 0:  # the word the phrase starts inside
        j -= 1
    if j < i and j + lengths[j] > i:
        lengths[j] = i - j
    last = i + n
    if last < len(lengths) and lengths[last] == 0:  # the word the phrase ends inside: its rest
        k = last
        while k < len(lengths) and lengths[k] == 0:
            k += 1
        lengths[last] = k - last
    lengths[i : i + n] = [n] + [0] * (n - 1)


def _one_phrase(span: str) -> bool:
    return re.fullmatch(r"[^\W\d_]+(?:[\s'’-]+[^\W\d_]+)*", span) is not None
