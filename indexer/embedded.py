"""The embedded backend: a tantivy index on disk, used as a candidate generator.

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

import tantivy
from rapidfuzz.distance import OSA

from dictionary.errors import IndexMissing
from dictionary.search.ports import (
    EDGE,
    FUZZY_SCORE,
    SAME_START_BONUS,
    SCORE_OF,
    KeyDoc,
    looseness_of_score,
    tier_of_score,
)
from dictionary.search.ranking import Candidate, QueryPlan, Scope, Tier

from .current import LAYOUT, META, POINTER, current_folder, read_meta, write_meta
from .embedded_docs import document, key_schema, open_index, unpack

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
        self._index: tantivy.Index | None = None
        self._searcher: tantivy.Searcher | None = None
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
        if folder is not None and name == self._current and self._searcher is not None and self._index is not None:
            stamp = self._commit_stamp(folder)
            if stamp != self._stamp:  # an update was committed: read it
                meta = read_meta(folder)
                if meta is not None:
                    self._index.reload()
                    self._meta, self._stamp, self._searcher = meta, stamp, self._index.searcher()
            return
        stamp = self._commit_stamp(folder) if folder is not None else ()
        meta = read_meta(folder) if folder is not None else None
        if meta is None:
            self._index = self._searcher = None
            self._current = None
            return
        if meta.get("layout") != LAYOUT:  # written by an earlier version: not readable as it is
            self._index = self._searcher = None
            self._current = None
            self._stale_layout = True
            return
        assert folder is not None  # a meta was read from it
        index = open_index(self.schema, folder, reuse=True)
        index.reload()
        self._meta, self._stamp = meta, stamp
        self._stale_layout = False
        self._index, self._searcher, self._current = index, index.searcher(), name

    def searcher(self) -> tantivy.Searcher:
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
        self._index = self._searcher = None

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

    # -- searching ---------------------------------------------------------------------------
    def _scoped(self, plan: QueryPlan, build) -> tantivy.Query | None:
        """``build(side)`` gives the stage's query on one side's fields; this adds each scope's
        filters and joins the scopes."""
        Q, Occur = tantivy.Query, tantivy.Occur
        clauses = []
        for scope in plan.scopes:
            side = "g" if scope.gloss_language else "h"
            query = build(side)
            if query is None:
                continue
            must = [(Occur.Must, query)]
            must.extend((Occur.Must, Q.const_score_query(f, 0.0)) for f in self._filters(scope))
            clauses.append((Occur.Should, Q.boolean_query(must) if len(must) > 1 else query))
        if not clauses:
            return None
        return clauses[0][1] if len(clauses) == 1 else Q.boolean_query(clauses)

    def _filters(self, scope: Scope) -> list[tantivy.Query]:
        Q, schema = tantivy.Query, self.schema
        filters = []
        if scope.gloss_language:
            filters.append(Q.term_query(schema, "glang", scope.gloss_language))
        if scope.languages:
            filters.append(Q.term_set_query(schema, "lang", list(scope.languages)))
        return filters

    def _collect(self, searcher, query, cap):
        """The first ``cap`` hits by score; equal scores come shortest key first (see _write)."""
        hits = searcher.search(query, cap, count=False).hits
        if not hits:
            return [], []
        addresses = [address for _, address in hits]
        return [score for score, _ in hits], addresses

    def candidates_many(self, plans: Sequence[QueryPlan]) -> list[list[Candidate]]:
        """Plan by plan: in process, several plans cost no more apart than together."""
        return [self.candidates(plan) for plan in plans]

    def candidates(self, plan: QueryPlan) -> list[Candidate]:
        searcher = self.searcher()
        Q, Occur, schema = tantivy.Query, tantivy.Occur, self.schema
        keys = plan.keys
        out: list[Candidate] = []
        entries: set[int] = set()

        doc = searcher.doc

        def take(addresses, tier_of, distance):
            for address, tier in zip(addresses, tier_of, strict=True):
                entry, length, pos, field = unpack(doc(address).get_first("key"))  # type: ignore[arg-type]  # every document has its key
                out.append(Candidate(entry, tier, distance, 0, pos, length, field))
                entries.add(entry)

        # 1. exact, tone and fold equality in one query: constant scores tell the tiers apart.
        def exact(side):
            return Q.boolean_query(
                [
                    (Occur.Should, Q.const_score_query(Q.term_query(schema, side + "0", keys.exact), SCORE_OF[Tier.EXACT])),
                    (Occur.Should, Q.const_score_query(Q.term_query(schema, side + "1", keys.tone), SCORE_OF[Tier.TONE])),
                    (Occur.Should, Q.const_score_query(Q.term_query(schema, side + "2", keys.fold), SCORE_OF[Tier.FOLD])),
                ]
            )

        query = self._scoped(plan, exact)
        scores, addresses = self._collect(searcher, query, plan.cap)
        take(addresses, [tier_of_score(s) for s in scores], 0)
        fold = keys.fold
        if not fold:
            return out

        # 2. prefix of the folded key, shortest first.
        if plan.prefix:
            if len(fold) <= EDGE:
                query = self._scoped(plan, lambda side: Q.term_query(schema, side + "p", fold))
            else:  # a prefix automaton of distance 0: cheap to build, unlike a regex
                query = self._scoped(
                    plan, lambda side: Q.fuzzy_term_query(schema, side + "2", fold, 0, True, True)
                )
            _, addresses = self._collect(searcher, query, plan.cap)
            take(addresses, [Tier.PREFIX] * len(addresses), 0)

        # 3. every word of the query among the key's words (multi-word keys only), shortest key
        #    first like the other stages (a constant score: BM25 would rank by word frequencies,
        #    which no other engine shares).
        words = sorted(set(plan.words))
        if words:
            def all_words(side):
                return Q.const_score_query(Q.boolean_query(
                    [(Occur.Must, Q.term_query(schema, side + "w", w)) for w in words]
                ), 1.0)

            _, addresses = self._collect(searcher, self._scoped(plan, all_words), plan.cap)
            take(addresses, [Tier.WORDS] * len(addresses), 0)

        # 4. fuzzy on the folded key: distance 1, then distance 2 only for long queries that the
        #    closer stages found nothing for (QueryPlan.wider_fuzzy).  A match that keeps the
        #    query's first two letters is closer (typos fall less often on a word's beginning),
        #    and a constant score tells the two apart in one query; closer still is a match whose
        #    diacritics agree too, its key with diacritics within distance 1 of the query's
        #    (loose 0).
        check_tone = keys.tone != fold
        for distance in range(1, plan.fuzzy + 1):
            if distance > 1 and not plan.wider_fuzzy(len(entries)):
                break

            def fuzzy(side, d=distance):
                return Q.boolean_query([
                    (Occur.Must, Q.const_score_query(Q.fuzzy_term_query(schema, side + "2", fold, d, True), FUZZY_SCORE)),
                    (Occur.Should, Q.const_score_query(Q.term_query(schema, side + "p", fold[:2]), SAME_START_BONUS)),
                ])

            scores, addresses = self._collect(searcher, self._scoped(plan, fuzzy), plan.cap)
            compare = distance == 1 and check_tone and len(addresses) < plan.cap
            if distance == 1 and check_tone and not compare:
                # The cap cut the list: ask for the closest by diacritics on their own.
                query = self._scoped(
                    plan, lambda side: Q.fuzzy_term_query(schema, side + "1", keys.tone, 1, True)
                )
                _, closer = self._collect(searcher, query, plan.cap)
                take(closer, [Tier.FUZZY] * len(closer), 1)  # loose 0: diacritics agree
            for address, score in zip(addresses, scores, strict=True):
                stored = doc(address)
                entry, length, pos, field = unpack(stored.get_first("key"))  # type: ignore[arg-type]  # every document has its key
                loose = looseness_of_score(score)
                # Every key within distance 1 with diacritics is among these hits (folding never
                # adds an edit), so comparing their stored keys answers without a second walk
                # of the term dictionary.
                if compare:
                    theirs = stored.get_first("h1") or stored.get_first("g1")
                    if OSA.distance(theirs, keys.tone, score_cutoff=1) <= 1:  # type: ignore[arg-type]  # every document stores h1 or g1
                        loose = 0
                out.append(Candidate(entry, Tier.FUZZY, distance, loose, pos, length, field))
                entries.add(entry)
        return out

