"""Offline language packs: one SQLite file per language that an app searches with no server, kept
current by the change feed.

A pack holds a language's published entries as the public reads them, every search key the
server's index holds for them (made by :func:`dictionary.search.indexing.key_docs`, so computed once, on
the server), the datasets they come from, and the change-feed position it reflects.  The same
rows reach a pack two ways: built whole from the store (:func:`build`) or patched from the
change feed (:func:`apply`), whose items carry each entry's keys (``include=index``); both give
the same rows.  ``dictionary/packs/packs.md`` documents the schema for app developers.

:class:`PackShelf` keeps the server's packs: built on first request, then patched (or rebuilt
after large changes) when the feed moves, never on a request that finds one; every file is written
beside the served one and switched by a rename, so a download that started reads a whole pack.
:class:`PackReader` reads a folder of packs for the offline search; the engine over their keys is
``indexer.pack``.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import logging
import os
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import orjson

from dictionary.errors import FeedExpired
from dictionary.files import file_sha256
from dictionary.public import published_entry
from dictionary.search.indexing import key_docs
from dictionary.storage.store import FeedChange, FeedPage, Store

log = logging.getLogger("tudien.packs")

SCHEMA_VERSION = 1
MEDIA_TYPE = "application/vnd.sqlite3"
SUFFIX = ".sqlite"

DDL = """
CREATE TABLE pack (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE datasets (
    name     TEXT PRIMARY KEY,
    citation TEXT,
    licence  TEXT
) WITHOUT ROWID;
CREATE TABLE entries (
    row       INTEGER PRIMARY KEY,
    authority INTEGER NOT NULL,
    meanings  INTEGER NOT NULL,
    json      TEXT NOT NULL
);
CREATE TABLE keys (
    key      INTEGER PRIMARY KEY,
    field    INTEGER NOT NULL,
    gloss    TEXT NOT NULL,
    position INTEGER NOT NULL,
    exact    TEXT NOT NULL,
    tone     TEXT NOT NULL,
    fold     TEXT NOT NULL
);
CREATE TABLE words (
    word TEXT NOT NULL,
    key  INTEGER NOT NULL,
    PRIMARY KEY (word, key)
) WITHOUT ROWID
"""
# Run once on the device after the download is checked: the look-up structures, which the pack
# leaves out on the wire (they would be a third of its bytes, and are made in a fraction of a
# second from what it holds).
SETUP = """
CREATE INDEX IF NOT EXISTS keys_fold ON keys(fold);
INSERT OR IGNORE INTO words
WITH RECURSIVE split(key, word, rest) AS (
    SELECT key, '', fold || ' ' FROM keys WHERE instr(fold, ' ') > 0
    UNION ALL
    SELECT key, substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1)
    FROM split WHERE rest <> ''
)
SELECT word, key FROM split WHERE word <> ''
"""
KEYS_PER_ENTRY = 1 << 16  # a key's number is its entry's row times this plus its place in the entry
KEY_SHIFT = 16


class PackError(Exception):
    """A pack that cannot be used as it is (another schema, another store, not a pack)."""


# -- feed items: the change feed's JSON, and what a pack makes of it ------------------------------

def feed_items(changes: Iterable[FeedChange], language: str | None, *, index: bool) -> list[dict]:
    """The change feed's items for ``changes``: ``{"seq", "id", "language", "op"}``, with
    ``entry`` (the public JSON and its recordings) for an upsert, and with ``index`` asked, the
    rows a pack (or any other copy of the index) needs: ``{"row", "meanings", "keys"}``, each key
    ``[field, gloss language or "", position, exact, tone, fold]``."""
    changes = list(changes)
    entries = {c.row: published_entry(c.public, list(c.recordings)) for c in changes if c.public is not None}
    keys: dict[int, list[list]] = {}
    if index:
        for doc in key_docs(sorted((c.row, c.public) for c in changes if c.public is not None)):
            keys.setdefault(doc.entry, []).append(
                [doc.field, doc.gloss_language or "", doc.position, doc.exact, doc.tone, doc.fold])
    out = []
    for c in changes:
        if c.public is None:
            item = {"seq": c.seq, "id": c.id, "language": c.language or language, "op": "delete"}
            if index:
                item["index"] = {"row": c.row}
            out.append(item)
            continue
        item = {"seq": c.seq, "id": c.id, "language": c.public["language"], "op": "upsert",
                "entry": entries[c.row]}
        if index:
            item["index"] = {"row": c.row, "meanings": c.meanings, "keys": keys.get(c.row, [])}
        out.append(item)
    return out


def feed_page(page: FeedPage, language: str | None, *, index: bool) -> dict:
    return {"changes": feed_items(page.changes, language, index=index), "next": page.next, "more": page.more}


def _create(db: sqlite3.Connection) -> None:
    for statement in DDL.split(";"):
        if statement.strip():
            db.execute(statement)


def prepared(db: sqlite3.Connection) -> bool:
    """Whether the pack's look-up structures were made (:data:`SETUP`)."""
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = 'keys_fold'").fetchone() is not None


def prepare(db: sqlite3.Connection) -> None:
    """Make the pack's look-up structures (once, after its download is checked)."""
    if not prepared(db):
        db.execute("BEGIN")
        for statement in SETUP.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("COMMIT")


def apply(db: sqlite3.Connection, items: Iterable[dict], *, datasets: bool = True) -> int:
    """Apply change-feed items (with their ``index``) to the pack open as ``db``, in the caller's
    transaction; returns how many were applied.  Idempotent: an item applied twice leaves the
    same rows.  With ``datasets``, the datasets the items touched are then made again
    (:func:`refresh_datasets`)."""
    words = prepared(db)
    count = 0
    touched: set[str] = set()
    for item in items:
        count += 1
        index = item.get("index")
        if index is None:
            raise PackError(f"change {item['seq']} carries no index rows: ask the feed with include=index")
        row = index["row"]
        first, last = row * KEYS_PER_ENTRY, (row + 1) * KEYS_PER_ENTRY - 1
        old = db.execute("SELECT json_extract(json, '$.source.dataset') FROM entries WHERE row = ?", (row,)).fetchone()
        if old is not None:
            touched.add(old[0])
            db.execute("DELETE FROM entries WHERE row = ?", (row,))
        if words:  # by their words, the table's key: the words of the keys about to go
            db.executemany("DELETE FROM words WHERE word = ? AND key = ?", [
                (word, key) for key, fold in db.execute(
                    "SELECT key, fold FROM keys WHERE key BETWEEN ? AND ? AND instr(fold, ' ') > 0", (first, last))
                for word in fold.split(" ") if word])
        db.execute("DELETE FROM keys WHERE key BETWEEN ? AND ?", (first, last))
        if item["op"] != "upsert":
            continue
        entry = item["entry"]
        source = entry.get("source") or {}
        db.execute("INSERT INTO entries VALUES (?, ?, ?, ?)",
                   (row, int(bool(entry.get("authority"))), index["meanings"], orjson.dumps(entry).decode()))
        touched.add(source.get("dataset"))
        if len(index["keys"]) > KEYS_PER_ENTRY:  # no dictionary entry has tens of thousands of glosses
            log.warning("entry %s has %d search keys; the pack keeps its first %d", item["id"],
                        len(index["keys"]), KEYS_PER_ENTRY)
        keys = [(first + n, *key) for n, key in enumerate(index["keys"][:KEYS_PER_ENTRY])]
        db.executemany("INSERT INTO keys VALUES (?, ?, ?, ?, ?, ?, ?)", keys)
        if words:
            db.executemany("INSERT OR IGNORE INTO words VALUES (?, ?)",
                           [(word, key[0]) for key in keys if " " in key[6] for word in key[6].split(" ") if word])
    if datasets:
        refresh_datasets(db, touched)
    return count


def refresh_datasets(db: sqlite3.Connection, names: Iterable[str | None]) -> None:
    """The ``datasets`` rows of ``names`` made again from the pack's entries: a dataset's citation
    and licence as its first entry (the lowest row) gives them, so a patched pack and one built
    whole agree even where entries of one dataset differ; a dataset no entry names goes."""
    for name in {n for n in names if n}:
        first = db.execute("SELECT json_extract(json, '$.source.citation'), json_extract(json, '$.source.licence') "
                           "FROM entries WHERE json_extract(json, '$.source.dataset') = ? ORDER BY row LIMIT 1",
                           (name,)).fetchone()
        if first is None:
            db.execute("DELETE FROM datasets WHERE name = ?", (name,))
        else:
            db.execute("INSERT OR REPLACE INTO datasets VALUES (?, ?, ?)", (name, *first))


def set_meta(db: sqlite3.Connection, **values: object) -> None:
    db.executemany("INSERT OR REPLACE INTO pack VALUES (?, ?)", [(k, str(v)) for k, v in values.items()])


def meta(db: sqlite3.Connection) -> dict[str, str]:
    try:
        return dict(db.execute("SELECT key, value FROM pack"))
    except sqlite3.DatabaseError as exc:
        raise PackError(f"not a language pack ({exc})") from None


def check(db: sqlite3.Connection, where: object) -> dict[str, str]:
    """The pack's meta, once it is one this release reads."""
    found = meta(db)
    if found.get("schema") != str(SCHEMA_VERSION):
        raise PackError(f"{where}: pack schema {found.get('schema')!r}; this release reads schema {SCHEMA_VERSION}")
    return found


# -- building and patching -----------------------------------------------------------------------

@dataclass(frozen=True)
class PackInfo:
    language: str
    entries: int
    version: int
    store: str
    schema: int
    file: str  # the pack's file name in the shelf's folder
    bytes: int  # the SQLite file
    sha256: str  # of the SQLite file
    gzip_bytes: int  # on the wire, compressed
    gzip_sha256: str
    built_at: str
    seconds: float  # how long making it took
    audio: dict | None = None  # the recordings pack: {"file", "bytes", "sha256", "recordings"}


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def build(store: Store, language: str, path: Path) -> dict[str, str]:
    """Write the pack of ``language``'s published entries to ``path`` (a new file); returns its meta."""
    version, changes = store.snapshot(language)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA page_size=4096")
        db.execute("BEGIN")
        _create(db)
        for start in range(0, len(changes), 2000):
            apply(db, feed_items(changes[start : start + 2000], language, index=True), datasets=False)
        refresh_datasets(db, [(c.public.get("provenance") or {}).get("dataset") for c in changes])
        entries = db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
        set_meta(db, schema=SCHEMA_VERSION, language=language, version=version, store=store.store_id,
                 entries=entries, built_at=_now())
        db.execute("COMMIT")
        db.execute("VACUUM")
        return meta(db)
    finally:
        db.close()


def patch(store: Store, language: str, source: Path, path: Path, limit: int) -> dict[str, str] | None:
    """Write to ``path`` the pack at ``source`` brought up to the feed's head; None when more
    than ``limit`` entries changed (a new build is then cheaper than a patch)."""
    shutil.copyfile(source, path)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        found = check(db, source)
        try:
            page = store.changes(int(found["version"]), language, limit)
        except FeedExpired:
            return None
        if page.more:
            return None
        db.execute("BEGIN")
        apply(db, feed_items(page.changes, language, index=True))
        set_meta(db, version=page.next, entries=db.execute("SELECT COUNT(*) FROM entries").fetchone()[0],
                 built_at=_now())
        db.execute("COMMIT")
        db.execute("VACUUM")
        return meta(db)
    finally:
        db.close()


def compress(path: Path, target: Path) -> None:
    """``path`` gzipped into ``target``, with no name or time in the header (the same pack gives
    the same bytes)."""
    with open(path, "rb") as src, open(target, "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as out:
        shutil.copyfileobj(src, out, 1 << 20)


class PackShelf:
    """The server's packs, in ``folder``: for each language a manifest (``<language>.json``)
    naming its current files.  One process at a time makes packs (a lock file); the others read
    the manifest it wrote."""

    PATCH_LIMIT = 2000  # entries changed beyond which a pack is built again rather than patched

    def __init__(self, store: Store, folder: Path, audio: Callable[[str, Path], dict | None] | None = None,
                 interval: float = 10.0) -> None:
        self.store = store
        self.folder = Path(folder)
        self.interval = interval  # seconds between looks at the change feed
        self.audio = audio  # makes a language's recordings pack in a file; None when it has none
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._checked: dict[str, tuple[str, int]] = {}  # language → (its pack file, feed head seen with no change of it)

    # -- reading -------------------------------------------------------------------------------
    def _manifest(self, language: str) -> Path:
        return self.folder / f"{language}.json"

    def info(self, language: str) -> PackInfo | None:
        try:
            return PackInfo(**orjson.loads(self._manifest(language).read_bytes()))
        except (FileNotFoundError, orjson.JSONDecodeError, TypeError):
            return None

    def path(self, name: str) -> Path:
        return self.folder / name

    def languages(self) -> list[str]:
        """Languages with published entries, each of which has a pack."""
        return sorted(language for language, count in self.store.language_counts().items() if count)

    def current(self, language: str) -> PackInfo | None:
        """The pack of ``language`` to serve, brought up to the feed first when it is behind (by
        this request when no other process is at it; else the one made last, which the feed
        brings up to date); None when the language has no published entry."""
        if not self.store.language_counts().get(language):
            self._forget(language)
            return None
        info = self.info(language)
        if info is None or info.store != self.store.store_id:
            return self.refresh(language)
        if self.behind(language):
            return self.refresh(language, wait=False) or info
        return info

    def _forget(self, language: str) -> None:
        """A language with no published entry has no pack."""
        if self._manifest(language).exists():
            with self._lock(wait=True):
                self._manifest(language).unlink(missing_ok=True)
                self._sweep(language, keep=())

    # -- making --------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _lock(self, wait: bool) -> Iterator[bool]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def behind(self, language: str) -> bool:
        """Whether the public text of ``language`` changed since its pack was made (or it has none)."""
        info = self.info(language)
        if info is None or info.store != self.store.store_id:
            return True
        head = self.store.feed_head()
        # the changes up to the head seen last were looked at already: none concerned this language
        file, seen = self._checked.get(language, (None, 0))
        since = max(info.version, seen if file == info.file else 0)
        if since >= head:
            return False
        try:
            if self.store.changes(since, language, 1).changes:
                return True
        except FeedExpired:
            return True
        self._checked[language] = (info.file, head)
        return False

    def refresh(self, language: str, wait: bool = True) -> PackInfo | None:
        """Bring the pack of ``language`` up to the feed: patched from the one before when few
        entries changed, else built again.  Without ``wait``, nothing when another process is at it."""
        with self._lock(wait) as held:
            if not held:
                return self.info(language)
            if not self.behind(language):
                return self.info(language)
            return self._make(language)

    def _make(self, language: str) -> PackInfo:
        started = time.perf_counter()
        old = self.info(language)
        stem = f"{language}-{uuid.uuid4().hex[:12]}"
        path, packed = self.folder / f"{stem}{SUFFIX}", self.folder / f"{stem}{SUFFIX}.gz"
        try:
            made = None
            if old is not None and old.store == self.store.store_id and (self.folder / old.file).exists():
                made = patch(self.store, language, self.folder / old.file, path, self.PATCH_LIMIT)
            if made is None:
                path.unlink(missing_ok=True)
                made = build(self.store, language, path)
            compress(path, packed)
            audio = self._audio(language, stem, old)
            info = PackInfo(
                language=language, entries=int(made["entries"]), version=int(made["version"]),
                store=made["store"], schema=SCHEMA_VERSION, file=path.name, bytes=path.stat().st_size,
                sha256=file_sha256(path), gzip_bytes=packed.stat().st_size, gzip_sha256=file_sha256(packed),
                built_at=made["built_at"], seconds=round(time.perf_counter() - started, 3), audio=audio)
            staged = self._manifest(language).with_suffix(".json.new")
            staged.write_bytes(orjson.dumps(asdict(info)))
            os.replace(staged, self._manifest(language))
        except BaseException:
            for leftover in (path, packed, self.folder / f"{stem}-audio{SUFFIX}"):
                leftover.unlink(missing_ok=True)
            raise
        # the pack before stays a while: a download that looked it up a moment ago still opens it;
        # so does the recordings pack still listed
        keep = [stem, old.file.removesuffix(SUFFIX) if old else stem]
        if audio:
            keep.append(audio["file"].removesuffix(SUFFIX))
        self._sweep(language, keep=tuple(keep))
        log.info("pack %s: version %s, %s entries, %s bytes gzipped, %.2f s", language, info.version,
                 info.entries, info.gzip_bytes, info.seconds)
        return info

    def _audio(self, language: str, stem: str, old: PackInfo | None) -> dict | None:
        """The recordings pack: the one before when the recordings are the same, else made anew.
        A failure leaves the language without one (logged) rather than without its text pack."""
        if self.audio is None:
            return None
        try:
            wanted = self.store.recording_ids(language)
            if not wanted:
                return None
            if old is not None and old.audio and old.audio.get("ids") == wanted \
                    and (self.folder / old.audio["file"]).exists():
                return old.audio
            made = self.audio(language, self.folder / f"{stem}-audio{SUFFIX}")
            return {**made, "ids": wanted} if made else None
        except Exception:  # noqa: BLE001 - the text pack stands without its recordings
            log.exception("the recordings pack of %s could not be made", language)
            return None

    def _sweep(self, language: str, keep: tuple[str, ...]) -> None:
        """Remove the files of earlier packs of ``language`` but ``keep``'s (a download already
        reading one keeps its open file; a resumed one whose ETag no longer matches gets the new
        pack whole)."""
        for old in self.folder.glob(f"{language}-*"):
            if not old.name.startswith(keep):
                old.unlink(missing_ok=True)

    def refresh_all(self, wait: bool = False) -> None:
        languages = self.languages()
        for manifest in self.folder.glob("*.json"):
            if manifest.stem not in languages:
                self._forget(manifest.stem)
        for language in languages:
            try:
                self.refresh(language, wait=wait)
            except Exception:  # noqa: BLE001 - one language's failure must not stop the others
                log.exception("pack %s could not be made", language)

    # -- keeping current -------------------------------------------------------------------------
    def start(self) -> None:
        """Make the packs missing, and patch those of the languages whose public text changed,
        every :attr:`interval` seconds (0: never: packs are then made on request only)."""
        if self._thread is None and self.interval > 0:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, args=(self.interval,), name="packs", daemon=True)
            self._thread.start()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.refresh_all()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None


# -- reading packs: the offline side ----------------------------------------------------------------

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

    def count(self) -> int:
        return sum(db.execute("SELECT COUNT(*) FROM entries").fetchone()[0] for db in self.packs.values())

    def close(self) -> None:
        for db in self.packs.values():
            db.close()
        self.packs.clear()
