"""Recording campaigns, their speakers and the review of what they record.

A speaker signs up once per language, with the consent they gave (its text, the licence chosen,
the day), kept with every recording they make; a withdrawn speaker's recordings leave the
public's view in the same transaction.  A campaign is a list of entries of one language to
record; each take uploaded for it is kept under the browser's idempotency key, so a retry after
a lost connection finds the take it already sent.  A campaign recording is ``pending`` until
it is accepted (or rejected); only accepted recordings are public
(:func:`dictionary.storage.clips.recordings_of`)."""

from __future__ import annotations

from dictionary.errors import Forbidden
from dictionary.storage.audit import Record
from dictionary.storage.changelog import recordings_changed
from dictionary.storage.clips import WITHDRAWN
from dictionary.storage.core import Connections, now

SPEAKER_FIELDS = ("language", "account", "name", "sex", "decade", "commune", "district", "province", "variety",
                  "licence", "consent", "consented_on", "created_by")


class Campaigns:
    """The ``speakers``, ``campaigns``, ``campaign_items`` and ``campaign_takes`` tables, and the
    review columns of ``audio_clips``."""

    def __init__(self, core: Connections) -> None:
        self.core = core

    # -- speakers ---------------------------------------------------------------------------------
    def add_speaker(self, fields: dict, audited: Record) -> int:
        names = [n for n in SPEAKER_FIELDS if n in fields]
        with self.core.transaction() as db:
            number = db.execute(
                f"INSERT INTO speakers ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) RETURNING id",
                [fields[n] for n in names]).fetchone()[0]
            Record(audited.actor, audited.action, str(number), audited.client, audited.detail).write(db)
        return int(number)

    def speaker(self, number: int) -> dict | None:
        rows = self.core.rows("SELECT * FROM speakers WHERE id = ?", (number,))
        return rows[0] if rows else None

    def speakers_of(self, account: str, language: str) -> list[dict]:
        """The account's speaker profiles in ``language`` still in force."""
        return self.core.rows("SELECT * FROM speakers WHERE account = ? AND language = ? AND withdrawn_at IS NULL "
                              "ORDER BY id", (account, language))

    def speakers(self, language: str | None) -> list[dict]:
        if language is None:
            return self.core.rows("SELECT * FROM speakers ORDER BY id")
        return self.core.rows("SELECT * FROM speakers WHERE language = ? ORDER BY id", (language,))

    def withdraw(self, number: int, audited: Record) -> tuple[bool, bool]:
        """Withdraw a speaker: their recordings leave the public's view at once.  (withdrawn now,
        whether the public text of an entry changed)."""
        with self.core.transaction() as db:
            done = db.execute("UPDATE speakers SET withdrawn_at = ?, withdrawn_by = ? WHERE id = ? AND "
                              "withdrawn_at IS NULL", (now(), audited.actor, number)).rowcount
            if not done:
                return False, False
            entries = [r for (r,) in db.execute(
                "SELECT DISTINCT entry_id FROM audio_clips WHERE speaker_id = ? AND review = 'accepted'", (number,))]
            db.execute("UPDATE audio_clips SET review = 'withdrawn' WHERE speaker_id = ?", (number,))
            audited.write(db)
            return True, recordings_changed(db, entries)

    # -- campaigns --------------------------------------------------------------------------------
    def unrecorded(self, language: str, dataset: str | None, order: str, limit: int) -> list[str]:
        """The published entries of ``language`` (of ``dataset``) with no accepted recording (public,
        or kept for internal use), most looked up first or by headword."""
        clauses, params = ["e.language = ?", "e.public IS NOT NULL"], [language]
        if dataset:
            clauses.append("e.dataset = ?")
            params.append(dataset)
        ordering = ("COALESCE(l.n, 0) DESC, e.headword, e.id" if order == "most_looked_up" else "e.headword, e.id")
        return [r for (r,) in self.core.db.execute(
            "SELECT e.id FROM entries e LEFT JOIN (SELECT entry_id, SUM(count) AS n FROM lookups GROUP BY entry_id) l "
            "ON l.entry_id = e.id WHERE " + " AND ".join(clauses) + " AND NOT EXISTS (SELECT 1 FROM audio_clips a "
            "WHERE a.entry_id = e.id AND a.kind = 'recording' AND a.review IN ('accepted', 'internal')) "
            f"ORDER BY {ordering} LIMIT ?", (*params, limit))]

    def open_campaign(self, language: str, name: str, dataset: str | None, order: str, entry_ids: list[str],
                      audited: Record) -> int:
        with self.core.transaction() as db:
            number = db.execute(
                "INSERT INTO campaigns (language, name, dataset, ordering, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", (language, name, dataset, order, audited.actor, now())
            ).fetchone()[0]
            db.executemany("INSERT INTO campaign_items (campaign, position, entry_id) VALUES (?, ?, ?)",
                           [(number, i, e) for i, e in enumerate(entry_ids)])
            Record(audited.actor, audited.action, str(number), audited.client,
                   {**(audited.detail or {}), "items": len(entry_ids)}).write(db)
        return int(number)

    def campaign(self, number: int) -> dict | None:
        rows = self.core.rows("SELECT * FROM campaigns WHERE id = ?", (number,))
        return rows[0] if rows else None

    def items(self, number: int) -> list[str]:
        return [r for (r,) in self.core.db.execute(
            "SELECT entry_id FROM campaign_items WHERE campaign = ? ORDER BY position", (number,))]

    def takes(self, number: int) -> list[dict]:
        """The campaign's takes with their clip's review."""
        return self.core.rows(
            "SELECT t.take, t.entry_id, t.speaker, t.clip_id, t.at, a.review, a.review_reason, a.reviewed_by "
            "FROM campaign_takes t JOIN audio_clips a ON a.id = t.clip_id WHERE t.campaign = ? ORDER BY t.at, t.take",
            (number,))

    def take(self, key: str) -> dict | None:
        rows = self.core.rows("SELECT * FROM campaign_takes WHERE take = ?", (key,))
        return rows[0] if rows else None

    def add_take(self, key: str, campaign: int, entry_id: str, speaker: int, clip_id: str) -> dict:
        """Keep a take under its key (the first one kept under a key stays)."""
        with self.core.transaction() as db:
            db.execute("INSERT OR IGNORE INTO campaign_takes (take, campaign, entry_id, speaker, clip_id, at) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (key, campaign, entry_id, speaker, clip_id, now("milliseconds")))
        found = self.take(key)
        assert found is not None
        return found

    # -- review -----------------------------------------------------------------------------------
    def review(self, clip_id: str, verdict: str, reason: str | None, audited: Record) -> tuple[bool, bool]:
        """Accept (``accepted``: public; ``internal``: for the editors only, as its speaker chose) or
        reject a pending recording (or one rejected before); (changed, whether the public text of
        its entry changed)."""
        with self.core.transaction() as db:
            row = db.execute("SELECT a.entry_id, a.review, s.withdrawn_at FROM audio_clips a LEFT JOIN speakers s "
                             "ON s.id = a.speaker_id WHERE a.id = ?", (clip_id,)).fetchone()
            if row is not None and row[2] is not None:
                raise Forbidden(WITHDRAWN)  # withdrawn while the review was on its way
            if row is None or row[1] not in ("pending", "rejected") or row[1] == verdict:
                return False, False
            db.execute("UPDATE audio_clips SET review = ?, reviewed_by = ?, review_reason = ? WHERE id = ?",
                       (verdict, audited.actor, reason, clip_id))
            audited.write(db)
            return True, verdict == "accepted" and recordings_changed(db, [row[0]])

    def pending(self, language: str | None) -> list[dict]:
        """Recordings waiting for review, oldest first."""
        if language is None:
            return self.core.rows("SELECT * FROM audio_clips WHERE review = 'pending' ORDER BY rowid")
        return self.core.rows("SELECT * FROM audio_clips WHERE review = 'pending' AND language = ? ORDER BY rowid",
                              (language,))

    # -- coverage ---------------------------------------------------------------------------------
    def coverage(self) -> list[dict]:
        """Per language and dataset: published entries, those with an accepted recording, and
        recordings pending review (of any entry)."""
        published = self.core.rows(
            "SELECT e.language, e.dataset, COUNT(*) AS published, SUM(CASE WHEN EXISTS (SELECT 1 FROM audio_clips a "
            "WHERE a.entry_id = e.id AND a.kind = 'recording' AND a.review = 'accepted') THEN 1 ELSE 0 END) "
            "AS recorded FROM entries e WHERE e.public IS NOT NULL GROUP BY e.language, e.dataset")
        pending = {(r["language"], r["dataset"]): int(r["n"]) for r in self.core.rows(
            "SELECT e.language, e.dataset, COUNT(*) AS n FROM audio_clips a JOIN entries e ON e.id = a.entry_id "
            "WHERE a.review = 'pending' GROUP BY e.language, e.dataset")}
        out = []
        for row in published:
            key = (row["language"], row["dataset"])
            out.append({"language": row["language"], "dataset": row["dataset"], "published": int(row["published"]),
                        "recorded": int(row["recorded"] or 0), "pending": pending.pop(key, 0)})
        out += [{"language": lang, "dataset": ds, "published": 0, "recorded": 0, "pending": n}
                for (lang, ds), n in pending.items()]
        return out
