"""Which embedded index is current and what it was built from, read without the engine.

``tudien serve``'s supervising process asks whether the index needs a rebuild before it starts
the workers (with the store's state from :func:`dictionary.storage.schema.peek`).  It lives as long as they do, so it loads neither tantivy nor the entry models: of
the 75 MB it held when it opened the backend to ask, 45 MB were theirs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from dictionary.storage.schema import StoreState

LAYOUT = 5  # the index's schema, analysers and document order; an index of another layout is rebuilt
POINTER = "CURRENT"  # names the folder of the current index
META = "tudien-meta.json"  # in that folder: layout, store generation, documents, build time


def current_folder(root: Path) -> Path | None:
    """The folder of the current index, or None when there is none."""
    try:
        return Path(root) / (Path(root) / POINTER).read_text().strip()
    except FileNotFoundError:
        return None


def read_meta(folder: Path) -> dict | None:
    """An index folder's meta, or None when it has none that can be read."""
    try:
        return json.loads((folder / META).read_text())
    except (FileNotFoundError, ValueError):
        return None


def write_meta(folder: Path, meta: dict) -> None:
    """Replace an index folder's meta in one step (a reader sees the old or the new, whole)."""
    part = folder / f"{META}.part"
    part.write_text(json.dumps(meta))
    os.replace(part, folder / META)


def why_rebuild(root: Path, store: StoreState | None) -> str | None:
    """Why the index in ``root`` cannot serve a store in ``store``'s state as it is, or None when
    it can (or when there is no store, or it is empty: there is nothing to index)."""
    if store is None or not store.has_entries:
        return None
    folder = current_folder(root)
    meta = read_meta(folder) if folder is not None else None
    if meta is None:
        return "there is no index yet"
    if meta.get("layout") != LAYOUT:
        return "the index was built by an earlier version"
    if meta.get("generation") != store.generation:
        return "the index is behind the store"
    return None
