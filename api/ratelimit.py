"""Per-client rate limits on the anonymous routes that cost the most: the translation workbench,
synthetic speech and search-as-you-type.

A token bucket per client address and kind of work: ``burst`` requests at once, then one every
``60 / per_minute`` seconds.  Past that a request is answered 429 with ``Retry-After`` and costs
nothing more.  Buckets live in the serving process (each worker of ``tudien serve --workers N``
counts its own, so a client may get up to N times the rate); the least recently seen clients are
forgotten first, so the table stays bounded whatever the number of addresses.  Behind a reverse
proxy the client address is the one the proxy forwards (uvicorn's ``--forwarded-allow-ips``).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from fastapi import Request

from .errors import HTTPProblem

MAX_CLIENTS = 100_000


@dataclass(frozen=True)
class Rule:
    per_minute: float
    burst: int


DEFAULT_RULES = {
    "translate": Rule(per_minute=12, burst=4),
    "speak": Rule(per_minute=30, burst=10),
    "suggest": Rule(per_minute=600, burst=60),
    "report": Rule(per_minute=6, burst=5),
    "request": Rule(per_minute=6, burst=5),
}
WORDS = {"translate": "tra cả văn bản", "speak": "đọc bằng giọng máy", "suggest": "gợi ý khi gõ",
         "report": "góp ý sửa mục từ", "request": "đề nghị bổ sung từ"}


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
