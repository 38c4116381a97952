"""Normalisation rules, on tables of real cases (many from ../shared/data's quirks)."""

import unicodedata

import pytest

from dictionary.text.normalize import canonical, fold, search_keys, search_keys_many


@pytest.mark.parametrize(
    ("old", "new"),
    [("hoà", "hòa"), ("thuý", "thúy"), ("khoẻ", "khỏe"), ("hoạ", "họa"), ("Thuỷ", "Thủy"),
     ("loè", "lòe"), ("uỷ ban", "ủy ban"), ("toà án", "tòa án"), ("hoá học", "hóa học")],
)
def test_tone_placement_old_and_new_share_a_key(old, new):
    assert search_keys(old).tone == search_keys(new).tone
    assert search_keys(old).exact != search_keys(new).exact  # exact still tells them apart


@pytest.mark.parametrize(
    ("a", "b"),
    [("quý", "quy"), ("hòa", "hoa"), ("hòa", "hóa"), ("cơ", "cô"), ("mưa", "mua"), ("bắc", "bấc")],
)
def test_tone_key_keeps_tone_and_vowel_quality(a, b):
    assert search_keys(a).tone != search_keys(b).tone


@pytest.mark.parametrize(
    ("text", "folded"),
    [("Đường", "duong"), ("hơbŏ", "hobo"), ("ơ̆", "o"), ("ư̆ng", "ung"), ("kơ̆i", "koi"),
     ("'bơ̆ 'bơ̆", "bo bo"), ("Ê Đê", "e de"), ("H'Mông", "hmong"), ("Bru-Vân Kiều", "bruvan kieu"),
     ("tiếng Việt", "tieng viet"), ("ăn uống", "an uong"), ("NGUYỄN", "nguyen"), ("ku thê,", "ku the")],
)
def test_fold_drops_latin_diacritics_apostrophes_and_hyphens(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    "text",
    ["ខ្មែរ", "ភាសាខ្មែរ", "ដើមឈើ",  # Khmer: coeng (U+17D2) and vowel signs
     "ꨌꩌ", "ꨆꨯꩃ",  # Cham: final consonant signs
     "ꪼꪙ꫁", "ꪁꪾ꫁"],  # Tai Viet: tone marks
)
def test_other_scripts_keep_their_marks(text):
    keys = search_keys(text)
    assert keys.exact == keys.tone == keys.fold == text
    assert any(unicodedata.category(ch).startswith("M") for ch in keys.fold)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("abe ̆n", "abĕn"),  # a stray space before a combining breve (bahnaric.csv)
        ("jru ̆ m", "jrŭ m"),
        ("chô̆̆", "chô̆"),  # a doubled combining breve
        ("hŭ̆t", "hŭt"),
        ("tơ’ngõl", "tơ'ngõl"),  # apostrophe look-alikes
        ("tơʼngõl", "tơ'ngõl"),
        ("tơ`ngõl", "tơ'ngõl"),
        ("kơ‘bông", "kơ'bông"),
        ("a\u200bb", "ab"),  # zero-width space
        ("\ufeffhuĕn", "huĕn"),  # BOM
        ("  thĕng \t ", "thĕng"),  # trailing spaces (bahnaric.csv)
        ("con\u00a0người", "con người"),
        ("a\u0000b\u0007", "ab"),
    ],
)
def test_canonical_repairs_without_changing_letters(raw, clean):
    assert canonical(raw) == clean


def test_nfd_and_nfc_give_the_same_keys():
    for word in ["hòa bình", "Nguyễn", "ơ̆", "tiếng Việt", "ƀơ̆ng", "ខ្មែរ"]:
        assert search_keys(unicodedata.normalize("NFD", word)) == search_keys(word)


def test_canonical_is_nfc_and_idempotent():
    for word in ["hòa", "abe ̆n", "chô̆̆", "Ê  Đê"]:
        once = canonical(word)
        assert once == unicodedata.normalize("NFC", once) == canonical(once)


def test_batched_keys_are_the_keys_one_by_one():
    # An index build computes keys a batch at a time (joined by line feeds); nothing may leak
    # from one text into the next, whatever the texts hold.
    texts = [
        "abe ̆n", "jru ̆ m", "chô̆̆", "tơ’ngõl", "a\u200bb", "\ufeffhuĕn", "  thĕng \t ", "con\u00a0người",
        "a\u0000b\u0007", "Hòa-Bình", "hoà", "ƀơ̆ng", "ខ្មែរ", "ꨌꩌ", "ꪼꪙ꫁", "Straße", "İstanbul", "", " ", "-", "'",
        "\u0301đầu", "cuối \u0301", "a.\u0301", "x, y; (z)", "line\nfeed", "two\n\nlines", "a\u2028b",
        "a\u0085b", "\r\n", "ĐẮK LẮK", "Ê  Đê", "M'Nông", "k’ho", "hoà", "hoà",
    ]
    assert search_keys_many(texts) == [search_keys(t) for t in texts]
    assert search_keys_many([]) == []
