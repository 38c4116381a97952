"""The embedded backend: a tantivy index on disk, written with tantivy-py and searched by the
search core (``tudien_core``, built from ``indexer/native`` on the same tantivy version), which
runs every stage of a query and of its readings and ranks them in one call.

Each key is one document (:mod:`indexer.embedded_docs` says what it holds).  Documents are
written shortest key first, so the index's order is the order the by-length stages want (see
``_write``).

Index builds are atomic: a new index is written in a fresh folder, then ``CURRENT`` is switched by
a rename and the old folder removed.  Between builds, :meth:`EmbeddedBackend.update` replaces the
documents of the entries that changed, in one commit (a new small segment, merged in the
background), and records the store generation it follows.  Readers, in every worker process,
notice a new build or a new commit within a quarter of a second.

Updated documents sit in their own segment, outside the shortest-key-first order of a build: a
stage cut at its cap may keep a longer new key over an older shorter one.  The ranking is not
affected (it sorts every candidate); ``tudien index`` restores the order.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

import tudien_core

from dictionary.errors import IndexMissing
from dictionary.search import native
from dictionary.search.ports import KeyDoc
from dictionary.search.ranking import Candidate, QueryPlan

from .current import LAYOUT, META, POINTER, current_folder, read_meta, write_meta
from .embedded_docs import document, key_schema, open_index

_WRITER_BUDGET = 2_000_000_000  # bytes; tantivy's limit for one thread is 4 GB
_UPDATE_BUDGET = 50_000_000  # bytes; an update holds a few entries' documents
_RECHECK = 0.25  # seconds between looks for a new build or commit


class EmbeddedBackend:
    name = "embedded"
    remote = False  # in process: calls are CPU work, not waiting

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.schema = key_schema()
        self._lock = threading.Lock()
        self._searcher: tudien_core.Searcher | None = None
        self._current: str | None = None
        self._meta: dict = {}
        self._checked = 0.0
        self._stale_layout = False
        self._stamp: tuple = ()  # what the open searcher saw of the folder's commit and meta

    # -- opening -----------------------------------------------------------------------------
    @staticmethod
    def _commit_stamp(folder: Path) -> tuple:
        """Changes with every commit to the index in ``folder`` and every update of its meta."""
        try:
            return ((folder / "meta.json").stat().st_mtime_ns, (folder / META).stat().st_mtime_ns)
        except FileNotFoundError:
            return ()

    def _open_current(self) -> None:
        folder = current_folder(self.root)
        name = folder.name if folder is not None else None
        if folder is not None and name == self._current and self._searcher is not None:
            stamp = self._commit_stamp(folder)
            if stamp != self._stamp:  # an update was committed: read it
                meta = read_meta(folder)
                if meta is not None:
                    self._searcher.reload()
                    self._meta, self._stamp = meta, stamp
            return
        stamp = self._commit_stamp(folder) if folder is not None else ()
        meta = read_meta(folder) if folder is not None else None
        if meta is None:
            self._searcher = None
            self._current = None
            return
        if meta.get("layout") != LAYOUT:  # written by an earlier version: not readable as it is
            self._searcher = None
            self._current = None
            self._stale_layout = True
            return
        assert folder is not None  # a meta was read from it
        searcher = tudien_core.Searcher(str(folder))  # reads what tantivy-py wrote
        self._meta, self._stamp = meta, stamp
        self._stale_layout = False
        self._searcher, self._current = searcher, name

    def searcher(self) -> tudien_core.Searcher:
        now = time.monotonic()
        if self._searcher is None or now - self._checked > _RECHECK:
            with self._lock:
                self._checked = now
                self._open_current()
        if self._searcher is None:
            if self._stale_layout:
                raise IndexMissing(
                    "Chỉ mục tìm kiếm được tạo bởi một phiên bản cũ: hãy chạy `tudien index` để tạo lại."
                )
            raise IndexMissing("Chưa có chỉ mục tìm kiếm: hãy chạy `tudien index`.")
        return self._searcher

    def status(self) -> dict:
        try:
            self.searcher()
        except IndexMissing as exc:
            return {"ok": False, "engine": self.name, "error": str(exc), "generation": None}
        return {
            "ok": True,
            "engine": self.name,
            "index": self._current,  # the folder of the version that serves
            "generation": self._meta.get("generation"),
            "documents": self._meta.get("documents"),
            "built_at": self._meta.get("built_at"),
        }

    def generation(self, fresh: bool = False) -> int | None:
        if fresh:
            folder = current_folder(self.root)
            meta = read_meta(folder) if folder is not None else None
            return meta.get("generation") if meta and meta.get("layout") == LAYOUT else None
        return self._meta.get("generation") if self._current is not None else None

    def close(self) -> None:
        self._searcher = None

    # -- building ----------------------------------------------------------------------------
    def rebuild(self, docs: Iterable[KeyDoc], generation: int) -> int:
        self.root.mkdir(parents=True, exist_ok=True)
        name = f"idx-{int(time.time())}-{uuid.uuid4().hex[:8]}"
        folder = self.root / name
        folder.mkdir()
        try:
            count = self._write(folder, docs)
            meta = {
                "layout": LAYOUT,
                "generation": generation,
                "documents": count,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
            write_meta(folder, meta)
            pointer = self.root / f"CURRENT.{name}"
            pointer.write_text(name)
            os.replace(pointer, self.root / POINTER)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        for old in self.root.glob("idx-*"):
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)
        with self._lock:
            self._checked = 0.0
            self._open_current()
        return count

    def _write(self, folder: Path, docs: Iterable[KeyDoc]) -> int:
        index = open_index(self.schema, folder, reuse=False)
        # One writer thread keeps the documents in the order they are added, in one segment, and
        # they are added shortest folded key first (then in the store's order).  The index's own
        # order is then the order of the by-length stages: when every hit of a stage scores the
        # same, tantivy returns the lowest addresses, so the shortest keys, with no sort by a fast
        # field (which costs a tenth of a millisecond per search even when there is nothing to
        # sort).  Ties break the same way on every build and on every engine.
        # The memory budget is what keeps it one segment (each segment is one more walk of every
        # term dictionary per query): 2M documents (1M two-word entries) take about 400 MB.  The
        # arena grows as it fills, so a small dictionary never uses the budget.
        writer = index.writer(heap_size=_WRITER_BUDGET, num_threads=1)
        by_length: dict[int, list[KeyDoc]] = {}
        for doc in docs:
            by_length.setdefault(len(doc.fold), []).append(doc)
        count = 0
        for doc in (doc for length in sorted(by_length) for doc in by_length[length]):
            writer.add_document(document(doc))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        return count

    # -- updating ----------------------------------------------------------------------------
    def update(self, entries: list[int], docs: Iterable[KeyDoc], generation: int) -> None:
        folder = current_folder(self.root)
        meta = read_meta(folder) if folder is not None else None
        if folder is None or meta is None or meta.get("layout") != LAYOUT:
            raise IndexMissing("Chưa có chỉ mục tìm kiếm dùng được: hãy chạy `tudien index`.")
        index = open_index(self.schema, folder, reuse=True)
        writer = index.writer(heap_size=_UPDATE_BUDGET, num_threads=1)
        try:
            for entry in entries:
                writer.delete_documents_by_term("entry", entry)
            for doc in sorted(docs, key=lambda d: len(d.fold)):
                writer.add_document(document(doc))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # merges done, the writer's lock released
        index.reload()
        meta = {**meta, "generation": generation, "documents": index.searcher().num_docs,
                "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        write_meta(folder, meta)
        with self._lock:
            self._checked = 0.0
            self._open_current()

    # -- searching: in the search core (indexer/native) ----------------------------------------
    # Its stages are the ones this engine always ran, on the same index files: exact, tone and
    # fold equality in one query whose constant scores tell the tiers apart; the folded key's
    # prefix; every word of the query among a key's words; fuzzy on the folded key, distance 1,
    # then 2 only when nothing closer was found, a match keeping the query's first two letters
    # closer, and closer still one whose diacritics agree too.  Each stage keeps its first
    # ``cap`` hits by score, equal scores lowest address first: shortest key first (see _write).
    def candidates(self, plan: QueryPlan) -> list[Candidate]:
        return [Candidate(*c) for c in self.searcher().candidates(native.plan_tuple(plan))]

    def candidates_many(self, plans: Sequence[QueryPlan]) -> list[list[Candidate]]:
        """Plan by plan: in process, several plans cost no more apart than together."""
        return [self.candidates(plan) for plan in plans]

    def search_ranked(self, plan: QueryPlan, readings: list[QueryPlan], ask: native.Ask,
                      ranking: native.Facts) -> native.Outcome:
        """A whole search in one call: the stages of ``plan`` and of the readings ``ask``
        wants, ranked, what matches as typed first."""
        found = self.searcher().search(native.plan_tuple(plan), [native.plan_tuple(p) for p in readings],
                                       *ask.args(), ranking, *ask.page())
        return native.outcome(found)
