"""Import as a service: a file (or the shipped corpora) into the store, then the search index
brought up to date, in one call.

The command line, the relevance runner, the benchmarks and the tests import through
:class:`Imports`; the index catches up the one way every change to the store does
(:meth:`dictionary.search.indexing.Follower.catch_up`: by the change feed, or a full rebuild when
the change is large or the index cannot follow).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dictionary.collection import Collection
from dictionary.search.indexing import CaughtUp, Follower

from .importer import ImportReport, import_file

if TYPE_CHECKING:
    from dictionary.services import Services

    from .open import OpenDataset


class Imports:
    def __init__(self, collection: Collection, follower: Follower) -> None:
        self.collection = collection
        self.follower = follower

    @classmethod
    def of(cls, services: Services) -> Imports:
        return cls(services.collection, services.follower)

    def import_file(self, path: Path, fmt: str, *, index: bool = True, index_progress: Callable | None = None,
                    **options: Any) -> ImportReport:
        """Import one file (:func:`corpora.importer.import_file` takes ``options``) and, unless
        ``index`` is false or it was a dry run, bring the index up to date (``report.index``
        says how).  ImportRejected when the file has problems: nothing is written then."""
        report = import_file(self.collection, Path(path), fmt, **options)
        if index and not report.dry_run:
            report.index = self.follower.catch_up(index_progress)
        return report

    def import_files(self, files: Iterable[tuple[Path, str, dict]],
                     index_progress: Callable | None = None) -> tuple[list[ImportReport], CaughtUp]:
        """Import several files, each (path, format, options), then bring the index up to date
        once (a collection imported whole, as the relevance runner does)."""
        reports = [self.import_file(path, fmt, index=False, **options) for path, fmt, options in files]
        return reports, self.follower.catch_up(index_progress)

    def load_sample(self, *, force: bool = False, actor: str = "import") -> tuple[bool, CaughtUp | None]:
        """The sample corpus, unless it is loaded already (all of it again with ``force``); then
        the index brought up to date when anything was imported or it is behind."""
        from .sample import load_sample

        loaded = load_sample(self.collection, force=force, actor=actor)
        return loaded, self.catch_up_if(loaded)

    def load_open(self, names: list[str] | None = None, *, force: bool = False, progress: Callable | None = None,
                  index_progress: Callable | None = None, actor: str = "import:corpora",
                  ) -> tuple[list[tuple[OpenDataset, ImportReport | str]], CaughtUp | None]:
        """The open word lists shipped with the project (:func:`corpora.open.load_open`); then the
        index brought up to date when anything was imported or it is behind."""
        from .open import load_open

        done = load_open(self.collection, names, force=force, progress=progress, actor=actor)
        loaded = any(not isinstance(report, str) for _, report in done)
        return done, self.catch_up_if(loaded, index_progress)

    def catch_up_if(self, changed: bool, progress: Callable | None = None) -> CaughtUp | None:
        """Bring the index up to date when the store ``changed`` or the index is behind it."""
        if changed or self.follower.behind():
            return self.follower.catch_up(progress)
        return None
