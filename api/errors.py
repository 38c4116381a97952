"""One JSON error shape for every error, made here and nowhere else.

``{"error": {"status": 422, "code": "invalid_query", "message": "…"}}`` — ``message`` is a
sentence a person can act on, in Vietnamese.  Routes raise: domain exceptions, which map to
statuses in one table, or :class:`HTTPProblem` for what only HTTP knows (a missing
Content-Length, an unreadable form, a range outside the file).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from dictionary.audio.library import AudioLibrary
from dictionary.editorial.editing import parse_etag
from dictionary.errors import (
    AccountExists,
    AccountNotFound,
    AudioNotFound,
    AudioRejected,
    AudioTooLarge,
    BackendUnavailable,
    Busy,
    DatasetNotFound,
    DictionaryError,
    EntryNotFound,
    FeedExpired,
    Forbidden,
    ImportRejected,
    IndexMissing,
    InvalidAccount,
    InvalidEntry,
    InvalidGrowth,
    InvalidQuery,
    InvalidRecording,
    InvalidTransition,
    LanguageNotFound,
    NoAudio,
    NothingThere,
    NotSignedIn,
    PreconditionRequired,
    RevisionNotFound,
    SessionNotFound,
    SpeechUnavailable,
    StaleRevision,
    StoreUnavailable,
    SuggestionClosed,
    SuggestionNotFound,
    TooManySignIns,
    UnknownLanguage,
    UsePack,
    WeakETag,
    WrongCode,
    WrongPassword,
)
from dictionary.model import PATTERN_MESSAGES
from dictionary.search.service import SearchService
from dictionary.search.translate import Translator

from .responses import JSON

log = logging.getLogger("tudien.api")

# Domain exception → (HTTP status, machine-readable code).  Most specific first.
STATUS_OF: tuple[tuple[type[DictionaryError], int, str], ...] = (
    (EntryNotFound, 404, "not_found"),
    (FeedExpired, 410, "feed_expired"),
    (UsePack, 410, "use_pack"),
    (DatasetNotFound, 404, "not_found"),
    (LanguageNotFound, 404, "language_not_found"),
    (RevisionNotFound, 404, "revision_not_found"),
    (SuggestionNotFound, 404, "suggestion_not_found"),
    (NothingThere, 404, "not_found"),
    (InvalidGrowth, 422, "invalid_request"),
    (PreconditionRequired, 428, "precondition_required"),
    (StaleRevision, 412, "stale_revision"),
    (WeakETag, 412, "weak_etag"),
    (InvalidTransition, 409, "invalid_transition"),
    (SuggestionClosed, 409, "suggestion_closed"),
    (InvalidEntry, 422, "invalid_entry"),
    (AudioNotFound, 404, "audio_not_found"),
    (NoAudio, 404, "no_audio"),
    (NotSignedIn, 401, "unauthenticated"),
    (WrongPassword, 401, "wrong_password"),
    (WrongCode, 401, "wrong_code"),
    (TooManySignIns, 429, "too_many_sign_ins"),
    (Forbidden, 403, "forbidden"),
    (AccountExists, 409, "account_exists"),
    (AccountNotFound, 404, "account_not_found"),
    (SessionNotFound, 404, "session_not_found"),
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
    (StoreUnavailable, 503, "store_unavailable"),
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
# message is the one the service gives for the same mistake: (route, where, name) -> check, the
# route None for a check that holds on every route.
_DOMAIN_CHECKS: dict[tuple[str | None, str, str], Callable[[Any], object]] = {
    (None, "query", "q"): SearchService.query_text,
    (None, "query", "limit"): lambda value: SearchService.check_page(value, 0),
    (None, "query", "offset"): lambda value: SearchService.check_page(1, value),
    (None, "query", "text"): AudioLibrary.check_text,
    ("/v1/translate", "body", "text"): Translator.check_text,
    ("/v1/translate", "body", "to"): Translator.check_target_count,
    (None, "header", "if-match"): parse_etag,
}
_MISSING = object()


def _explained(err: dict, route: str | None) -> tuple[str, str] | None:
    """(code, message) of the domain's check of the field ``err`` is about, if it has one."""
    loc = err.get("loc", ())
    check = None
    if len(loc) >= 2:
        check = _DOMAIN_CHECKS.get((route, loc[0], loc[1])) or _DOMAIN_CHECKS.get((None, loc[0], loc[1]))
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


def error_body(status: int, code: str, message: str, **more) -> dict:
    """The one error shape; ``more`` adds the optional members (``field``, ``current_revision``)
    that are set."""
    return {"error": {"status": status, "code": code, "message": message,
                      **{k: v for k, v in more.items() if v is not None}}}


def _answer(status: int, code: str, message: str, headers: dict[str, str] | None = None, **more) -> JSON:
    return JSON(error_body(status, code, message, **more), status_code=status, headers=headers)


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


def _field_name(loc) -> str:
    """``("body", "senses", 0, "glosses")`` → ``senses[0].glosses``."""
    out = ""
    for part in loc:
        if part in ("query", "path", "body", "header") and not out:
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# The header that marks a 404 as "nothing at this address" (an unknown path or id), as opposed
# to an ordinary answer such as "no recording yet": only those count toward the door's limit.
NOTHING_HERE = "x-tudien-nothing-here"

# Paths answered in JSON whatever happens; every other path is a page, and its errors are pages.
DATA_PATHS = ("/v1/", "/static/", "/docs", "/redoc", "/openapi.json", "/health")
_PAGE_MESSAGES = {
    404: "Không có trang này. Hãy tra từ ở trang chủ, hoặc kiểm tra lại đường dẫn.",
    405: "Trang này không nhận thao tác đó. Hãy quay lại trang chủ.",
    422: "Đường dẫn có tham số không dùng được. Hãy tra từ ở trang chủ.",
}


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(DATA_PATHS)


def install(app: FastAPI, page: Callable | None = None) -> None:
    """The handlers of every error.  ``page(request, status, message, headers)`` makes the HTML
    page for an error on a page route (the API keeps its JSON)."""

    def answer(request: Request, status: int, code: str, message: str, headers=None, page_message=None, **more):
        if status == 404 and (code == "http_error" or code.endswith("not_found")):  # not "no_audio", "no_pack"…
            headers = {**(headers or {}), NOTHING_HERE: "1"}  # read (and removed) by the door
        if page is not None and is_page(request):
            return page(request, status, page_message or message, headers)
        return _answer(status, code, message, headers, **more)

    @app.exception_handler(DictionaryError)
    async def domain_error(request: Request, exc: DictionaryError):
        status, code = _code_of(exc)
        retry = getattr(exc, "retry_after", None)
        return answer(request, status, code, str(exc), {"Retry-After": str(retry)} if retry else None,
                      field=getattr(exc, "field", None), current_revision=getattr(exc, "current_revision", None))

    @app.exception_handler(HTTPProblem)
    async def http_problem(request: Request, exc: HTTPProblem):
        return answer(request, exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        messages, codes, fields = [], [], []
        route = getattr(request.scope.get("route"), "path", None)
        for err in exc.errors():
            explained = _explained(err, route)
            if explained:
                codes.append(explained[0])
                messages.append(explained[1])
                fields.append(_field_name(err.get("loc", ())))
                continue
            if err.get("type") == "json_invalid":
                messages.append("Nội dung yêu cầu không phải JSON hợp lệ; hãy gửi một đối tượng JSON, "
                                "ví dụ {\"text\": \"nước sạch\", \"to\": [\"mww\"]}.")
                continue
            name = _field_name(err.get("loc", ()))
            if name:
                fields.append(name)
            said = PATTERN_MESSAGES.get((err.get("ctx") or {}).get("pattern", "")) \
                if err.get("type") == "string_pattern_mismatch" else None
            messages.append(f"Tham số {name or 'yêu cầu'} không hợp lệ: {said or err.get('msg')}.")
        message = " ".join(dict.fromkeys(messages)) or "Yêu cầu không hợp lệ."
        return answer(request, 422, codes[0] if codes else "invalid_parameter", message,
                      page_message=_PAGE_MESSAGES[422], field=fields[0] if fields else None)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = _HTTP_MESSAGES.get(exc.status_code) or str(exc.detail)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method the path has, not only those of the first route
            headers["Allow"] = ", ".join(_methods(request.app, request.url.path))
        return answer(request, exc.status_code, "http_error", message, headers,
                      page_message=_PAGE_MESSAGES.get(exc.status_code))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return answer(request, 500, "internal_error", "Lỗi máy chủ ngoài dự kiến; xin thử lại sau.")
