"""The pronunciation library: recordings and synthetic clips, their catalogue and their files.

The catalogue lives in the canonical store beside the entries (its table is the store's); the
bytes live in a :class:`BlobStore` under the data directory.  A clip has an original (kept unchanged) and a
playback copy (mono MP3 at one loudness).  Recordings come first wherever clips are listed; a
synthetic clip is offered only where no one has recorded the word.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dictionary import languages
from dictionary.audio import matching
from dictionary.audio.blobs import BlobStore
from dictionary.audio.offline import write_pack
from dictionary.audio.recording import ImportReport, Limits, RecordingInfo
from dictionary.errors import (
    AudioNotFound,
    AudioRejected,
    AudioTooLarge,
    Forbidden,
    InvalidQuery,
    NoAudio,
    SpeechUnavailable,
)
from dictionary.public import clip_view
from dictionary.storage.audit import Record
from dictionary.storage.clips import Clips
from dictionary.storage.entries import Entries
from dictionary.storage.feed import Feed
from dictionary.text.normalize import canonical

if TYPE_CHECKING:
    from dictionary.audio import media
from dictionary.audio.synth import MAX_SPEAK_CHARS, SPEAKABLE, Synthesiser, SynthesisFailed, Voice

PLAYBACK_TYPE = "audio/mpeg"  # media.PLAYBACK_TYPE, without loading FFmpeg to know it




def _media():
    """The FFmpeg-backed module, loaded on first use: a server that only reads clips never needs it."""
    from dictionary.audio import media

    return media



def _digest(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()


def _pending_view(voice: Voice, approximate: bool) -> dict:
    """A synthetic clip not made yet (``id`` None): the entry's pronunciation makes it on first play."""
    return {
        "id": None, "kind": "synthetic",
        "speaker": None, "sex": None, "dialect": None, "licence": None, "attribution": None,
        "recorded_on": None, "engine": voice.engine, "voice": voice.voice, "approximate": approximate,
        "duration_ms": None, "content_type": PLAYBACK_TYPE,
    }


class AudioLibrary:
    """Recordings and synthetic clips.  A change of the catalogue is audited in its transaction
    when it names an ``actor``."""

    def __init__(self, clips: Clips, entries: Entries, feed: Feed, root: Path, synthesiser: Synthesiser,
                 limits: Limits | None = None, public_changed: Callable[[], None] | None = None) -> None:
        self.clips, self.entries, self.feed = clips, entries, feed
        # called when a recording of a published entry came or went (the index follows the feed)
        self.public_changed = public_changed or (lambda: None)
        self.blobs = BlobStore(Path(root) / "blobs")
        self.synth = synthesiser
        self.limits = limits or Limits()
        # striped: a word is synthesised once even when asked for twice at the same moment, and
        # arbitrary /v1/speak texts cannot grow a table of locks
        self._locks = [threading.Lock() for _ in range(64)]

    # -- reading ---------------------------------------------------------------------------------
    def get(self, clip_id: str) -> dict:
        row = self.clips.clips([clip_id]).get(clip_id)
        if row is None:
            raise AudioNotFound(clip_id)
        return row

    def file(self, clip_id: str, original: bool = False) -> tuple[Path, str, str]:
        """(path, content type, sha) of a clip's playback copy or original."""
        row = self.get(clip_id)
        sha = row["original_sha"] if original else row["playback_sha"]
        kind = row["original_type"] if original else row["playback_type"]
        path = self.blobs.path(sha)
        if not path.is_file():
            raise AudioNotFound(clip_id)
        return path, kind, sha

    def recordings(self, entry_ids: list[str]) -> dict[str, list[dict]]:
        return self.clips.recordings(entry_ids)

    def recording_ids(self, language: str) -> list[str]:
        """The ids of the recordings of ``language``'s published entries, sorted (what its pack holds)."""
        return self.clips.recording_ids(language)

    def offline_pack(self, language: str, path: Path) -> dict | None:
        """Write the recordings of ``language``'s published entries to ``path``, a SQLite file
        for offline use, each as compact mono Opus (synthetic speech is never in it: it is made
        on demand); None, and no file, when the language has no recording.  Each clip's Opus
        copy is made once and kept beside its playback copy."""
        version, rows = self.clips.public_recordings(language)
        if not rows:
            return None
        return write_pack(path, language, version, self.feed.store_id, rows, self._offline_copy)

    def _offline_copy(self, playback_sha: str) -> bytes:
        cached = self.blobs.root.parent / "offline" / f"{playback_sha}.opus"
        if cached.is_file():
            return cached.read_bytes()
        data = _media().offline_copy(self.blobs.path(playback_sha).read_bytes())
        cached.parent.mkdir(parents=True, exist_ok=True)
        staged = cached.with_suffix(f".{threading.get_ident()}.tmp")
        staged.write_bytes(data)
        staged.replace(cached)
        return data

    @staticmethod
    def synthetic_id(voice: Voice, text: str) -> str:
        return "s" + _digest(voice.engine, voice.voice, text)

    def clips_for(self, entries: list[dict]) -> dict[str, list[dict]]:
        """Public clip lists for entries (raw dicts with id, language, headword): recordings, or
        else the synthetic clip (made already, or made when first played)."""
        ids = [e["id"] for e in entries]
        recorded = self.recordings(ids)
        out = {i: [clip_view(r) for r in recorded.get(i, ())] for i in ids}
        plans = {}
        for e in entries:
            if not out[e["id"]]:
                plan = self.synth.plan(e["language"], e["headword"])
                if plan.voices:
                    plans[e["id"]] = (plan, [self.synthetic_id(v, e["headword"]) for v in plan.voices])
        cached = self.clips.clips([cid for _, cids in plans.values() for cid in cids])
        for entry_id, (plan, cids) in plans.items():
            hit = next((cached[c] for c in cids if c in cached), None)
            if hit:
                out[entry_id] = [clip_view(hit)]
            elif ready := [v for v in plan.voices if not self.synth.resting(v.engine)]:
                # offered only while some engine of the chain is not resting after a failure
                out[entry_id] = [_pending_view(ready[0], plan.approximate)]
        return out

    def resting_voices(self, entries: list[dict]) -> set[str]:
        """The ids of ``entries`` that have a synthetic voice but whose every engine is resting
        after a failure (:meth:`clips_for` offers them no clip until one is ready again)."""
        out = set()
        for e in entries:
            plan = self.synth.plan(e["language"], e["headword"])
            if plan.voices and all(self.synth.resting(v.engine) for v in plan.voices):
                out.add(e["id"])
        return out

    # -- recordings ------------------------------------------------------------------------------
    def entry_language(self, entry_id: str) -> str:
        """The language of an entry recordings may be added to (a draft too); EntryNotFound."""
        return self.entries.state(entry_id).language

    def add_recording(self, entry_id: str, data: bytes, info: RecordingInfo, source: str = "upload", *,
                      actor: str | None = None, client: str | None = None, review: str = "accepted",
                      speaker_id: int | None = None) -> tuple[dict, bool]:
        """Store a recording for an entry; returns (clip, created).  The same file for the same
        entry is stored once.  With ``actor``, a new clip is audited (``audio.upload``).  A
        campaign's recording is added ``pending`` (not public until it is accepted), naming its
        speaker's profile."""
        entry = self.entries.state(entry_id)  # EntryNotFound; a draft takes recordings too
        decoded = self._check(data)
        original_sha = hashlib.sha256(data).hexdigest()
        clip_id = "r" + _digest(entry_id, original_sha)
        existing = self.clips.clips([clip_id])
        if clip_id in existing:
            return clip_view(existing[clip_id]), False
        playback = _media().playback_copy(decoded)
        self.blobs.put(data)
        playback_sha = self.blobs.put(playback.data)
        try:
            self._insert({
                "id": clip_id, "kind": "recording", "entry_id": entry_id, "language": entry.language,
                "text": entry.body["headword"], "speaker": info.speaker, "sex": info.sex, "dialect": info.dialect,
                "licence": info.licence, "attribution": info.attribution, "recorded_on": info.recorded_on,
                "engine": None, "voice": None, "approximate": 0,
                "original_sha": original_sha, "original_type": decoded.content_type, "original_bytes": len(data),
                "playback_sha": playback_sha, "playback_type": playback.content_type,
                "playback_bytes": len(playback.data), "duration_ms": playback.duration_ms,
                "sample_rate": decoded.sample_rate, "channels": decoded.channels,
                "source_lufs": playback.source_lufs, "source": source, "review": review, "speaker_id": speaker_id,
            }, None if actor is None else Record(actor, "audio.upload", clip_id, client, {
                "entry": entry_id, "speaker": info.speaker, "licence": info.licence,
                **({"review": review, "speaker_id": speaker_id} if speaker_id is not None else {})}))
        except Forbidden:  # the speaker withdrew meanwhile: the files they sent go with the take
            self._drop_unused({original_sha, playback_sha})
            raise
        return clip_view(self.get(clip_id)), True

    def _check(self, data: bytes) -> media.Decoded:
        if len(data) > self.limits.max_bytes:
            raise AudioTooLarge(len(data), self.limits.max_bytes)
        return _media().decode(data, max_seconds=self.limits.max_seconds)

    def _insert(self, row: dict, audited: Record | None = None) -> None:
        if self.clips.add_clip(row, audited=audited):
            self.public_changed()

    def delete(self, clip_id: str, *, actor: str | None = None, client: str | None = None) -> dict:
        """Remove a clip and the files no other clip uses; with ``actor``, audited (``audio.delete``)."""
        self.get(clip_id)  # AudioNotFound
        audited = None if actor is None else Record(actor, "audio.delete", clip_id, client)
        return {"id": clip_id, "files_removed": self._remove([clip_id], audited)}

    def _remove(self, clip_ids: list[str], audited: Record | None = None) -> int:
        """Remove clips and the files no other clip uses; returns how many files went."""
        rows = self.clips.clips(clip_ids)
        if self.clips.delete_clips(clip_ids, audited=audited):
            self.public_changed()
        return self._drop_unused({sha for row in rows.values() for sha in (row["original_sha"], row["playback_sha"])})

    def _drop_unused(self, files: set[str]) -> int:  # the files no clip uses go; how many went
        return sum(1 for sha in files - self._used_blobs() if self.blobs.delete(sha))

    def _oldest_synthetic_beyond(self, budget: int) -> list[str]:
        """The synthetic clips that do not fit in ``budget`` bytes once every newer one is counted."""
        total, beyond = 0, []
        for clip_id, size in self.clips.synthetic_sizes():  # newest first
            total += size
            if total > budget:
                beyond.append(clip_id)
        return beyond

    def _used_blobs(self) -> set[str]:
        used: set[str] = set()
        for _, a, b in self.clips.clip_files():
            used.update((a, b))
        return used

    # -- synthesis -------------------------------------------------------------------------------
    def _lock(self, key: str) -> threading.Lock:
        return self._locks[int(_digest(key)[:8], 16) % len(self._locks)]

    def synthesise(self, language: str, text: str) -> dict:
        """The synthetic clip for ``text`` in ``language``: from the cache, or made now."""
        languages.get(language)  # UnknownLanguage
        text = canonical(text)
        if not re.search(SPEAKABLE, text):  # a headword of punctuation only
            raise NoAudio(f"“{text}” không có chữ nào để đọc.")
        plan = self.synth.plan(language, text)
        if not plan.voices:
            name = languages.get(language).name_vi or languages.get(language).name_en
            raise NoAudio(f"Không có âm thanh cho “{text}” ({name}): {plan.reason}.")
        ids = [self.synthetic_id(v, text) for v in plan.voices]
        with self._lock(f"{language}\x1f{text}"):
            cached = self.clips.clips(ids)
            hit = next((cached[c] for c in ids if c in cached), None)
            if hit:
                return clip_view(hit)

            def accept(voice: Voice, data: bytes) -> str:
                try:
                    decoded = _media().decode(data, max_seconds=self.limits.max_seconds * 4)
                except AudioRejected as exc:
                    raise SynthesisFailed(f"unusable audio: {exc}", engine_fault=False) from None
                playback = _media().playback_copy(decoded)
                sha = self.blobs.put(playback.data)
                clip_id = self.synthetic_id(voice, text)
                self._insert({
                    "id": clip_id, "kind": "synthetic", "entry_id": None, "language": language,
                    "text": text, "engine": voice.engine, "voice": voice.voice,
                    "approximate": int(voice.language != language),
                    # the engine's answer is not kept: the playback copy is the clip
                    "original_sha": sha, "original_type": playback.content_type,
                    "original_bytes": len(playback.data), "playback_sha": sha,
                    "playback_type": playback.content_type, "playback_bytes": len(playback.data),
                    "duration_ms": playback.duration_ms, "sample_rate": decoded.sample_rate,
                    "channels": decoded.channels, "source_lufs": playback.source_lufs,
                    "source": "synthesis",
                })
                return clip_id

            try:
                _, clip_id = self.synth.run(plan.voices, text, accept)
                self._keep_synthetic_within_budget(keep=clip_id)
            except SynthesisFailed as exc:
                if not exc.engine_fault:
                    raise InvalidQuery(f"Giọng đọc máy không đọc được “{text}” thành tiếng ({exc}).") from None
                raise SpeechUnavailable(
                    f"Chưa tạo được giọng đọc máy cho “{text}” lúc này ({exc}); xin thử lại sau."
                ) from None
        return clip_view(self.get(clip_id))

    def _keep_synthetic_within_budget(self, keep: str) -> None:
        """Drop the oldest synthetic clips beyond the budget (they are made again on demand), so
        that /v1/speak with ever new text cannot fill the disk."""
        if self.clips.synthetic_total() <= self.limits.synthetic_bytes:
            return
        self._remove([c for c in self._oldest_synthetic_beyond(self.limits.synthetic_bytes) if c != keep])

    def pronunciation(self, entry: dict) -> dict:
        """The best clip for an entry (as its reader sees it): its first recording, or else
        synthetic speech."""
        recorded = self.recordings([entry["id"]]).get(entry["id"])
        if recorded:
            return clip_view(recorded[0])
        return self.synthesise(entry["language"], entry["headword"])

    @staticmethod
    def check_text(text: str | None) -> str:
        """Text for /v1/speak, canonical; InvalidQuery saying what to change when it cannot be spoken."""
        if not text or not text.strip():
            raise InvalidQuery("Thiếu tham số text: hãy cho biết từ hay câu cần đọc, ví dụ ?text=xin chào&lang=vie.")
        if len(text) > MAX_SPEAK_CHARS:
            raise InvalidQuery(f"Văn bản cần đọc dài {len(text)} ký tự; tối đa {MAX_SPEAK_CHARS}.")
        text = canonical(text)
        if not re.search(SPEAKABLE, text):
            raise InvalidQuery(
                "Văn bản cần đọc không có chữ nào (chỉ có dấu câu, khoảng trắng hay ký tự điều khiển): "
                "hãy gửi một từ hay câu, ví dụ ?text=xin chào&lang=vie."
            )
        return text

    def speak(self, text: str | None, language: str | None) -> dict:
        return self.synthesise(language or languages.VIETNAMESE, self.check_text(text))

    # -- bulk import -----------------------------------------------------------------------------
    def import_files(self, pairs: list[tuple[str, Path]], info: RecordingInfo, *, source: str,
                     dry_run: bool = False, actor: str | None = None) -> ImportReport:
        """(entry id, file) pairs, all or nothing: every file is checked before any is stored.
        Files are decoded again when stored rather than kept decoded: a folder of recordings
        held as samples would not fit in memory."""
        report = ImportReport()
        checked = []
        for entry_id, path in pairs:
            try:
                data = path.read_bytes()
                self._check(data)
            except OSError as exc:
                report.problems.append(f"{path}: không đọc được tệp ({exc.strerror})")
                continue
            except AudioRejected as exc:
                report.problems.append(f"{path}: {exc}")
                continue
            checked.append((entry_id, data))
        if report.problems or dry_run:
            return report
        for entry_id, data in checked:
            _, created = self.add_recording(entry_id, data, info, source=source, actor=actor)
            if created:
                report.added += 1
            else:
                report.unchanged += 1
        return report

    def match_folder(self, folder: Path, language: str) -> tuple[list[tuple[str, Path]], list[str]]:
        """Files named by headword → entries of ``language`` (:func:`matching.match_folder`)."""
        return matching.match_folder(self.entries, folder, language)

    def match_lift_media(self, folder: Path, dataset: str) -> tuple[list[tuple[str, Path]], list[str]]:
        """A LIFT file's pronunciation media → files (:func:`matching.match_lift_media`)."""
        return matching.match_lift_media(self.entries, folder, dataset)

    # -- housekeeping ----------------------------------------------------------------------------
    def gc(self, *, dry_run: bool = False, synthetic_budget: int | None = None) -> dict:
        """Recordings of entries that no longer exist, files no clip uses, stray temporary files:
        reported, and removed unless ``dry_run``.  With ``synthetic_budget`` (bytes), the oldest
        synthetic clips go too until the rest fit: they are a cache, made again on demand, and
        /v1/speak would otherwise let arbitrary text fill the disk."""
        orphans = self.clips.orphan_recordings()
        evicted = self._oldest_synthetic_beyond(synthetic_budget) if synthetic_budget is not None else []
        orphans |= set(evicted)
        used: set[str] = set()
        missing = []
        for clip_id, original, playback in self.clips.clip_files():
            if clip_id in orphans:
                continue
            used.update((original, playback))
            if not self.blobs.exists(playback) or not self.blobs.exists(original):
                missing.append(clip_id)
        unused = [sha for sha in self.blobs if sha not in used]
        strays = self.blobs.strays()
        if not dry_run:
            self.clips.delete_clips(orphans)
            for sha in unused:
                self.blobs.delete(sha)
            for path in strays:
                if path.is_file():
                    path.unlink()
        return {"orphan_clips": sorted(orphans - set(evicted)), "evicted_synthetic": evicted,
                "unused_files": unused,
                "stray_files": [str(p) for p in strays], "missing_files": missing, "removed": not dry_run}
