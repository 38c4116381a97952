"""Searches and completions: the results, how each matched, and their recordings."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dictionary.public import entry_public, match_public
from dictionary.search.service import Hit

from .audio import ClipPublic
from .common import _Public
from .entries import EntryPublic


class MatchPublic(_Public):
    field: Literal["headword", "variant", "gloss", "romanized"]
    tier: Literal["exact", "tone", "fold", "decoded", "prefix", "words", "fuzzy"]
    decoded: str | None = Field(None, description="how a Telex/VNI-typed query was read, when that matched")
    distance: int
    text: str
    language: str | None = Field(None, description="the gloss's language, for a gloss match")
    exact: bool = Field(description="the text is the query as typed: the same letters and diacritics "
                                    "(tone marks placed either way); for a query typed without diacritics, "
                                    "any; or a Telex/VNI reading of the query")


class ResultPublic(EntryPublic):
    match: MatchPublic
    audio: list[ClipPublic]


class QueryEcho(_Public):
    q: str
    from_: str | None = Field(alias="from")
    to: str | None
    limit: int
    offset: int


class SearchPublic(_Public):
    query: QueryEcho
    total: int
    exact_matches: int = Field(description="how many of the total match the query as typed (see match.exact); "
                                           "they come first. Like total, counted among the closest matches "
                                           "looked at for this page (at least 40, four times offset+limit)")
    did_you_mean: list[str] = Field(description="when exact_matches is 0: up to 3 words of the dictionary "
                                                "the query most likely meant, nearest first")
    results: list[ResultPublic]
    stale: bool | None = Field(None, description="true when the search index is behind the dictionary's "
                                                 "store: recent changes may be missing (also the "
                                                 "X-Index-Stale header)")


class SuggestionItem(_Public):
    text: str
    language: str = Field(description="the language the text is in (ISO 639-3)")
    language_name: str
    meaning: str | None = Field(None, description="a headword's first Vietnamese glosses, or the word a gloss "
                                                  "translates, with its language")


class SuggestPublic(_Public):
    suggestions: list[str]
    items: list[SuggestionItem] = Field(description="the same completions, each with its language and meaning")


def hit_public(hit: Hit, clips: list[dict]) -> dict:
    out = entry_public(hit.entry)
    out["match"] = match_public(hit.match)
    out["audio"] = clips
    return out
