"""A bound on request bodies, before anything reads them.

Every body but a recording's upload (``POST /v1/entries/{id}/audio``, bounded by its own route to
the audio limit) may hold at most :data:`MAX_BODY` bytes: an entry with a hundred senses is a few
tens of kilobytes, a whole text for the workbench 20 KB.  A larger declared ``Content-Length`` is
answered 413 at once; a body sent in chunks without one is counted as it arrives and, past the
bound, answered 413 while the app is told the client went away.  Pure ASGI middleware, so the
limit holds before FastAPI buffers and parses the body.
"""

from __future__ import annotations

import re

import orjson

from .errors import error_body

MAX_BODY = 256 * 1024
MESSAGE = (f"Nội dung yêu cầu quá lớn; tối đa {MAX_BODY // 1024} KB. Hãy gửi mục từ hay văn bản gọn hơn "
           "(tệp ghi âm thì tải lên ở /v1/entries/{{id}}/audio).")
_UPLOAD = re.compile(r"^/v1/entries/[^/]+/audio$")


class BodyLimit:
    def __init__(self, app, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE") \
                or (scope["method"] == "POST" and _UPLOAD.match(scope["path"])):
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.limit:
                return await _refuse(send)
            return await self.app(scope, receive, send)
        seen = 0
        started = refused = False

        async def counted():
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    refused = True
                    if not started:
                        await _refuse(send)
                    return {"type": "http.disconnect"}  # the app stops reading and answers no one
            return message

        async def watched(message):
            nonlocal started
            if refused:
                return  # the 413 is the answer
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted, watched)


async def _refuse(send) -> None:
    body = orjson.dumps(error_body(413, "body_too_large", MESSAGE))
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
