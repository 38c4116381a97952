"""A query checked and planned, before any engine is asked: its language codes, its text, its
page, and the scopes (which side of which entries) it is looked up in."""

from __future__ import annotations

import re

from dictionary import languages
from dictionary.errors import InvalidQuery
from dictionary.languages import VIETNAMESE
from dictionary.search.ranking import Scope
from dictionary.text import vietnamese
from dictionary.text.normalize import canonical

MAX_QUERY_LENGTH = 200
MAX_LIMIT = 100
MAX_OFFSET = 1000
ENGLISH = "eng"
MISSING_QUERY = "Thiếu tham số q: hãy cho biết từ cần tra, ví dụ ?q=cây."
LIMIT_RULE = f"limit phải là số nguyên từ 1 đến {MAX_LIMIT}"
OFFSET_RULE = f"offset phải là số nguyên từ 0 đến {MAX_OFFSET}"


def language(code: str | None) -> str | None:
    """A language code (an active ISO 639-3 code, as written: ``bdq``), checked; None when
    omitted (absent or empty)."""
    if code is None or code == "":
        return None
    languages.get(code)  # raises UnknownLanguage with an actionable message
    return code


def query_text(q: str | None) -> str:
    """The text to look up, canonical; InvalidQuery saying what to change when there is none."""
    if q is None:
        raise InvalidQuery(MISSING_QUERY)
    if len(q) > MAX_QUERY_LENGTH:
        raise InvalidQuery(
            f"Từ cần tra dài {len(q)} ký tự; tối đa là {MAX_QUERY_LENGTH}. "
            "Hãy tra từng từ hoặc cụm từ ngắn hơn, hoặc dùng /v1/translate cho cả đoạn văn."
        )
    text = canonical(q)
    if not text:
        raise InvalidQuery("Tham số q trống: hãy nhập từ cần tra, ví dụ ?q=cây.")
    return text


_WORDS = re.compile(r"[\s\-‐]+")


def possible_vietnamese(text: str) -> bool:
    """Is every word of ``text`` a syllable Vietnamese spelling allows (``tiếng`` is; ``tieengs``,
    ``dej``, and ``nuoc`` with its marks left out, are not: a word typed without marks holds no
    Telex or VNI keys, so reading it as such changes nothing)?"""
    words = [w for w in _WORDS.split(text.lower()) if w]
    return bool(words) and all(vietnamese.is_syllable(w) for w in words)


def reread_typing(text: str, source: str | None, found_as_typed: bool) -> bool:
    """Whether a query is also read as Telex or VNI typing: only when the query as typed found no
    exact match in the chosen direction (``found_as_typed`` False), or when it is said to be
    Vietnamese but is no possible Vietnamese word (``tieengs``, typed on a keyboard without a
    Vietnamese input method).  A word found as typed stays among its own: Hmong ``dej`` is not
    also read as Telex ``dẹ``, which would bring in every gloss ``dê``, ``đe``…"""
    if not found_as_typed:
        return True
    return source == VIETNAMESE and not possible_vietnamese(text)


def check_page(limit: object, offset: object) -> None:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidQuery(f"{LIMIT_RULE} (đã nhận {limit!r}).")
    if not isinstance(offset, int) or not 0 <= offset <= MAX_OFFSET:
        raise InvalidQuery(f"{OFFSET_RULE} (đã nhận {offset!r}).")


def scopes(source: str | None, target: str | None) -> tuple[Scope, ...]:
    """Where a query written in ``source`` for results in ``target`` is looked up.

    Results are entries; a query in Vietnamese (or English) is matched against glosses
    (reverse lookup) and against Vietnamese headwords, a query in a minority language against
    that language's headwords and variants.  An omitted side is inferred by looking in both.
    """
    if source is not None and target is not None and source == target:
        target = None
    gloss_languages = (VIETNAMESE, ENGLISH)
    if source in gloss_languages:
        wanted = None if target in (None, VIETNAMESE, ENGLISH) else (target,)
        scopes = [Scope(source, wanted)]
        if source == VIETNAMESE and target in (None, VIETNAMESE):
            scopes.append(Scope(None, (VIETNAMESE,)))
        return tuple(scopes)
    if source is not None:
        if target not in (None, VIETNAMESE, ENGLISH):
            raise InvalidQuery(
                f"Chưa hỗ trợ tra thẳng từ '{source}' sang '{target}': hãy tra từ '{source}' "
                f"sang tiếng Việt (to=vie), rồi từ tiếng Việt sang '{target}'."
            )
        return (Scope(None, (source,)),)
    if target in (None, VIETNAMESE, ENGLISH):
        return (Scope(None, None), Scope(VIETNAMESE, None))
    return (Scope(None, (target,)), Scope(VIETNAMESE, (target,)))
