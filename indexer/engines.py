"""The search engines by name: the table ``TUDIEN_BACKEND`` chooses from.

An engine joins by one entry: its name and the function that opens it from the program's
settings.  An engine's module is imported when it is opened, so that naming the engines (the
settings check the name) loads none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from dictionary.search.ports import Backend

    from .config import ElasticSettings


class EngineSettings(Protocol):
    """What the engines are opened with: the program's settings have these."""

    @property
    def index_dir(self) -> Path: ...

    @property
    def elastic(self) -> ElasticSettings: ...


def embedded(settings: EngineSettings) -> Backend:
    """tantivy in process, its index in the data folder: the default, nothing to run beside it."""
    from .embedded import EmbeddedBackend

    return EmbeddedBackend(settings.index_dir)


def elasticsearch(settings: EngineSettings) -> Backend:
    """An Elasticsearch cluster, which several nodes share."""
    from .elastic import ElasticBackend

    return ElasticBackend(settings.elastic)


BACKENDS: dict[str, Callable[[EngineSettings], Backend]] = {
    "embedded": embedded,
    "elasticsearch": elasticsearch,
}
