"""One JSON error shape for every error, made here and nowhere else.

``{"error": {"status": 422, "code": "invalid_query", "message": "…"}}`` — ``message`` is a
sentence a person can act on, in Vietnamese.  Domain exceptions map to statuses in one table.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from dictionary.errors import (
    AudioNotFound,
    AudioRejected,
    AudioTooLarge,
    BackendUnavailable,
    DictionaryError,
    EntryNotFound,
    ImportRejected,
    IndexMissing,
    InvalidQuery,
    InvalidRecording,
    KeyMissing,
    KeyRefused,
    NoAudio,
    SpeechUnavailable,
    UnknownLanguage,
)

from .responses import JSON

log = logging.getLogger("tudien.api")

# Domain exception → (HTTP status, machine-readable code).  Most specific first.
STATUS_OF: tuple[tuple[type[DictionaryError], int, str], ...] = (
    (EntryNotFound, 404, "not_found"),
    (AudioNotFound, 404, "audio_not_found"),
    (NoAudio, 404, "no_audio"),
    (KeyMissing, 401, "api_key_required"),
    (KeyRefused, 403, "api_key_refused"),
    (AudioTooLarge, 413, "audio_too_large"),
    (AudioRejected, 415, "audio_rejected"),
    (InvalidRecording, 422, "invalid_recording"),
    (SpeechUnavailable, 503, "speech_unavailable"),
    (UnknownLanguage, 422, "unknown_language"),
    (InvalidQuery, 422, "invalid_query"),
    (ImportRejected, 422, "import_rejected"),
    (IndexMissing, 503, "index_missing"),
    (BackendUnavailable, 503, "backend_unavailable"),
    (DictionaryError, 400, "bad_request"),
)

_HTTP_MESSAGES = {
    404: "Không có trang hay tài nguyên này. Xem danh sách API ở /docs.",
    405: "Phương thức HTTP này không được hỗ trợ ở đây. Xem /docs.",
    411: "Hãy gửi kèm tiêu đề Content-Length khi tải tệp lên.",
}

_PARAM_HINTS = {
    "limit": "limit phải là số nguyên từ 1 đến 100.",
    "offset": "offset phải là số nguyên từ 0 đến 1000.",
    "q": "Thiếu tham số q: hãy cho biết từ cần tra, ví dụ ?q=cây.",
}


def error_body(status: int, code: str, message: str, **extra) -> dict:
    return {"error": {"status": status, "code": code, "message": message, **extra}}


def error_response(status: int, code: str, message: str, **extra) -> JSON:
    return JSON(error_body(status, code, message, **extra), status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(DictionaryError)
    async def domain_error(request: Request, exc: DictionaryError):
        for cls, status, code in STATUS_OF:
            if isinstance(exc, cls):
                return error_response(status, code, str(exc))
        raise AssertionError("DictionaryError is in the table")  # pragma: no cover

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        messages = []
        for err in exc.errors():
            loc = [str(part) for part in err.get("loc", ()) if part not in ("query", "path", "body")]
            name = loc[-1] if loc else ""
            messages.append(_PARAM_HINTS.get(name) or f"Tham số {name or 'yêu cầu'} không hợp lệ: {err.get('msg')}.")
        message = " ".join(dict.fromkeys(messages)) or "Yêu cầu không hợp lệ."
        return error_response(422, "invalid_parameter", message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = _HTTP_MESSAGES.get(exc.status_code) or str(exc.detail)
        return error_response(exc.status_code, "http_error", message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return error_response(500, "internal_error", "Lỗi máy chủ ngoài dự kiến; xin thử lại sau.")
