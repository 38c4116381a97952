"""Entries and their revisions: the latest revision of each entry (``body``) and, apart, the one
the public reads (``public``), every revision kept with its author, time, comment and changes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import orjson

from dictionary.errors import EntryNotFound
from dictionary.model import Entry, Status, meanings
from dictionary.storage import audit
from dictionary.storage.changelog import generation_of, record
from dictionary.storage.core import Connections, as_json, now


@dataclass(frozen=True, slots=True)
class EntryState:
    """An entry as the store holds it: its latest revision (``body``) and, apart, the revision the
    public reads (``public``, None when none is published)."""

    rowid: int
    id: str
    language: str
    dataset: str
    status: Status
    revision: int
    published_revision: int | None
    body: dict
    public: dict | None
    edited_at: str | None

    @property
    def pending(self) -> bool:
        """A revision newer than the published one waits for review."""
        return self.public is not None and self.published_revision != self.revision


@dataclass(frozen=True, slots=True)
class Written:
    """What one editorial write did."""

    state: EntryState
    public_changed: bool  # the public text changed: the index must follow



class RevisionConflict(Exception):
    """The entry moved on since the revision the writer read (the store's side of 412)."""

    def __init__(self, current: int) -> None:
        self.current = current
        super().__init__(current)



def changes(old: dict | None, new: dict) -> list[str]:
    """What changed between two revisions' contents, as field paths (``headword``,
    ``senses[0].glosses.vie``, ``status``); ``["created"]`` for a first revision."""
    if old is None:
        return ["created"]
    out: list[str] = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key == "senses" and isinstance(a, list) and isinstance(b, list):
            for i in range(max(len(a), len(b))):
                sa = a[i] if i < len(a) else None
                sb = b[i] if i < len(b) else None
                if sa == sb:
                    continue
                if sa is None or sb is None:
                    out.append(f"senses[{i}]")
                    continue
                for field in dict.fromkeys([*sa, *sb]):
                    fa, fb = sa.get(field), sb.get(field)
                    if fa == fb:
                        continue
                    if field in ("glosses", "definitions") and isinstance(fa, dict) and isinstance(fb, dict):
                        out.extend(f"senses[{i}].{field}.{lang}" for lang in dict.fromkeys([*fa, *fb])
                                   if fa.get(lang) != fb.get(lang))
                    else:
                        out.append(f"senses[{i}].{field}")
        else:
            out.append(key)
    return out


_STATE_COLUMNS = "rowid, id, language, dataset, status, revision, published_revision, body, public, edited_at"


def _state(row) -> EntryState:
    rowid, id_, language, dataset, status, revision, published, body, public, edited = row
    return EntryState(rowid, id_, language, dataset, Status(status), revision, published, orjson.loads(body),
                      orjson.loads(public) if public is not None else None, edited)



class Entries:
    """The ``entries`` and ``revisions`` tables."""

    def __init__(self, core: Connections) -> None:
        self.core = core

    @property
    def kind(self) -> str:
        """The database the entries are in (``sqlite``, ``postgresql``)."""
        return self.core.kind

    def write_revision(self, entry: Entry, *, author: str, comment: str | None, status: Status,
                       expected: int | None = None, create: bool = False, action: str,
                       client: str | None = None, detail: dict | None = None) -> Written:
        """Store a new revision of ``entry`` with ``status``, in one transaction with its audit
        record: its content, author, time, comment and what changed.

        ``expected`` is the revision the writer read: when the entry has moved on since,
        RevisionConflict and nothing is written.  Publishing makes this revision the public
        text; retiring withdraws the public text; any other status leaves the public text as it
        was (an edit of a published entry waits for review while the public keeps reading the
        published revision)."""
        entry = entry.model_copy(update={"status": status})
        body = as_json(entry)
        at = now()
        with self.core.transaction() as db:
            row = db.execute(f"SELECT {_STATE_COLUMNS} FROM entries WHERE id = ?", (entry.id,)).fetchone()
            if create:
                if row is not None:
                    raise RevisionConflict(row[5])
                revision, old_body, had_public = 1, None, False
            else:
                if row is None:
                    raise EntryNotFound(entry.id)
                if expected is not None and row[5] != expected:
                    raise RevisionConflict(row[5])
                revision, old_body, had_public = row[5] + 1, orjson.loads(row[7]), row[8] is not None
            changed = changes(old_body, orjson.loads(body))
            # an entry editors changed the content of is theirs: a re-import leaves it (a status
            # move alone does not make it so)
            edited = at if create or any(c != "status" for c in changed) else row[9]
            if status == Status.published:
                public, published_revision = body, revision
            elif status == Status.retired:
                public, published_revision = None, None
            else:
                public = row[8] if row is not None else None
                published_revision = row[6] if row is not None else None
            shown = orjson.loads(public) if public is not None else None
            authority = int(shown is not None and bool(shown.get("authority")))
            breadth = meanings(shown) if shown is not None else 0
            if create:
                db.execute(
                    "INSERT INTO entries (id, language, dataset, headword, status, body, revision, public, "
                    "published_revision, edited_at, authority, meanings) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
                    (entry.id, entry.language, entry.provenance.dataset, entry.headword, status.value, body,
                     public, published_revision, edited, authority, breadth),
                )
            else:
                db.execute(
                    "UPDATE entries SET language = ?, headword = ?, status = ?, body = ?, revision = ?, public = ?, "
                    "published_revision = ?, edited_at = ?, authority = ?, meanings = ? WHERE id = ?",
                    (entry.language, entry.headword, status.value, body, revision, public, published_revision, edited,
                     authority, breadth, entry.id),
                )
            db.execute("INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (entry.id, revision, author, at, status.value, comment, orjson.dumps(changed).decode(), body))
            public_changed = public is not None or had_public
            public_changed = public_changed and (row is None or public != row[8])
            if public_changed:
                rowid = db.execute("SELECT rowid FROM entries WHERE id = ?", (entry.id,)).fetchone()[0]
                before = orjson.loads(row[8])["language"] if row is not None and row[8] is not None else None
                after = shown["language"] if shown is not None else None
                # retired: its readers lose it; moved to another language: the readers of both
                language = after if before in (None, after) else before if after is None else None
                record(db, [(rowid, entry.id, language)])
            audit.write(db, author, action, entry.id, client=client,
                        detail={"revision": revision, "status": status.value, **(detail or {})})
            state = _state(db.execute(f"SELECT {_STATE_COLUMNS} FROM entries WHERE id = ?", (entry.id,)).fetchone())
        return Written(state, public_changed)


    @property
    def generation(self) -> int:
        return generation_of(self.core.db)

    def get(self, entry_id: str) -> Entry:
        """The entry as the public reads it: its published revision.  EntryNotFound when it has
        none (never published, or retired)."""
        row = self.core.db.execute("SELECT public FROM entries WHERE id = ?", (entry_id,)).fetchone()
        if row is None or row[0] is None:
            raise EntryNotFound(entry_id)
        return Entry.model_validate(orjson.loads(row[0]))

    def state(self, entry_id: str) -> EntryState:
        """The entry whatever its status, with its latest revision and its published one."""
        row = self.core.db.execute(f"SELECT {_STATE_COLUMNS} FROM entries WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise EntryNotFound(entry_id)
        return _state(row)

    def bodies(self, rowids: list[int]) -> dict[int, dict]:
        """Published entries as raw dicts by row, for building responses without re-validating."""
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        rows = self.core.db.execute(
            f"SELECT rowid, public FROM entries WHERE public IS NOT NULL AND rowid IN ({marks})", rowids
        ).fetchall()
        return {rowid: orjson.loads(body) for rowid, body in rows}

    def heads(self, rowids: list[int]) -> dict[int, dict]:
        """``{"id", "language", "headword"}`` of published entries by row, read from the columns;
        only an entry whose latest revision waits for review (its headword column may be the
        pending one) has its published text parsed."""
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        rows = self.core.db.execute(
            "SELECT rowid, id, language, headword, CASE WHEN published_revision = revision THEN NULL ELSE public END "
            f"FROM entries WHERE public IS NOT NULL AND rowid IN ({marks})", rowids
        ).fetchall()
        return {rowid: {"id": id_, "language": language,
                        "headword": headword if pending is None else orjson.loads(pending)["headword"]}
                for rowid, id_, language, headword, pending in rows}

    def authoritative(self) -> frozenset[int]:
        """Rows of the published entries that name an authority (a decision that fixed the term)."""
        return frozenset(r for (r,) in self.core.db.execute("SELECT rowid FROM entries WHERE authority = 1"))

    def broad(self, above: int) -> dict[int, int]:
        """Rows of the published entries giving more than ``above`` meanings, with how many."""
        return dict(self.core.db.execute("SELECT rowid, meanings FROM entries WHERE meanings > ?", (above,)))

    def iter_entries(self, batch: int = 5000) -> Iterator[tuple[int, dict]]:
        """Every published entry as (row, raw dict), in row order, streamed in batches."""
        last = 0
        with self.core.own() as db:  # a connection of its own: the caller may write meanwhile
            while True:
                rows = db.execute(
                    "SELECT rowid, public FROM entries WHERE rowid > ? AND public IS NOT NULL "
                    "ORDER BY rowid LIMIT ?",
                    (last, batch),
                ).fetchall()
                if not rows:
                    return
                for rowid, body in rows:
                    yield rowid, orjson.loads(body)
                last = rows[-1][0]

    def export_entries(self, *, language: str | None = None, dataset: str | None = None,
                       latest: bool = False, batch: int = 2000) -> Iterator[dict]:
        """Entries to hand on, in row order: the public text of the published ones, or with
        ``latest`` every entry's latest revision (drafts and entries waiting for review too, for
        the editors' own copy); restricted to a ``language`` and a ``dataset`` when named."""
        column = "body" if latest else "public"
        where = [f"{column} IS NOT NULL", "rowid > ?"]
        params: list = []
        if language:
            where.append("language = ?")
            params.append(language)
        if dataset:
            where.append("dataset = ?")
            params.append(dataset)
        last = 0
        with self.core.own() as db:
            while True:
                rows = db.execute(f"SELECT rowid, {column} FROM entries WHERE {' AND '.join(where)} "
                                  "ORDER BY rowid LIMIT ?", (last, *params, batch)).fetchall()
                if not rows:
                    return
                for _, body in rows:
                    yield orjson.loads(body)
                last = rows[-1][0]

    def count(self) -> int:
        """Published entries."""
        return self.core.db.execute("SELECT COUNT(*) FROM entries WHERE public IS NOT NULL").fetchone()[0]

    def language_counts(self) -> dict[str, int]:
        """Published entries per language."""
        return dict(self.core.db.execute(
            "SELECT language, COUNT(*) FROM entries WHERE public IS NOT NULL GROUP BY language"))

    def public_entries(self, rowids: Iterable[int]) -> dict[int, dict]:
        """Published entries of these rows, read on a connection of its own (an index update)."""
        rowids = list(rowids)
        out: dict[int, dict] = {}
        with self.core.own() as db:
            for start in range(0, len(rowids), 500):
                chunk = rowids[start : start + 500]
                out.update((rowid, orjson.loads(body)) for rowid, body in db.execute(
                    f"SELECT rowid, public FROM entries WHERE public IS NOT NULL AND rowid IN "
                    f"({','.join('?' * len(chunk))})", chunk))
        return out

    def revisions(self, entry_id: str) -> list[dict]:
        """Every revision of an entry, oldest first, without content."""
        rows = self.core.rows("SELECT revision, author, at, status, comment, changes FROM revisions "
                          "WHERE entry_id = ? ORDER BY revision", (entry_id,))
        for row in rows:
            row["changes"] = orjson.loads(row["changes"])
        return rows

    def revision(self, entry_id: str, revision: int) -> dict | None:
        """One revision with its content (``body``), or None."""
        rows = self.core.rows("SELECT revision, author, at, status, comment, changes, body FROM revisions "
                          "WHERE entry_id = ? AND revision = ?", (entry_id, revision))
        if not rows:
            return None
        row = rows[0]
        row["changes"], row["body"] = orjson.loads(row["changes"]), orjson.loads(row["body"])
        return row

    def in_review(self, languages: tuple[str, ...] | None, limit: int = 100) -> list[dict]:
        """Entries waiting for an editor (status review), oldest wait first, in ``languages``
        (None: every language), with their latest revision's author, time and comment."""
        where, params = "", []
        if languages is not None:
            where = f" AND e.language IN ({','.join('?' * len(languages))})"
            params = list(languages)
        return self.core.rows(
            "SELECT e.id, e.language, e.headword, e.revision, e.published_revision, r.author, r.at, r.comment "
            "FROM entries e JOIN revisions r ON r.entry_id = e.id AND r.revision = e.revision "
            f"WHERE e.status = 'review'{where} ORDER BY r.at LIMIT ?", (*params, limit))

    def drafts_of(self, author: str, limit: int = 100) -> list[dict]:
        """Drafts ``author`` wrote a revision of, newest change first, with the latest revision's
        author, time and comment."""
        return self.core.rows(
            "SELECT e.id, e.language, e.headword, e.revision, e.published_revision, r.author, r.at, r.comment "
            "FROM entries e JOIN revisions r ON r.entry_id = e.id AND r.revision = e.revision "
            "WHERE e.status = 'draft' AND EXISTS (SELECT 1 FROM revisions m WHERE m.entry_id = e.id AND m.author = ?) "
            "ORDER BY r.at DESC LIMIT ?", (author, limit))

    def headwords(self, language: str) -> Iterator[tuple[str, str]]:
        """(id, headword) of every entry of ``language``."""
        yield from self.core.db.execute("SELECT id, headword FROM entries WHERE language = ?", (language,))

    def dataset_entries(self, dataset: str) -> list[tuple[str, dict]]:
        """(id, raw dict) of every entry of ``dataset``."""
        rows = self.core.db.execute("SELECT id, body FROM entries WHERE dataset = ?", (dataset,)).fetchall()
        return [(entry_id, orjson.loads(body)) for entry_id, body in rows]
