"""The language registry: ISO 639-3 codes, Vietnamese and English names, scripts.

Codes and English names come from ``python-iso639`` (the SIL code tables, maintained upstream);
this module adds what those tables do not hold: the name the Vietnamese administration uses for
each language of Vietnam's ethnic minorities, and the scripts it is written in.  Any other valid
ISO 639-3 code is accepted too (a LIFT export from elsewhere, a comparison language), with its
English name only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import icu
import iso639

from dictionary.errors import UnknownLanguage

__all__ = ["Language", "VIETNAMESE", "by_name", "get", "is_known", "name", "registry"]

VIETNAMESE = "vie"


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    name_en: str
    name_vi: str | None
    scripts: tuple[str, ...]
    in_vietnam: bool


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
    return Language(code, record.name, name_vi, scripts, code in _VIETNAM)


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
