"""How ``tudien serve`` serves: uvicorn's HTTP protocol with time limits on reading a request, and
with several workers, a listening socket of its own per worker.

uvicorn closes an idle kept-alive connection, but not one that sends half its headers and stops,
nor a body that stops arriving: each such connection holds memory and a slot for as long as the
client likes.  Here a client has ``TUDIEN_HEADER_TIMEOUT`` seconds (10) from connecting, or from
the first byte of its next request, to finish the request line and headers, and a body that stops
for ``TUDIEN_BODY_TIMEOUT`` seconds (15) ends the connection.  A body may take as long as it needs
while it keeps coming: a 20 MB recording over a slow rural link takes minutes.

A deployment still puts a reverse proxy in front (README, "Deploying"): it buffers slow clients
and terminates TLS.

uvicorn's workers share one listening socket, and a worker woken by a new connection accepts
every connection waiting: eight clients connecting at once were seen all to land on one of two
workers, which then served them alone (half the throughput, twice the latency) for as long as
they kept their connections.  :class:`Spread` gives each worker a socket of its own on the same
port (``SO_REUSEPORT``): the kernel spreads connections over the sockets listening, by address.
The supervisor keeps them open, so a worker that is replaced finds the connections that waited
for it.
"""

from __future__ import annotations

import asyncio
import os
import socket
from functools import cache
from typing import TYPE_CHECKING, Any

from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors.multiprocess import Multiprocess, Process, logger

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


class _OneWrite:
    """The transport a response is written to, holding its status line and headers until the
    first piece of its body, so that both leave in one write: one system call and one segment
    instead of two, which were a seventh of a serving worker's time under wrk (uvicorn writes
    them apart).  A response with no body (HEAD, 304) sends its headers when it completes; an
    interim ``100 Continue``, written before the response starts, is never held."""

    __slots__ = ("_cycle", "_held", "_started", "_transport")

    def __init__(self, transport: asyncio.Transport, cycle: Any) -> None:
        self._transport, self._cycle = transport, cycle
        self._held: bytes | None = None
        self._started = False  # the response's header block was written (held or sent)
        complete = cycle.on_response

        def on_response() -> None:
            self.flush()
            complete()

        cycle.on_response = on_response

    def write(self, data: bytes) -> None:
        if self._held is not None:
            data, self._held = self._held + data, None
        elif not self._started and self._cycle.response_started:
            self._started = True
            self._held = data
            return
        self._transport.write(data)

    def flush(self) -> None:
        if self._held is not None:
            data, self._held = self._held, None
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class TimedH11Protocol(_ReadDeadlines, H11Protocol):
    pass


PROTOCOL: type[asyncio.Protocol]
if HttpToolsProtocol is not None:
    class TimedHttpToolsProtocol(_ReadDeadlines, HttpToolsProtocol):
        def on_headers_complete(self) -> None:
            before = self.cycle
            super().on_headers_complete()
            if self.cycle is not None and self.cycle is not before:
                self.cycle.transport = _OneWrite(self.cycle.transport, self.cycle)

    PROTOCOL = TimedHttpToolsProtocol
else:  # pragma: no cover
    PROTOCOL = TimedH11Protocol


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` sockets bound to ``host``:``port`` together (``SO_REUSEPORT``), each to listen
    when its worker serves.  A port that another server holds, even one that shares its port the
    same way, is refused (OSError)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:  # without SO_REUSEPORT: alone or not at all
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            # not listening yet: the worker's server listens when it starts serving, so that until
            # then the kernel sends its connections to the workers already serving
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class Spread(Multiprocess):
    """uvicorn's supervisor, with worker ``i`` always on socket ``i`` (replaced, restarted by
    SIGHUP or added by SIGTTIN alike)."""

    def __init__(self, config: Config, sockets: list[socket.socket]) -> None:
        super().__init__(config, sockets=sockets[:1])
        self.slots = sockets

    def _start(self, slot: int) -> Process:
        process = Process(self.config, [self.slots[slot % len(self.slots)]])
        process.start()
        return process

    def init_processes(self) -> None:
        self.processes = [self._start(slot) for slot in range(self.processes_num)]

    def handle_ttin(self) -> None:
        logger.info("Received SIGTTIN, increasing the number of processes.")
        self.processes_num += 1
        self.processes.append(self._start(len(self.processes)))

    def restart_all(self) -> None:
        """Each worker replaced in turn, its replacement serving before the old one is stopped."""
        for slot, old in enumerate(self.processes):
            if self.should_exit.is_set():
                return
            new = self._start(slot)
            if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                new.kill()
                new.join()
                if not self.should_exit.is_set():
                    logger.error(f"New child process [{new.pid}] was not ready in time; "
                                 f"keeping worker [{old.pid}] and aborting the restart.")
                return
            old.terminate()
            old.join()
            self.processes[slot] = new

    def keep_subprocess_alive(self) -> None:
        if self.should_exit.is_set():
            return
        for slot, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()  # hung: killed
            process.join()
            if process.exitcode == STARTUP_FAILURE:  # the app itself fails: every restart would
                logger.error(f"Child process [{process.pid}] failed to start, stopping the parent process.")
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            logger.info(f"Child process [{process.pid}] died")
            self.processes[slot] = self._start(slot)
