"""The canonical store, opened whole: the connection core and a room per group of tables.

Entries are kept whole (as JSON) with the columns that queries need beside them.  Every change of
the public text makes a new generation and enters the change feed; the search index records the
generation it was built from, so a stale index can be told apart from a current one, and it can
always be rebuilt from the store.  The store owns every table (:mod:`dictionary.storage.schema`
and :mod:`dictionary.storage.migrations` define them); nothing else writes SQL against them.

:class:`Storage` only opens the core and builds the rooms; the program's wiring opens it and hands
each service the rooms it needs (:meth:`dictionary.services.Services.compose`).
"""

from __future__ import annotations

from pathlib import Path

from dictionary.storage.accounts import AccountRows
from dictionary.storage.audit import AuditLog
from dictionary.storage.browse import Browse
from dictionary.storage.campaigns import Campaigns
from dictionary.storage.clips import Clips
from dictionary.storage.core import Connections
from dictionary.storage.datasets import Datasets
from dictionary.storage.demand import Demand
from dictionary.storage.entries import Entries
from dictionary.storage.feed import Feed
from dictionary.storage.identities import IdentityRows
from dictionary.storage.requests import Requests
from dictionary.storage.suggestions import Suggestions
from dictionary.storage.teams import Teams


class Storage:
    """One database (a SQLite file, or with ``url`` a PostgreSQL database) and its rooms."""

    def __init__(self, path: Path, *, readonly: bool = False, url: str | None = None) -> None:
        self.core = Connections(path, readonly=readonly, url=url)
        self.entries = Entries(self.core)
        self.datasets = Datasets(self.core)
        self.accounts = AccountRows(self.core)
        self.identities = IdentityRows(self.core)
        self.suggestions = Suggestions(self.core)
        self.audit = AuditLog(self.core)
        self.clips = Clips(self.core)
        self.feed = Feed(self.core)
        self.browse = Browse(self.core)
        self.teams = Teams(self.core)
        self.demand = Demand(self.core)
        self.requests = Requests(self.core)
        self.campaigns = Campaigns(self.core)

    def close(self) -> None:
        """Close every thread's connection (the store is done with: the threads that used it too)."""
        self.core.close()
