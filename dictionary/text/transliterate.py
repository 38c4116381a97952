"""Latin search keys for the Khmer, Cham and Tai Viet scripts, as ICU transliteration rules.

ICU ships no transliterator for any of these scripts, so the rules are written here and
compiled with ``Transliterator.createFromRules``.  The output is a *search key*, not a
scholarly romanisation: plain ASCII that a person typing the word in Latin letters would come
close to, so that ``khmer`` finds ខ្មែរ and ``kampuchea`` finds កម្ពុជា (exactly or within the
fuzzy distance).  Headwords are never replaced by it; the script text stays as written.

* **Khmer** (after UNGEGN, diacritics dropped): a consonant's series (a-series or o-series,
  which the Unicode names of the letters carry) chooses the value of the vowel after it
  (ា is ``a`` after ក, ``ea`` after ជ); a consonant followed by another consonant carries the
  inherent vowel (``a`` or ``o``); one at the end of a word is a final; subscripts (coeng) join
  their cluster.  Series shifters, bantoc and the other signs that change pronunciation
  slightly are dropped.
* **Cham**: consonants carry the inherent ``a`` unless a vowel sign follows; final letters and
  signs add their consonant; medial signs add ``y r l w``.
* **Tai Viet** (Thái, in Vietnam): the vowels written before their consonant (ꪵ ꪶ ꪹ ꪻ ꪼ) are
  moved after it; high and low consonants give the same letter; tone marks are dropped.  The
  inherent vowel of closed syllables is not written, so it is not guessed.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

import icu

__all__ = ["SCRIPTS", "romanize", "script_of"]

# -- Khmer -----------------------------------------------------------------------------------
_KHMER_CONSONANTS = {
    # letter: (latin, series) — series 1 takes the a-series vowel values, 2 the o-series
    "ក": ("k", 1), "ខ": ("kh", 1), "គ": ("k", 2), "ឃ": ("kh", 2), "ង": ("ng", 2),
    "ច": ("ch", 1), "ឆ": ("chh", 1), "ជ": ("ch", 2), "ឈ": ("chh", 2), "ញ": ("nh", 2),
    "ដ": ("d", 1), "ឋ": ("th", 1), "ឌ": ("d", 2), "ឍ": ("th", 2), "ណ": ("n", 1),
    "ត": ("t", 1), "ថ": ("th", 1), "ទ": ("t", 2), "ធ": ("th", 2), "ន": ("n", 2),
    "ប": ("b", 1), "ផ": ("ph", 1), "ព": ("p", 2), "ភ": ("ph", 2), "ម": ("m", 2),
    "យ": ("y", 2), "រ": ("r", 2), "ល": ("l", 2), "វ": ("v", 2), "ឝ": ("sh", 1),
    "ឞ": ("ss", 1), "ស": ("s", 1), "ហ": ("h", 1), "ឡ": ("l", 1), "អ": ("", 1),
}
# vowel sign: (after a-series, after o-series)
_KHMER_VOWELS = {
    "ាំ": ("am", "oam"), "ុំ": ("om", "um"), "ោះ": ("aoh", "uoh"), "េះ": ("eh", "eh"),
    "ិះ": ("eh", "ih"), "ុះ": ("oh", "uh"), "ាះ": ("ah", "eah"),
    "ា": ("a", "ea"), "ិ": ("e", "i"), "ី": ("ei", "i"), "ឹ": ("eu", "eu"), "ឺ": ("eu", "eu"),
    "ុ": ("o", "u"), "ូ": ("ou", "u"), "ួ": ("uo", "uo"), "ើ": ("aeu", "eu"), "ឿ": ("oea", "oea"),
    "ៀ": ("ie", "ie"), "េ": ("e", "e"), "ែ": ("e", "e"), "ៃ": ("ai", "ey"), "ោ": ("ao", "o"),
    "ៅ": ("au", "ov"), "ំ": ("am", "um"), "ះ": ("ah", "eah"), "ៈ": ("a", "ea"),
}
_KHMER_INDEPENDENT = {
    "ឣ": "a", "ឤ": "a", "ឥ": "e", "ឦ": "ei", "ឧ": "o", "ឨ": "ouk", "ឩ": "ou", "ឪ": "au",
    "ឫ": "rue", "ឬ": "rue", "ឭ": "lue", "ឮ": "lue", "ឯ": "ae", "ឰ": "ai", "ឱ": "ao",
    "ឲ": "ao", "ឳ": "au",
}
_KHMER_DROPPED = "\u17b4\u17b5\u17c9\u17ca\u17cb\u17cc\u17cd\u17ce\u17cf\u17d0\u17d1\u17d3\u17dd"
_COENG = "\u17d2"


def _set(chars) -> str:
    return "[" + "".join(f"\\u{ord(c):04x}" for c in chars) + "]"


def _lit(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


def _q(latin: str) -> str:
    return f"'{latin}'" if latin else ""  # ('' in ICU rules is a quote mark, not nothing)


def _khmer_rules() -> str:
    s1 = _set(c for c, (_, s) in _KHMER_CONSONANTS.items() if s == 1)
    s2 = _set(c for c, (_, s) in _KHMER_CONSONANTS.items() if s == 2)
    cons = _set(_KHMER_CONSONANTS)
    lines = [f"$s1 = {s1} ;", f"$s2 = {s2} ;", f"$c = {cons} ;", f"$coeng = {_lit(_COENG)} ;",
             f"$v = {_set(set(''.join(_KHMER_VOWELS)))} ;"]
    # Pass 1, on the unconverted text: vowel values by the series of the cluster before them,
    # and the inherent vowel of a consonant followed by another consonant.
    for vowel, (v1, v2) in sorted(_KHMER_VOWELS.items(), key=lambda kv: -len(kv[0])):
        lines.append(f"$s2 $coeng $c {{ {_lit(vowel)} > {_q(v2)} ;")
        lines.append(f"$s2 {{ {_lit(vowel)} > {_q(v2)} ;")
        lines.append(f"{_lit(vowel)} > {_q(v1)} ;")
    lines.append("($s1) } $c > $1 'a' ;")
    lines.append("($s2) } $c > $1 'o' ;")
    lines.append(":: Null ;")
    # Pass 2: letters.
    for letter, (latin, _) in _KHMER_CONSONANTS.items():
        lines.append(f"{_lit(letter)} > {_q(latin)} ;")
    for letter, latin in _KHMER_INDEPENDENT.items():
        lines.append(f"{_lit(letter)} > {_q(latin)} ;")
    lines.append(f"[{_lit(_COENG)}{_KHMER_DROPPED}] > ;")
    lines.append("[\\u17d4-\\u17d6\\u17d8-\\u17da] > ' ' ;")
    lines.append("\\u17d7 > ;")
    for i in range(10):
        lines.append(f"\\u{0x17E0 + i:04x} > {i} ;")
    return "\n".join(lines)


# -- Cham ------------------------------------------------------------------------------------
_CHAM_LETTERS = {
    "ꨀ": "a", "ꨁ": "i", "ꨂ": "u", "ꨃ": "e", "ꨄ": "ai", "ꨅ": "o",
}
_CHAM_CONSONANTS = {
    "ꨆ": "k", "ꨇ": "kh", "ꨈ": "g", "ꨉ": "gh", "ꨊ": "ng", "ꨋ": "ng", "ꨌ": "c", "ꨍ": "ch",
    "ꨎ": "j", "ꨏ": "jh", "ꨐ": "ny", "ꨑ": "ny", "ꨒ": "nj", "ꨓ": "t", "ꨔ": "th", "ꨕ": "d",
    "ꨖ": "dh", "ꨗ": "n", "ꨘ": "n", "ꨙ": "d", "ꨚ": "p", "ꨛ": "p", "ꨜ": "ph", "ꨝ": "b",
    "ꨞ": "bh", "ꨟ": "m", "ꨠ": "m", "ꨡ": "b", "ꨢ": "y", "ꨣ": "r", "ꨤ": "l", "ꨥ": "w",
    "ꨦ": "s", "ꨧ": "s", "ꨨ": "h",
}
_CHAM_VOWEL_SIGNS = {
    "ꨩ": "a", "ꨪ": "i", "ꨫ": "i", "ꨬ": "ei", "ꨭ": "u", "ꨮ": "e", "ꨯ": "o", "ꨰ": "ai",
    "ꨱ": "au", "ꨲ": "ue",
}
_CHAM_MEDIALS = {"ꨳ": "y", "ꨴ": "r", "ꨵ": "l", "ꨶ": "w"}
_CHAM_FINALS = {
    "ꩀ": "k", "ꩁ": "g", "ꩂ": "ng", "ꩃ": "ng", "ꩄ": "ch", "ꩅ": "t", "ꩆ": "n", "ꩇ": "p",
    "ꩈ": "y", "ꩉ": "r", "ꩊ": "l", "ꩋ": "s", "ꩌ": "m", "ꩍ": "h",
}


def _cham_rules() -> str:
    dep = _set(list(_CHAM_VOWEL_SIGNS) + list(_CHAM_MEDIALS))
    vowel = _set(_CHAM_VOWEL_SIGNS)
    lines = [f"$dep = {dep} ;", f"$vowel = {vowel} ;"]
    for letter, latin in _CHAM_CONSONANTS.items():
        lines.append(f"{_lit(letter)} }} $dep > {_q(latin)} ;")
        lines.append(f"{_lit(letter)} > {_q(latin + 'a')} ;")
    for sign, latin in _CHAM_MEDIALS.items():  # a medial carries the inherent vowel on
        lines.append(f"{_lit(sign)} }} $vowel > {_q(latin)} ;")
        lines.append(f"{_lit(sign)} > {_q(latin + 'a')} ;")
    for table in (_CHAM_LETTERS, _CHAM_VOWEL_SIGNS, _CHAM_FINALS):
        for letter, latin in table.items():
            lines.append(f"{_lit(letter)} > {_q(latin)} ;")
    lines.append("[\\uaa5c-\\uaa5f] > ' ' ;")
    for i in range(10):
        lines.append(f"\\u{0xAA50 + i:04x} > {i} ;")
    return "\n".join(lines)


# -- Tai Viet --------------------------------------------------------------------------------
_TAI_VIET_CONSONANTS = [  # low and high letters in pairs, from U+AA80
    "k", "kh", "kh", "g", "ng", "c", "ch", "s", "ny", "d", "t", "th", "n", "b", "p", "ph", "f",
    "m", "y", "r", "l", "v", "h", "",
]
_TAI_VIET_PREPOSED = {"ꪵ": "e", "ꪶ": "o", "ꪹ": "ua", "ꪻ": "aue", "ꪼ": "ay"}
_TAI_VIET_VOWELS = {
    "ꪰ": "a", "ꪱ": "a", "ꪲ": "i", "ꪳ": "ue", "ꪴ": "u", "ꪷ": "", "ꪸ": "ia", "ꪺ": "ua",
    "ꪽ": "an", "ꪾ": "am",
}


def _tai_viet_rules() -> str:
    consonants = {chr(0xAA80 + i): _TAI_VIET_CONSONANTS[i // 2] for i in range(48)}
    pre = _set(_TAI_VIET_PREPOSED)
    cons = _set(consonants)
    lines = [f"$pre = {pre} ;", f"$c = {cons} ;",
             # a vowel written before its consonant is read after it
             "($pre) ($c) > $2 $1 ;", ":: Null ;"]
    for letter, latin in consonants.items():
        lines.append(f"{_lit(letter)} > {_q(latin)} ;")
    for table in (_TAI_VIET_PREPOSED, _TAI_VIET_VOWELS):
        for letter, latin in table.items():
            lines.append(f"{_lit(letter)} > {_q(latin)} ;")
    lines.append("[\\uaabf-\\uaac2] > ;")  # tone marks
    lines.append("\\uaadb > 'kon' ; \\uaadc > 'nueng' ; \\uaadd > ; [\\uaade\\uaadf] > ' ' ;")
    return "\n".join(lines)


SCRIPTS = {
    "Khmr": ("[\\u1780-\\u17ff\\u19e0-\\u19ff]", _khmer_rules),
    "Cham": ("[\\uaa00-\\uaa5f]", _cham_rules),
    "Tavt": ("[\\uaa80-\\uaadf]", _tai_viet_rules),
}
_DETECT = {code: re.compile(pattern) for code, (pattern, _) in SCRIPTS.items()}


_JOINERS = re.compile("[\u200b-\u200d\u2060\ufeff]")


@cache
def _transliterator(code: str) -> icu.Transliterator:
    _, rules = SCRIPTS[code]
    return icu.Transliterator.createFromRules(f"tudien-{code}-latin", rules(), icu.UTransDirection.FORWARD)


def script_of(text: str) -> str | None:
    """The first of the scripts handled here that ``text`` uses (ISO 15924 code), or None."""
    for code, pattern in _DETECT.items():
        if pattern.search(text):
            return code
    return None


@lru_cache(maxsize=100_000)
def romanize(text: str) -> str | None:
    """The Latin search key of ``text``, or None when it holds none of these scripts."""
    found = [code for code, pattern in _DETECT.items() if pattern.search(text)]
    if not found:
        return None
    text = _JOINERS.sub("", text)  # ZWNJ/ZWJ steer rendering, not reading
    for code in found:
        text = _transliterator(code).transliterate(text)
    return re.sub(r"\s+", " ", text).strip()
