"""What every answer shares: the base of every schema and the one error shape."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Public(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(_Public):
    status: int
    code: str = Field(description="machine-readable, e.g. invalid_query, not_found, backend_unavailable")
    message: str = Field(description="what to change, in Vietnamese")
    field: str | None = Field(None, description="the field of the request that is wrong, e.g. senses[0].glosses")
    current_revision: int | None = Field(None, description="412: the entry's revision now; read it again")


class ErrorPublic(_Public):
    """Every error, whatever its status."""

    error: ErrorDetail


ERROR_TEXT = {
    400: "yêu cầu không đọc được",
    401: "cần đăng nhập (Authorization: Bearer hoặc X-API-Key)",
    403: "tài khoản không có quyền này, hoặc không với ngôn ngữ này",
    404: "không có",
    405: "phương thức không được hỗ trợ",
    409: "trạng thái hiện tại không cho phép thao tác này",
    410: "nhật ký thay đổi không còn tới con trỏ này: hãy tải lại gói ngôn ngữ",
    411: "thiếu Content-Length",
    412: "mục từ đã được người khác sửa (If-Match cũ)",
    413: "tệp hay nội dung quá lớn",
    415: "không phải tệp âm thanh dùng được",
    416: "đoạn (Range) không phục vụ được",
    422: "tham số không hợp lệ",
    428: "thiếu If-Match",
    429: "quá nhiều yêu cầu",
    503: "máy tìm kiếm hay giọng đọc tạm thời không dùng được",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route: each status it may answer with an error, in the one shape."""
    return {status: {"model": ErrorPublic, "description": ERROR_TEXT[status]} for status in statuses}
