"""Audio routes: upload a recording, stream a clip (with ranges), the best pronunciation of an
entry, synthetic speech for short text.  Reads are public; writes need an API key."""

from __future__ import annotations

import hmac
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dictionary.audio.library import AudioLibrary, RecordingInfo
from dictionary.errors import KeyMissing, KeyRefused

from .errors import error_response
from .responses import JSON

router = APIRouter()

CACHE_CONTROL = "public, max-age=604800"
_FIELDS = ("speaker", "licence", "sex", "dialect", "attribution", "recorded_on")


async def get_audio(request: Request) -> AudioLibrary:  # async: no worker-thread hop
    return request.app.state.audio


AudioDep = Annotated[AudioLibrary, Depends(get_audio)]


async def require_key(request: Request, x_api_key: Annotated[str | None, Header()] = None) -> None:
    keys: tuple[str, ...] = request.app.state.api_keys
    if not keys:
        raise KeyRefused(configured=False)
    if not x_api_key:
        raise KeyMissing()
    if not any(hmac.compare_digest(x_api_key.encode(), k.encode()) for k in keys):
        raise KeyRefused(configured=True)


KeyDep = Annotated[None, Depends(require_key)]

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
            },
        }}},
    }
}


@router.post("/v1/entries/{entry_id}/audio", response_class=JSON, status_code=201, openapi_extra=_UPLOAD_DOC)
async def upload(request: Request, entry_id: str, audio: AudioDep, _: KeyDep):
    """Upload a recording of an entry by a native speaker (needs X-API-Key)."""
    audio.store.get(entry_id)  # 404 before reading a large body
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        return error_response(411, "length_required", "Hãy gửi kèm tiêu đề Content-Length khi tải tệp lên.")
    if int(length) > audio.limits.max_bytes + 64 * 1024:
        return error_response(
            413, "audio_too_large",
            f"Tệp quá lớn ({int(length) / 1e6:.1f} MB); tối đa {audio.limits.max_bytes / 1e6:.0f} MB.")
    try:
        form = await request.form(max_files=1, max_fields=len(_FIELDS))
    except Exception as exc:  # multipart parser: malformed body, too many parts
        return error_response(400, "bad_form", f"Không đọc được biểu mẫu multipart: {exc}.")
    try:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return error_response(422, "invalid_recording", "Thiếu trường file: tệp âm thanh cần tải lên.")
        data = await upload.read(audio.limits.max_bytes + 1)
        fields = {name: (form.get(name) if isinstance(form.get(name), str) else None) for name in _FIELDS}
    finally:
        await form.close()
    info = RecordingInfo.checked(**fields)
    clip, created = await run_in_threadpool(audio.add_recording, entry_id, data, info)
    return JSON({"clip": clip, "created": created}, status_code=201 if created else 200)


@router.get("/v1/entries/{entry_id}/audio", response_class=JSON)
async def entry_audio(entry_id: str, audio: AudioDep):
    """Every clip of an entry, recordings first."""
    entry = audio.store.get(entry_id).model_dump(mode="json")
    return JSON({"entry": entry_id, "audio": audio.clips_for([entry])[entry_id]})


@router.delete("/v1/audio/{clip_id}", response_class=JSON)
async def delete_clip(clip_id: str, audio: AudioDep, _: KeyDep):
    """Remove a clip and the files no other clip uses (needs X-API-Key)."""
    return JSON(await run_in_threadpool(audio.delete, clip_id))


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def _range_problem(header: str, size: int) -> str | None:
    """Why a Range header cannot be served, or None (several ranges are left to the server)."""
    if not header.startswith("bytes="):
        return "chỉ hỗ trợ Range theo byte (bytes=…)"
    for part in header[6:].split(","):
        match = _RANGE.fullmatch("bytes=" + part.strip())
        if not match or match.groups() == ("", ""):
            return f"Range không hợp lệ: {header!r}"
        start, end = match.groups()
        if start and (int(start) >= size or (end and int(end) < int(start))):
            return f"đoạn {part.strip()} nằm ngoài tệp dài {size} byte"
        if not start and int(end) == 0:
            return "đoạn rỗng"
    return None


@router.head("/v1/audio/{clip_id}", include_in_schema=False)
@router.get("/v1/audio/{clip_id}", response_class=FileResponse)
async def stream(clip_id: str, audio: AudioDep, request: Request,
                 original: bool = Query(False, description="tệp gốc thay vì bản phát")):
    """The clip's playback copy (or its original), with Range, ETag and caching headers."""
    path, content_type, sha = audio.file(clip_id, original)
    etag = f'"{sha}"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Accept-Ranges": "bytes"}
    wanted = request.headers.get("if-none-match")
    if wanted and etag in [t.strip().removeprefix("W/") for t in wanted.split(",")] or wanted == "*":
        return Response(status_code=304, headers=headers)
    size = path.stat().st_size
    if (header := request.headers.get("range")) and (problem := _range_problem(header, size)):
        response = error_response(416, "range_not_satisfiable", f"Không phục vụ được đoạn yêu cầu: {problem}.")
        response.headers["Content-Range"] = f"bytes */{size}"
        return response
    extension = {"audio/mpeg": "mp3", "audio/wav": "wav", "audio/ogg": "ogg", "audio/mp4": "m4a",
                 "audio/webm": "webm"}.get(content_type, "bin")
    return FileResponse(path, media_type=content_type, headers=headers,
                        filename=f"{clip_id}{'-original' if original else ''}.{extension}",
                        content_disposition_type="inline")


@router.get("/v1/entries/{entry_id}/pronunciation", response_class=JSON)
async def pronunciation(entry_id: str, audio: AudioDep,
                        play: bool = Query(False, description="chuyển thẳng tới tệp âm thanh (307)")):
    """The best clip of an entry: a recording, else synthetic speech made on first use."""
    clip = await run_in_threadpool(audio.pronunciation, entry_id)
    if play:
        return RedirectResponse(clip["url"], status_code=307)
    return JSON({"entry": entry_id, "clip": clip})


@router.get("/v1/speak", response_class=JSON)
async def speak(audio: AudioDep,
                text: str | None = Query(None, description="từ hay câu ngắn cần đọc (tối đa 200 ký tự)"),
                lang: str | None = Query(None, description="ngôn ngữ (ISO 639-3), mặc định vie"),
                play: bool = Query(False, description="chuyển thẳng tới tệp âm thanh (307)")):
    """Synthetic speech for short text, labelled with its engine and voice."""
    clip = await run_in_threadpool(audio.speak, text, lang)
    if play:
        return RedirectResponse(clip["url"], status_code=307)
    return JSON({"text": text, "lang": lang or "vie", "clip": clip})

