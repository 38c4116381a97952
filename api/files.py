"""Files answered whole or in ranges: a strong ETag (304 on If-None-Match), Range (206) checked
only when If-Range names this file (else the file comes whole), and the one 416 shape."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import Request
from fastapi.responses import FileResponse, Response

from .errors import HTTPProblem

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
MAX_DIGITS = 18  # a position of more digits lies beyond any file (and Python reads at most 4,300)


def range_problem(header: str, size: int) -> str | None:
    """Why a Range header cannot be served, or None (several ranges are left to the server)."""
    if not header.startswith("bytes="):
        return "chỉ hỗ trợ Range theo byte (bytes=…)"
    for part in header[6:].split(","):
        match = _RANGE.fullmatch("bytes=" + part.strip())
        if not match or match.groups() == ("", ""):
            return f"Range không hợp lệ: {header[:60]!r}"
        start, end = match.groups()
        if len(start) > MAX_DIGITS or len(end) > MAX_DIGITS:
            return f"đoạn {part.strip()[:40]}… có số quá lớn (tối đa {MAX_DIGITS} chữ số)"
        if start and (int(start) >= size or (end and int(end) < int(start))):
            return f"đoạn {part.strip()} nằm ngoài tệp dài {size} byte"
        if not start and int(end) == 0:
            return "đoạn rỗng"
    return None


def file_answer(request: Request, path: Path, etag: str, media_type: str, headers: dict, **file) -> Response:
    """``path`` as the answer to ``request``, its ETag ``etag``; ``file`` goes to FileResponse
    (filename, content_disposition_type)."""
    headers = {"ETag": etag, "Accept-Ranges": "bytes", **headers}
    wanted = request.headers.get("if-none-match")
    if wanted and (wanted.strip() == "*" or etag in [t.strip().removeprefix("W/") for t in wanted.split(",")]):
        return Response(status_code=304, headers=headers)
    size = path.stat().st_size
    if_range = request.headers.get("if-range")
    if (header := request.headers.get("range")) and (if_range is None or if_range == etag) \
            and (problem := range_problem(header, size)):
        raise HTTPProblem(416, "range_not_satisfiable", f"Không phục vụ được đoạn yêu cầu: {problem}.",
                          headers={"Content-Range": f"bytes */{size}"})
    return FileResponse(path, media_type=media_type, headers=headers, **file)
