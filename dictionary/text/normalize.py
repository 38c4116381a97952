"""Text normalisation shared by every importer and every query.

Three layers:

* :func:`canonical` repairs text without changing what it says: NFC, one apostrophe, no
  zero-width or control characters, collapsed whitespace, a stray space before a combining mark
  removed, doubled combining marks collapsed.  Stored headwords are NFC only; the canonical form is
  what keys are computed from.
* :func:`search_keys` derives the three keys the index holds for a text: ``exact`` (canonical,
  case-folded), ``tone`` (as ``exact`` but blind to where a Vietnamese tone mark sits: hòa = hoà)
  and ``fold`` (no Latin diacritics, đ→d, no apostrophes or hyphens).
* Folding touches Latin script only: Khmer, Cham and Tai Viet marks are part of the letters
  (stripping every nonspacing mark turns ខ្មែរ into ខមែរ).

What a writer may send is a separate matter: :func:`unshowable` says why a text cannot be shown
(nothing visible, a control character or noncharacter, a line break in a field of one line, an
unpaired bidirectional control, too many combining marks on one letter), and ``PLAIN_TEXT``,
``WRITTEN_TEXT``, ``PLAIN_LINE`` and ``WRITTEN_LINE`` are the character rules as patterns the
API's document states.  :mod:`dictionary.model` applies them to an entry's content.

ICU does the Unicode work (normalisation, case folding and the Latin fold, as one compiled
transliterator).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import icu

__all__ = [
    "APOSTROPHE",
    "as_written",
    "SearchKeys",
    "canonical",
    "fold",
    "search_keys",
    "search_keys_many",
    "tone_key",
]

APOSTROPHE = "'"
# Look-alikes of the apostrophe seen in real word lists: right and left single quotation marks,
# modifier letter apostrophe, grave accent, prime, modifier letter turned comma, fullwidth.
_APOSTROPHES = "\u2019\u2018\u02bc\u0060\u2032\u02bb\uff07\u00b4"

# Zero-width and invisible formatting characters: ZWSP, ZWNJ, ZWJ, LRM, RLM, bidi embeddings and
# isolates, word joiner, invisible operators, BOM, soft hyphen.
_INVISIBLE_CHARS = (
    r"\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
# A text holds something to look up when it has one character that is neither white space nor
# invisible: what ``canonical`` keeps.  A pattern the API's schema states as it is.
VISIBLE = rf"[^\s{_INVISIBLE_CHARS}]"
# Text an editor writes: no control characters (tab and line breaks aside) and no noncharacters
# (U+FFFE, U+FDD0…, which are for no text); in a field of one line no line break either; and, for
# a required field, one character that shows.  Patterns the API's schema states as they are
# (characters of the Basic Multilingual Plane only: the document's patterns are ECMA-262 without
# the ``u`` flag); :func:`unshowable` holds the rest of the rules.
_UNUSABLE = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufdd0-\ufdef\ufffe\uffff"
_LINE_BREAK = r"\n\r\u2028\u2029"
# Characters that show nothing of their own: format characters (U+061C, U+200B, bidi controls,
# word joiner, BOM…), variation selectors, fillers and the other default-ignorable code points.
_UNSEEN = (r"\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
           r"\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8")
PLAIN_TEXT = rf"^[^{_UNUSABLE}]*$"
WRITTEN_TEXT = rf"^[^{_UNUSABLE}]*[^\s{_UNUSABLE}{_UNSEEN}][^{_UNUSABLE}]*$"
PLAIN_LINE = rf"^[^{_UNUSABLE}{_LINE_BREAK}]*$"
WRITTEN_LINE = rf"^[^{_UNUSABLE}{_LINE_BREAK}]*[^\s{_UNUSABLE}{_UNSEEN}][^{_UNUSABLE}{_LINE_BREAK}]*$"
# Every noncharacter (U+FDD0…U+FDEF, U+FFFE, U+FFFF … U+10FFFF), and what shows, in every plane.
_NONCHARACTER = re.compile("[\ufdd0-\ufdef" + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF)
                                                    for plane in range(17)) + "]")
_SHOWN = re.compile(rf"[^\s{_UNUSABLE}{_UNSEEN}\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")
# Bidirectional controls that open (embeddings and overrides; isolates) and what closes each.
_BIDI_OPEN = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c", "\u202e": "\u202c",
              "\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_PARAGRAPH = re.compile("[\n\r\u2029\u0085]")
MAX_MARKS = 4  # combining marks on one letter: Vietnamese needs two (ệ), Bahnar three (ờ̆)
_UNUSABLE_CHAR = re.compile(f"[{_UNUSABLE}]")
_LINE_BREAK_CHAR = re.compile(f"[{_LINE_BREAK}]")


def unshowable(text: str, *, line: bool = True, required: bool = True, controls: bool = True) -> str | None:
    """Why ``text`` (as a writer sent it) cannot be shown as a text of the dictionary, or None.

    The reasons, as keys: ``unusable`` (a control character or a noncharacter such as U+FFFE or
    U+10FFFF), ``line_break`` (in a field of one line), ``unseen`` (a required text of nothing but
    spaces and characters that show nothing: U+200B, U+061C, U+202E…), ``bidi`` (a bidirectional
    embedding, override or isolate not closed in its paragraph, or a closing one never opened)
    and ``marks`` (more than :data:`MAX_MARKS` combining marks on one letter).  ``controls=False``
    lets control characters by: an importer keeps a source's bytes as they are (the keys leave
    them out), and legacy-encoded lists hold C1 controls inside their words."""
    if (controls and _UNUSABLE_CHAR.search(text)) or _NONCHARACTER.search(text):
        return "unusable"
    if line and _LINE_BREAK_CHAR.search(text):
        return "line_break"
    if required and not _SHOWN.search(text):
        return "unseen"
    if _BIDI.search(text) and not all(map(_bidi_balanced, _PARAGRAPH.split(text))):
        return "bidi"
    if not text.isascii():
        run = 0
        for ch in _NFD.normalize(text):
            run = run + 1 if unicodedata.category(ch) in ("Mn", "Me") else 0
            if run > MAX_MARKS:
                return "marks"
    return None


def _bidi_balanced(paragraph: str) -> bool:
    open_: list[str] = []
    for ch in _BIDI.findall(paragraph):
        if ch in _BIDI_OPEN:
            open_.append(_BIDI_OPEN[ch])
        elif not open_ or open_.pop() != ch:
            return False
    return not open_


_SPACE = re.compile(r"\s+")
_EDGES = re.compile(r"^[\s\u200b-\u200f\u2060\ufeff]+|[\s\u200b-\u200f\u2060\ufeff]+$")
# Combining marks that belong to no script of their own (the Combining Diacritical Marks blocks).
_GENERIC_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# A space typed between a letter and the combining mark meant for it ("abe ̆n" for "abĕn").
_SPACE_BEFORE_MARK = re.compile(rf"(?<=\w)\s+(?=[{_GENERIC_MARKS}])")
_HAS_MARK = re.compile(f"[{_GENERIC_MARKS}]")
_DOUBLED_MARK = re.compile(rf"([{_GENERIC_MARKS}])\1+")

_NFC = icu.Normalizer2.getNFCInstance()
_NFD = icu.Normalizer2.getNFDInstance()

# The fold (of text already case-folded): decompose, drop combining marks that sit on a Latin letter (any number of
# them), map the Latin letters whose diacritic is not a combining mark, drop apostrophes and
# hyphens, turn other punctuation into spaces.  Marks on other scripts are untouched.
_FOLD_RULES = r"""
:: NFD ;
[:Latin:] [:Mn:]* { [:Mn:] > ;
đ > d ; ð > d ; ħ > h ; ł > l ; ø > o ; ɗ > d ; ɓ > b ; ƀ > b ; ƴ > y ;
[\u0027\u2019\u2018\u02bc\u0060\u2032\u02bb\uff07\u00b4\-\u2010\u2011\u2012\u2013\u00ad] > ;
[[:P:] [:S:] - [\u0027\-]] > ' ' ;
:: NFC ;
"""
_FOLD = icu.Transliterator.createFromRules("tudien-fold", _FOLD_RULES, icu.UTransDirection.FORWARD)

# Vietnamese tone marks as combining characters (grave, acute, tilde, hook above, dot below).
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_TONE_MARK = re.compile(f"[{_TONE_MARKS}]")
# A Latin syllable in NFD: Latin letters with their combining marks.
_LATIN_SYLLABLE = re.compile(rf"(?:[A-Za-z\u00c0-\u024f\u1e00-\u1eff][{_GENERIC_MARKS}]*)+")


def as_written(text: str) -> str:
    """A headword as its source wrote it: NFC, without the whitespace and invisible characters
    (BOM, zero-width space) that surround it in a cell.  Nothing inside the word changes."""
    return _EDGES.sub("", _NFC.normalize(text))


@lru_cache(maxsize=200_000)
def canonical(text: str) -> str:
    """The repaired, NFC form of ``text``: what keys are computed from.

    It never changes the letters of a word: it only removes what is invisible, unifies
    apostrophes, collapses whitespace and repairs broken combining sequences.
    """
    text = _INVISIBLE.sub("", text)
    for ch in _APOSTROPHES:
        if ch in text:
            text = text.replace(ch, APOSTROPHE)
    text = _NFC.normalize(text)
    if _HAS_MARK.search(text):  # broken or doubled combining sequences need the NFD repair
        text = _repair_marks(text)
    return _SPACE.sub(" ", text).strip()


def _repair_marks(text: str) -> str:
    text = _SPACE_BEFORE_MARK.sub("", _NFD.normalize(text))
    return _NFC.normalize(_DOUBLED_MARK.sub(r"\1", text))


def _move_tone_to_end(match: re.Match[str]) -> str:
    syllable = match.group(0)
    tones = _TONE_MARK.findall(syllable)
    if not tones:
        return syllable
    return _TONE_MARK.sub("", syllable) + "".join(tones)


def tone_key(exact: str) -> str:
    """``exact`` with each Latin syllable's tone marks moved to its end, so that the old and new
    placements (hòa/hoà, thúy/thuý, khỏe/khoẻ) give one key.  Vowel-quality marks (ă â ê ô ơ ư and
    the Bahnar breve) stay where they are, so the key still tells ô from ơ."""
    return " ".join(map(_tone_key_word, exact.split(" ")))


@lru_cache(maxsize=100_000)
def _tone_key_word(word: str) -> str:
    # Words repeat far more than texts do (Vietnamese has a few thousand syllables), so the
    # cache sits here.
    decomposed = _NFD.normalize(word)
    if not _TONE_MARK.search(decomposed):
        return word
    return _NFC.normalize(_LATIN_SYLLABLE.sub(_move_tone_to_end, decomposed))


def fold(text: str) -> str:
    """The diacritic-blind key: ``Hòa-Bình`` → ``hoabinh``; ``ơ̆`` → ``o``; Khmer unchanged."""
    return search_keys(text).fold


def _fold_exact(exact: str) -> str:
    return _SPACE.sub(" ", " ".join(map(_fold_word, exact.split(" ")))).strip()


@lru_cache(maxsize=100_000)
def _fold_word(word: str) -> str:
    if word.isascii() and word.isalnum():
        return word
    return _FOLD.transliterate(word)


class SearchKeys(NamedTuple):
    exact: str
    tone: str
    fold: str


@lru_cache(maxsize=200_000)
def search_keys(text: str) -> SearchKeys:
    """The three keys of ``text``, from the strictest to the loosest."""
    exact = _casefold(canonical(text))
    return SearchKeys(exact, tone_key(exact), _fold_exact(exact))


# Letters with a diacritic that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED = frozenset("đĐøØłŁħĦðÐɗƊɓƁƀɃƴƳ")


def has_diacritics(text: str) -> bool:
    """Whether ``text`` carries any diacritic (a tone or vowel mark, a breve, đ…): a query typed
    without any is one that may mean any of the words it spells once marks are added."""
    return bool(_HAS_MARK.search(_NFD.normalize(text))) or any(ch in _UNDECOMPOSED for ch in text)


def _casefold(text: str) -> str:
    return str(icu.UnicodeString(text).foldCase())


# Whitespace other than the line feed that separates the texts of a batch.
_SPACE_IN_LINE = re.compile(r"[^\S\n]+")
_LINE = " \n "  # between the texts of a batch once they are split into words


def search_keys_many(texts: list[str]) -> list[SearchKeys]:
    """``[search_keys(t) for t in texts]``, for an index build.

    The texts are joined by line feeds and each step runs once over the whole batch instead of
    once per text: a call into ICU or the regex engine costs more than the few letters of one
    text.  No step reads across a line feed (it is neither a letter, a mark, a space here nor
    punctuation), and a text that holds one goes alone.  The two keys made word by word use the
    same cached words as :func:`search_keys`.
    """
    out: list[SearchKeys | None] = [None] * len(texts)
    batch = []
    for n, text in enumerate(texts):
        if "\n" in text:
            out[n] = search_keys(text)
        else:
            batch.append(n)
    if not batch:
        return out  # type: ignore[return-value]  # every text was made alone: none is None
    joined = _INVISIBLE.sub("", "\n".join([texts[n] for n in batch]))
    for ch in _APOSTROPHES:
        if ch in joined:
            joined = joined.replace(ch, APOSTROPHE)
    joined = _NFC.normalize(joined)
    if _HAS_MARK.search(joined):  # repair only the texts that need it, as canonical() does
        joined = "\n".join(
            _repair_marks(line) if _HAS_MARK.search(line) else line for line in joined.split("\n")
        )
    exacts = [line.strip() for line in _casefold(_SPACE_IN_LINE.sub(" ", joined)).split("\n")]
    words = _LINE.join(exacts).split(" ")  # every line feed is a word of its own
    tones = " ".join(map(_tone_key_word, words)).split(_LINE)
    folded = _SPACE_IN_LINE.sub(" ", " ".join(map(_fold_word, words)))  # punctuation became spaces
    folds = [line.strip() for line in folded.split("\n")]
    for n, exact, tone, fold_key in zip(batch, exacts, tones, folds, strict=True):
        out[n] = SearchKeys(exact, tone, fold_key)
    return out  # type: ignore[return-value]  # alone or in the batch, every text has its keys

