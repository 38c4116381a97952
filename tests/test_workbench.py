"""The translation workbench on the real word lists: a cell's first candidates are the words
that surely mean the term, each word once.  (The workbench in a browser, at 360 and 1280
pixels, is in tests/test_browser.py, over its server.)"""

from __future__ import annotations

import pytest

from dictionary.search.translate import rank_equivalents


def _first(lib, term: str, language: str, n: int = 1) -> list[str]:
    glossary = lib.services.translator.translate(term, [language])
    return [e["headword"] for e in glossary.terms[0].equivalents[language][:n]]


@pytest.mark.shared_data
def test_day_and_rice_get_the_words_that_mean_them_first(real_library):
    # before: ngày → hơbâu (bươu; đồng; ốc), the Bahnar word for the day ('năr) 8th; gạo → ƀa, b`a, phê
    # now: the word four entries spelled alike give ('nar, năr, nar, 'năr) leads
    assert {"'nar", "năr", "nar", "'năr"} == set(_first(real_library, "ngày", "bdq", 4))
    assert "hơbâu" not in _first(real_library, "ngày", "bdq", 4)
    assert _first(real_library, "gạo", "bdq", 4) == ["ƀa", "b`a", "'ba", "ba"]  # ƀa: gạo is its first meaning
    assert _first(real_library, "nước", "bdq", 4)[0] in {"dak", "’dak", "đăk", "đak"}
    # a word whose only meaning is the term comes before one that means it among others
    house = real_library.services.translator.translate("nhà", ["bdq", "mww"]).terms[0].equivalents
    assert house["bdq"][0]["meaning"] == "chỉ có nghĩa «nhà»" and [e["headword"] for e in house["mww"]][:1] == ["tsev"]
    for term in ("ngày", "gạo", "nước", "nhà"):
        for code, found in real_library.services.translator.translate(term, ["bdq", "mww"]).terms[0].equivalents.items():
            words = [e["headword"].casefold() for e in found]
            assert len(words) == len(set(words)), (term, code, words)  # each word once


def test_only_and_first_meanings_before_a_fifth_and_each_word_once():
    found = [
        {"id": "a", "headword": "fifth", "place": (4, 6)},
        {"id": "b", "headword": "first", "place": (0, 3)},
        {"id": "c", "headword": "only", "place": (0, 1)},
        {"id": "d", "headword": "Only", "place": (0, 1)},  # the same word from another dataset
        {"id": "e", "headword": "second", "place": (1, 2)},
    ]
    assert [e["id"] for e in rank_equivalents(found)] == ["c", "b", "e", "a"]
    agreeing = [{"id": str(i), "headword": h, "place": (3, 5)} for i, h in enumerate(["'năr", "năr", "nar"])]
    ranked = rank_equivalents([{"id": "x", "headword": "hơbâu", "place": (2, 4)}, *agreeing])
    assert [e["id"] for e in ranked] == ["0", "1", "2", "x"]
