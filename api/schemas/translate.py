"""The terminology workbench: a Vietnamese text's terms and their equivalents in other languages."""

from __future__ import annotations

from pydantic import Field

from dictionary.search.translate import MAX_TARGETS, MAX_TEXT
from dictionary.text.normalize import VISIBLE

from .audio import ClipPublic
from .common import _Public


class TranslateRequest(_Public):
    text: str = Field(description=f"văn bản tiếng Việt (tối đa {MAX_TEXT} ký tự)", min_length=1,
                      max_length=MAX_TEXT, pattern=VISIBLE)
    to: list[str] = Field(description=f"các ngôn ngữ đích (tối đa {MAX_TARGETS}), mã ISO 639-3, ví dụ [\"mww\", \"bdq\"]",
                          min_length=1, max_length=MAX_TARGETS)


class EquivalentRef(_Public):
    id: str
    headword: str
    url: str
    meaning: str | None = Field(None, description="what else the word means, in Vietnamese, or that it means only this term")


class Equivalent(EquivalentRef):
    dataset: str | None = Field(None, description="the dataset the entry comes from")
    audio: list[ClipPublic]


class TermPart(_Public):
    text: str
    equivalents: dict[str, list[EquivalentRef]]


class TermPublic(_Public):
    text: str
    start: int
    end: int
    equivalents: dict[str, list[Equivalent]]
    gaps: list[str] = Field(description="target languages with no equivalent")
    function_word: bool = Field(description="a function word (và, là, của…): pages fold these away; never a gap")
    parts: list[TermPart] | None = Field(None, description="of a gap of several syllables: those the dictionary knows")


class GlossaryPublic(_Public):
    to: list[str]
    terms: list[TermPublic]
    gaps: list[str] = Field(description="the terms that lack an equivalent in some language")


def glossary_entries(glossary) -> list[dict]:
    """Every entry a glossary names, once (to list their audio in one go)."""
    seen: dict[str, dict] = {}
    for t in glossary.terms:
        for code in glossary.targets:
            for e in t.equivalents[code]:
                seen.setdefault(e["id"], e)
    return list(seen.values())


def _ref(e: dict) -> dict:
    return {"id": e["id"], "headword": e["headword"], "url": f"/e/{e['id']}",
            **({"meaning": e["meaning"]} if e.get("meaning") else {})}


def glossary_public(glossary, clips: dict[str, list[dict]] | None = None) -> dict:
    """A :class:`dictionary.search.translate.Glossary` as the API and the workbench show it, with each
    equivalent's audio when ``clips`` (public clips by entry id) is given."""
    clips = clips or {}
    return {
        "to": glossary.targets,
        "terms": [{
            "text": t.text, "start": t.start, "end": t.end,
            "equivalents": {code: [{**_ref(e), **({"dataset": e["dataset"]} if e.get("dataset") else {}),
                                    "audio": clips.get(e["id"], [])}
                                   for e in t.equivalents[code]] for code in glossary.targets},
            "gaps": t.gaps,
            "function_word": t.function_word,
            **({"parts": [{"text": part.text, "equivalents": {
                code: [_ref(e) for e in part.equivalents[code]] for code in glossary.targets}}
                for part in t.parts]} if t.parts else {}),
        } for t in glossary.terms],
        "gaps": glossary.gaps,
    }
