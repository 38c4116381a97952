"""The entry model.

An entry is a headword in one language as its source wrote it (NFC), with its variants, senses
and provenance.  Glosses are keyed by ISO 639-3 code (``vie``, ``eng``, …).  Whatever a source
holds that has no place here is kept in ``extra`` — never dropped.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Status(StrEnum):
    """Where an entry stands in review.  The public sees an entry's published revision only."""

    draft = "draft"  # being written; seen by the accounts of its language
    review = "review"  # sent to the editors
    published = "published"  # approved: what the public reads
    retired = "retired"  # withdrawn from the public; its history stays


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Example(_Strict):
    text: str
    translations: dict[str, str] = Field(default_factory=dict)
    source: str | None = None


class Sense(_Strict):
    glosses: dict[str, list[str]] = Field(default_factory=dict)
    definitions: dict[str, str] = Field(default_factory=dict)
    examples: list[Example] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    pos: str | None = None
    notes: list[str] = Field(default_factory=list)
    location: str | None = None  # file:line or element path of the row this sense came from
    extra: dict[str, Any] = Field(default_factory=dict)


class MediaRef(_Strict):
    """A pronunciation recording named by the source (a LIFT ``<media href>``)."""

    href: str
    label: str | None = None
    form: str | None = None


class Provenance(_Strict):
    dataset: str
    citation: str | None = None
    licence: str | None = None
    source_file: str | None = None
    location: str | None = None


class Entry(_Strict):
    id: str
    language: str
    headword: str
    variants: list[str] = Field(default_factory=list)
    pos: str | None = None
    ipa: str | None = None
    senses: list[Sense] = Field(default_factory=list)
    pronunciations: list[MediaRef] = Field(default_factory=list)
    provenance: Provenance
    status: Status = Status.draft
    # the decision or standard that fixed the term (a ministry decision's number and date)
    authority: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


def entry_id(language: str, dataset: str, key: str) -> str:
    """A stable id: the same source record gets the same id on every import, so URLs last."""
    digest = hashlib.blake2b(f"{dataset}\x1f{language}\x1f{key}".encode(), digest_size=6)
    return f"{language}-{digest.hexdigest()}"


def meanings(body: dict[str, Any]) -> int:
    """How many meanings an entry (as a stored dict) gives: each sense counts as many as the
    glosses it lists in its best-glossed language, and at least one.  A word glossed by a
    hundred meanings is rarely the one an official is looking for by one of them."""
    total = 0
    for sense in body.get("senses") or ():
        glosses = sense.get("glosses") or {}
        total += max((len(g) for g in glosses.values()), default=1) or 1
    return total
