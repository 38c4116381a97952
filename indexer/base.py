"""The interface every search backend implements, and the documents it indexes.

A document is one searchable text of an entry — its headword, a variant or a gloss — with the
keys precomputed by :mod:`dictionary.normalize`.  Engines never normalise text themselves, so the
same keys work on the embedded engine and on any Elasticsearch cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple, Protocol

from dictionary.normalize import search_keys_many
from dictionary.ranking import Candidate, Field, QueryPlan
from dictionary.transliterate import romanize


class KeyDoc(NamedTuple):
    entry: int  # row in the store
    language: str  # the entry's language
    field: int  # Field
    gloss_language: str | None  # for glosses
    position: int  # order within the entry (0 = headword or first gloss)
    exact: str
    tone: str
    fold: str


class Backend(Protocol):
    name: str
    remote: bool  # calls wait on a network (run them off the event loop)

    def candidates(self, plan: QueryPlan) -> list[Candidate]:
        """Keys matching ``plan``, each with the stage (tier) that found it."""

    def rebuild(self, docs: Iterable[KeyDoc], generation: int) -> int:
        """Replace the whole index with ``docs``; returns how many were indexed."""

    def status(self) -> dict:
        """``{"ok": bool, "generation": int | None, ...}`` for /health."""

    def close(self) -> None: ...


def _texts(rowid: int, entry: dict) -> Iterator[tuple]:
    """The searchable texts of one stored entry (a raw dict as the store keeps it), as
    ``(entry, language, field, gloss language, position, text)``; a gloss's position counts only
    the glosses that make a document (see :func:`all_key_docs`)."""
    language = entry["language"]
    yield rowid, language, Field.HEADWORD, None, 0, entry["headword"]
    variants = entry.get("variants", ())
    for variant in variants:
        yield rowid, language, Field.VARIANT, None, 1, variant
    # Khmer, Cham and Tai Viet headwords and variants are also found by a Latin key.
    for text in (entry["headword"], *variants):
        latin = romanize(text)
        if latin:
            yield rowid, language, Field.ROMANIZED, None, 1, latin
    for sense in entry.get("senses", ()):
        for gloss_language, glosses in sense.get("glosses", {}).items():
            for gloss in glosses:
                yield rowid, language, Field.GLOSS, gloss_language, -1, gloss


def all_key_docs(entries: Iterable[tuple[int, dict]], batch: int = 2000) -> Iterator[KeyDoc]:
    """The documents of every entry, in order.  An entry's texts that give the same key twice
    (a variant spelled like its headword, a gloss repeated in two senses) make one document.

    Keys are computed a batch of entries at a time (:func:`search_keys_many`): an index build
    spends most of its time there otherwise."""
    items: list[tuple] = []
    for rowid, entry in entries:
        items.extend(_texts(rowid, entry))
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
