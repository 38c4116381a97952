"""One JSON error shape for every error, made here and nowhere else.

``{"error": {"status": 422, "code": "invalid_query", "message": "…"}}`` — ``message`` is a
sentence a person can act on, in Vietnamese.  Routes raise: domain exceptions, which map to
statuses in one table, or :class:`HTTPProblem` for what only HTTP knows (a missing
Content-Length, an unreadable form, a range outside the file).
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
    Busy,
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
from dictionary.search import LIMIT_RULE, MISSING_QUERY, OFFSET_RULE

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
    (Busy, 503, "busy"),
    (DictionaryError, 400, "bad_request"),
)


class HTTPProblem(Exception):
    """An error only HTTP knows of, raised by a route and answered in the one shape."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


LENGTH_REQUIRED = "Hãy gửi kèm tiêu đề Content-Length khi tải tệp lên."
_HTTP_MESSAGES = {
    404: "Không có trang hay tài nguyên này. Xem danh sách API ở /docs.",
    405: "Phương thức HTTP này không được hỗ trợ ở đây. Xem /docs.",
    411: LENGTH_REQUIRED,
}

_PARAM_HINTS = {
    "limit": f"{LIMIT_RULE}.",
    "offset": f"{OFFSET_RULE}.",
    "q": MISSING_QUERY,
}


def error_body(status: int, code: str, message: str) -> dict:
    return {"error": {"status": status, "code": code, "message": message}}


def _answer(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSON:
    return JSON(error_body(status, code, message), status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(DictionaryError)
    async def domain_error(request: Request, exc: DictionaryError):
        for cls, status, code in STATUS_OF:
            if isinstance(exc, cls):
                retry = getattr(exc, "retry_after", None)
                return _answer(status, code, str(exc), {"Retry-After": str(retry)} if retry else None)
        raise AssertionError("DictionaryError is in the table")  # pragma: no cover

    @app.exception_handler(HTTPProblem)
    async def http_problem(request: Request, exc: HTTPProblem):
        return _answer(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        messages = []
        for err in exc.errors():
            loc = [str(part) for part in err.get("loc", ()) if part not in ("query", "path", "body")]
            name = loc[-1] if loc else ""
            messages.append(_PARAM_HINTS.get(name) or f"Tham số {name or 'yêu cầu'} không hợp lệ: {err.get('msg')}.")
        message = " ".join(dict.fromkeys(messages)) or "Yêu cầu không hợp lệ."
        return _answer(422, "invalid_parameter", message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = _HTTP_MESSAGES.get(exc.status_code) or str(exc.detail)
        return _answer(exc.status_code, "http_error", message, exc.headers)  # 405 keeps its Allow

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return _answer(500, "internal_error", "Lỗi máy chủ ngoài dự kiến; xin thử lại sau.")
