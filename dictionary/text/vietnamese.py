"""Vietnamese syllables: their structure, where the tone mark goes, and how to read a query typed
with the keyboard's input method switched off (Telex ``tieengs vieetj``, VNI ``tie6ng1 vie65t``).

A syllable is (initial consonant, vowel nucleus, final consonant, tone).  :func:`syllable`
splits a toneless, mark-bearing syllable and says whether Vietnamese spelling allows it; the
decoders use it so that only readings that spell a possible Vietnamese syllable are offered —
Hmong ``ntawv`` or ``tsev`` is not one (``nt``, ``ts`` start no Vietnamese syllable), an English
``the`` decodes to nothing because nothing in it is a key.

The decoders follow the rules of the free-style input methods in everyday use (Unikey and its
kin): a tone key may come anywhere after the first vowel (``tiengs``, ``tiesng``), a vowel mark
right after its vowel or after the final consonant (``tieengs``, ``tienges``), ``uow``/``uwow``
give ``ươ``, ``dd`` or a later ``d`` gives ``đ``.  A doubled key undoes itself (``sawss``), and
such a word is left as typed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import unicodedata2 as unicodedata  # current Unicode data, whatever the Python

__all__ = [
    "TONES",
    "Syllable",
    "decode_query",
    "decode_telex",
    "decode_vni",
    "is_syllable",
    "place_tone",
    "syllable",
]

# Tone marks as combining characters: ngang (none), sắc, huyền, hỏi, ngã, nặng.
TONES = {"": "", "acute": "\u0301", "grave": "\u0300", "hook": "\u0309", "tilde": "\u0303", "dot": "\u0323"}

INITIALS = frozenset(
    "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph q qu r s t th tr v x".split() + [""]
)
# "k" ends syllables of names taken from the Central Highlands languages (Đắk Lắk, Krông Búk).
FINALS = frozenset(["", "c", "ch", "k", "m", "n", "ng", "nh", "p", "t"])
_STOP_FINALS = frozenset(["c", "ch", "k", "p", "t"])
# Vowel nuclei (with any glide that ends them), as Vietnamese spelling writes them.
NUCLEI = frozenset(
    """a ă â e ê i o ô ơ u ư y
    ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê
    iêu yêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu""".split()
)
# Nuclei that take no final consonant (they end in a glide, or are open diphthongs).
_OPEN_ONLY = frozenset(
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu iêu yêu oai oao oay oeo uây uôi uya uyu ươi ươu".split()
)
# Nuclei that need a final consonant.
_CLOSED_ONLY = frozenset("ă â iê yê uô ươ uyê oă uâ".split())

_VOWELS = "aăâeêioôơuưy"
_QUALITY = "ăâêôơư"


class Syllable(NamedTuple):
    initial: str
    nucleus: str
    final: str


@lru_cache(maxsize=50_000)
def syllable(base: str) -> Syllable | None:
    """Split a lower-case syllable without tone mark (``nghiêng``) into initial, nucleus and
    final, or None when Vietnamese spelling does not allow it."""
    if not base:
        return None
    i = 0
    while i < len(base) and base[i] not in _VOWELS:
        i += 1
    j = i
    while j < len(base) and base[j] in _VOWELS:
        j += 1
    initial, nucleus, final = base[:i], base[i:j], base[j:]
    # "gi" and "qu" take the vowel letter into the initial when another vowel follows
    # (gia, quê); "gì", "gìn" keep the i as the nucleus.
    if initial == "q" and nucleus.startswith("u") and len(nucleus) > 1:
        initial, nucleus = "qu", nucleus[1:]
    elif initial == "g" and nucleus.startswith("i") and len(nucleus) > 1 and nucleus[1:] in NUCLEI:
        initial, nucleus = "gi", nucleus[1:]
    if initial not in INITIALS or final not in FINALS or nucleus not in NUCLEI:
        return None
    if initial == "q":  # q is only ever written qu
        return None
    if final and nucleus in _OPEN_ONLY:
        return None
    if not final and nucleus in _CLOSED_ONLY:
        return None
    return Syllable(initial, nucleus, final)


def is_syllable(word: str) -> bool:
    """Whether ``word`` (any case, any tone) is a possible Vietnamese syllable."""
    base, tone = _split_tone(word.lower())
    parts = syllable(base)
    if parts is None:
        return False
    return not (parts.final in _STOP_FINALS and tone not in ("acute", "dot"))


def _split_tone(word: str) -> tuple[str, str]:
    decomposed = unicodedata.normalize("NFD", word)
    tone = ""
    for name, mark in TONES.items():
        if mark and mark in decomposed:
            tone = name
            decomposed = decomposed.replace(mark, "")
    return unicodedata.normalize("NFC", decomposed), tone


def place_tone(base: str, tone: str, old_style: bool = False) -> str:
    """``base`` (a toneless syllable) with ``tone`` on the vowel that carries it.

    The new style puts it on the second vowel of an open ``oa``, ``oe``, ``uy`` (hoà, khoẻ, thuý),
    the old style on the first (hòa, khỏe, thúy); both agree everywhere else.
    """
    mark = TONES[tone]
    if not mark:
        return base
    parts = syllable(base)
    if parts is None:
        return base
    nucleus = parts.nucleus
    if len(nucleus) == 1:
        index = 0
    elif any(ch in _QUALITY for ch in nucleus):
        # ươ carries it on ơ; otherwise the one vowel with a quality mark.
        index = max(i for i, ch in enumerate(nucleus) if ch in _QUALITY)
    elif parts.final or len(nucleus) == 3:
        index = 1 if len(nucleus) == 3 else len(nucleus) - 1
    elif nucleus in ("oa", "oe", "uy") and not old_style:
        index = 1
    else:
        index = 0
    nucleus = unicodedata.normalize(
        "NFC", nucleus[:index] + nucleus[index] + mark + nucleus[index + 1 :]
    )
    return parts.initial + nucleus + parts.final


# -- Telex ---------------------------------------------------------------------------------------

_TELEX_TONES = {"s": "acute", "f": "grave", "r": "hook", "x": "tilde", "j": "dot", "z": ""}
_CIRCUMFLEX = {"a": "â", "e": "ê", "o": "ô"}
_HORN = {"a": "ă", "â": "ă", "o": "ơ", "ô": "ơ", "u": "ư"}
_ASCII_WORD = re.compile(r"^[a-z]+$")


class _Undo(Exception):
    """A key typed twice to cancel itself: the word is meant literally."""


def _apply_w(letters: list[str], nucleus_start: int) -> None:
    """Apply a ``w`` to the nucleus: ``uo`` → ``ươ``, else the last u, o or a → ư, ơ, ă."""
    vowels = [i for i in range(nucleus_start, len(letters)) if letters[i] in _VOWELS]
    for k in range(len(vowels) - 1):
        a, b = vowels[k], vowels[k + 1]
        if b == a + 1 and letters[a] in "uư" and letters[b] in "oôơ":
            if letters[a] == "ư" and letters[b] == "ơ":
                raise _Undo
            letters[a], letters[b] = "ư", "ơ"
            return
    for i in reversed(vowels):
        if letters[i] in _HORN:
            letters[i] = _HORN[letters[i]]
            return
        if letters[i] in "ăơư":
            raise _Undo
    if not vowels:  # a bare w is ư
        letters.append("ư")
        return
    raise _Undo


@lru_cache(maxsize=50_000)
def decode_telex(word: str) -> tuple[str, str] | None:
    """``(base, tone)`` of a Telex-typed syllable (``vieetj`` → ``("viêt", "dot")``), or None when
    the word uses no Telex key or does not decode to a possible Vietnamese syllable."""
    word = word.lower()
    if not _ASCII_WORD.match(word):
        return None
    letters: list[str] = []
    tone: str | None = None
    used_key = False
    seen_vowel = False
    nucleus_start = None
    for ch in word:
        if seen_vowel and ch in _TELEX_TONES:
            if tone is not None and _TELEX_TONES[ch] == tone:
                return None  # "ss": the second s undoes the tone
            tone = _TELEX_TONES[ch]
            used_key = True
            continue
        try:
            if ch == "w":
                if nucleus_start is None:
                    nucleus_start = len(letters)
                _apply_w(letters, nucleus_start)
                seen_vowel = True
                used_key = True
                continue
            if ch == "d" and letters and letters[0] == "d" and (len(letters) == 1 or seen_vowel):
                letters[0] = "đ"
                used_key = True
                continue
            if ch in _CIRCUMFLEX and seen_vowel and nucleus_start is not None:  # set with seen_vowel
                target = [i for i in range(nucleus_start, len(letters)) if letters[i] == ch]
                if target:
                    letters[target[-1]] = _CIRCUMFLEX[ch]
                    used_key = True
                    continue
                if any(letters[i] == _CIRCUMFLEX[ch] for i in range(nucleus_start, len(letters))):
                    return None  # "aaa": undone
        except _Undo:
            return None
        if ch in _VOWELS:
            if nucleus_start is None:
                nucleus_start = len(letters)
            seen_vowel = True
        letters.append(ch)
    if not used_key:
        return None
    # "uwo" is completed to "ươ", as input methods do (duwowi and duwoi both give dươi).
    base = "".join(letters).replace("ưo", "ươ")
    tone = tone or ""
    if not is_syllable(place_tone(base, tone)):
        return None
    return base, tone


# -- VNI -----------------------------------------------------------------------------------------

_VNI_TONES = {"1": "acute", "2": "grave", "3": "hook", "4": "tilde", "5": "dot", "0": ""}
_VNI_WORD = re.compile(r"^[a-z0-9]+$")


@lru_cache(maxsize=50_000)
def decode_vni(word: str) -> tuple[str, str] | None:
    """``(base, tone)`` of a VNI-typed syllable (``vie65t`` → ``("viêt", "dot")``), or None."""
    word = word.lower()
    if not _VNI_WORD.match(word) or word.isdigit() or not any(c.isdigit() for c in word):
        return None
    if not word[0].isalpha():
        return None
    letters: list[str] = []
    tone = ""
    for ch in word:
        if not ch.isdigit():
            letters.append(ch)
            continue
        vowels = [i for i, c in enumerate(letters) if c in _VOWELS]
        if ch in _VNI_TONES:
            if not vowels:
                return None
            tone = _VNI_TONES[ch]
        elif ch == "6":
            hits = [i for i in vowels if letters[i] in _CIRCUMFLEX]
            if not hits:
                return None
            letters[hits[-1]] = _CIRCUMFLEX[letters[hits[-1]]]
        elif ch == "7":
            pair = [i for i in vowels if i + 1 in vowels and letters[i] == "u" and letters[i + 1] in "oô"]
            if pair:
                letters[pair[0]], letters[pair[0] + 1] = "ư", "ơ"
            else:
                hits = [i for i in vowels if letters[i] in "uoô"]
                if not hits:
                    return None
                letters[hits[-1]] = "ư" if letters[hits[-1]] == "u" else "ơ"
        elif ch == "8":
            hits = [i for i in vowels if letters[i] in "aâ"]
            if not hits:
                return None
            letters[hits[-1]] = "ă"
        elif ch == "9":
            if not letters or letters[0] != "d":
                return None
            letters[0] = "đ"
        else:
            return None
    base = "".join(letters)
    if not is_syllable(place_tone(base, tone)):
        return None
    return base, tone


# -- whole queries -------------------------------------------------------------------------------

_WORD_SPLIT = re.compile(r"(\s+)")


def decode_query(text: str) -> list[str]:
    """The readings of ``text`` as Telex and as VNI, where either changes something.

    Each word that decodes is replaced by its reading (tone placed new-style: search keys are
    blind to placement, so one reading finds both); other words are kept as typed.  A query
    that is already Vietnamese with diacritics has no reading.
    """
    out: list[str] = []
    for decoder in (decode_telex, decode_vni):
        changed = False
        words = []
        for token in _WORD_SPLIT.split(text):
            decoded = decoder(token) if token and not token.isspace() else None
            if decoded is None:
                words.append(token)
                continue
            reading = place_tone(*decoded)
            changed = changed or reading != token.lower()
            words.append(reading)
        if changed:
            reading = "".join(words)
            if reading not in out:
                out.append(reading)
    return out
