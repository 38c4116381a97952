"""Which embedded index is current and what it was built from, read without the engine.

``tudien serve``'s supervising process asks whether the index needs a rebuild before it starts
the workers.  It lives as long as they do, so it loads neither tantivy nor the entry models: of
the 75 MB it held when it opened the backend to ask, 45 MB were theirs.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

LAYOUT = 3  # the index's schema, analysers and document order; an index of another layout is rebuilt
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


def why_rebuild(root: Path, store_path: Path) -> str | None:
    """Why the index in ``root`` cannot serve the store at ``store_path`` as it is, or None when
    it can (or when the store is empty: there is nothing to index)."""
    try:
        db = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        # the same row Store.generation reads
        row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        has_entries = db.execute("SELECT EXISTS (SELECT 1 FROM entries)").fetchone()[0]
    except sqlite3.Error:
        return None
    finally:
        db.close()
    if not has_entries:
        return None
    folder = current_folder(root)
    meta = read_meta(folder) if folder is not None else None
    if meta is None:
        return "there is no index yet"
    if meta.get("layout") != LAYOUT:
        return "the index was built by an earlier version"
    if meta.get("generation") != (int(row[0]) if row else 0):
        return "the index is behind the store"
    return None
