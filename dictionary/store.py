"""The canonical store: SQLite under the data directory.

Entries are kept whole (as JSON) with the columns that queries need beside them.  Every write
bumps a generation number; the search index records the generation it was built from, so a stale
index can be told apart from a current one.  The index can always be rebuilt from this store.
The store owns every table (:mod:`dictionary.schema` defines them and their migrations): the
entries, the datasets and the pronunciation catalogue; nothing else writes SQL against them.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from .errors import AccountExists, AccountNotFound, EntryNotFound
from .model import Entry, Status
from .schema import migrate


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    format: str
    citation: str | None = None
    licence: str | None = None
    source_file: str | None = None
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class ReplaceStats:
    added: int
    updated: int
    unchanged: int
    removed: int


class Store:
    """One SQLite database.  Connections are per thread; writers use one transaction each."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._local = threading.local()
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = self._connect()
            try:
                migrate(db)
            finally:
                db.close()

    # -- connections -------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self.readonly:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        else:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=5000")
        return db

    @property
    def db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- writing -----------------------------------------------------------------------------
    def replace_dataset(self, dataset: Dataset, entries: Iterable[Entry]) -> ReplaceStats:
        """Make ``dataset`` hold exactly ``entries``, in one transaction.

        Entries keep their row (so index references and URLs stay valid) and their editorial
        status when they are imported again; entries the new file no longer has are removed.
        """
        db = self.db
        added = updated = unchanged = 0
        seen: set[str] = set()
        try:
            db.execute("BEGIN IMMEDIATE")
            existing = {
                row[0]: (row[1], row[2])
                for row in db.execute(
                    "SELECT id, status, body FROM entries WHERE dataset = ?", (dataset.name,)
                )
            }
            inserts = []
            updates = []
            for entry in entries:
                seen.add(entry.id)
                old = existing.get(entry.id)
                if old is not None:
                    entry = entry.model_copy(update={"status": Status(old[0])})
                body = entry.__pydantic_serializer__.to_json(entry)  # what model_dump_json encodes
                if old is None:
                    inserts.append(
                        (entry.id, entry.language, dataset.name, entry.headword, entry.status.value, body)
                    )
                elif old[1] != body:
                    updates.append((entry.language, entry.headword, body, entry.id))
                else:
                    unchanged += 1
            conflict = self._other_dataset_ids(db, dataset.name, [row[0] for row in inserts])
            if conflict:
                raise ValueError(f"entry id {conflict} already belongs to another dataset")
            db.executemany(
                "INSERT INTO entries (id, language, dataset, headword, status, body) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                inserts,
            )
            db.executemany(
                "UPDATE entries SET language = ?, headword = ?, body = ? WHERE id = ?", updates
            )
            gone = [(entry_id,) for entry_id in existing if entry_id not in seen]
            db.executemany("DELETE FROM entries WHERE id = ?", gone)
            added, updated = len(inserts), len(updates)
            db.execute(
                "INSERT OR REPLACE INTO datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    dataset.name,
                    dataset.format,
                    dataset.citation,
                    dataset.licence,
                    dataset.source_file,
                    dataset.sha256,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    len(seen),
                ),
            )
            if inserts or updates or gone:
                self._bump(db)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return ReplaceStats(added, updated, unchanged, len(gone))

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

    @staticmethod
    def _bump(db: sqlite3.Connection) -> None:
        db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")

    # -- reading -----------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def get(self, entry_id: str) -> Entry:
        row = self.db.execute("SELECT body FROM entries WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise EntryNotFound(entry_id)
        return Entry.model_validate(orjson.loads(row[0]))

    def bodies(self, rowids: list[int]) -> dict[int, dict]:
        """Raw entry dicts by row, for building responses without re-validating."""
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        rows = self.db.execute(
            f"SELECT rowid, body FROM entries WHERE rowid IN ({marks})", rowids
        ).fetchall()
        return {rowid: orjson.loads(body) for rowid, body in rows}

    def heads(self, rowids: list[int]) -> dict[int, dict]:
        """``{"id", "language", "headword"}`` by row, read without parsing the entries."""
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        rows = self.db.execute(
            f"SELECT rowid, id, language, headword FROM entries WHERE rowid IN ({marks})", rowids
        ).fetchall()
        return {rowid: {"id": id_, "language": language, "headword": headword}
                for rowid, id_, language, headword in rows}

    def iter_entries(self, batch: int = 5000) -> Iterator[tuple[int, dict]]:
        """Every entry as (row, raw dict), in row order, streamed in batches."""
        last = 0
        db = self._connect()  # a connection of its own: the caller may write meanwhile
        try:
            while True:
                rows = db.execute(
                    "SELECT rowid, body FROM entries WHERE rowid > ? ORDER BY rowid LIMIT ?",
                    (last, batch),
                ).fetchall()
                if not rows:
                    return
                for rowid, body in rows:
                    yield rowid, orjson.loads(body)
                last = rows[-1][0]
        finally:
            db.close()

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]

    def language_counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT language, COUNT(*) FROM entries GROUP BY language"))

    def datasets(self) -> list[dict]:
        cursor = self.db.execute("SELECT * FROM datasets ORDER BY name")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def headwords(self, language: str) -> Iterator[tuple[str, str]]:
        """(id, headword) of every entry of ``language``."""
        yield from self.db.execute("SELECT id, headword FROM entries WHERE language = ?", (language,))

    def dataset_entries(self, dataset: str) -> list[tuple[str, dict]]:
        """(id, raw dict) of every entry of ``dataset``."""
        rows = self.db.execute("SELECT id, body FROM entries WHERE dataset = ?", (dataset,)).fetchall()
        return [(entry_id, orjson.loads(body)) for entry_id, body in rows]

    # -- the pronunciation catalogue ---------------------------------------------------------
    def _rows(self, sql: str, params: Iterable = ()) -> list[dict]:
        cursor = self.db.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def clips(self, ids: list[str]) -> dict[str, dict]:
        """Catalogue rows of the clips with these ids (those that exist)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {r["id"]: r for r in self._rows(f"SELECT * FROM audio_clips WHERE id IN ({marks})", ids)}

    def recordings(self, entry_ids: list[str]) -> dict[str, list[dict]]:
        """Each entry's recordings, in the order they were added."""
        out: dict[str, list[dict]] = {}
        if not entry_ids:
            return out
        marks = ",".join("?" * len(entry_ids))
        for row in self._rows(
            f"SELECT * FROM audio_clips WHERE kind = 'recording' AND entry_id IN ({marks}) ORDER BY rowid",
            entry_ids,
        ):
            out.setdefault(row["entry_id"], []).append(row)
        return out

    def add_clip(self, row: dict) -> None:
        """Catalogue a clip (a clip already there is left as it is)."""
        row = {**row, "created_at": datetime.now(UTC).isoformat(timespec="seconds")}
        names = ",".join(row)
        marks = ",".join("?" * len(row))
        with self._transaction() as db:
            db.execute(f"INSERT OR IGNORE INTO audio_clips ({names}) VALUES ({marks})", tuple(row.values()))

    def delete_clips(self, ids: Iterable[str]) -> None:
        with self._transaction() as db:
            db.executemany("DELETE FROM audio_clips WHERE id = ?", [(i,) for i in ids])

    def clip_files(self) -> list[tuple[str, str, str]]:
        """(id, original sha, playback sha) of every clip."""
        return self.db.execute("SELECT id, original_sha, playback_sha FROM audio_clips").fetchall()

    def orphan_recordings(self) -> set[str]:
        """Recordings whose entry no longer exists."""
        return {r for (r,) in self.db.execute(
            "SELECT a.id FROM audio_clips a LEFT JOIN entries e ON e.id = a.entry_id "
            "WHERE a.kind = 'recording' AND e.id IS NULL")}

    def synthetic_total(self) -> int:
        """Bytes of every synthetic clip's playback copy."""
        return self.db.execute(
            "SELECT COALESCE(SUM(playback_bytes), 0) FROM audio_clips WHERE kind = 'synthetic'"
        ).fetchone()[0]

    def synthetic_sizes(self) -> list[tuple[str, int]]:
        """(id, bytes) of every synthetic clip, newest first."""
        return self.db.execute(
            "SELECT id, playback_bytes FROM audio_clips WHERE kind = 'synthetic' ORDER BY rowid DESC"
        ).fetchall()

    # -- accounts and the audit log -----------------------------------------------------------
    def add_account(self, row: dict) -> None:
        """A new account; AccountExists when the name is taken."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        row = {**row, "created_at": now, "updated_at": now}
        try:
            with self._transaction() as db:
                db.execute(f"INSERT INTO accounts ({','.join(row)}) VALUES ({','.join('?' * len(row))})",
                           tuple(row.values()))
        except sqlite3.IntegrityError:
            raise AccountExists(row["name"]) from None

    def update_account(self, name: str, **fields) -> None:
        fields["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        with self._transaction() as db:
            changed = db.execute(
                f"UPDATE accounts SET {', '.join(f'{k} = ?' for k in fields)} WHERE name = ?",
                (*fields.values(), name),
            ).rowcount
        if not changed:
            raise AccountNotFound(name)

    def account(self, name: str) -> dict | None:
        rows = self._rows("SELECT * FROM accounts WHERE name = ?", (name,))
        return rows[0] if rows else None

    def account_by_token(self, token_hash: str) -> dict | None:
        rows = self._rows("SELECT * FROM accounts WHERE token_hash = ?", (token_hash,))
        return rows[0] if rows else None

    def accounts(self) -> list[dict]:
        return self._rows("SELECT * FROM accounts ORDER BY name")

    def audit(self, actor: str, action: str, target: str | None = None, *, client: str | None = None,
              detail: dict | None = None) -> None:
        """Append one record to the audit log (nothing updates or deletes them)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO audit_log (at, actor, client, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
                (datetime.now(UTC).isoformat(timespec="milliseconds"), actor, client, action, target,
                 orjson.dumps(detail).decode() if detail is not None else None),
            )

    def audit_log(self, since: str | None = None, limit: int = 100) -> list[dict]:
        rows = self._rows(
            "SELECT * FROM audit_log WHERE at >= ? ORDER BY id LIMIT ?", (since or "", limit)
        )
        for row in rows:
            row["detail"] = orjson.loads(row["detail"]) if row["detail"] else None
        return rows

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
