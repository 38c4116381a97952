"""Entries read whole and written as revisions: their bodies, their history, the moves of review."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from dictionary.model import Comment, EntryContent, SenseContent
from dictionary.public import entry_public, sense_public

from .audio import ClipPublic
from .common import _Public


class ExamplePublic(_Public):
    text: str
    translations: dict[str, str] = Field(default_factory=dict)
    source: str | None = None


class SensePublic(_Public):
    glosses: dict[str, list[str]] = Field(description="glosses by ISO 639-3 code")
    definitions: dict[str, str] | None = None
    examples: list[ExamplePublic] | None = None
    domains: list[str] | None = None
    pos: str | None = None
    notes: list[str] | None = None


class SenseDetail(SensePublic):
    location: str | None = Field(None, description="file:line or element path of the source row")
    extra: dict[str, Any] | None = Field(None, description="what the source held that has no field here")


class SourcePublic(_Public):
    dataset: str
    citation: str | None = None
    licence: str | None = None
    file: str | None = None
    location: str | None = None


class EntryPublic(_Public):
    id: str
    language: str
    language_name: str = Field(description="the language's name in Vietnamese (its English name where there is none)")
    variety: str | None = Field(None, description="the variety or dialect the source names, e.g. Mường [Hoa Binh]")
    headword: str
    variants: list[str]
    pos: str | None = None
    ipa: str | None = None
    senses: list[SensePublic]
    status: str
    authority: str | None = Field(None, description="the decision or standard that fixed the term")
    source: SourcePublic
    url: str


class MediaRefPublic(_Public):
    href: str
    label: str | None = None
    form: str | None = None


class EntryDetail(EntryPublic):
    senses: list[SenseDetail]  # type: ignore[assignment]  # an entry's page says more of each sense than a result
    pronunciations: list[MediaRefPublic]
    extra: dict[str, Any]
    audio: list[ClipPublic]
    revision: int = Field(description="the revision shown; its ETag is \"r<revision>\"")
    published_revision: int | None = Field(description="the revision the public reads (None: none)")
    pending: bool = Field(description="true: this revision waits for review; the public reads the published one")


# -- writing ------------------------------------------------------------------------------------------


# What GET /v1/entries/{id} answers besides the content (the service keeps it): a body read is
# accepted back whole, and these ignored.
READ_ONLY = frozenset(EntryDetail.model_fields) - frozenset(EntryContent.model_fields)
SENSE_READ_ONLY = frozenset(SenseDetail.model_fields) - frozenset(SenseContent.model_fields)


class EntryWrite(EntryContent):
    """An entry as a contributor writes it; the service keeps its id, source and recordings.  Its
    fields, limits and text rules are the domain's (:class:`dictionary.model.EntryContent`).  A
    body read with ``GET /v1/entries/{id}`` may be sent back as it is: what the service keeps
    itself (id, language_name, status, source, url, revision…, a sense's location) is ignored."""

    comment: Comment | None = Field(None, description="ghi chú cho người duyệt")

    @model_validator(mode="before")
    @classmethod
    def _without_read_only(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = {k: v for k, v in data.items() if k not in READ_ONLY}
        if isinstance(data.get("senses"), list):
            data["senses"] = [{k: v for k, v in s.items() if k not in SENSE_READ_ONLY} if isinstance(s, dict) else s
                              for s in data["senses"]]
        return data


class StatusWrite(_Public):
    status: Literal["draft", "review", "published", "retired"]
    comment: Comment | None = None


class RevertWrite(_Public):
    revision: int = Field(ge=1, le=2**31)
    comment: Comment | None = None


class RevisionPublic(_Public):
    revision: int
    author: str
    at: str
    status: str
    comment: str | None
    changes: list[str] = Field(description="what changed: field paths, or [\"created\"]")


class HistoryRevision(RevisionPublic):
    version: int = Field(description="the content version this revision shows: an edit makes a new one")
    move: bool = Field(description="a status move of the version before it (sent, published, retired): no new content")


class HistoryPublic(_Public):
    entry: str
    revisions: list[HistoryRevision]


class RevisionDetail(RevisionPublic):
    content: dict[str, Any] = Field(description="the entry as this revision had it")


def entry_detail(entry: dict, clips: list[dict], view=None) -> dict:
    """The whole entry; with ``view`` (an :class:`~dictionary.editorial.editing.EntryView`), its revision."""
    out = entry_public(entry)
    out["senses"] = [
        {**sense_public(s), **({"location": s["location"]} if s.get("location") else {}),
         **({"extra": s["extra"]} if s.get("extra") else {})}
        for s in entry.get("senses", ())
    ]
    out["pronunciations"] = entry.get("pronunciations", [])
    out["extra"] = entry.get("extra", {})
    out["audio"] = clips
    out["revision"] = view.revision if view is not None else 1
    out["published_revision"] = view.published_revision if view is not None else None
    out["pending"] = view.pending if view is not None else False
    return out
