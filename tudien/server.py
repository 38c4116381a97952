"""The HTTP protocol ``tudien serve`` runs: uvicorn's, with time limits on reading a request.

uvicorn closes an idle kept-alive connection, but not one that sends half its headers and stops,
nor a body that stops arriving: each such connection holds memory and a slot for as long as the
client likes.  Here a client has ``TUDIEN_HEADER_TIMEOUT`` seconds (10) from connecting, or from
the first byte of its next request, to finish the request line and headers, and a body that stops
for ``TUDIEN_BODY_TIMEOUT`` seconds (15) ends the connection.  A body may take as long as it needs
while it keeps coming: a 20 MB recording over a slow rural link takes minutes.

A deployment still puts a reverse proxy in front (README, "Deploying"): it buffers slow clients
and terminates TLS.
"""

from __future__ import annotations

import asyncio
import os
from functools import cache
from typing import TYPE_CHECKING, Any

from uvicorn.protocols.http.h11_impl import H11Protocol

try:  # uvicorn[standard] brings httptools, uvicorn's faster parser
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - without it, the pure-Python parser serves
    HttpToolsProtocol = None  # type: ignore[assignment,misc]  # None says the optional parser is absent


@cache
def timeouts() -> tuple[float, float]:
    """(headers, body idle) in seconds, from the environment of the serving process."""
    return (float(os.environ.get("TUDIEN_HEADER_TIMEOUT", "10")),
            float(os.environ.get("TUDIEN_BODY_TIMEOUT", "15")))


if TYPE_CHECKING:
    class _Protocol(asyncio.Protocol):
        """What the mixin uses of the uvicorn protocols it is mixed into (both have it)."""

        cycle: Any
        loop: asyncio.AbstractEventLoop
        transport: asyncio.Transport

        def on_response_complete(self) -> None: ...
else:
    _Protocol = object


class _ReadDeadlines(_Protocol):
    """Mixed into a uvicorn protocol: end a connection whose request stops arriving."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm(timeouts()[0])

    def data_received(self, data: bytes) -> None:
        reading_headers = self.cycle is None or self.cycle.response_complete
        super().data_received(data)
        cycle = self.cycle
        if cycle is None or cycle.response_complete:  # (still) the request line and headers
            if not reading_headers or self._deadline is None:
                self._arm(timeouts()[0])
        elif cycle.more_body:  # the body: it may take long, but it must keep coming
            self._arm(timeouts()[1])
        else:
            self._disarm()

    def on_response_complete(self) -> None:
        self._disarm()  # uvicorn's keep-alive time-out takes over
        super().on_response_complete()

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


class TimedH11Protocol(_ReadDeadlines, H11Protocol):
    pass


PROTOCOL: type[asyncio.Protocol]
if HttpToolsProtocol is not None:
    class TimedHttpToolsProtocol(_ReadDeadlines, HttpToolsProtocol):
        pass

    PROTOCOL = TimedHttpToolsProtocol
else:  # pragma: no cover
    PROTOCOL = TimedH11Protocol
