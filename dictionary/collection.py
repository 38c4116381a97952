"""What the dictionary holds, to read and to hand on: its languages, its datasets and their public
entries.  The pages, the export, the command line's ``datasets`` and the importers ask this service,
never the store's rooms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from dictionary.model import Entry, Status
from dictionary.search.indexing import CaughtUp, Follower
from dictionary.storage.datasets import Dataset, Datasets, ReplaceStats
from dictionary.storage.entries import Entries


@dataclass(frozen=True, slots=True)
class Removed:
    """A dataset removed: how many entries went, and how the index caught up."""

    entries: int
    index: CaughtUp | None  # None: the collection has no index to bring up to date


class Collection:
    """The dictionary's holdings over the store's entries and datasets; with the ``follower`` of
    an index, a removal brings it up to date (without one, a store read or loaded apart from any
    index: a tool, a test)."""

    def __init__(self, entries: Entries, datasets: Datasets, follower: Follower | None = None) -> None:
        self.entries = entries
        self.dataset_rows = datasets
        self.follower = follower

    # -- reading -----------------------------------------------------------------------------
    def languages(self) -> dict[str, int]:
        """Published entries per language."""
        return self.entries.language_counts()

    def count(self) -> int:
        """Published entries."""
        return self.entries.count()

    def entry(self, entry_id: str) -> Entry:
        """The entry as the public reads it; EntryNotFound when it has no published revision."""
        return self.entries.get(entry_id)

    def datasets(self) -> list[dict]:
        """Every dataset's row, by name."""
        return self.dataset_rows.all()

    def dataset(self, name: str) -> dict | None:
        """One dataset's row with its public entries by language and how many editors changed;
        None when there is none of that name."""
        return self.dataset_rows.get(name)

    def export_entries(self, *, language: str | None = None, dataset: str | None = None,
                       latest: bool = False) -> Iterator[dict]:
        """Entries to hand on, in row order (see :meth:`dictionary.storage.entries.Entries.export_entries`)."""
        return self.entries.export_entries(language=language, dataset=dataset, latest=latest)

    # -- writing -----------------------------------------------------------------------------
    def replace_dataset(self, dataset: Dataset, entries: Iterable[Entry], *, status: Status = Status.published,
                        actor: str = "import", client: str | None = None) -> ReplaceStats:
        """Make ``dataset`` hold exactly ``entries``, in one transaction with its audit record
        (the index is brought up to date by whoever asked: :mod:`corpora.imports`)."""
        return self.dataset_rows.replace(dataset, entries, status=status, actor=actor, client=client)

    def remove_dataset(self, name: str, *, actor: str, client: str | None = None,
                       progress: Callable | None = None) -> Removed:
        """Delete a dataset, its entries and their revisions, audited; then bring the index up to
        the store.  KeyError when there is none of that name."""
        count = self.dataset_rows.remove(name, actor=actor, client=client)
        return Removed(count, self.follower.catch_up(progress) if self.follower is not None else None)
