"""What an entry is indexed under, and the full rebuild of a backend's index from the store.

:func:`indexed_texts` is the one list of an entry's searchable texts: the key documents are made
from it, and the search service reads it to say which text of an entry matched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from .bulk import paused_gc
from .normalize import search_keys_many
from .ports import Backend, KeyDoc
from .ranking import Field
from .store import Store
from .transliterate import romanize


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


def rebuild(store: Store, backend: Backend, progress: Callable | None = None) -> int:
    """Rebuild ``backend``'s index from the store; returns the number of keys indexed."""
    with paused_gc():
        generation = store.generation
        entries = store.iter_entries()
        if progress is not None:
            entries = progress(entries, total=store.count())
        return backend.rebuild(key_docs(entries), generation)
