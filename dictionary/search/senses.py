"""Which of a result's senses the query matched, for showing them first.

The ranking places entries; this only orders the senses shown within one result: the senses
holding the gloss the query matched lead (that gloss first among the sense's glosses), the others
follow in the source's order, each keeping its number in the source (the entry page keeps that
order and highlights the sense the reader came from)."""

from __future__ import annotations

from typing import Any, TypedDict

from dictionary.text.normalize import search_keys


class ShownSense(TypedDict):
    number: int  # the sense's place in the source, from 1
    matched: bool  # the query matched one of its glosses
    glosses: dict[str, list[str]]  # by language, the matched gloss first in its language
    hit: str | None  # the gloss the query matched, as the sense gives it
    sense: dict[str, Any]  # the sense as the entry gives it


def _same(a: str, b: str) -> bool:
    return search_keys(a).exact == search_keys(b).exact


def matched_senses(senses: list[dict[str, Any]], match: dict[str, Any]) -> list[int]:
    """The indexes of the senses holding the gloss a gloss match matched (none for a match on
    the headword or a variant: every sense is a meaning of the word found)."""
    if match.get("field") != "gloss" or not match.get("language"):
        return []
    text, language = match["text"], match["language"]
    return [i for i, s in enumerate(senses)
            if any(_same(g, text) for g in (s.get("glosses") or {}).get(language, ()))]


def lead_matched(senses: list[dict[str, Any]], match: dict[str, Any]) -> list[ShownSense]:
    """``senses`` in the order a result shows them: the matched ones first, then the others, in
    the source's order within each part."""
    matched = set(matched_senses(senses, match))
    out: list[ShownSense] = []
    for first in (True, False):
        for i, s in enumerate(senses):
            if (i in matched) is not first:
                continue
            glosses = dict(s.get("glosses") or {})
            gloss = None
            if first:
                language = match["language"]
                held = sorted(glosses.get(language, []), key=lambda g: not _same(g, match["text"]))
                glosses[language], gloss = held, held[0]
            out.append({"number": i + 1, "matched": first, "glosses": glosses, "hit": gloss, "sense": s})
    return out
