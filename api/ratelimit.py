"""Per-client rate limits on the anonymous routes that cost the most: the translation workbench,
synthetic speech (asked for by text, or as an entry's pronunciation), search-as-you-type and the
change feed.

A token bucket per client address and kind of work: ``burst`` requests at once, then one every
``60 / per_minute`` seconds.  Past that a request is answered 429 with ``Retry-After`` and costs
nothing more.  Buckets live in the serving process (each worker of ``tudien serve --workers N``
counts its own, so a client may get up to N times the rate); the least recently seen clients are
forgotten first, so the table stays bounded whatever the number of addresses.  Behind a reverse
proxy the client address is the one the proxy forwards (uvicorn's ``--forwarded-allow-ips``).
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import orjson
from fastapi import Request

from .errors import NOTHING_HERE, HTTPProblem, error_body

NOTHING_HERE_BYTES = NOTHING_HERE.encode()

MAX_CLIENTS = 100_000
MAX_PAUSE = 1.0  # seconds a request refused at the door waits for its 429


@dataclass(frozen=True)
class Rule:
    per_minute: float
    burst: int


DEFAULT_RULES = {
    "translate": Rule(per_minute=12, burst=4),
    "speak": Rule(per_minute=30, burst=10),
    "suggest": Rule(per_minute=600, burst=60),
    "report": Rule(per_minute=6, burst=5),
    "pronounce": Rule(per_minute=30, burst=10),  # a pronunciation may be synthesised: as speak
    "changes": Rule(per_minute=30, burst=5),  # a copy catching up takes a few pages; a poll is one
    "missing": Rule(per_minute=120, burst=60),  # answers 404: a reader mistypes a few, a scanner thousands
    "request": Rule(per_minute=6, burst=5),
}
WORDS = {"translate": "tra cả văn bản", "speak": "đọc bằng giọng máy", "suggest": "gợi ý khi gõ",
         "report": "góp ý sửa mục từ", "pronounce": "phát âm mục từ", "changes": "đọc nhật ký thay đổi",
         "missing": "tới địa chỉ không tồn tại", "request": "đề nghị bổ sung từ"}


class RateLimiter:
    def __init__(self, rules: dict[str, Rule] | None = None, clock=time.monotonic) -> None:
        self.rules = {**DEFAULT_RULES, **(rules or {})}
        self._clock = clock
        self._buckets: OrderedDict[tuple[str, str], tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, kind: str, client: str) -> float:
        """Take one request of ``kind`` for ``client``; 0 when allowed, else the seconds to wait."""
        rule = self.rules[kind]
        if rule.per_minute <= 0:
            return 0.0
        rate = rule.per_minute / 60.0
        now = self._clock()
        with self._lock:
            tokens, seen = self._buckets.pop((kind, client), (float(rule.burst), now))
            tokens = min(float(rule.burst), tokens + (now - seen) * rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / rate
            self._buckets[kind, client] = (tokens, now)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
        return wait

    def waiting(self, kind: str, client: str) -> float:
        """The seconds ``client`` must wait before its next request of ``kind`` (0: none), taking
        nothing."""
        rule = self.rules[kind]
        if rule.per_minute <= 0:
            return 0.0
        with self._lock:
            found = self._buckets.get((kind, client))
        if found is None:
            return 0.0
        tokens = min(float(rule.burst), found[0] + (self._clock() - found[1]) * rule.per_minute / 60.0)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) * 60.0 / rule.per_minute


def refusal(request: Request, kind: str) -> HTTPProblem | None:
    """Take one request of ``kind`` for the request's client: None when allowed, else the 429 to
    answer (raised by the API, shown in the page by the workbench)."""
    limiter: RateLimiter = request.app.state.rate_limiter
    wait = limiter.take(kind, request.client.host if request.client else "?")
    if wait <= 0:
        return None
    seconds = max(1, math.ceil(wait))
    return HTTPProblem(
        429, "rate_limited",
        f"Bạn đã gửi quá nhiều yêu cầu {WORDS[kind]} trong thời gian ngắn; xin thử lại sau {seconds} giây.",
        headers={"Retry-After": str(seconds)},
    )


def limited(kind: str):
    """A dependency that refuses a request of ``kind`` over its client's rate (429, Retry-After)."""

    async def check(request: Request) -> None:
        if problem := refusal(request, kind):
            raise problem

    return check


class Door:
    """Limits checked before any route runs, so a crowd past them costs the service next to
    nothing (a 429 made here, without routing, dependencies or a thread).

    * The change feed (``changes``): each request takes a token of its client's bucket.
    * A refused request waits (up to a second) for its 429.
    * A client whose requests keep finding nothing (404: a probe, a scanner, a broken script) is
      held until its ``missing`` bucket refills: each 404 for an unknown path or id (marked
      :data:`~api.errors.NOTHING_HERE` by the error handlers; not an ordinary answer such as
      ``no_audio``) takes one token, and a client with tokens left is never held.

    Pure ASGI middleware."""

    PATHS = {"/v1/changes": "changes"}

    def __init__(self, app, limiter: RateLimiter) -> None:
        self.app, self.limiter = app, limiter

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        client = scope["client"][0] if scope.get("client") else "?"
        wait, kind = self.limiter.waiting("missing", client), "missing"
        if not wait and (path_kind := self.PATHS.get(scope["path"])) is not None:
            wait, kind = self.limiter.take(path_kind, client), path_kind
        if wait > 0:
            # the 429 comes after a pause: a crowd that asks again as soon as it is answered then
            # asks once a second each, not as fast as the server can refuse (a sleeping request
            # costs no CPU)
            await asyncio.sleep(min(wait, MAX_PAUSE))
            return await _refuse(send, kind, max(1, math.ceil(wait)))

        async def watch(message):
            if message["type"] == "http.response.start" and message["status"] == 404:
                headers = message.get("headers") or []
                if any(name == NOTHING_HERE_BYTES for name, _ in headers):  # not an ordinary 404 ("no_audio")
                    self.limiter.take("missing", client)
                    message = {**message, "headers": [(n, v) for n, v in headers if n != NOTHING_HERE_BYTES]}
            await send(message)

        await self.app(scope, receive, watch)


async def _refuse(send, kind: str, seconds: int) -> None:
    body = orjson.dumps(error_body(429, "rate_limited", f"Bạn đã gửi quá nhiều yêu cầu {WORDS[kind]} trong "
                                                        f"thời gian ngắn; xin thử lại sau {seconds} giây."))
    await send({"type": "http.response.start", "status": 429, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(seconds).encode())]})
    await send({"type": "http.response.body", "body": body})
