"""What an entry is indexed under; the full rebuild of a backend's index from the store, and the
live updates that keep it following the store between rebuilds.

:func:`indexed_texts` is the one list of an entry's searchable texts: the key documents are made
from it, and the search service reads it to say which text of an entry matched.

Every change of an entry's public text is recorded in the store's change feed with the generation
it made (in the same transaction as the change).  :func:`follow` reads the feed from the
generation the index follows and updates only those entries; it is idempotent, so a write whose
update was lost (a killed process, an engine that was down) is applied by the next one.  One
process at a time updates an index: they take a lock file beside the store.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator

from dictionary.bulk import paused_gc
from dictionary.errors import DictionaryError
from dictionary.search.ports import Backend, KeyDoc
from dictionary.search.ranking import Field
from dictionary.storage.store import Store
from dictionary.text.normalize import search_keys_many
from dictionary.text.transliterate import romanize

log = logging.getLogger("tudien.index")
INDEX_LOCK = 0x696E_6478  # the database lock of whoever updates the search index ("indx")


def indexed_texts(entry: dict, field: Field | None = None) -> Iterator[tuple[Field, str | None, int, str]]:
    """The searchable texts of one stored entry (a raw dict as the store keeps it), as
    ``(field, gloss language, position, text)``: the headword (position 0), its variants, the
    Latin keys of a headword or variant in Khmer, Cham or Tai Viet script, and every gloss
    (position -1: a gloss's place is counted among the glosses that make a document).  With
    ``field``, only that field's texts, and no work for the others (a search asks per hit)."""
    variants = entry.get("variants", ())
    if field in (None, Field.HEADWORD):
        yield Field.HEADWORD, None, 0, entry["headword"]
    if field in (None, Field.VARIANT):
        for variant in variants:
            yield Field.VARIANT, None, 1, variant
    if field in (None, Field.ROMANIZED):
        for text in (entry["headword"], *variants):
            latin = romanize(text)
            if latin:
                yield Field.ROMANIZED, None, 1, latin
    if field in (None, Field.GLOSS):
        for sense in entry.get("senses", ()):
            for gloss_language, glosses in sense.get("glosses", {}).items():
                for gloss in glosses:
                    yield Field.GLOSS, gloss_language, -1, gloss


def texts_of(entry: dict, field: Field) -> list[tuple[str, str | None]]:
    """The entry's texts of one field, each with its gloss language (None but for glosses)."""
    return [(text, gloss_language) for _, gloss_language, _, text in indexed_texts(entry, field)]


def key_docs(entries: Iterable[tuple[int, dict]], batch: int = 2000) -> Iterator[KeyDoc]:
    """The documents of every (row, entry), in order.  An entry's texts that give the same key twice
    (a variant spelled like its headword, a gloss repeated in two senses) make one document.

    Keys are computed a batch of entries at a time (:func:`search_keys_many`): an index build
    spends most of its time there otherwise."""
    items: list[tuple] = []
    for rowid, entry in entries:
        language = entry["language"]
        items.extend((rowid, language, *text) for text in indexed_texts(entry))
        if len(items) >= batch:
            yield from _documents(items)
            items = []
    if items:
        yield from _documents(items)


def _documents(items: list[tuple]) -> Iterator[KeyDoc]:
    distinct = list(dict.fromkeys(item[5] for item in items))
    keys = dict(zip(distinct, search_keys_many(distinct), strict=True))
    seen: set[tuple] = set()
    positions: dict[tuple[int, str], int] = {}
    for rowid, language, field, gloss_language, position, text in items:
        exact, tone, fold = keys[text]
        if not exact:
            continue
        marker = (rowid, field if field != Field.VARIANT else Field.HEADWORD, gloss_language, exact)
        if marker in seen:
            continue
        seen.add(marker)
        if position < 0:  # a gloss: its place among its entry's glosses in that language
            position = positions.get((rowid, gloss_language), 0)
            positions[rowid, gloss_language] = position + 1
        yield KeyDoc(rowid, language, field, gloss_language, position, exact, tone, fold)


@contextlib.contextmanager
def _index_lock(store: Store, wait: float | None, shared: bool = False) -> Iterator[bool]:
    """Hold the index's lock: blocking when ``wait`` is None, else trying for ``wait`` seconds.
    Yields whether it is held.  A lock file beside the store (an index of this node's); for an
    index ``shared`` by nodes on several machines over one PostgreSQL database, a lock of the
    database's."""
    if store.url and shared:
        with store.exclusive(INDEX_LOCK, wait) as held:
            yield held
        return
    store.lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(store.lock_path, "a+b") as handle:
        deadline = None if wait is None else time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.02)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def rebuild(store: Store, backend: Backend, progress: Callable | None = None) -> int:
    """Rebuild ``backend``'s index from the store; returns the number of keys indexed."""
    with _index_lock(store, None, backend.remote), paused_gc():
        generation = store.generation
        entries = store.iter_entries()
        if progress is not None:
            entries = progress(entries, total=store.count())
        return backend.rebuild(key_docs(entries), generation)


def follow(store: Store, backend: Backend, wait: float | None = 1.0) -> int | None:
    """Update ``backend``'s index with the entries whose public text changed since the
    generation it follows.  Returns how many entries were updated (0: it was current, or another
    process holds the lock and will do it), or None when the change feed cannot bring it up to
    date (no index, or one older than the feed): that needs :func:`rebuild`."""
    if backend.generation() == store.generation:
        return 0
    with _index_lock(store, wait, backend.remote) as held:
        if not held:
            return 0
        built = backend.generation(fresh=True)
        current = store.generation  # read before the feed: a later change is applied next time
        if built is None or built > current:
            return None
        if built == current:
            return 0
        rows = store.changed_since(built)
        if rows is None:
            return None
        entries = store.public_entries(rows)
        backend.update(rows, key_docs(sorted(entries.items())), current)
        return len(rows)


def catch_up(store: Store, backend: Backend, progress: Callable | None = None) -> str:
    """Bring the index up to the store: by the change feed when it can, else a full rebuild.
    Says which it did."""
    try:
        updated = follow(store, backend, wait=None)
    except DictionaryError:
        updated = None
    if updated is None:
        count = rebuild(store, backend, progress)
        return f"rebuilt: {count} keys"
    return f"updated {updated} entries"


class Follower:
    """Keeps one process's search index following the store: after each write of the public
    text (:meth:`changed`, in the writer's thread, so the change is searchable when the write is
    answered) and once a second in a thread of its own (for the writes of other processes whose
    update did not happen: a killed worker, an engine that was down)."""

    def __init__(self, store: Store, backend: Backend, interval: float = 1.0) -> None:
        self.store, self.backend, self.interval = store, backend, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._warned = False
        self._failing: str | None = None  # the last failure logged: the same one is not logged each second

    def changed(self) -> None:
        """A write changed the public text: update the index now (errors are logged, not
        raised: the write is stored, and the next round applies it)."""
        self._follow(wait=1.0)

    def _follow(self, wait: float) -> None:
        try:
            if follow(self.store, self.backend, wait) is None and not self._warned:
                self._warned = True
                log.warning("the search index cannot follow the store by its change feed: run `tudien index`")
        except DictionaryError as exc:
            self._failed(str(exc))
        except Exception as exc:  # noqa: BLE001 - a thread that keeps the index current must not die
            if self._failed(repr(exc)):
                log.exception("search index update failed")
        else:
            if self._failing is not None:
                self._failing = None
                log.warning("search index updates work again")

    def _failed(self, why: str) -> bool:
        """Log a failure once until it changes or updates work again; whether it was logged."""
        if why == self._failing:
            return False
        self._failing = why
        log.warning("search index update failed, to be retried every second: %s", why)
        return True

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="index-follower", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._follow(wait=0)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
