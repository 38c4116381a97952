"""The audit log reviewed: read out for an export (``tudien audit export`` writes it as JSON lines
or CSV) and its chain verified.

Every record carries the digest of the one before it (:mod:`dictionary.storage.chain`), so an
edit, a removal or an insertion anywhere in the log shows at that record when the chain is
checked from the first record on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dictionary.storage import chain
from dictionary.storage.audit import AuditLog

COLUMNS = ("id", "at", "actor", "client", "action", "target", "detail", "prev", "digest")
BATCH = 1000


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a check of the chain found: the records that hold and, if it breaks, where and why."""

    held: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def holds(self) -> bool:
        return self.broken_at is None


class AuditTrail:
    """Export and verification of the ``audit_log`` room."""

    def __init__(self, log: AuditLog) -> None:
        self.log = log

    def note(self, actor: str, action: str, target: str | None = None, detail: dict | None = None) -> None:
        """Record an action that changes no row of its own in the log (a clean-up of files)."""
        self.log.record(actor, action, target, detail=detail)

    def _stored(self) -> Iterator[dict]:
        after = 0
        while rows := self.log.chained(after, BATCH):
            yield from rows
            after = rows[-1]["id"]

    def records(self, since: str | None = None) -> Iterator[dict]:
        """The records from ``since`` (an ISO time; every record without it), oldest first, as
        stored, with their digests (:data:`COLUMNS`; ``detail`` as its JSON text)."""
        for row in self._stored():
            if not since or row["at"] >= since:
                yield {c: row[c] for c in COLUMNS}

    def verify(self) -> Verdict:
        """Check the chain over every record, from the first on."""
        held, broken_at, reason = chain.first_break(self._stored())
        return Verdict(held, broken_at, reason)
