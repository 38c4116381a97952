"""A folder of offline packs read for the offline search: the entries of every language pack in
it, as the search service reads the store's (:class:`dictionary.search.ports.EntryReader`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from dictionary.packs.format import SUFFIX, PackError, check, prepared


class PackReader:
    """The packs in a folder (prepared: :func:`prepare`), read as one dictionary: what the search service reads of entries
    (their public text by row, the ranking's facts).  ``indexer.pack`` searches their keys."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.packs: dict[str, sqlite3.Connection] = {}
        self.meta: dict[str, dict[str, str]] = {}
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            try:
                found = check(db, path)
                if found.get("kind", "text") != "text":  # a recordings pack
                    db.close()
                    continue
                if not prepared(db):
                    raise PackError(f"{path}: the pack was not set up after its download (dictionary/packs/packs.md)")
            except (PackError, sqlite3.Error):
                db.close()
                self.close()
                raise
            self.packs[found["language"]] = db
            self.meta[found["language"]] = found

    @property
    def generation(self) -> int:
        """Changes with any pack's version (the ranking's facts are read again then)."""
        return sum(int(m["version"]) for m in self.meta.values())

    def _all(self, sql: str, params: Iterable = ()) -> Iterator[tuple]:
        for db in self.packs.values():
            yield from db.execute(sql, tuple(params))

    def _by_rows(self, columns: str, rows: list[int]) -> Iterator[tuple]:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            yield from self._all(f"SELECT row, {columns} FROM entries WHERE row IN ({','.join('?' * len(chunk))})",
                                 chunk)

    def authoritative(self) -> frozenset[int]:
        return frozenset(r for (r,) in self._all("SELECT row FROM entries WHERE authority = 1"))

    def broad(self, above: int) -> dict[int, int]:
        return dict(self._all("SELECT row, meanings FROM entries WHERE meanings > ?", (above,)))

    def bodies(self, rows: list[int]) -> dict[int, dict]:
        return {row: orjson.loads(body) for row, body in self._by_rows("json", rows)}

    def heads(self, rows: list[int]) -> dict[int, dict]:
        return {row: {"id": body["id"], "language": body["language"], "headword": body["headword"]}
                for row, body in self.bodies(rows).items()}

    def language_counts(self) -> dict[str, int]:
        """Entries per language pack."""
        return {language: db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
                for language, db in self.packs.items()}

    def count(self) -> int:
        return sum(db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] for db in self.packs.values())

    def close(self) -> None:
        for db in self.packs.values():
            db.close()
        self.packs.clear()
