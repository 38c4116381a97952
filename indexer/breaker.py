"""A circuit breaker for a remote engine: once the engine is known to be unreachable, searches fail
at once instead of each waiting out its time-out, and a probe in the background finds out when it
answers again.

Closed, every call goes through.  A call that fails for the engine's own reasons (no connection,
no answer in time) opens it; while it is open :meth:`Breaker.check` raises at once with what went
wrong, and one thread asks the engine every ``interval`` seconds (``probe`` returns or raises) until
it answers, which closes the breaker.  No request ever waits on a probe.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from dictionary.errors import BackendUnavailable

log = logging.getLogger("tudien.indexer")


class Breaker:
    def __init__(self, probe: Callable[[], object], interval: float = 1.0) -> None:
        self._probe = probe
        self.interval = interval
        self._lock = threading.Lock()
        self._error: str | None = None  # set while open: the message every refused call carries
        self._since = 0.0
        self._prober: threading.Thread | None = None

    @property
    def is_open(self) -> bool:
        return self._error is not None

    @property
    def error(self) -> str | None:
        return self._error

    def check(self) -> None:
        """Raise :class:`BackendUnavailable` at once while the engine is known to be down."""
        error = self._error
        if error is not None:
            raise BackendUnavailable(error)

    def failed(self, message: str) -> None:
        """The engine did not answer: refuse calls until a probe gets an answer."""
        with self._lock:
            if self._error is None:
                log.warning("search engine unavailable, failing fast until it answers: %s", message)
                self._since = time.monotonic()
            self._error = message
            if self._prober is None or not self._prober.is_alive():
                self._prober = threading.Thread(target=self._probing, name="engine-probe", daemon=True)
                self._prober.start()

    def _probing(self) -> None:
        while True:
            time.sleep(self.interval)
            try:
                self._probe()
            except Exception:  # noqa: BLE001 - still down; try again
                continue
            with self._lock:
                if self._error is not None:
                    log.warning("search engine answers again after %.1f s", time.monotonic() - self._since)
                self._error = None
                self._prober = None
            return
