"""Search backends behind one interface (:class:`indexer.base.Backend`)."""

from __future__ import annotations

from dictionary.bulk import paused_gc
from dictionary.config import Settings
from dictionary.store import Store

from .base import Backend, all_key_docs


def open_backend(settings: Settings) -> Backend:
    if settings.backend == "embedded":
        from .embedded import EmbeddedBackend

        return EmbeddedBackend(settings.index_dir)
    if settings.backend == "elasticsearch":
        from .elastic import ElasticBackend

        return ElasticBackend(settings.elastic)
    raise SystemExit(f"backend {settings.backend!r} is not available in this build")


@paused_gc()
def rebuild(store: Store, backend: Backend, progress=None) -> int:
    """Rebuild ``backend``'s index from the store; returns the number of keys indexed."""
    generation = store.generation
    entries = store.iter_entries()
    if progress is not None:
        entries = progress(entries, total=store.count())
    return backend.rebuild(all_key_docs(entries), generation)
