"""Khmer, Cham and Tai Viet: script text is never damaged, and Latin queries find it.

The Khmer words are the real list in ../shared/data/khmer (read in place).  The Cham and Tai Viet
samples are attributable names: ꨌꩌ "Cam", the Cham people and language as the Cham write it
(the ISO 15924 / CLDR sample text of the Cham script; "Cam" is its Latin spelling, as in
"Akhar Cam"), and ꪎꪳ ꪼꪕ "Tai script" (the Tai Viet script named in Tai Dam, Wikipedia
"Tai Viet script").
"""

import re

import pytest

from dictionary.model import Entry, Provenance, Sense, entry_id
from dictionary.storage.datasets import Dataset
from dictionary.text.normalize import canonical, search_keys
from dictionary.text.transliterate import romanize, script_of

KHMER_LETTER = re.compile("[\u1780-\u17d3\u17dd]")  # letters, vowel signs, coeng and other signs


def _entry(language, dataset, headword, vie=None, variants=()):
    senses = [Sense(glosses={"vie": [vie]})] if vie else []
    return Entry(id=entry_id(language, dataset, headword), language=language, headword=headword,
                 variants=list(variants), senses=senses, provenance=Provenance(dataset=dataset))


@pytest.fixture(scope="module")
def khmer_words(shared_data):
    path = shared_data / "khmer" / "khmer_words_no_duplicate.txt"
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.shared_data
def test_khmer_words_survive_normalisation(khmer_words):
    """Coeng, vowel signs and the other marks are kept by every key (stripping marks would
    turn ខ្មែរ into ខមែរ)."""
    assert len(khmer_words) == 16_895
    for word in khmer_words:
        letters = KHMER_LETTER.findall(word)
        assert KHMER_LETTER.findall(canonical(word)) == letters, word
        assert KHMER_LETTER.findall(search_keys(word).exact) == letters, word
        assert KHMER_LETTER.findall(search_keys(word).fold) == letters, word
    assert search_keys("ខ្មែរ").fold == "ខ្មែរ"


@pytest.mark.shared_data
def test_every_khmer_word_gets_a_latin_key(khmer_words):
    for word in khmer_words:
        if KHMER_LETTER.search(word):
            latin = romanize(word)
            assert latin is not None and latin.isascii(), (word, latin)
            assert latin or word == "អ", word  # the bare glottal letter has no Latin letter


@pytest.mark.parametrize(
    ("script", "latin"),
    [
        ("ខ្មែរ", "khmer"),
        ("កម្ពុជា", "kampuchea"),
        ("ភ្នំពេញ", "phnumpenh"),
        ("ទឹក", "teuk"),
        ("ꨌꩌ", "cam"),
        ("ꪎꪳ ꪼꪕ", "sue tay"),
    ],
)
def test_romanize(script, latin):
    assert romanize(script) == latin


def test_script_of():
    assert script_of("ខ្មែរ") == "Khmr" and script_of("ꨌꩌ") == "Cham" and script_of("ꪼꪕ") == "Tavt"
    assert script_of("tiếng việt") is None and romanize("ntawv") is None


@pytest.mark.shared_data
def test_latin_query_finds_khmer_headword(library, khmer_words):
    entries = {w: _entry("khm", "khmer-words", w) for w in khmer_words}
    library.store.datasets.replace(Dataset("khmer-words", "txt"), entries.values())
    library.index()
    # ែ and េ both read "e" here, so ខ្មេរ (a spelling variant in the list) ties with ខ្មែរ
    assert "ខ្មែរ" in library.headwords("khmer", source="khm")[:2]
    assert library.headwords("phnum penh", source="khm")[0] == "ភ្នំពេញ"
    assert "ទឹក" in library.headwords("teuk", source="khm")
    top = library.search("phnumpenh", source="khm").hits[0]
    assert (top.match.field, top.match.tier) == ("romanized", "exact")
    # the script query itself still matches literally first
    assert library.headwords("ខ្មែរ", source="khm")[0] == "ខ្មែរ"


def test_cham_and_tai_viet_both_ways(library):
    library.store.datasets.replace(Dataset("scripts", "test"), [
        _entry("cja", "scripts", "ꨌꩌ", "Chăm"),
        _entry("blt", "scripts", "ꪎꪳ ꪼꪕ", "chữ Thái"),
    ])
    library.store.datasets.replace(Dataset("latin", "test"), [_entry("cja", "latin", "Cam", "Chăm")])
    library.index()
    # a Latin query finds the script headword
    assert library.headwords("cam", source="cja")[:2] == ["Cam", "ꨌꩌ"]
    assert library.headwords("sue tay", source="blt") == ["ꪎꪳ ꪼꪕ"]
    # a script query finds the entry written in Latin, read as its Latin key
    hits = library.search("ꨌꩌ", source="cja").hits
    assert [h.entry["headword"] for h in hits] == ["ꨌꩌ", "Cam"]
    assert (hits[1].match.tier, hits[1].match.decoded) == ("decoded", "cam")
