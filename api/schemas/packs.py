"""Offline language packs and the change feed that keeps them current."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .audio import ClipPublic
from .common import _Public
from .entries import EntryPublic


class AudioPackPublic(_Public):
    url: str
    bytes: int
    sha256: str
    recordings: int
    content_type: str = Field(description="each recording's type: mono Opus in Ogg")


class PackPublic(_Public):
    language: str
    language_name: str
    entries: int
    version: int = Field(description="the change-feed position the pack reflects: ask /v1/changes?since= it")
    schema_: int = Field(alias="schema", description="the pack's schema version (dictionary/packs/packs.md)")
    store: str = Field(description="the store the version belongs to: another store's pack starts over")
    bytes: int = Field(description="the SQLite file")
    sha256: str = Field(description="of the SQLite file, as it is once decompressed")
    gzip_bytes: int = Field(description="on the wire, with Accept-Encoding: gzip")
    built_at: str
    url: str
    audio: AudioPackPublic | None = None


class PacksPublic(_Public):
    packs: list[PackPublic]


class PublishedEntry(EntryPublic):
    audio: list[ClipPublic] = Field(description="its recordings (synthetic speech is made on demand)")


class IndexRows(_Public):
    row: int = Field(description="the entry's row in the store (ties in the ranking are broken by it)")
    meanings: int | None = None
    keys: list[list[Any]] | None = Field(None, description="[field, gloss language or '', position, exact, tone, "
                                                         "fold] per key, in the index's order")


class ChangePublic(_Public):
    seq: int
    id: str
    language: str | None = Field(description="whose readers the change concerns (null: every language's)")
    op: Literal["upsert", "delete"]
    entry: PublishedEntry | None = None
    index: IndexRows | None = Field(None, description="with include=index: the rows an offline pack or another "
                                                    "index needs")


class ChangesPublic(_Public):
    changes: list[ChangePublic]
    next: int = Field(description="ask from here next")
    more: bool = Field(description="true: the limit cut the page; ask again from next at once")
    store: str
