"""The interface every search backend implements, and the documents it indexes.

A document is one searchable text of an entry — its headword, a variant or a gloss — with the
keys precomputed by :mod:`dictionary.normalize`.  Engines never normalise text themselves, so the
same keys work on the embedded engine and on any Elasticsearch cluster.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple, Protocol

from dictionary.normalize import search_keys
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


def key_docs(rowid: int, entry: dict) -> Iterator[KeyDoc]:
    """The documents of one stored entry (a raw dict as the store keeps it)."""
    language = entry["language"]
    seen: set[tuple[int, str | None, str]] = set()

    def make(text: str, field: Field, gloss_language: str | None, position: int):
        keys = search_keys(text)
        if not keys.exact:
            return None
        marker = (field if field != Field.VARIANT else Field.HEADWORD, gloss_language, keys.exact)
        if marker in seen:
            return None
        seen.add(marker)
        return KeyDoc(rowid, language, field, gloss_language, position, *keys)

    doc = make(entry["headword"], Field.HEADWORD, None, 0)
    if doc:
        yield doc
    for variant in entry.get("variants", ()):
        doc = make(variant, Field.VARIANT, None, 1)
        if doc:
            yield doc
    # Khmer, Cham and Tai Viet headwords and variants are also found by a Latin key.
    for text in (entry["headword"], *entry.get("variants", ())):
        latin = romanize(text)
        if latin:
            doc = make(latin, Field.ROMANIZED, None, 1)
            if doc:
                yield doc
    positions: dict[str, int] = {}
    for sense in entry.get("senses", ()):
        for gloss_language, glosses in sense.get("glosses", {}).items():
            for gloss in glosses:
                position = positions.get(gloss_language, 0)
                doc = make(gloss, Field.GLOSS, gloss_language, position)
                if doc:
                    positions[gloss_language] = position + 1
                    yield doc


def all_key_docs(entries: Iterable[tuple[int, dict]]) -> Iterator[KeyDoc]:
    for rowid, entry in entries:
        yield from key_docs(rowid, entry)
