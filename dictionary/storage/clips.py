"""The pronunciation catalogue: recordings and synthetic clips (the bytes are blobs on disk,
:mod:`dictionary.audio.blobs`).  A recording of a published entry is part of its public text:
adding or removing one enters the entry in the change feed.  Only accepted recordings are public
(``review``: a campaign's recording is ``pending`` until it is accepted — ``internal`` when its
speaker allowed internal use only, never public — a withdrawn speaker's are ``withdrawn``; every
other recording is accepted when it is added)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from dictionary.errors import Forbidden
from dictionary.storage.audit import Record
from dictionary.storage.changelog import head_of, recordings_changed
from dictionary.storage.core import Connections, now

WITHDRAWN = "Người đọc này đã rút lại sự đồng ý; không ghi thêm và không duyệt được bản ghi của họ."


def recordings_of(db: sqlite3.Connection, entry_ids: list[str]) -> dict[str, list[dict]]:
    """Each entry's public (accepted) recordings, in the order they were added, read on ``db``."""
    out: dict[str, list[dict]] = {}
    for start in range(0, len(entry_ids), 500):
        chunk = entry_ids[start : start + 500]
        cursor = db.execute(f"SELECT * FROM audio_clips WHERE kind = 'recording' AND review = 'accepted' AND entry_id IN "
                            f"({','.join('?' * len(chunk))}) ORDER BY rowid", chunk)
        names = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            out.setdefault(row["entry_id"], []).append(row)
    return out


class Clips:
    """The ``audio_clips`` table."""

    def __init__(self, core: Connections) -> None:
        self.core = core

    def clips(self, ids: list[str]) -> dict[str, dict]:
        """Catalogue rows of the clips with these ids (those that exist)."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        return {r["id"]: r for r in self.core.rows(f"SELECT * FROM audio_clips WHERE id IN ({marks})", ids)}

    def recordings(self, entry_ids: list[str]) -> dict[str, list[dict]]:
        """Each entry's recordings, in the order they were added."""
        return recordings_of(self.core.db, entry_ids)

    def recording_ids(self, language: str) -> list[str]:
        """The ids of the recordings of ``language``'s published entries, sorted."""
        return [r for (r,) in self.core.db.execute(
            "SELECT a.id FROM audio_clips a JOIN entries e ON e.id = a.entry_id WHERE a.kind = 'recording' "
            "AND a.review = 'accepted' AND e.language = ? AND e.public IS NOT NULL ORDER BY a.id", (language,))]

    def public_recordings(self, language: str) -> tuple[int, list[dict]]:
        """The feed's head and the recordings of ``language``'s published entries (catalogue
        rows, in the order they were added), read in one snapshot."""
        with self.core.own() as db:
            db.execute("BEGIN")
            head = head_of(db)
            cursor = db.execute("SELECT a.* FROM audio_clips a JOIN entries e ON e.id = a.entry_id "
                                "WHERE a.kind = 'recording' AND a.review = 'accepted' AND e.language = ? "
                                "AND e.public IS NOT NULL ORDER BY a.rowid", (language,))
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, values, strict=True)) for values in cursor]
            db.execute("COMMIT")
        return head, rows

    def add_clip(self, row: dict, *, audited: Record | None = None) -> bool:
        """Catalogue a clip (a clip already there is left as it is).  A recording of a published
        entry changes what the public reads of it: the change feed says so.  Returns whether the
        public text changed.  With ``audited``, a clip added is audited in the same transaction."""
        row = {**row, "created_at": now()}
        names = ",".join(row)
        marks = ",".join("?" * len(row))
        with self.core.transaction() as db:
            if row.get("speaker_id") is not None and db.execute(
                    "SELECT withdrawn_at FROM speakers WHERE id = ?", (row["speaker_id"],)).fetchone()[0] is not None:
                raise Forbidden(WITHDRAWN)  # withdrawn since the upload was checked: nothing is kept
            added = db.execute(f"INSERT OR IGNORE INTO audio_clips ({names}) VALUES ({marks})",
                               tuple(row.values())).rowcount
            if added and audited is not None:
                audited.write(db)
            return (bool(added) and row["kind"] == "recording" and row.get("review", "accepted") == "accepted"
                    and recordings_changed(db, [row["entry_id"]]))

    def delete_clips(self, ids: Iterable[str], *, audited: Record | None = None) -> bool:
        """Remove clips from the catalogue (with ``audited``, in one transaction with that audit
        record); returns whether the public text of an entry changed (one of its recordings went)."""
        ids = list(ids)
        with self.core.transaction() as db:
            entries: set[str] = set()
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                entries.update(r for (r,) in db.execute(
                    f"SELECT DISTINCT entry_id FROM audio_clips WHERE kind = 'recording' AND entry_id IS NOT NULL "
                    f"AND id IN ({','.join('?' * len(chunk))})", chunk))
            db.executemany("DELETE FROM audio_clips WHERE id = ?", [(i,) for i in ids])
            if audited is not None:
                audited.write(db)
            return recordings_changed(db, sorted(entries))

    def clip_files(self) -> list[tuple[str, str, str]]:
        """(id, original sha, playback sha) of every clip."""
        return self.core.db.execute("SELECT id, original_sha, playback_sha FROM audio_clips").fetchall()

    def orphan_recordings(self) -> set[str]:
        """Recordings whose entry no longer exists."""
        return {r for (r,) in self.core.db.execute(
            "SELECT a.id FROM audio_clips a LEFT JOIN entries e ON e.id = a.entry_id "
            "WHERE a.kind = 'recording' AND e.id IS NULL")}

    def synthetic_total(self) -> int:
        """Bytes of every synthetic clip's playback copy."""
        return self.core.db.execute(
            "SELECT COALESCE(SUM(playback_bytes), 0) FROM audio_clips WHERE kind = 'synthetic'"
        ).fetchone()[0]

    def synthetic_sizes(self) -> list[tuple[str, int]]:
        """(id, bytes) of every synthetic clip, newest first."""
        return self.core.db.execute(
            "SELECT id, playback_bytes FROM audio_clips WHERE kind = 'synthetic' ORDER BY rowid DESC"
        ).fetchall()
