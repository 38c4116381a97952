"""The language registry: ISO 639-3 codes, Vietnamese and English names, scripts, orthographies.

Codes and English names come from ``python-iso639`` (the SIL code tables, maintained upstream);
this module adds what those tables do not hold: the name the Vietnamese administration uses for
each language of Vietnam's ethnic minorities, other names, the scripts it is written in, and how
its orthography orders words (the ICU collation rules tailored for it, written here once, and the
alphabet its words are lettered under).  Any other valid ISO 639-3 code is accepted too (a LIFT
export from elsewhere, a comparison language), with its English name only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import icu
import iso639

from dictionary.errors import UnknownLanguage

__all__ = ["Language", "Orthography", "VIETNAMESE", "VietnameseVoice", "by_name", "collator", "get", "index",
           "is_known", "name", "orthography", "registry", "vietnamese_voice", "vietnamese_voiced"]

VIETNAMESE = "vie"


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    name_en: str
    name_vi: str | None
    scripts: tuple[str, ...]
    in_vietnam: bool
    tag: str = ""  # BCP 47, for lang attributes: the ISO 639-1 code where there is one (km, vi), else this code
    other_names: tuple[str, ...] = ()  # other names and spellings, the language's own name among them


@dataclass(frozen=True, slots=True)
class Orthography:
    """How a language's words are put in order and under which letter: ICU collation of ``locale``
    (CLDR's rules for it; the root order where CLDR has none) with ``rules`` tailored on top, and
    the ``alphabet`` a reader looks a word up under, in its published order (empty: the letters
    ICU's alphabetic index gives for ``locale``).  ``source`` says where the alphabet is published."""

    locale: str
    rules: str = ""
    alphabet: tuple[str, ...] = ()
    source: str = ""


# ISO 639-3 code → (name in Vietnamese, scripts as ISO 15924 codes).  Where one ethnic group
# speaks several languages, each language has its own code (Thái: Tai Dam, Tai Dón, Tai Daeng;
# H'Mông: Hmong Daw, Hmong Njua, Hmong Dô; Chăm: Eastern and Western Cham; Mnông: three).
_VIETNAM: dict[str, tuple[str, tuple[str, ...]]] = {
    "vie": ("Tiếng Việt", ("Latn",)),
    "tyz": ("Tày", ("Latn",)),
    "blt": ("Thái Đen", ("Tavt", "Latn")),
    "twh": ("Thái Trắng", ("Tavt", "Latn")),
    "tyr": ("Thái Đỏ", ("Tavt", "Latn")),
    "mtq": ("Mường", ("Latn",)),
    "khm": ("Khmer", ("Khmr",)),
    "yue": ("Hoa (Quảng Đông)", ("Hani",)),
    "nut": ("Nùng", ("Latn",)),
    "mww": ("H'Mông Trắng", ("Latn",)),
    "hnj": ("H'Mông Xanh", ("Latn",)),
    "hmv": ("H'Mông Đơ", ("Latn",)),
    "ium": ("Dao (Iu Miền)", ("Latn",)),
    "mji": ("Dao (Kim Miền)", ("Latn",)),
    "jra": ("Gia Rai", ("Latn",)),
    "rad": ("Ê Đê", ("Latn",)),
    "bdq": ("Ba Na", ("Latn",)),
    "sed": ("Xơ Đăng", ("Latn",)),
    "hal": ("Xơ Đăng (Hà Lăng)", ("Latn",)),
    "mlc": ("Sán Chay (Cao Lan)", ("Latn",)),
    "kpm": ("Cơ Ho", ("Latn",)),
    "cjm": ("Chăm (Đông)", ("Cham", "Latn")),
    "cja": ("Chăm (Tây)", ("Cham", "Arab", "Latn")),
    "hre": ("Hrê", ("Latn",)),
    "mng": ("M'Nông (Đông)", ("Latn",)),
    "cmo": ("M'Nông (Trung)", ("Latn",)),
    "mnn": ("M'Nông (Nam)", ("Latn",)),
    "rog": ("Ra Glai", ("Latn",)),
    "sti": ("Xtiêng", ("Latn",)),
    "bru": ("Bru-Vân Kiều", ("Latn",)),
    "tou": ("Thổ", ("Latn",)),
    "pcc": ("Giáy, Bố Y", ("Latn",)),
    "ktv": ("Cơ Tu", ("Latn",)),
    "jeh": ("Gié Triêng (Gié)", ("Latn",)),
    "tgr": ("Gié Triêng (Triêng)", ("Latn",)),
    "cma": ("Mạ", ("Latn",)),
    "kjg": ("Khơ Mú", ("Latn",)),
    "cua": ("Co", ("Latn",)),
    "tth": ("Tà Ôi", ("Latn",)),
    "pac": ("Tà Ôi (Pa Kô)", ("Latn",)),
    "crw": ("Chơ Ro", ("Latn",)),
    "kjm": ("Kháng", ("Latn",)),
    "puo": ("Xinh Mun", ("Latn",)),
    "hni": ("Hà Nhì", ("Latn",)),
    "cje": ("Chu Ru", ("Latn",)),
    "lao": ("Lào", ("Laoo",)),
    "lbt": ("La Chí", ("Latn",)),
    "lha": ("La Ha", ("Latn",)),
    "lhu": ("La Hủ", ("Latn",)),
    "khb": ("Lự", ("Talu", "Latn")),
    "scb": ("Chứt", ("Latn",)),
    "zng": ("Mảng", ("Latn",)),
    "pha": ("Pà Thẻn", ("Latn",)),
    "giq": ("Cờ Lao", ("Latn",)),
    "cnc": ("Cống", ("Latn",)),
    "slt": ("Si La", ("Latn",)),
    "laq": ("Pu Péo", ("Latn",)),
    "brb": ("Brâu", ("Latn",)),
    "tyh": ("Ơ Đu", ("Latn",)),
    "rmx": ("Rơ Măm", ("Latn",)),
    "ren": ("Ba Na (Rơ Ngao)", ("Latn",)),
    "aem": ("A Rem (Chứt)", ("Latn",)),
    "pkt": ("Mã Liềng (Chứt)", ("Latn",)),
    "nuo": ("Nguồn", ("Latn",)),
}

# Other names of a language (its own name first where it has one), as its speakers and the
# literature write them.
_OTHER_NAMES: dict[str, tuple[str, ...]] = {
    "rad": ("Klei Êđê", "Êđê", "Rađê", "Rhade"),
    "jra": ("Jarai", "Giơ Rai", "Chơ Rai"),
    "bdq": ("Bahnar",),
    "khm": ("ភាសាខ្មែរ", "Khơ-me", "Khmer Krom"),
    "cja": ("Chàm", "Western Cham"),
    "rog": ("Raglai", "Roglai"),
    "mww": ("Hmoob Dawb",),
    "mtq": ("Mol", "Mual"),
}

# Letters of the Quốc-ngữ-based orthographies of the Chamic and Bahnaric languages of the
# Highlands beyond Vietnamese's: the breve marks a short vowel and makes a letter of its own, sorted
# right after the letter it marks (ă after a, ĕ after e, ê̆ after ê, ŏ ô ô̆ ơ ơ̆, ŭ ư ư̆), and ƀ,
# č, ñ come after b, c, n.  Lists written in IPA-style letters (ɓ ɗ for ƀ đ, ABVD's Ê Đê) sort
# those with the letter the orthography writes; ʔ (the glottal stop, unwritten or ' there) sorts
# with the apostrophe.  Tones (in Vietnamese loans) stay secondary, as in Vietnamese.
HIGHLANDS_RULES = (
    "&a<ă<<<Ă<â<<<Â &b<ƀ<<<Ƀ<<ɓ<<<Ɓ &c<č<<<Č &d<đ<<<Đ<<ɗ<<<Ɗ &e<ĕ<<<Ĕ<ê<<<Ê<ê̆<<<Ê̆ &i<ĭ<<<Ĭ "
    "&n<ñ<<<Ñ &o<ŏ<<<Ŏ<ô<<<Ô<ô̆<<<Ô̆<ơ<<<Ơ<ơ̆<<<Ơ̆ &u<ŭ<<<Ŭ<ư<<<Ư<ư̆<<<Ư̆ &''<<ʔ"
)
_EDE = Orthography(
    "und", HIGHLANDS_RULES,
    tuple("A Ă Â B Ƀ Č D Đ E Ĕ Ê Ê̆ G H I Ĭ J K L M N Ñ O Ŏ Ô Ô̆ Ơ Ơ̆ P R S T U Ŭ Ư Ư̆ W Y".split()),
    "bảng chữ cái Êđê, 38 chữ cái (Hdruôm hră mblang klei blŭ Êđê – Yuăn, bài 3: Cách đọc chữ Êđê, "
    "https://ededic.thaiphong.net/bai-hoc/bai-03.php)")
_ORTHOGRAPHIES: dict[str, Orthography] = {
    "vie": Orthography("vi"),
    "rad": _EDE,
    "jra": Orthography(
        "und", HIGHLANDS_RULES,
        tuple("A Ă Â B Ƀ Č D Đ E Ĕ Ê Ê̆ G H I Ĭ J K L M N Ñ O Ŏ Ô Ô̆ Ơ Ơ̆ P R S T U Ŭ Ư Ư̆ W Y".split()),
        "bảng chữ cái tiếng Jarai, 40 chữ cái kể cả dj và ng (polyglotclub.com, "
        "Language/Jarai/Pronunciation/Alphabet)"),
    "bdq": Orthography(
        "und", HIGHLANDS_RULES,
        tuple("A Ă Â B Ƀ C D Đ E Ĕ Ê Ê̆ G H I Ĭ J K L M N O Ŏ Ô Ô̆ Ơ Ơ̆ P R S T U Ŭ Ư Ư̆ V W Y".split()),
        "thứ tự chung của các chữ cái trong những bộ chữ gốc Quốc ngữ ở Tây Nguyên, như bảng chữ cái tiếng "
        "M'Nông (a ă â b ƀ c d đ e ĕ ê ê̆ … o ŏ ô ô̆ ơ ơ̆ … u ŭ ư ư̆ v …; isonshare.blogspot.com, 2018, Bài 1 – "
        "Bảng chữ cái tiếng M'Nông), với những chữ cái tiếng Ba Na dùng"),
    "khm": Orthography("km"),
}

@dataclass(frozen=True, slots=True)
class VietnameseVoice:
    """Whether a Vietnamese synthetic voice reads a language's orthography as a fair approximation
    (``approximates``), and why, in Vietnamese (``reason``, shown where no voice is offered)."""

    approximates: bool
    reason: str


# A Vietnamese voice reads letters as Vietnamese sounds.  That approximates a language only where
# the orthography gives its letters their Vietnamese values and marks tones as Vietnamese does;
# elsewhere a word whose letters happen to form Vietnamese syllables is still read wrong, under
# the service's name.  Languages not listed get no Vietnamese voice.
_VIET_MUONG = VietnameseVoice(
    True, "chữ Mường viết theo chữ Quốc ngữ, với cùng giá trị chữ cái và cùng dấu thanh như tiếng Việt "
          "(hai ngôn ngữ cùng nhánh Việt–Mường): giọng tiếng Việt đọc gần đúng")
_TAY_NUNG = VietnameseVoice(
    True, "chữ Tày–Nùng La-tinh (phương án 1961) dựa trên chữ Quốc ngữ: chữ cái đọc như tiếng Việt, thanh "
          "điệu ghi bằng dấu của tiếng Việt: giọng tiếng Việt đọc gần đúng")
_BAHNARIC = VietnameseVoice(
    False, "chữ viết này mượn chữ cái Quốc ngữ nhưng ghi những âm tiếng Việt không có: tổ hợp phụ âm đầu "
           "(hn, pl, kr, 'b), nguyên âm ngắn có dấu ă (ĕ, ŏ, ŭ), âm tắc họng; ngôn ngữ không có thanh điệu "
           "như tiếng Việt: giọng tiếng Việt đọc sai")
_CHAMIC = VietnameseVoice(
    False, "ngôn ngữ Nam Đảo (nhóm Chăm), không có thanh điệu; chữ viết ghi tổ hợp phụ âm đầu (kr, mn, "
           "mb) và nguyên âm ngắn (ĕ, ŭ) mà giọng tiếng Việt không đọc được: giọng tiếng Việt đọc sai")
_RPA = VietnameseVoice(
    False, "chữ H'Mông La-tinh (RPA) ghi thanh điệu bằng phụ âm cuối (-b, -j, -v, -s, -g, -m, -d) và phụ âm "
           "bằng những tổ hợp như ntx, hl, dl: giọng tiếng Việt sẽ đọc những chữ cái đó thành âm")
_VIETNAMESE_VOICE: dict[str, VietnameseVoice] = {
    "vie": VietnameseVoice(True, "tiếng Việt"),
    "mtq": _VIET_MUONG,
    "tyz": _TAY_NUNG,
    "nut": _TAY_NUNG,
    # the Bahnaric languages, and the Katuic ones written the same way (Bru, Cơ Tu, Tà Ôi)
    **dict.fromkeys(("bdq", "ren", "sed", "hal", "hre", "kpm", "mng", "cmo", "mnn", "sti", "cua", "cma", "crw",
                     "jeh", "tgr", "brb", "rmx", "bru", "ktv", "tth", "pac"), _BAHNARIC),
    **dict.fromkeys(("jra", "rad", "rog", "cje", "cjm", "cja"), _CHAMIC),
    **dict.fromkeys(("mww", "hnj", "hmv"), _RPA),
}
_UNWEIGHED = VietnameseVoice(False, "chưa ai xét giọng tiếng Việt có đọc đúng chữ viết của ngôn ngữ này hay không")


def vietnamese_voice(code: str) -> VietnameseVoice:
    """Does a Vietnamese voice approximate ``code``'s orthography, and why (see the table above)."""
    return _VIETNAMESE_VOICE.get(code, _UNWEIGHED)


def vietnamese_voiced() -> tuple[str, ...]:
    """The languages a Vietnamese voice may read (Vietnamese first)."""
    return tuple(code for code, voice in _VIETNAMESE_VOICE.items() if voice.approximates)


# Vietnamese names of languages outside Vietnam that glosses and comparison data are written in.
_ELSEWHERE = {"eng": "Tiếng Anh", "fra": "Tiếng Pháp", "cmn": "Tiếng Trung", "zho": "Tiếng Trung",
              "tha": "Tiếng Thái Lan", "rus": "Tiếng Nga"}


@cache
def get(code: str) -> Language:
    """The language with ISO 639-3 ``code``; :class:`UnknownLanguage` if there is none."""
    if not isinstance(code, str) or len(code) != 3 or not code.isascii() or not code.islower():
        raise UnknownLanguage(code)
    try:
        record = iso639.Language.from_part3(code)
    except iso639.LanguageNotFoundError:
        raise UnknownLanguage(code) from None
    if record.status != "A":  # retired codes point elsewhere
        raise UnknownLanguage(code)
    name_vi, scripts = _VIETNAM.get(code, (None, ()))
    return Language(code, record.name, name_vi, scripts, code in _VIETNAM, record.part1 or code,
                    _OTHER_NAMES.get(code, ()))


def name(code: str) -> str:
    """What a page calls the language: its Vietnamese name, else its English one; never the bare
    code (unless the code is unknown, which no stored entry is)."""
    try:
        lang = get(code)
    except UnknownLanguage:
        return code
    return lang.name_vi or _ELSEWHERE.get(code) or lang.name_en


@cache
def _collator():
    return icu.Collator.createInstance(icu.Locale("vi"))


def by_name(codes) -> list[str]:
    """``codes`` in the order of their names (:func:`name`) in Vietnamese collation."""
    key = _collator().getSortKey
    return sorted(codes, key=lambda code: key(name(code)))


def orthography(code: str) -> Orthography:
    """How ``code``'s words are sorted and lettered: its own tailoring where the registry has one;
    else Khmer's for Khmer script, and Vietnamese's for a language of Vietnam written in Latin
    letters (the Quốc-ngữ-based orthographies), the root order for anything else."""
    if code in _ORTHOGRAPHIES:
        return _ORTHOGRAPHIES[code]
    scripts = get(code).scripts
    if "Khmr" in scripts:
        return _ORTHOGRAPHIES["khm"]
    return Orthography("vi" if "Latn" in scripts else "und")


@cache
def collator(code: str) -> icu.Collator:
    """ICU's collator for ``code``'s words (see :func:`orthography`); tailored rules are applied
    on top of the locale's own."""
    spelling = orthography(code)
    base = icu.Collator.createInstance(icu.Locale(spelling.locale))
    if not spelling.rules:
        return base
    return icu.RuleBasedCollator(base.getRules() + " " + spelling.rules)


@cache
def index(code: str):
    """ICU's alphabetic index of ``code``: the buckets (letters, in order, between the underflow
    and the overflow bucket) a word falls under by the language's collation."""
    spelling = orthography(code)
    if spelling.alphabet:
        built = icu.AlphabeticIndex(collator(code))
        letters = icu.UnicodeSet()
        for letter in spelling.alphabet:
            letters.add(letter)
        built.addLabels(letters)
    else:
        built = icu.AlphabeticIndex(icu.Locale(spelling.locale))
    return built.buildImmutableIndex()


def is_known(code: str) -> bool:
    try:
        get(code)
    except UnknownLanguage:
        return False
    return True


def registry() -> list[Language]:
    """Vietnamese and the languages of Vietnam's ethnic minorities, in registry order."""
    return [get(code) for code in _VIETNAM]


def listed(counts: dict[str, int]) -> list[Language]:
    """The registry's languages, then any other language that has entries (``counts`` by code)."""
    out = registry()
    known = {lang.code for lang in out}
    return out + [get(code) for code in sorted(counts) if code not in known]


@cache
def codes() -> tuple[str, ...]:
    """Every code :func:`get` accepts (the active ISO 639-3 codes), sorted."""
    return tuple(sorted(
        lang.part3 for lang in iso639.ALL_LANGUAGES
        if lang.status == "A" and lang.part3 and len(lang.part3) == 3 and lang.part3.isascii()
        and lang.part3.islower()
    ))
