"""Response schemas, for the OpenAPI document and for building responses in one place.

Routes serialise plain dicts (built by the functions below) with orjson; these models describe
them.  Empty sense fields are left out to keep responses small for the mobile app.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from dictionary.search import Hit


class SensePublic(BaseModel):
    glosses: dict[str, list[str]]
    definitions: dict[str, str] | None = None
    examples: list[dict[str, Any]] | None = None
    domains: list[str] | None = None
    pos: str | None = None
    notes: list[str] | None = None


class SourcePublic(BaseModel):
    dataset: str
    citation: str | None = None
    licence: str | None = None
    file: str | None = None
    location: str | None = None


class MatchPublic(BaseModel):
    field: str  # headword, variant or gloss
    tier: str  # exact, tone, fold, decoded, prefix, words, fuzzy
    decoded: str | None = None  # how a Telex/VNI-typed query was read, when that matched
    distance: int
    text: str
    language: str | None = None


class EntryPublic(BaseModel):
    id: str
    language: str
    headword: str
    variants: list[str]
    pos: str | None = None
    ipa: str | None = None
    senses: list[SensePublic]
    status: str
    source: SourcePublic
    url: str


class ClipPublic(BaseModel):
    """A pronunciation clip: a native speaker's recording, or synthetic speech (labelled)."""

    id: str | None  # None: synthetic speech not made yet; its url makes it on first play
    url: str
    kind: str  # recording or synthetic
    speaker: str | None = None
    sex: str | None = None
    dialect: str | None = None
    licence: str | None = None
    attribution: str | None = None
    recorded_on: str | None = None
    engine: str | None = None  # gtts or espeak-ng, for synthetic speech
    voice: str | None = None
    approximate: bool  # a voice of another language reading this one
    duration_ms: int | None = None
    content_type: str | None = None


class ResultPublic(EntryPublic):
    match: MatchPublic
    audio: list[ClipPublic]


class SearchPublic(BaseModel):
    query: dict[str, Any]
    total: int
    results: list[ResultPublic]


class SuggestPublic(BaseModel):
    suggestions: list[str]


class LanguagePublic(BaseModel):
    code: str
    name_vi: str | None
    name_en: str
    scripts: list[str]
    entries: int


class LanguagesPublic(BaseModel):
    languages: list[LanguagePublic]


class EntryDetail(EntryPublic):
    pronunciations: list[dict[str, Any]]
    extra: dict[str, Any]
    audio: list[ClipPublic]


_SENSE_OPTIONAL = ("definitions", "examples", "domains", "pos", "notes")


def sense_public(sense: dict) -> dict:
    out = {"glosses": sense.get("glosses", {})}
    for key in _SENSE_OPTIONAL:
        if sense.get(key):
            out[key] = sense[key]
    return out


def entry_public(entry: dict) -> dict:
    prov = entry.get("provenance", {})
    return {
        "id": entry["id"],
        "language": entry["language"],
        "headword": entry["headword"],
        "variants": entry.get("variants", []),
        "pos": entry.get("pos"),
        "ipa": entry.get("ipa"),
        "senses": [sense_public(s) for s in entry.get("senses", ())],
        "status": entry.get("status", "draft"),
        "source": {
            "dataset": prov.get("dataset"),
            "citation": prov.get("citation"),
            "licence": prov.get("licence"),
            "file": prov.get("source_file"),
            "location": prov.get("location"),
        },
        "url": f"/v1/entries/{entry['id']}",
    }


def entry_detail(entry: dict) -> dict:
    out = entry_public(entry)
    out["senses"] = [
        {**sense_public(s), **({"location": s["location"]} if s.get("location") else {}),
         **({"extra": s["extra"]} if s.get("extra") else {})}
        for s in entry.get("senses", ())
    ]
    out["pronunciations"] = entry.get("pronunciations", [])
    out["extra"] = entry.get("extra", {})
    return out


def hit_public(hit: Hit) -> dict:
    out = entry_public(hit.entry)
    m = hit.match
    out["match"] = {"field": m.field, "tier": m.tier, "distance": m.distance, "text": m.text}
    if m.decoded is not None:
        out["match"]["decoded"] = m.decoded
    if m.language:
        out["match"]["language"] = m.language
    return out


def glossary_entries(glossary) -> list[dict]:
    """Every entry a glossary names, once (to list their audio in one go)."""
    seen: dict[str, dict] = {}
    for t in glossary.terms:
        for code in glossary.targets:
            for e in t.equivalents[code]:
                seen.setdefault(e["id"], e)
    return list(seen.values())


def glossary_public(glossary, clips: dict[str, list[dict]] | None = None) -> dict:
    """A :class:`dictionary.translate.Glossary` as the API and the workbench show it, with each
    equivalent's audio when ``clips`` (by entry id) is given."""
    clips = clips or {}
    return {
        "to": glossary.targets,
        "terms": [{
            "text": t.text, "start": t.start, "end": t.end,
            "equivalents": {code: [{"id": e["id"], "headword": e["headword"], "url": f"/e/{e['id']}",
                                    "audio": clips.get(e["id"], [])}
                                   for e in t.equivalents[code]] for code in glossary.targets},
            "gaps": t.gaps,
            **({"parts": [{"text": part.text, "equivalents": {
                code: [{"id": e["id"], "headword": e["headword"], "url": f"/e/{e['id']}"}
                       for e in part.equivalents[code]] for code in glossary.targets}}
                for part in t.parts]} if t.parts else {}),
        } for t in glossary.terms],
        "gaps": glossary.gaps,
    }
