"""Vietnamese text in the 8-bit font encodings that preceded Unicode, and its conversion.

Two encodings fill old government documents and word lists:

* **TCVN3 (ABC)**, the ``.VnTime`` fonts: one byte per letter, ``Vi\\xd6t`` for *Việt*.  The table is
  the upper half of TCVN 5712:1993 (VN1), which VN3 shares for every lower-case letter and
  Ă Â Ê Ô Ơ Ư Đ; the capitals of the ``.VnTimeH`` fonts reuse the lower-case codes, so they come
  back lower-case.
* **VNI-Windows**, the ``VNI-Times`` fonts: a base letter followed by a mark character,
  ``Vieät`` for *Việt*.

Such text reaches us as Latin-1 characters, either because a document typed in those fonts was
saved as Unicode (the characters are then ``¸``, ``Ö``, ``ø``…) or because the file's bytes are not
UTF-8 at all.  :func:`detect` decides by reading: it counts the words that spell a possible
Vietnamese syllable before and after each conversion and converts only when that count clearly
rises.  Text holding any letter beyond Latin-1 (ơ, ư, đ, ạ… or another script) is Unicode and is
never converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dictionary.text.vietnamese import is_syllable

__all__ = ["Conversion", "MODES", "convert", "detect", "from_tcvn3", "from_vni"]

MODES = ("auto", "tcvn3", "vni", "off")

_TCVN3_CODES = (
    "\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf\xb0"
    "\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf\xc0"
    "\xc1\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf\xd0"
    "\xd1\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf\xe0"
    "\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef\xf0"
    "\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfe\xff"
)
_TCVN3_LETTERS = (
    "\u0102\u00c2\u00ca\u00d4\u01a0\u01af\u0110\u0103\u00e2\u00ea\u00f4\u01a1\u01b0\u0111\u1eb0\u0300"
    "\u0309\u0303\u0301\u0323\u00e0\u1ea3\u00e3\u00e1\u1ea1\u1eb2\u1eb1\u1eb3\u1eb5\u1eaf\u1eb4\u1eae"
    "\u1ea6\u1ea8\u1eaa\u1ea4\u1ec0\u1eb7\u1ea7\u1ea9\u1eab\u1ea5\u1ead\u00e8\u1ec2\u1ebb\u1ebd\u00e9"
    "\u1eb9\u1ec1\u1ec3\u1ec5\u1ebf\u1ec7\u00ec\u1ec9\u1ec4\u1ebe\u1ed2\u0129\u00ed\u1ecb\u00f2\u1ed4"
    "\u1ecf\u00f5\u00f3\u1ecd\u1ed3\u1ed5\u1ed7\u1ed1\u1ed9\u1edd\u1edf\u1ee1\u1edb\u1ee3\u00f9\u1ed6"
    "\u1ee7\u0169\u00fa\u1ee5\u1eeb\u1eed\u1eef\u1ee9\u1ef1\u1ef3\u1ef7\u1ef9\u1ef5\u1ed0"
)
_TCVN3 = str.maketrans(_TCVN3_CODES, _TCVN3_LETTERS)

# VNI-Windows, lower case: each Vietnamese letter and how the VNI fonts spell it.  Tones in the
# order sắc, huyền, hỏi, ngã, nặng.
_VNI_LOWER = {
    "á": "aù", "à": "aø", "ả": "aû", "ã": "aõ", "ạ": "aï",
    "ă": "aê", "ắ": "aé", "ằ": "aè", "ẳ": "aú", "ẵ": "aü", "ặ": "aë",
    "â": "aâ", "ấ": "aá", "ầ": "aà", "ẩ": "aå", "ẫ": "aã", "ậ": "aä",
    "é": "eù", "è": "eø", "ẻ": "eû", "ẽ": "eõ", "ẹ": "eï",
    "ê": "eâ", "ế": "eá", "ề": "eà", "ể": "eå", "ễ": "eã", "ệ": "eä",
    "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
    "ó": "où", "ò": "oø", "ỏ": "oû", "õ": "oõ", "ọ": "oï",
    "ô": "oâ", "ố": "oá", "ồ": "oà", "ổ": "oå", "ỗ": "oã", "ộ": "oä",
    "ơ": "ô", "ớ": "ôù", "ờ": "ôø", "ở": "ôû", "ỡ": "ôõ", "ợ": "ôï",
    "ú": "uù", "ù": "uø", "ủ": "uû", "ũ": "uõ", "ụ": "uï",
    "ư": "ö", "ứ": "öù", "ừ": "öø", "ử": "öû", "ữ": "öõ", "ự": "öï",
    "ý": "yù", "ỳ": "yø", "ỷ": "yû", "ỹ": "yõ", "ỵ": "î",
    "đ": "ñ",
}
_VNI = {vni: letter for letter, vni in _VNI_LOWER.items() if vni != letter}
_VNI.update({vni.upper(): letter.upper() for letter, vni in _VNI_LOWER.items() if vni != letter})
_VNI_SEQUENCE = re.compile("|".join(sorted(map(re.escape, _VNI), key=len, reverse=True)))

_BEYOND_LATIN1 = re.compile(r"[^\x00-\xff\u2010-\u2027\u2030-\u205e\u20ac\u2122\ufeff]")
_WORD = re.compile(r"[^\W\d_]+")


def from_tcvn3(text: str) -> str:
    return text.translate(_TCVN3)


def from_vni(text: str) -> str:
    return _VNI_SEQUENCE.sub(lambda m: _VNI[m.group(0)], text)


_CONVERTERS = {"tcvn3": from_tcvn3, "vni": from_vni}
NAMES = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI-Windows"}


@dataclass(frozen=True)
class Conversion:
    encoding: str  # "tcvn3" or "vni"
    words: int  # words that read as Vietnamese syllables after the conversion
    words_before: int

    def __str__(self) -> str:
        return (
            f"converted from {NAMES[self.encoding]} to Unicode "
            f"({self.words_before} → {self.words} words read as Vietnamese syllables)"
        )


def _syllables(text: str) -> int:
    return sum(1 for w in _WORD.findall(text) if not w.isascii() and is_syllable(w))


def detect(text: str, min_gain: int = 2) -> Conversion | None:
    """The legacy encoding ``text`` is in, judged by reading it, or None for Unicode text.

    ``min_gain`` is how many more words must read as Vietnamese after converting (a file needs
    at least two and a fifth more; a short query, one)."""
    if text.isascii() or _BEYOND_LATIN1.search(text):
        return None
    before = _syllables(text)
    best: Conversion | None = None
    for name, conv in _CONVERTERS.items():
        after = _syllables(conv(text))
        if best is None or after > best.words:
            best = Conversion(name, after, before)
    # Clearly more words make sense after converting than before: at least two more, and a
    # fifth more.  Unicode Vietnamese gets worse, not better, when "converted".
    if best is None or best.words < before + max(min_gain, before // 5):
        return None
    return best


def convert(text: str, mode: str = "auto") -> tuple[str, Conversion | None]:
    """``text`` in Unicode, and what was converted.  ``mode`` is ``auto`` (detect), ``tcvn3`` or
    ``vni`` (force) or ``off``."""
    if mode not in MODES:
        raise ValueError(f"legacy encoding mode must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "off":
        return text, None
    if mode == "auto":
        found = detect(text)
        if found is None:
            return text, None
        return _CONVERTERS[found.encoding](text), found
    beyond = _BEYOND_LATIN1.search(text)
    if beyond:
        line = text.count("\n", 0, beyond.start()) + 1
        raise ValueError(
            f"line {line}: {beyond.group(0)!r} is a Unicode character that {NAMES[mode]} cannot "
            f"hold, so this text is not {NAMES[mode]}; import it without forcing a conversion"
        )
    converted = _CONVERTERS[mode](text)
    return converted, Conversion(mode, _syllables(converted), _syllables(text))
