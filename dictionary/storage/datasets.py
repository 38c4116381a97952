"""Datasets: what each import brought, and making a dataset hold exactly a file's entries."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

import orjson

from dictionary.model import Entry, Status, meanings
from dictionary.storage import audit
from dictionary.storage.changelog import record
from dictionary.storage.core import Connections, as_json, now
from dictionary.storage.entries import changes
from dictionary.storage.suggestions import close_on_removal


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    format: str
    citation: str | None = None
    licence: str | None = None
    source_file: str | None = None
    sha256: str | None = None
    description: str | None = None  # what the dataset is, for its readers
    title: str | None = None  # its name as a person writes it, for public pages (else its name)


@dataclass(frozen=True, slots=True)
class ReplaceStats:
    added: int
    updated: int
    unchanged: int
    removed: int
    kept: tuple[str, ...] = ()  # entries editors changed since the last import: left as they are


class Datasets:
    """The ``datasets`` table, and the entries and revisions of a dataset as a whole."""

    def __init__(self, core: Connections) -> None:
        self.core = core

    def replace(self, dataset: Dataset, entries: Iterable[Entry], *,
                        status: Status = Status.published, actor: str = "import",
                        client: str | None = None) -> ReplaceStats:
        """Make ``dataset`` hold exactly ``entries``, in one transaction (see :meth:`_replace_dataset`)."""
        with self.core.writer() as db:
            return self._replace(db, dataset, entries, status=status, actor=actor, client=client)

    def _replace(self, db, dataset: Dataset, entries: Iterable[Entry], *,
                        status: Status = Status.published, actor: str = "import",
                        client: str | None = None) -> ReplaceStats:
        """Make ``dataset`` hold exactly ``entries``, in one transaction.

        New entries get ``status`` (published: the public reads them at once; draft: they wait for
        review).  Entries imported before keep their row (so index references and URLs stay
        valid) and their status; a changed one gets a new revision.  An entry that editors have
        changed since is neither overwritten nor removed: it is reported in ``kept``.  Entries the
        new file no longer has are removed."""
        added = updated = unchanged = 0
        seen: set[str] = set()
        kept: list[str] = []
        author = f"import:{dataset.name}"
        at = now()
        try:
            db.execute("BEGIN IMMEDIATE")
            existing = {
                row[1]: row
                for row in db.execute(
                    "SELECT rowid, id, status, revision, body, public IS NOT NULL, edited_at, language "
                    "FROM entries WHERE dataset = ?", (dataset.name,)
                )
            }
            inserts, revisions, updates = [], [], []
            public_rows: list[tuple[str, str | None]] = []
            for entry in entries:
                seen.add(entry.id)
                old = existing.get(entry.id)
                if old is not None and old[6] is not None:  # edited since: the editors' text stands
                    kept.append(entry.id)
                    continue
                entry_status = Status(old[2]) if old is not None else status
                entry = entry.model_copy(update={"status": entry_status})
                body = as_json(entry)
                published = entry_status == Status.published
                if old is None:
                    inserts.append((entry.id, entry.language, dataset.name, entry.headword, entry_status.value,
                                    body, body if published else None, 1 if published else None,
                                    int(published and bool(entry.authority)),
                                    meanings(orjson.loads(body)) if published else 0))
                    revisions.append((entry.id, 1, author, at, entry_status.value, None, '["created"]', body))
                elif old[4] != body:
                    revision = old[3] + 1
                    updates.append((entry.language, entry.headword, body, revision, published, body, published,
                                    revision, published, int(bool(entry.authority)), published,
                                    meanings(orjson.loads(body)), entry.id))
                    revisions.append((entry.id, revision, author, at, entry_status.value, None,
                                      orjson.dumps(changes(orjson.loads(old[4]), orjson.loads(body))).decode(), body))
                else:
                    unchanged += 1
                    continue
                if published or (old is not None and old[5]):
                    # an entry moving to another language concerns the readers of both
                    moved = old is not None and old[5] and old[7] != entry.language
                    public_rows.append((entry.id, None if moved else entry.language))
            conflict = self._other_dataset_ids(db, dataset.name, [row[0] for row in inserts])
            if conflict:
                raise ValueError(f"entry id {conflict} already belongs to another dataset")
            db.executemany(
                "INSERT INTO entries (id, language, dataset, headword, status, body, public, published_revision, "
                "authority, meanings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                inserts,
            )
            db.executemany(
                "UPDATE entries SET language = ?, headword = ?, body = ?, revision = ?, "
                "public = CASE WHEN ? = 1 THEN ? ELSE public END, "
                "published_revision = CASE WHEN ? = 1 THEN ? ELSE published_revision END, "
                "authority = CASE WHEN ? = 1 THEN ? ELSE authority END, "
                "meanings = CASE WHEN ? = 1 THEN ? ELSE meanings END WHERE id = ?", updates
            )
            gone = [entry_id for entry_id in existing if entry_id not in seen]
            kept.extend(entry_id for entry_id in gone if existing[entry_id][6] is not None)
            gone = [entry_id for entry_id in gone if existing[entry_id][6] is None]
            gone_public = [(existing[e][0], e) for e in gone if existing[e][5]]
            close_on_removal(db, gone, actor)
            db.executemany("DELETE FROM entries WHERE id = ?", [(e,) for e in gone])
            db.executemany("DELETE FROM revisions WHERE entry_id = ?", [(e,) for e in gone])
            db.executemany("INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", revisions)
            added, updated = len(inserts), len(updates)
            db.execute(
                "INSERT OR REPLACE INTO datasets (name, format, citation, licence, source_file, sha256, "
                "imported_at, entries, description, title) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                "COALESCE(?, (SELECT description FROM datasets WHERE name = ?)), "
                "COALESCE(?, (SELECT title FROM datasets WHERE name = ?)))",
                (
                    dataset.name,
                    dataset.format,
                    dataset.citation,
                    dataset.licence,
                    dataset.source_file,
                    dataset.sha256,
                    at,
                    len(seen),
                    dataset.description,
                    dataset.name,
                    dataset.title,
                    dataset.name,
                ),
            )
            if public_rows or gone_public:
                rows = self._rowids(db, [entry_id for entry_id, _ in public_rows])
                record(db, [(rows[entry_id], entry_id, language) for entry_id, language in public_rows]
                             + [(rowid, entry_id, existing[entry_id][7]) for rowid, entry_id in gone_public])
            audit.write(db, actor, "import", dataset.name, client=client, detail={
                "status": status.value, "added": added, "updated": updated, "unchanged": unchanged,
                "removed": len(gone), "kept": len(kept)})
            db.execute("COMMIT")
        except BaseException:
            if not getattr(db, "broken", False):
                db.execute("ROLLBACK")
            raise
        return ReplaceStats(added, updated, unchanged, len(gone), tuple(kept))


    @staticmethod
    def _rowids(db: sqlite3.Connection, ids: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            out.update(db.execute(f"SELECT id, rowid FROM entries WHERE id IN ({','.join('?' * len(chunk))})",
                                  chunk))
        return out

    @staticmethod
    def _other_dataset_ids(db: sqlite3.Connection, dataset: str, ids: list[str]) -> str | None:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            row = db.execute(
                f"SELECT id FROM entries WHERE dataset != ? AND id IN ({marks}) LIMIT 1",
                (dataset, *chunk),
            ).fetchone()
            if row:
                return row[0]
        return None

    def all(self) -> list[dict]:
        cursor = self.core.db.execute("SELECT * FROM datasets ORDER BY name")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def get(self, name: str) -> dict | None:
        """One dataset's row, with how many of its entries the public reads, by language, and
        how many editors changed since its import; None when there is none of that name."""
        cursor = self.core.db.execute("SELECT * FROM datasets WHERE name = ?", (name,))
        row = cursor.fetchone()
        if row is None:
            return None
        out = dict(zip([d[0] for d in cursor.description], row, strict=True))
        out["languages"] = dict(self.core.db.execute(
            "SELECT language, COUNT(*) FROM entries WHERE dataset = ? AND public IS NOT NULL "
            "GROUP BY language ORDER BY language", (name,)))
        out["edited"] = self.core.db.execute("SELECT COUNT(*) FROM entries WHERE dataset = ? AND edited_at IS NOT NULL",
                                        (name,)).fetchone()[0]
        return out

    def remove(self, name: str, *, actor: str, client: str | None = None) -> int:
        """Delete a dataset, its entries and their revisions, in one transaction with its audit
        record; the public entries leave the index through the change feed.  Returns how many
        entries went.  Recordings of those entries stay in the catalogue (``tudien audio gc``
        reports them)."""
        with self.core.transaction() as db:
            rows = db.execute("SELECT rowid, id, public IS NOT NULL, language FROM entries WHERE dataset = ?",
                              (name,)).fetchall()
            exists = db.execute("SELECT 1 FROM datasets WHERE name = ?", (name,)).fetchone()
            if exists is None:
                raise KeyError(name)
            gone_public = [(rowid, entry_id, language) for rowid, entry_id, public, language in rows if public]
            close_on_removal(db, [row[1] for row in rows], actor)
            db.executemany("DELETE FROM revisions WHERE entry_id = ?", [(row[1],) for row in rows])
            db.execute("DELETE FROM entries WHERE dataset = ?", (name,))
            db.execute("DELETE FROM datasets WHERE name = ?", (name,))
            if gone_public:
                record(db, gone_public)
            audit.write(db, actor, "dataset.remove", name, client=client, detail={"entries": len(rows)})
        return len(rows)
