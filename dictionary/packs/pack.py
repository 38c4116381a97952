"""Offline language packs: one SQLite file per language that an app searches with no server, kept
current by the change feed.

A pack holds a language's published entries as the public reads them, every search key the
server's index holds for them (made by :func:`dictionary.search.indexing.key_docs`, so computed once, on
the server), the datasets they come from, and the change-feed position it reflects.  The same
rows reach a pack two ways: built whole from the store (:func:`build`) or patched from the
change feed (:func:`apply`), whose items carry each entry's keys (``include=index``); both give
the same rows.  ``dictionary/packs/packs.md`` documents the schema for app developers; the
format's functions are in :mod:`dictionary.packs.format`, the reader in :mod:`dictionary.packs.reader`.

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
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import orjson

from dictionary.errors import FeedExpired
from dictionary.files import file_sha256
from dictionary.packs.format import (
    KEY_SHIFT,
    KEYS_PER_ENTRY,
    MEDIA_TYPE,
    SCHEMA_VERSION,
    SUFFIX,
    PackError,
    apply,
    check,
    create,
    feed_items,
    feed_page,
    meta,
    prepare,
    refresh_datasets,
    set_meta,
)
from dictionary.packs.reader import PackReader
from dictionary.storage.entries import Entries
from dictionary.storage.feed import Feed, FeedPage

# the format and the reader are known by this module's name too (apps' code, ``tudien offline``)
__all__ = ["KEYS_PER_ENTRY", "KEY_SHIFT", "MEDIA_TYPE", "SCHEMA_VERSION", "PackError", "PackInfo", "PackReader",
           "PackShelf", "apply", "build", "check", "feed_page", "patch", "prepare", "set_meta"]

log = logging.getLogger("tudien.packs")


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


def build(feed: Feed, language: str, path: Path) -> dict[str, str]:
    """Write the pack of ``language``'s published entries to ``path`` (a new file); returns its meta."""
    version, changes = feed.snapshot(language)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA page_size=4096")
        db.execute("BEGIN")
        create(db)
        for start in range(0, len(changes), 2000):
            apply(db, feed_items(changes[start : start + 2000], language, index=True), datasets=False)
        refresh_datasets(db, [((c.public or {}).get("provenance") or {}).get("dataset") for c in changes])
        entries = db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
        set_meta(db, schema=SCHEMA_VERSION, language=language, version=version, store=feed.store_id,
                 entries=entries, built_at=_now())
        db.execute("COMMIT")
        db.execute("VACUUM")
        return meta(db)
    finally:
        db.close()


def patch(feed: Feed, language: str, source: Path, path: Path, limit: int) -> dict[str, str] | None:
    """Write to ``path`` the pack at ``source`` brought up to the feed's head; None when more
    than ``limit`` entries changed (a new build is then cheaper than a patch)."""
    shutil.copyfile(source, path)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        found = check(db, source)
        try:
            page = feed.changes(int(found["version"]), language, limit)
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


class AudioPacks(Protocol):
    """What the shelf asks of the audio library: a language's recordings, and their pack."""

    def recording_ids(self, language: str) -> list[str]: ...

    def offline_pack(self, language: str, path: Path) -> dict | None: ...


class PackShelf:
    """The server's packs, in ``folder``: for each language a manifest (``<language>.json``)
    naming its current files.  One process at a time makes packs (a lock file); the others read
    the manifest it wrote."""

    PATCH_LIMIT = 2000  # entries changed beyond which a pack is built again rather than patched

    def __init__(self, entries: Entries, feed: Feed, folder: Path, audio: AudioPacks | None = None,
                 interval: float = 10.0) -> None:
        self.entries, self.feed_rows = entries, feed
        self.folder = Path(folder)
        self.interval = interval  # seconds between looks at the change feed
        self.audio = audio  # makes a language's recordings packs; None: packs without recordings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # a serving process makes its packs in a child process (tudien.packmaking): a build reads a
        # whole language into memory and is seconds of CPU at a million entries, which in a thread
        # would hold the worker's interpreter lock (the searches' tail) and its stop
        self.elsewhere: Callable[[threading.Event], None] | None = None
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
        return sorted(language for language, count in self.entries.language_counts().items() if count)

    def current(self, language: str) -> PackInfo | None:
        """The pack of ``language`` to serve, brought up to the feed first when it is behind (by
        this request when no other process is at it; else the one made last, which the feed
        brings up to date); None when the language has no published entry."""
        if not self.entries.language_counts().get(language):
            self._forget(language)
            return None
        info = self.info(language)
        if info is None or info.store != self.feed_rows.store_id:
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

    def feed(self, since: int, language: str | None, limit: int) -> FeedPage:
        """The change feed from ``since`` (of ``language``'s readers), for an app's copy to follow."""
        return self.feed_rows.changes(since, language, limit)

    def waiting(self, since: int, language: str | None) -> int:
        """How many changes follow ``since`` (an upper bound of what following the feed sends)."""
        return self.feed_rows.changes_after(since, language)

    @property
    def store_id(self) -> str:
        """The store a feed cursor and a pack belong to."""
        return self.feed_rows.store_id

    def compact_feed(self, keep_deleted_days: float) -> dict:
        """Drop what no reader of the feed needs (see :meth:`dictionary.storage.feed.Feed.compact`)."""
        return self.feed_rows.compact(keep_deleted_days)

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
        if info is None or info.store != self.feed_rows.store_id:
            return True
        head = self.feed_rows.head()
        # the changes up to the head seen last were looked at already: none concerned this language
        file, seen = self._checked.get(language, (None, 0))
        since = max(info.version, seen if file == info.file else 0)
        if since >= head:
            return False
        try:
            if self.feed_rows.changes(since, language, 1).changes:
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
            if old is not None and old.store == self.feed_rows.store_id and (self.folder / old.file).exists():
                made = patch(self.feed_rows, language, self.folder / old.file, path, self.PATCH_LIMIT)
            if made is None:
                path.unlink(missing_ok=True)
                made = build(self.feed_rows, language, path)
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
            wanted = self.audio.recording_ids(language)
            if not wanted:
                return None
            if old is not None and old.audio and old.audio.get("ids") == wanted \
                    and (self.folder / old.audio["file"]).exists():
                return old.audio
            made = self.audio.offline_pack(language, self.folder / f"{stem}-audio{SUFFIX}")
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
            if self.elsewhere is None:
                self.refresh_all()
            elif self.due():
                self.elsewhere(self._stop)  # returns when done, or soon after a stop

    def due(self) -> bool:
        """Whether :meth:`refresh_all` has work now that no other process is doing: a pack
        missing or behind the feed, or one of a language gone.  Cheap: the feed is looked at."""
        with self._lock(wait=False) as free:
            if not free:  # another process is making packs; it or the next round sees the rest
                return False
        languages = self.languages()
        if any(manifest.stem not in languages for manifest in self.folder.glob("*.json")):
            return True
        return any(self.behind(language) for language in languages)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None


# -- reading packs: the offline side ----------------------------------------------------------------
