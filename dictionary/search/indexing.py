"""What an entry is indexed under; the full rebuild of a backend's index from the store, and the
live updates that keep it following the store between rebuilds.

:func:`indexed_texts` is the one list of an entry's searchable texts: the key documents are made
from it, and the search service reads it to say which text of an entry matched.

Every change of an entry's public text is recorded in the store's change feed with the generation
it made (in the same transaction as the change).  :func:`follow` reads the feed from the
generation the index follows and updates only those entries; it is idempotent, so a write whose
update was lost (a killed process, an engine that was down) is applied by the next one.  One
process at a time updates an index: they take a lock file beside the store.  After a change of
many entries, :func:`catch_up` does the same, or rebuilds when that is quicker; the
:class:`Follower` is the one way a process's index follows the store.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from dictionary.bulk import paused_gc
from dictionary.errors import DictionaryError
from dictionary.search.ports import Backend, KeyDoc
from dictionary.search.ranking import Field
from dictionary.storage.entries import Entries
from dictionary.storage.feed import Feed
from dictionary.text.normalize import search_keys_many
from dictionary.text.transliterate import romanize

log = logging.getLogger("tudien.index")
# a change of more than one entry in this many is brought into the index by a full rebuild
REBUILD_SHARE = 10


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


@dataclass(frozen=True, slots=True)
class CaughtUp:
    """What bringing the index up to the store did: a full rebuild (``count`` keys) or an update
    by the change feed (``count`` entries)."""

    rebuilt: bool
    count: int

    def __str__(self) -> str:
        return f"rebuilt: {self.count} keys" if self.rebuilt else f"updated {self.count} entries"


def rebuild(entries: Entries, feed: Feed, backend: Backend, progress: Callable | None = None) -> int:
    """Rebuild ``backend``'s index from the store; returns the number of keys indexed."""
    with feed.index_lock(None, backend.remote), paused_gc():
        generation = feed.generation
        rows = entries.iter_entries()
        if progress is not None:
            rows = progress(rows, total=entries.count())
        return backend.rebuild(key_docs(rows), generation)


def follow(entries: Entries, feed: Feed, backend: Backend, wait: float | None = 1.0,
           most: int | None = None) -> int | None:
    """Update ``backend``'s index with the entries whose public text changed since the
    generation it follows.  Returns how many entries were updated (0: it was current, or another
    process holds the lock and will do it), or None when the change feed cannot bring it up to
    date (no index, or one older than the feed) or, with ``most``, when more than ``most``
    entries changed: that needs :func:`rebuild`."""
    if backend.generation() == feed.generation:
        return 0
    with feed.index_lock(wait, backend.remote) as held:
        if not held:
            return 0
        built = backend.generation(fresh=True)
        current = feed.generation  # read before the feed: a later change is applied next time
        if built is None or built > current:
            return None
        if built == current:
            return 0
        rows = feed.changed_since(built)
        if rows is None or (most is not None and len(rows) > most):
            return None
        public = entries.public_entries(rows)
        backend.update(rows, key_docs(sorted(public.items())), current)
        return len(rows)


def catch_up(entries: Entries, feed: Feed, backend: Backend, progress: Callable | None = None) -> CaughtUp:
    """Bring the index up to the store after any change (an import, a removal, edits): by the
    change feed when it reaches back and the change is small, else by a full rebuild (faster for
    a large change, and it restores the index's shortest-key-first order)."""
    most = entries.count() // REBUILD_SHARE
    try:
        updated = follow(entries, feed, backend, wait=None, most=most)
    except DictionaryError:
        updated = None
    if updated is None:
        return CaughtUp(True, rebuild(entries, feed, backend, progress))
    return CaughtUp(False, updated)


class Follower:
    """Keeps one process's search index following the store: after each write of the public
    text (:meth:`changed`, in the writer's thread, so the change is searchable when the write is
    answered) and once a second in a thread of its own (for the writes of other processes whose
    update did not happen: a killed worker, an engine that was down)."""

    def __init__(self, entries: Entries, feed: Feed, backend: Backend, interval: float = 1.0) -> None:
        self.entries, self.feed, self.backend, self.interval = entries, feed, backend, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._warned = False
        self._failing: str | None = None  # the last failure logged: the same one is not logged each second

    def changed(self) -> None:
        """A write changed the public text: update the index now (errors are logged, not
        raised: the write is stored, and the next round applies it)."""
        self._follow(wait=1.0)

    def catch_up(self, progress: Callable | None = None) -> CaughtUp:
        """Bring the index up to the store after a change of many entries (an import, a dataset
        removed), waiting for the lock: see :func:`catch_up`."""
        return catch_up(self.entries, self.feed, self.backend, progress)

    def behind(self) -> bool:
        """Whether the index is missing or follows an older store than this one."""
        status = self.backend.status()
        return not status["ok"] or status["generation"] != self.feed.generation

    def rebuild(self, progress: Callable | None = None) -> int:
        """Rebuild the index from the store whatever it follows (``tudien index``); the number of keys."""
        return rebuild(self.entries, self.feed, self.backend, progress)

    def _follow(self, wait: float) -> None:
        try:
            if follow(self.entries, self.feed, self.backend, wait) is None and not self._warned:
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
