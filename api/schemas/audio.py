"""Pronunciation clips: recordings and synthetic speech, their uploads and removals."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dictionary.public import clip_public

from .common import _Public


class ClipPublic(_Public):
    """A pronunciation clip: a native speaker's recording, or synthetic speech (labelled)."""

    id: str | None = Field(description="None: synthetic speech not made yet; its url makes it on first play")
    url: str
    kind: Literal["recording", "synthetic"]
    speaker: str | None = None
    sex: str | None = None
    dialect: str | None = None
    licence: str | None = None
    attribution: str | None = None
    recorded_on: str | None = None
    engine: str | None = Field(None, description="gtts or espeak-ng, for synthetic speech")
    voice: str | None = None
    approximate: bool = Field(description="a voice of another language reading this one")
    duration_ms: int | None = None
    content_type: str | None = None


class UploadPublic(_Public):
    clip: ClipPublic
    created: bool = Field(description="false: the same file was already stored for this entry")


class EntryAudioPublic(_Public):
    entry: str
    audio: list[ClipPublic]


class DeletedPublic(_Public):
    id: str
    files_removed: int


class PronunciationPublic(_Public):
    entry: str
    clip: ClipPublic


class SpeechPublic(_Public):
    text: str
    lang: str
    clip: ClipPublic


def clips_public(by_entry: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """``AudioLibrary.clips_for``'s answer with URLs."""
    return {entry_id: [clip_public(c, entry_id) for c in clips] for entry_id, clips in by_entry.items()}
