"""Search backends behind one interface (:class:`indexer.base.Backend`).

Importing the package loads no engine: ``tudien serve``'s supervising process reads
:mod:`indexer.current` and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dictionary.config import Settings
    from dictionary.store import Store

    from .base import Backend


def open_backend(settings: Settings) -> Backend:
    if settings.backend == "embedded":
        from .embedded import EmbeddedBackend

        return EmbeddedBackend(settings.index_dir)
    if settings.backend == "elasticsearch":
        from .elastic import ElasticBackend

        return ElasticBackend(settings.elastic)
    raise SystemExit(f"backend {settings.backend!r} is not available in this build")


def rebuild(store: Store, backend: Backend, progress=None) -> int:
    """Rebuild ``backend``'s index from the store; returns the number of keys indexed."""
    from dictionary.bulk import paused_gc

    from .base import all_key_docs

    with paused_gc():
        generation = store.generation
        entries = store.iter_entries()
        if progress is not None:
            entries = progress(entries, total=store.count())
        return backend.rebuild(all_key_docs(entries), generation)
