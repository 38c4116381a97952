"""Syllable structure, tone placement and the Telex/VNI decoders.

The Telex rows marked "bamboo" are input → output pairs from the test suite of a real Vietnamese
input method, BambooEngine/bamboo-core (``bamboo_test.go``, MIT licence): the decoder here is our
own code, checked against what that engine's users get on screen.
"""

import pytest

from dictionary.text.normalize import search_keys
from dictionary.text.vietnamese import (
    decode_query,
    decode_telex,
    decode_vni,
    is_syllable,
    place_tone,
    syllable,
)


def telex(word: str) -> str | None:
    decoded = decode_telex(word)
    return None if decoded is None else place_tone(*decoded)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # bamboo-core bamboo_test.go
        ("awn", "ăn"),  # bamboo's "aw" → "ă", completed to a word
        ("muwowif", "mười"),  # bamboo's "uwow" → "ươ", completed to a word
        ("chuaarn", "chuẩn"),
        ("giamaf", "giầm"),
        ("ddafi", "đài"),
        ("mootj", "một"),
        ("loanj", "loạn"),
        ("VIEETJ", "việt"),
        ("wowfi", "ười"),
        ("nguwowfi", "người"),
        ("duwoi", "dươi"),
        ("gisa", "giá"),
        ("ddawks", "đắk"),
        ("choas", "choá"),
        ("bieecs", "biếc"),
        ("uese", "uế"),
        ("NGUOIW", "ngươi"),
        ("toowi", "tơi"),
        # everyday typing
        ("tieengs", "tiếng"),
        ("tieesng", "tiếng"),
        ("tienges", "tiếng"),
        ("dduwowngf", "đường"),
        ("dduongwf", "đường"),
        ("khoer", "khoẻ"),
        ("hoaf", "hoà"),
        ("thuys", "thuý"),
        ("quys", "quý"),
        ("gif", "gì"),
        ("nhw", "như"),
        ("Vieetj", "việt"),
    ],
)
def test_telex_decodes_like_an_input_method(typed, expected):
    assert telex(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        # bamboo-core: keys typed twice undo themselves, impossible syllables stay as typed
        "sawss", "catr", "kimso", "tnoss",
        # Hmong RPA and English are not Telex, even where their letters are Telex keys
        "ntawv", "tsev", "txiv", "ntxhais", "the", "yes", "qhuav", "hmoob",
        # no key at all
        "nhau", "qua", "hoa",
    ],
)
def test_telex_leaves_non_vietnamese_words_alone(typed):
    assert decode_telex(typed.lower()) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("tie6ng1", "tiếng"),
        ("vie65t", "việt"),
        ("vie6t5", "việt"),
        ("d9u7o7ng2", "đường"),
        ("du7o7ng2", "dường"),
        ("duong72", "dường"),
        ("hoa2", "hoà"),
        ("tho71", "thớ"),
        ("ma8t5", "mặt"),
        ("khoe3", "khoẻ"),
    ],
)
def test_vni_decodes(typed, expected):
    decoded = decode_vni(typed)
    assert decoded is not None and place_tone(*decoded) == expected


@pytest.mark.parametrize("typed", ["1990", "a1b2", "tsev", "mp3", "x86"])
def test_vni_leaves_numbers_and_codes_alone(typed):
    assert decode_vni(typed) is None


def test_tone_placement_old_and_new_styles_share_a_search_key():
    for base in ("hoa", "khoe", "thuy"):
        new, old = place_tone(base, "grave"), place_tone(base, "grave", old_style=True)
        assert new != old
        assert search_keys(new).tone == search_keys(old).tone
    assert place_tone("quy", "acute") == place_tone("quy", "acute", old_style=True) == "quý"
    assert place_tone("nghiêng", "grave") == "nghiềng"
    assert place_tone("ươi", "hook") == "ưởi"


@pytest.mark.parametrize(
    ("word", "ok"),
    [
        ("nghiêng", True), ("quốc", True), ("gìn", True), ("gia", True), ("khuya", True),
        ("việt", True), ("viêt", False),  # a stop final takes sắc or nặng only
        ("ntawv", False), ("tsev", False), ("ăn", True), ("ă", False), ("ngh", False),
    ],
)
def test_syllable_validity(word, ok):
    assert is_syllable(word) is ok


def test_syllable_split():
    assert syllable("nghiêng") == ("ngh", "iê", "ng")
    assert syllable("quê") == ("qu", "ê", "")
    assert syllable("giêng") == ("gi", "ê", "ng")


@pytest.mark.parametrize(
    ("query", "readings"),
    [
        ("tieengs vieetj", ["tiếng việt"]),
        ("suwj caix nhau", ["sự cãi nhau"]),
        ("tie6ng1 vie65t", ["tiếng việt"]),
        ("tiếng việt", []),  # already Vietnamese
        ("ntawv", []),
        ("hoa binh", []),  # Vietnamese without diacritics is not Telex
    ],
)
def test_decode_query(query, readings):
    assert decode_query(query) == readings
