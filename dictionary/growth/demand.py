"""Counting demand without personal data and without slowing a search.

A search with no exact match (and a gap of the translation workbench) is counted by its
canonical text, direction and day; an entry read is counted by its id and day.  Nothing else is
kept: no address, account, agent or cookie.  One client repeating itself counts once a day:
:class:`Counter` remembers a keyed digest of (client, what was counted) in memory, under a key
made at random each day and never written, so yesterday's digests cannot be recomputed, even by
whoever reads the process's memory later.  Texts without a letter or over
:data:`MAX_TEXT` characters are not counted, nor the misses of a client past :data:`BURST`
misses at once (a robot walking the dictionary).

Nothing is written on the request's path: counts go to an in-memory buffer (a dict increment
under a lock) that a background thread adds to the store every ``interval`` seconds in one
transaction; a crash loses at worst the last interval's counts.  Each process of ``tudien serve
--workers N`` buffers, deduplicates and flushes its own counts (adding to the same rows), so a
client whose requests reach several workers may count up to N times a day — a bound we accept
rather than write anything derived from a client.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from dictionary.storage.demand import Demand, LookupKey, MissKey
from dictionary.text.normalize import canonical, search_keys

log = logging.getLogger(__name__)

MAX_TEXT = 100
MAX_SEEN = 1_000_000  # digests remembered a day (16 bytes each); past that nothing new is counted
MAX_BUFFERED = 200_000  # distinct keys waiting to be written; past that new keys wait for a flush
BURST, PER_MINUTE = 30, 30.0  # a client's misses counted at once, then this many a minute
MAX_CLIENTS = 100_000


@dataclass(frozen=True)
class DemandSettings:
    enabled: bool = True  # TUDIEN_RECORD_MISSES=0 turns counting off
    days: int = 180  # TUDIEN_MISSES_DAYS: rows older than this are dropped
    interval: float = 5.0  # seconds between flushes


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


class Counter:
    """The per-process buffer of demand counts and the thread that writes them."""

    def __init__(self, rows: Demand, settings: DemandSettings | None = None,
                 today: Callable[[], str] = _today, forget: Callable[[str], object] | None = None) -> None:
        self.rows = rows
        self.forget = forget  # also run by the daily clean-up, with its first day kept (requests' contacts)
        self.settings = settings or DemandSettings()
        self._today = today
        self._lock = threading.Lock()
        self._day = ""
        self._key = b""
        self._seen: set[bytes] = set()
        self._buckets: dict[bytes, tuple[float, float]] = {}
        self._misses: dict[MissKey, int] = {}
        self._lookups: dict[LookupKey, int] = {}
        self._forgot = ""  # the day retention last ran
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    # -- the request's path: memory only ----------------------------------------------------------
    def _rotate(self) -> str:
        day = self._today()
        if day != self._day:  # a new day: a new key, and yesterday's digests forgotten
            self._day, self._key = day, secrets.token_bytes(32)
            self._seen.clear()
            self._buckets.clear()
        return day

    def _digest(self, client: str, *what: str) -> bytes | None:
        """The day's digest of (client, what) when it was not seen today (None: seen, or too many)."""
        digest = hashlib.blake2b("\x1f".join((client, *what)).encode(), key=self._key, digest_size=16).digest()
        return None if digest in self._seen or len(self._seen) >= MAX_SEEN else digest

    def _first(self, client: str, *what: str) -> bool:
        digest = self._digest(client, *what)
        if digest is not None:
            self._seen.add(digest)
        return digest is not None

    def _within_rate(self, client: str) -> bool:
        """A client's misses past :data:`BURST` at once (then :data:`PER_MINUTE`) are not counted."""
        who = hashlib.blake2b(client.encode(), key=self._key, digest_size=16).digest()
        clock = time.monotonic()
        tokens, seen = self._buckets.pop(who, (float(BURST), clock))
        tokens = min(float(BURST), tokens + (clock - seen) * PER_MINUTE / 60.0)
        allowed = tokens >= 1.0
        self._buckets[who] = (tokens - 1.0 if allowed else tokens, clock)
        if len(self._buckets) > MAX_CLIENTS:
            self._buckets.pop(next(iter(self._buckets)))
        return allowed

    @staticmethod
    def countable(text: str) -> tuple[str, str] | None:
        """(term, text) of a text worth counting: the case-blind exact key and the canonical text;
        None for a text without a letter or over :data:`MAX_TEXT` characters."""
        written = canonical(text)
        if not written or len(written) > MAX_TEXT or not any(ch.isalpha() for ch in written):
            return None
        return search_keys(written).exact, written

    def miss(self, text: str, source: str | None, target: str | None, client: str | None,
             origin: str = "search") -> bool:
        """Count a missed look-up (whether it was counted)."""
        if not self.settings.enabled:
            return False
        found = self.countable(text)
        if found is None:
            return False
        term, written = found
        source, target = source or "", target or ""
        with self._lock:
            day = self._rotate()
            # a repeat is not counted and costs nothing: the rate is charged only for a first miss
            digest = self._digest(client or "?", "miss", term, source, target, origin)
            if digest is None or not self._within_rate(client or "?"):
                return False
            self._seen.add(digest)
            key = (day, term, source, target, origin, written)
            if key not in self._misses and len(self._misses) >= MAX_BUFFERED:
                return False
            self._misses[key] = self._misses.get(key, 0) + 1
        return True

    def gaps(self, gaps: list[tuple[str, str]], client: str | None) -> int:
        """Count the workbench's gaps, (term, language) each, as coming from a translation."""
        return sum(self.miss(text, "vie", language, client, origin="translate") for text, language in gaps)

    def lookup(self, entry_id: str, client: str | None) -> bool:
        """Count an entry read."""
        if not self.settings.enabled:
            return False
        with self._lock:
            day = self._rotate()
            if not self._first(client or "?", "entry", entry_id):
                return False
            key = (day, entry_id)
            if key not in self._lookups and len(self._lookups) >= MAX_BUFFERED:
                return False
            self._lookups[key] = self._lookups.get(key, 0) + 1
        return True

    # -- off the path: the flusher ----------------------------------------------------------------
    def flush(self) -> int:
        """Add the buffered counts to the store now; how many rows were written to."""
        with self._lock:
            misses, self._misses = self._misses, {}
            lookups, self._lookups = self._lookups, {}
        if misses or lookups:
            try:
                self.rows.add(misses, lookups)
            except Exception:
                log.exception("demand counts not written; kept for the next flush")
                with self._lock:  # back into the buffer, so a busy store loses nothing
                    for key, n in misses.items():
                        self._misses[key] = self._misses.get(key, 0) + n
                    for lkey, n in lookups.items():
                        self._lookups[lkey] = self._lookups.get(lkey, 0) + n
                return 0
        self._forget()
        return len(misses) + len(lookups)

    def _forget(self) -> None:
        """Once a day, drop the rows older than the retention (and what ``forget`` drops)."""
        today = self._today()
        if today == self._forgot or not self.settings.enabled:
            return
        self._forgot = today
        first = (date.fromisoformat(today) - timedelta(days=self.settings.days)).isoformat()
        try:
            self.rows.forget_before(first)
            if self.forget is not None:
                self.forget(first)
        except Exception:
            log.exception("old demand counts not dropped")
            self._forgot = ""

    def _run(self) -> None:
        while not self._stop.wait(self.settings.interval):
            self.flush()

    def start(self) -> None:
        if self._thread is None and self.settings.enabled:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="demand-flush", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the flusher and write what is buffered."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if not self.rows.core.readonly:
            self.flush()
