"""Audio routes: upload a recording, stream a clip (with ranges), the best pronunciation of an
entry, synthetic speech for short text.  Reads are public; writes need an API key."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from dictionary.audio.library import RecordingInfo
from dictionary.audio.synth import MAX_SPEAK_CHARS, SPEAKABLE
from dictionary.editorial.accounts import Role
from dictionary.errors import AudioNotFound, AudioTooLarge, EntryNotFound, InvalidRecording
from dictionary.public import clip_public

from ..deps import VARY, ActorDep, AudioDep, CampaignsDep, EditingDep, ReaderDep, client_of
from ..errors import LENGTH_REQUIRED, HTTPProblem
from ..files import file_answer
from ..ratelimit import limited
from ..responses import JSON
from ..schemas.audio import (
    DeletedPublic,
    EntryAudioPublic,
    PronunciationPublic,
    SpeechPublic,
    UploadPublic,
    clips_public,
)
from ..schemas.common import errors

router = APIRouter(tags=["âm thanh"], responses=errors(422))

CACHE_CONTROL = "public, max-age=604800"  # synthetic speech: made again from its text, never withdrawn
# a recording may be deleted, or its entry retired: a cache keeps it ten minutes, then asks again
# (a 304 with its ETag)
RECORDING_CACHE = "public, max-age=600"
MULTIPART_OVERHEAD = 64 * 1024  # the form's other fields and boundaries, beyond the file itself
_FIELDS = ("speaker", "licence", "sex", "dialect", "attribution", "recorded_on")
_CAMPAIGN_FIELDS = ("campaign", "take", "speaker_id")  # a recording campaign's take

_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "required": ["file", "speaker", "licence"],
            "properties": {
                "file": {"type": "string", "format": "binary",
                         "description": "WAV, MP3, OGG/Opus, M4A hoặc WebM (nhận theo nội dung tệp)"},
                "speaker": {"type": "string", "description": "tên hoặc mã người đọc"},
                "licence": {"type": "string", "description": "giấy phép, ví dụ CC BY 4.0"},
                "sex": {"type": "string", "description": "nam, nữ hoặc khác"},
                "dialect": {"type": "string", "description": "phương ngữ hoặc địa phương"},
                "attribution": {"type": "string", "description": "ghi công"},
                "recorded_on": {"type": "string", "format": "date", "description": "ngày ghi âm"},
                "campaign": {"type": "integer", "description": "đợt ghi âm: người đọc, giấy phép… lấy từ hồ sơ "
                             "người đọc; bản ghi chờ duyệt"},
                "take": {"type": "string", "description": "với campaign: mã lần ghi do trình duyệt tạo; gửi lại "
                         "cùng mã không tạo bản ghi thứ hai"},
                "speaker_id": {"type": "integer", "description": "với campaign: người đọc mà biên tập viên ghi thay"},
            },
        }}},
    }
}


@router.post("/v1/entries/{entry_id}/audio", status_code=201, openapi_extra=_UPLOAD_DOC,
             response_model=UploadPublic,
             responses={200: {"model": UploadPublic, "description": "already stored"},
                        **errors(400, 401, 403, 404, 411, 413, 415, 422)})
async def upload(request: Request, entry_id: str, audio: AudioDep, editing: EditingDep, campaigns: CampaignsDep,
                 actor: ActorDep):
    """Upload a recording of an entry by a native speaker (a contributor of the entry's language,
    or an API key).  With ``campaign`` and ``take``, a take of a recording campaign: its details
    come from the speaker's profile and consent, it waits for review, and the same ``take`` sent
    again answers the recording kept the first time (200)."""
    # 404 before reading a large body, also for a draft the actor may not see (drafts take
    # recordings too)
    entry = editing.visible(entry_id, actor)
    actor.require(Role.contributor, entry.language)
    length = request.headers.get("content-length")
    if length is None or not (length.isascii() and length.isdecimal()):
        raise HTTPProblem(411, "length_required", LENGTH_REQUIRED)
    if int(length) > audio.limits.max_bytes + MULTIPART_OVERHEAD:
        raise AudioTooLarge(int(length), audio.limits.max_bytes)
    try:
        form = await request.form(max_files=1, max_fields=len(_FIELDS) + len(_CAMPAIGN_FIELDS))
    except Exception as exc:  # multipart parser: malformed body, too many parts
        raise HTTPProblem(400, "bad_form", f"Không đọc được biểu mẫu multipart: {exc}.") from None
    try:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InvalidRecording("Thiếu trường file: tệp âm thanh cần tải lên.")
        data = await upload.read(audio.limits.max_bytes + 1)
        fields: dict[str, str | None] = {}
        for name in (*_FIELDS, *_CAMPAIGN_FIELDS):
            value = form.get(name)
            fields[name] = value if isinstance(value, str) else None
    finally:
        await form.close()
    if campaign := fields["campaign"]:
        number, speaker_id = _number(campaign, "campaign"), fields["speaker_id"]
        clip, created = await run_in_threadpool(partial(
            campaigns.record, actor, number, entry_id, data, fields["take"] or "",
            None if not speaker_id else _number(speaker_id, "speaker_id"), client_of(request)))
        return JSON({"clip": clip_public(clip), "created": created},
                    status_code=201 if created else 200)
    info = RecordingInfo.checked(**{name: fields[name] for name in _FIELDS})
    clip, created = await run_in_threadpool(partial(audio.add_recording, entry_id, data, info, actor=actor.name,
                                                    client=client_of(request)))
    return JSON({"clip": clip_public(clip), "created": created}, status_code=201 if created else 200)


def _number(value: str, name: str) -> int:
    value = value.strip()  # "²".isdigit(), yet int("²") fails; past 2**62 the store cannot hold it
    if not (value.isascii() and value.isdecimal()) or not 1 <= int(value) <= 2**62:
        raise InvalidRecording(f"Trường {name} phải là một số.")
    return int(value)


@router.get("/v1/entries/{entry_id}/audio", response_model=EntryAudioPublic, responses=errors(401, 404))
async def entry_audio(entry_id: str, audio: AudioDep, editing: EditingDep, reader: ReaderDep):
    """Every clip of an entry, recordings first (of an entry the reader may see)."""
    entry = editing.view(entry_id, reader).entry
    return JSON({"entry": entry_id, "audio": clips_public(audio.clips_for([entry]))[entry_id]}, headers=VARY)


@router.delete("/v1/audio/{clip_id}", response_model=DeletedPublic, responses=errors(401, 403, 404))
async def delete_clip(request: Request, clip_id: str, audio: AudioDep, editing: EditingDep, actor: ActorDep):
    """Remove a clip and the files no other clip uses (an editor of the clip's language, or an API key)."""
    _visible_clip(audio, editing, clip_id, actor)
    actor.require(Role.editor, audio.get(clip_id)["language"])
    deleted = await run_in_threadpool(partial(audio.delete, clip_id, actor=actor.name, client=client_of(request)))
    return JSON(deleted)


def _visible_clip(audio, editing, clip_id: str, reader) -> dict:
    """The clip's catalogue row; AudioNotFound when it is a recording of an entry ``reader`` may
    not see, as for a clip that does not exist."""
    row = audio.get(clip_id)
    if row["kind"] == "recording" and row.get("entry_id"):
        try:
            editing.visible(row["entry_id"], reader)
        except EntryNotFound:
            raise AudioNotFound(clip_id) from None
    return row


_AUDIO_BODY = {"content": {"audio/mpeg": {"schema": {"type": "string", "format": "binary"}}},
               "description": "the clip (206 with Range)"}


@router.head("/v1/audio/{clip_id}", include_in_schema=False)
@router.get("/v1/audio/{clip_id}", response_class=FileResponse,
            responses={200: _AUDIO_BODY, 206: _AUDIO_BODY, 304: {"description": "not modified"},
                       **errors(404, 416)})
async def stream(clip_id: str, audio: AudioDep, editing: EditingDep, campaigns: CampaignsDep, reader: ReaderDep,
                 request: Request, original: bool = Query(False, description="tệp gốc thay vì bản phát")):
    """The clip's playback copy (or its original), with Range, ETag and caching headers.  A
    recording of an entry the reader may not see (never published, or retired) is 404, and so is
    a campaign's recording not accepted (yet) to anyone who may not review it."""
    row = _visible_clip(audio, editing, clip_id, reader)
    if row.get("review", "accepted") != "accepted":
        if not campaigns.may_review(reader, row) and not (reader and reader.may(Role.contributor, row["language"])):
            raise AudioNotFound(clip_id)
    path, content_type, sha = audio.file(clip_id, original)
    extension = {"audio/mpeg": "mp3", "audio/wav": "wav", "audio/ogg": "ogg", "audio/mp4": "m4a",
                 "audio/webm": "webm"}.get(content_type, "bin")
    # an original is whatever was uploaded: a download, never shown inline
    cache = RECORDING_CACHE if row["kind"] == "recording" else CACHE_CONTROL
    return file_answer(request, path, f'"{sha}"', content_type, {"Cache-Control": cache, **VARY},
                       filename=f"{clip_id}{'-original' if original else ''}.{extension}",
                       content_disposition_type="attachment" if original else "inline")


_REDIRECT: dict[int | str, dict[str, Any]] = {307: {"description": "with play=1: to the audio file"}}


@router.get("/v1/entries/{entry_id}/pronunciation", response_model=PronunciationPublic,
            responses={**_REDIRECT, **errors(401, 404, 429, 503)}, dependencies=[Depends(limited("pronounce"))])
async def pronunciation(entry_id: str, audio: AudioDep, editing: EditingDep, reader: ReaderDep,
                        play: bool = Query(False, description="chuyển thẳng tới tệp âm thanh (307)")):
    """The best clip of an entry: a recording, else synthetic speech made on first use (404
    ``no_audio`` when no one has recorded it and no voice reads its language right)."""
    entry = editing.view(entry_id, reader).entry
    clip = clip_public(await run_in_threadpool(audio.pronunciation, entry))
    if play:
        return RedirectResponse(clip["url"], status_code=307, headers=VARY)
    return JSON({"entry": entry_id, "clip": clip}, headers=VARY)


@router.get("/v1/speak", response_model=SpeechPublic, responses={**_REDIRECT, **errors(404, 422, 429, 503)},
            dependencies=[Depends(limited("speak"))])
async def speak(audio: AudioDep,
                text: str = Query(description=f"từ hay câu ngắn cần đọc (tối đa {MAX_SPEAK_CHARS} ký tự)",
                                  min_length=1, max_length=MAX_SPEAK_CHARS, pattern=SPEAKABLE),
                lang: str | None = Query(None, description="ngôn ngữ (ISO 639-3), mặc định vie"),
                play: bool = Query(False, description="chuyển thẳng tới tệp âm thanh (307)")):
    """Synthetic speech for short text, labelled with its engine and voice.

    Only for a language a voice reads right: its own voice, or a Vietnamese one where the language
    registry says it approximates the orthography (Vietnamese, Mường, Tày, Nùng). For any other
    language (Ba Na, H'Mông, Ê Đê…) the answer is 404 ``no_audio``, its message saying why in
    Vietnamese, whatever the text's spelling."""
    clip = clip_public(await run_in_threadpool(audio.speak, text, lang))
    if play:
        return RedirectResponse(clip["url"], status_code=307)
    return JSON({"text": text, "lang": lang or "vie", "clip": clip})
