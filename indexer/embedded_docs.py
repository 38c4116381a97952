"""The embedded index's layout: its schema, its analyser, and the document of one key.

A key document holds the three precomputed keys as raw terms, short edge n-grams of the folded
key (prefix look-ups of one to three letters would otherwise walk much of the term dictionary),
the folded key's words, stored, the key with diacritics, and, stored and as a fast field, one
number packing the entry's row, the field, the key's place in its entry and its length
(:func:`pack`).

Headword and gloss keys live in separate fields (``h*`` and ``g*``) so that a fuzzy look-up walks
only the term dictionary it needs.
"""

from __future__ import annotations

from pathlib import Path

import tantivy

from dictionary.search.ports import EDGE, KeyDoc

_EDGE_TOKENIZER = "tudien_edge"
SIDES = ("h", "g")


def key_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    for side in SIDES:
        for suffix in ("0", "1", "2"):
            # The key with diacritics is stored too: the fuzzy stage compares it with the query's.
            sb.add_text_field(side + suffix, stored=suffix == "1", tokenizer_name="raw", index_option="basic")
        # The folded key again, cut by tantivy itself into its first letters and into its words:
        # one value each instead of one per term, which is most of an index build's Python work.
        sb.add_text_field(side + "p", tokenizer_name=_EDGE_TOKENIZER, index_option="basic")
        sb.add_text_field(side + "w", tokenizer_name="whitespace", index_option="basic")
    sb.add_text_field("lang", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("glang", tokenizer_name="raw", index_option="basic")
    # What a candidate needs, packed in one number (see pack), read by the search core from its
    # column for every hit: no stored document to decompress (it reads one only to compare a
    # fuzzy hit's key with diacritics).  Stored too, for a look at the index from Python.
    sb.add_unsigned_field("key", stored=True, indexed=False, fast=True)
    # the entry's row, indexed: a live update removes an entry's documents by it
    sb.add_integer_field("entry", stored=False, indexed=True)  # deletes by term match i64 terms
    return sb.build()


def open_index(schema: tantivy.Schema, folder: Path, *, reuse: bool) -> tantivy.Index:
    """The index in ``folder``, with the analyser that cuts a key into its first letters (an
    index does not keep its analysers: each opening registers them)."""
    index = tantivy.Index(schema, path=str(folder), reuse=reuse)
    edge = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(1, EDGE, True)).build()
    index.register_tokenizer(_EDGE_TOKENIZER, edge)
    return index


def document(doc: KeyDoc) -> tantivy.Document:
    side = "g" if doc.gloss_language else "h"
    fold = doc.fold
    d = tantivy.Document()
    d.add_text(side + "0", doc.exact)
    d.add_text(side + "1", doc.tone)
    d.add_text(side + "2", fold)
    d.add_text(side + "p", fold)
    if " " in fold:
        d.add_text(side + "w", fold)
    d.add_text("lang", doc.language)
    if doc.gloss_language:
        d.add_text("glang", doc.gloss_language)
    d.add_unsigned("key", pack(doc.entry, doc.field, doc.position, len(fold)))
    d.add_integer("entry", doc.entry)
    return d


# key = entry << 24 | field << 20 | position << 12 | length
def pack(entry: int, field: int, position: int, length: int) -> int:
    return entry << 24 | field << 20 | min(position, 255) << 12 | min(length, 4095)


def unpack(key: int) -> tuple[int, int, int, int]:
    """(entry, length, position, field)"""
    return key >> 24, key & 4095, key >> 12 & 255, key >> 20 & 15
