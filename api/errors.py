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
from starlette.routing import Match

from dictionary.audio.library import AudioLibrary
from dictionary.errors import (
    AccountExists,
    AccountNotFound,
    AudioNotFound,
    AudioRejected,
    AudioTooLarge,
    BackendUnavailable,
    Busy,
    DictionaryError,
    EntryNotFound,
    Forbidden,
    ImportRejected,
    IndexMissing,
    InvalidAccount,
    InvalidQuery,
    InvalidRecording,
    NoAudio,
    NotSignedIn,
    SpeechUnavailable,
    UnknownLanguage,
)
from dictionary.search import SearchService
from dictionary.translate import Translator

from .responses import JSON

log = logging.getLogger("tudien.api")

# Domain exception → (HTTP status, machine-readable code).  Most specific first.
STATUS_OF: tuple[tuple[type[DictionaryError], int, str], ...] = (
    (EntryNotFound, 404, "not_found"),
    (AudioNotFound, 404, "audio_not_found"),
    (NoAudio, 404, "no_audio"),
    (NotSignedIn, 401, "unauthenticated"),
    (Forbidden, 403, "forbidden"),
    (AccountExists, 409, "account_exists"),
    (AccountNotFound, 404, "account_not_found"),
    (InvalidAccount, 422, "invalid_account"),
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
    400: "Không đọc được nội dung yêu cầu: hãy gửi JSON hợp lệ, mã hoá UTF-8.",
    404: "Không có trang hay tài nguyên này. Xem danh sách API ở /docs.",
    405: "Phương thức HTTP này không được hỗ trợ ở đây. Xem /docs.",
    411: LENGTH_REQUIRED,
}

# A request the schema refuses is explained by the domain's own check of that field, so the
# message is the one the service gives for the same mistake: (where, name) -> check.
_DOMAIN_CHECKS = {
    ("query", "q"): SearchService.query_text,
    ("query", "limit"): lambda value: SearchService.check_page(value, 0),
    ("query", "offset"): lambda value: SearchService.check_page(1, value),
    ("query", "text"): AudioLibrary.check_text,
    ("body", "text"): Translator.check_text,
    ("body", "to"): Translator.check_target_count,
}
_MISSING = object()


def _explained(err: dict) -> tuple[str, str] | None:
    """(code, message) of the domain's check of the field ``err`` is about, if it has one."""
    loc = err.get("loc", ())
    check = _DOMAIN_CHECKS.get((loc[0], loc[1])) if len(loc) >= 2 else None
    if check is None:
        return None
    value = err.get("input", _MISSING)
    if err.get("type") == "missing" or value is _MISSING:
        value = None
    elif loc[1] in ("limit", "offset"):
        try:
            value = int(value)
        except (TypeError, ValueError):
            pass
    try:
        check(value)
    except DictionaryError as exc:
        return _code_of(exc)[1], str(exc)
    except (TypeError, AttributeError):  # a value of another type than the check reads
        return None
    return None


def _code_of(exc: DictionaryError) -> tuple[int, str]:
    for cls, status, code in STATUS_OF:
        if isinstance(exc, cls):
            return status, code
    raise AssertionError("DictionaryError is in the table")  # pragma: no cover


def error_body(status: int, code: str, message: str) -> dict:
    return {"error": {"status": status, "code": code, "message": message}}


def _answer(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSON:
    return JSON(error_body(status, code, message), status_code=status, headers=headers)


def flat_routes(routes):
    """Every route of ``routes``, those of the routers included among them too."""
    for route in routes:
        included = getattr(route, "original_router", None)  # a router included in another
        yield from flat_routes(included.routes) if included is not None else (route,)


def _methods(app: FastAPI, path: str) -> list[str]:
    scope = {"type": "http", "path": path, "method": "", "root_path": ""}
    methods: set[str] = set()
    for route in flat_routes(app.router.routes):
        if getattr(route, "methods", None) and route.matches(scope)[0] != Match.NONE:
            methods |= route.methods
    return sorted(methods)


def install(app: FastAPI) -> None:
    @app.exception_handler(DictionaryError)
    async def domain_error(request: Request, exc: DictionaryError):
        status, code = _code_of(exc)
        retry = getattr(exc, "retry_after", None)
        return _answer(status, code, str(exc), {"Retry-After": str(retry)} if retry else None)

    @app.exception_handler(HTTPProblem)
    async def http_problem(request: Request, exc: HTTPProblem):
        return _answer(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        messages, codes = [], []
        for err in exc.errors():
            explained = _explained(err)
            if explained:
                codes.append(explained[0])
                messages.append(explained[1])
                continue
            if err.get("type") == "json_invalid":
                messages.append("Nội dung yêu cầu không phải JSON hợp lệ; hãy gửi một đối tượng JSON, "
                                "ví dụ {\"text\": \"nước sạch\", \"to\": [\"mww\"]}.")
                continue
            loc = [str(part) for part in err.get("loc", ()) if part not in ("query", "path", "body")]
            name = ".".join(loc)
            messages.append(f"Tham số {name or 'yêu cầu'} không hợp lệ: {err.get('msg')}.")
        message = " ".join(dict.fromkeys(messages)) or "Yêu cầu không hợp lệ."
        return _answer(422, codes[0] if codes else "invalid_parameter", message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = _HTTP_MESSAGES.get(exc.status_code) or str(exc.detail)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method the path has, not only those of the first route
            headers["Allow"] = ", ".join(_methods(request.app, request.url.path))
        return _answer(exc.status_code, "http_error", message, headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return _answer(500, "internal_error", "Lỗi máy chủ ngoài dự kiến; xin thử lại sau.")
