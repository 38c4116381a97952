"""The languages shipped out of the box (Ê Đê, Gia Rai, Ra Glai, Western Cham from ABVD; Khmer from
the Open Multilingual Wordnet's Wiktionary data) and the page of each language: its names, counts,
datasets and entries by letter in the language's own alphabet order.

The expected orders below are written from each orthography's published alphabet, never computed
by the code under test:

- Ê Đê: the 38-letter Êđê alphabet, "a ă â b ƀ č d đ e ĕ ê ê̆ g h i ĭ j k l m n ñ o ŏ ô ô̆ ơ ơ̆ p r s t u
  ŭ ư ư̆ w y" (Hdruôm hră mblang klei blŭ Êđê – Yuăn, bài 3 "Cách đọc chữ Êđê",
  https://ededic.thaiphong.net/bai-hoc/bai-03.php; the letter count from "Bảng chữ cái của người
  Ê-Đê gồm 38 chữ cái", tiengtaynguyen.blogspot.com, 2018).
- Ba Na: the Bahnaric letters of the Highlands' Quốc-ngữ-based orthographies in the order the
  M'Nông alphabet publishes them ("a ă â b ƀ c d đ e ĕ ê ê̆ g h i ĭ j k l m n o ŏ ô ô̆ ơ ơ̆ p r s t u ŭ
  ư ư̆ v … y", isonshare.blogspot.com, 2018, "Bài 1 – Bảng chữ cái tiếng M'Nông"), the letters the
  Ba Na lists write.
- Khmer: the consonants in the order of the Khmer script (ក ខ គ ឃ ង ច ឆ ជ ឈ ញ ដ ឋ ឌ ឍ ណ ត ថ ទ ធ ន ប ផ ព
  ភ ម យ រ ល វ ស ហ ឡ អ), as Unicode's Khmer block and every Khmer primer give them.
"""

from __future__ import annotations

import random
import re
import unicodedata

import pytest
from support import Library

from corpora.open import load_open
from dictionary import languages
from dictionary.audio.library import RecordingInfo

EDE = "a ă â b ƀ č d đ e ĕ ê ê̆ g h i ĭ j k l m n ñ o ŏ ô ô̆ ơ ơ̆ p r s t u ŭ ư ư̆ w y".split()
BANA = "a ă â b ƀ c d đ e ĕ ê ê̆ g h i ĭ j k l m n o ŏ ô ô̆ ơ ơ̆ p r s t u ŭ ư ư̆ v w y".split()
KHMER_CONSONANTS = "ក ខ គ ឃ ង ច ឆ ជ ឈ ញ ដ ឋ ឌ ឍ ណ ត ថ ទ ធ ន ប ផ ព ភ ម យ រ ល វ ស ហ ឡ អ".split()
SHIPPED = ["bahnaric", "abvd-rad", "abvd-jra", "abvd-rog", "abvd-cja", "omw-wikt-khm"]


def shuffled(words: list[str], seed: int = 30) -> list[str]:
    out = list(words)
    random.Random(seed).shuffle(out)
    return out


TONES = "\u0300\u0301\u0303\u0309\u0323"  # Vietnamese tone marks, in loans


def first_letter(word: str) -> str:
    """The word's first letter with its own marks (a breve, a circumflex, a horn), less any tone."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    marks = ""
    for char in decomposed[1:]:
        if not unicodedata.combining(char):
            break
        marks += "" if char in TONES else char
    return unicodedata.normalize("NFC", decomposed[0] + marks)


def ordered(code: str, words: list[str]) -> list[str]:
    return sorted(words, key=languages.collator(code).getSortKey)


# -- the collation rules, one test per tailored rule ------------------------------------------------

# (the rule, words in the order the published Ê Đê alphabet gives them)
EDE_RULES = [
    ("ă and â are letters after a", ["ai", "az", "ăi", "ăz", "âi", "âz", "bi"]),
    ("ƀ is a letter after b; ɓ (ABVD's spelling) sorts as ƀ", ["ba", "bu", "ƀa", "ɓe", "ƀu", "ča"]),
    ("č is a letter after c (Ê Đê writes no bare c)", ["ča", "ču", "da"]),
    ("đ is a letter after d; ɗ sorts as đ", ["da", "du", "đa", "ɗe", "đu", "ea"]),
    ("ĕ, ê and ê̆ are letters after e, in that order", ["ek", "ez", "ĕk", "ĕz", "êk", "êz", "ê̆k", "ê̆z", "ga"]),
    ("ĭ is a letter after i", ["ik", "iz", "ĭk", "ĭz", "ja"]),
    ("ñ is a letter after n", ["na", "nu", "ña", "ñu", "oa"]),
    ("ŏ ô ô̆ ơ ơ̆ follow o, in that order", ["ok", "ŏk", "ôk", "ô̆k", "ơk", "ơ̆k", "pa"]),
    ("ŭ ư ư̆ follow u, in that order", ["uk", "uz", "ŭk", "ŭz", "ưk", "ưz", "ư̆k", "wa"]),
    ("ʔ (the glottal stop ABVD writes) sorts with the apostrophe, before every letter", ["ʔa", "'b", "a"]),
    ("capitals sort with their letter (a small letter first where all else is equal)",
     ["Ama", "ăn", "Ăt", "ƀuôn", "Ƀuôn", "Čiăng"]),
]


@pytest.mark.parametrize(("rule", "expected"), EDE_RULES, ids=[rule for rule, _ in EDE_RULES])
def test_each_tailored_rule_sorts_as_the_ede_alphabet(rule, expected):
    assert ordered("rad", shuffled(expected)) == expected
    assert ordered("jra", shuffled(expected)) == expected  # Gia Rai writes the same letters


def test_the_ede_alphabet_sorts_and_letters_as_published():
    assert ordered("rad", shuffled(EDE)) == EDE
    index = languages.index("rad")
    labels = [index.getBucket(i)[0] for i in range(index.bucketCount)][1:-1]  # less underflow, overflow
    assert labels == [letter.upper() for letter in EDE]
    bucket = {word: index.getBucket(index.getBucketIndex(word))[0]
              for word in ("ɓuh", "ɗiâo", "ĕa", "ê̆p", "ô̆t", "ăn", "ả", "kngan")}
    assert bucket == {"ɓuh": "Ƀ", "ɗiâo": "Đ", "ĕa": "Ĕ", "ê̆p": "Ê̆", "ô̆t": "Ô̆", "ăn": "Ă", "ả": "A", "kngan": "K"}


def test_the_bana_alphabet_sorts_as_published_and_tones_stay_secondary():
    assert ordered("bdq", shuffled(BANA)) == BANA
    # a Vietnamese loan's tone marks do not make letters: à sorts with a, before ă
    assert ordered("bdq", ["ăn", "àn", "an", "ân"]) == ["an", "àn", "ăn", "ân"]


def test_khmer_sorts_in_khmer_order():
    assert ordered("khm", shuffled(KHMER_CONSONANTS)) == KHMER_CONSONANTS
    index = languages.index("khm")
    labels = [index.getBucket(i)[0] for i in range(index.bucketCount)]
    assert [label for label in labels if label in KHMER_CONSONANTS] == KHMER_CONSONANTS
    # a word is lettered by its first consonant, whatever subscript or vowel follows
    assert index.getBucket(index.getBucketIndex("ក្រុម"))[0] == "ក"
    assert index.getBucket(index.getBucketIndex("ខ្មែរ"))[0] == "ខ"


def test_the_registry_writes_each_orthography_once():
    assert languages.orthography("rad").rules == languages.orthography("jra").rules == languages.HIGHLANDS_RULES
    assert languages.orthography("khm").locale == "km" and not languages.orthography("khm").rules
    assert languages.orthography("vie").locale == "vi"
    assert languages.orthography("tyz").locale == "vi"  # Quốc-ngữ-based without a tailoring of its own
    assert "ededic.thaiphong.net" in languages.orthography("rad").source
    assert languages.get("khm").tag == "km" and languages.get("vie").tag == "vi" and languages.get("rad").tag == "rad"


# -- the shipped lists, loaded --------------------------------------------------------------------

@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    library = Library(tmp_path_factory.mktemp("langs") / "data")
    reports = load_open(library.services.collection, SHIPPED)
    assert all(not isinstance(report, str) and not report.problems for _, report in reports)
    library.index()
    yield library
    library.close()


@pytest.fixture(scope="module")
def client(lib):
    return lib.client()


def found(client, q: str, **params) -> list[dict]:
    return client.get("/v1/search", params={"q": q, "limit": 100, **params}).json()["results"]


@pytest.mark.parametrize(("query", "words"), [
    ("tay", {"rad": "kngan", "jra": "tơngan", "cja": "tangơn", "rog": "tangãn", "khm": "ដៃ"}),
    ("nước", {"rad": "êa", "jra": "ia", "cja": "ea", "rog": "ia", "khm": "ទឹក"}),
    ("trời", {"rad": "adiê", "jra": "adơi", "cja": "langik"}),
    ("mặt trời", {"khm": "ថ្ងៃ"}),  # ABVD's lists pair no word with the sun (SOURCES.md)
])
def test_a_vietnamese_query_finds_the_chamic_and_khmer_words(client, query, words):
    results = found(client, query, **{"from": "vie"})
    exact = {(r["language"], r["headword"]) for r in results if r["match"]["exact"]}
    assert set(words.items()) <= exact
    for r in results:
        assert r["source"]["citation"] and r["source"]["licence"], r["id"]


def test_vietnamese_to_khmer_with_and_without_diacritics(client):
    with_marks = [r["headword"] for r in found(client, "nước", **{"from": "vie", "to": "khm"})]
    without = [r["headword"] for r in found(client, "nuoc", **{"from": "vie", "to": "khm"})]
    assert with_marks[0] == without[0] == "ទឹក"
    assert [r["headword"] for r in found(client, "mat troi", **{"from": "vie", "to": "khm"})][0] == "ថ្ងៃ"


def test_khmer_entries_are_found_by_khmer_script_and_by_their_latin_key(client):
    by_script = found(client, "ទឹក")
    assert by_script[0]["headword"] == "ទឹក" and by_script[0]["match"]["tier"] == "exact"
    by_key = found(client, "tuk", **{"from": "khm"})
    assert by_key[0]["headword"] == "ទូក" and by_key[0]["language"] == "khm"
    assert "ទឹក" in [r["headword"] for r in by_key]
    khmer = found(client, "ដៃ")[0]
    assert khmer["source"]["licence"] == "CC-BY-SA-3.0" and "Open Multilingual Wordnet" in khmer["source"]["citation"]


def test_each_abvd_list_cites_its_own_source(client):
    sources = {code: found(client, "nước", **{"from": "vie", "to": code})[0]["source"] for code in ("rad", "jra", "rog", "cja")}
    assert "Tharp" in sources["rad"]["citation"] and "Lafont" in sources["jra"]["citation"]
    assert "Cobbey" in sources["rog"]["citation"] and "Kvoeu-Hor" in sources["cja"]["citation"]
    assert all("Austronesian Basic Vocabulary Database" in s["citation"] and s["licence"] == "CC-BY-4.0"
               for s in sources.values())


def test_each_dataset_page_says_what_kind_of_equivalence_it_is(client):
    abvd = client.get("/nguon/abvd-rad").text
    assert "mức khái niệm" in abvd and "không phải bản dịch" in abvd and "Dữ liệu nghiên cứu" in abvd
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in abvd
    khmer = client.get("/nguon/omw-wikt-khm").text
    assert "synset" in khmer and "không phải bản dịch" in khmer and "Dữ liệu nghiên cứu" in khmer
    assert 'href="https://creativecommons.org/licenses/by-sa/3.0/"' in khmer


# -- /v1/languages ----------------------------------------------------------------------------------

def test_the_language_list_gives_counts_has_entries_and_the_page(lib, client):
    rad = next(r for r in found(client, "nước", **{"from": "vie", "to": "rad"}) if r["headword"] == "êa")
    from audio_support import espeak_wav

    lib.audio.add_recording(rad["id"], espeak_wav("ê a"), RecordingInfo(speaker="Thử nghiệm", licence="CC-BY-4.0"))
    listed = {lang["code"]: lang for lang in client.get("/v1/languages").json()["languages"]}
    counts = lib.store.entries.language_counts()
    assert listed["rad"]["entries"] == counts["rad"] > 200 and listed["rad"]["has_entries"]
    assert listed["rad"]["recorded"] == 1 and listed["jra"]["recorded"] == 0
    assert listed["khm"]["entries"] == counts["khm"] > 1000 and listed["khm"]["tag"] == "km"
    assert listed["tyz"]["entries"] == 0 and listed["tyz"]["has_entries"] is False  # in the registry, no list yet
    assert listed["rad"]["url"] == "/ngon-ngu/rad" and client.get(listed["rad"]["url"]).status_code == 200
    assert "1</strong> mục từ có bản ghi âm" in client.get("/ngon-ngu/rad").text


def test_the_search_page_lists_languages_with_entries_first_by_vietnamese_name(client):
    import icu

    page = client.get("/").text
    menu = page[page.index('<select name="from"'):page.index("</select>")]
    full, _, empty = menu.partition('<optgroup label="Chưa có mục từ">')
    names = re.findall(r'<option value="[a-z]{3}"[^>]*>([^<]+)</option>', full)
    empties = re.findall(r'<option value="[a-z]{3}"[^>]*>([^<]+)</option>', empty)
    vi = icu.Collator.createInstance(icu.Locale("vi")).getSortKey
    assert names[0] == "Tiếng Việt" and names[1:] == sorted(names[1:], key=vi)
    assert {"Ê Đê", "Gia Rai", "Khmer", "Chăm (Tây)", "Ra Glai", "Ba Na"} <= set(names)
    assert empties == sorted(empties, key=vi) and "Tày" in empties and "Ê Đê" not in empties


# -- the letter pages -------------------------------------------------------------------------------

def walk(client, code: str, letter: str, limit: int = 7) -> list[dict]:
    """Every entry of a letter, page after page through ``next``."""
    out, after = [], None
    while True:
        params = {"letter": letter, "limit": limit, **({"after": after} if after else {})}
        page = client.get(f"/v1/languages/{code}/entries", params=params).json()
        assert page["position"] == len(out)
        out += page["entries"]
        after = page["next"]
        if after is None:
            return out


def test_the_ede_letters_follow_its_alphabet_and_each_letter_its_words(client):
    detail = client.get("/v1/languages/rad").json()
    assert [x["letter"] for x in detail["letters"] if x["letter"] != "…"] == [letter.upper() for letter in EDE]
    assert sum(x["entries"] for x in detail["letters"]) == detail["entries"]
    assert detail["datasets"][0]["name"] == "abvd-rad" and "Tharp" in detail["datasets"][0]["citation"]
    assert "Klei Êđê" in detail["other_names"] and "ededic" in detail["alphabet_source"]
    # ABVD writes ƀ as ɓ: its words are under Ƀ, not B, and B's words have no ɓ
    under_b = [e["headword"] for e in walk(client, "rad", "B")]
    under_bb = [e["headword"] for e in walk(client, "rad", "Ƀ")]
    assert under_b and under_bb and all(w[0] == "b" for w in under_b) and all(w[0] in "ɓƀ" for w in under_bb)
    for letter in ("A", "K", "M", "Ê"):
        words = [e["headword"] for e in walk(client, "rad", letter)]
        assert words == ordered("rad", words) and len(words) == len(set(e["id"] for e in walk(client, "rad", letter)))
    # the second letter of the K words runs in the alphabet's order (kă after ka, kč after kb, kŏ after ko)
    seconds = [w[1] for w in (e["headword"] for e in walk(client, "rad", "K")) if len(w) > 1 and w[1] in EDE]
    assert len(set(seconds)) > 5 and seconds == sorted(seconds, key=EDE.index)


def test_the_bana_letter_pages_sort_as_its_alphabet(client):
    detail = client.get("/v1/languages/bdq").json()
    assert [x["letter"] for x in detail["letters"] if x["letter"] != "…"] == [letter.upper() for letter in BANA]
    counts = {x["letter"]: x["entries"] for x in detail["letters"]}
    assert counts["Ƀ"] > 0 and counts["Ơ"] > 0 and counts["B"] > counts["Ƀ"]
    # the second letter of the Ơ words runs in the alphabet's order, breves after their letter
    words = [e["headword"] for e in walk(client, "bdq", "Ơ", limit=100)]
    assert words and {first_letter(w) for w in words} == {"ơ"}
    seconds = [w[1].lower() for w in words if len(w) > 1 and w[1].lower() in BANA]
    assert seconds == sorted(seconds, key=BANA.index)
    # ƀ words are never under B
    assert all(e["headword"][0] in "bB" for e in walk(client, "bdq", "B", limit=100)[:300])


def test_khmer_letter_pages_run_in_khmer_order(client):
    detail = client.get("/v1/languages/khm").json()
    letters = [x["letter"] for x in detail["letters"]]
    assert [x for x in letters if x in KHMER_CONSONANTS] == KHMER_CONSONANTS
    words = walk(client, "khm", "ក", limit=40)
    assert len(words) == next(x["entries"] for x in detail["letters"] if x["letter"] == "ក") > 50
    assert [w["headword"] for w in words] == ordered("khm", [w["headword"] for w in words])
    assert words[0]["headword"] == "ក" and words[0]["glosses"] == ["cổ"]


def test_paging_gives_every_entry_once_and_previous_goes_back(client):
    first = client.get("/v1/languages/bdq/entries", params={"letter": "k", "limit": 5}).json()
    assert first["letter"] == "K" and first["previous"] is None and len(first["entries"]) == 5
    second = client.get("/v1/languages/bdq/entries", params={"letter": "K", "limit": 5, "after": first["next"]}).json()
    third = client.get("/v1/languages/bdq/entries", params={"letter": "K", "limit": 5, "after": second["next"]}).json()
    assert second["previous"] == "" and third["previous"] == first["entries"][-1]["id"]
    back = client.get("/v1/languages/bdq/entries", params={"letter": "K", "limit": 5, "after": third["previous"]}).json()
    assert back["entries"] == second["entries"]
    ids = [e["id"] for e in first["entries"] + second["entries"] + third["entries"]]
    assert len(set(ids)) == 15


@pytest.mark.parametrize(("path", "params", "status", "code", "words"), [
    ("/v1/languages/xyz/entries", {}, 422, "unknown_language", "ISO 639-3"),
    ("/v1/languages/deu/entries", {}, 404, "language_not_found", "chưa có ngôn ngữ"),
    ("/v1/languages/rad/entries", {"letter": "Z"}, 422, "invalid_query", "bảng chữ cái của Ê Đê"),
    ("/v1/languages/rad/entries", {"letter": "A", "after": "rad-000000000000"}, 422, "invalid_query", "trang đầu"),
    ("/v1/languages/rad/entries", {"limit": 0}, 422, "invalid_query", "limit phải"),
    ("/v1/languages/rad/entries", {"limit": 101}, 422, "invalid_query", "limit phải"),
    ("/v1/languages/zz", {}, 422, "unknown_language", "ISO 639-3"),
])
def test_letter_page_errors_keep_the_one_shape(client, path, params, status, code, words):
    response = client.get(path, params=params)
    assert response.status_code == status and set(response.json()) == {"error"}
    error = response.json()["error"]
    assert error["status"] == status and error["code"] == code and words in error["message"]


def test_the_language_page_pages_with_links_alone(client):
    page = client.get("/ngon-ngu/bdq", params={"chu": "K"}).text
    assert "<h1>Ba Na</h1>" in page and "Bahnar" in page
    assert 'href="/nguon/bahnaric"' in page and 'href="https://www.apache.org/licenses/LICENSE-2.0"' in page
    assert "không phải từ điển" in page
    nav = page[page.index('<nav class="alphabet"'):page.index("</nav>", page.index('<nav class="alphabet"'))]
    assert re.findall(r">([^<]+)</(?:a|span)>", nav) == [letter.upper() for letter in BANA] + ["…"] * ("…" in nav)
    assert 'aria-current="page"' in nav and 'lang="bdq"' in nav
    shown = re.findall(r'<li><a href="/e/(bdq-[0-9a-f]+)" lang="bdq">', page)
    assert len(shown) == 50
    following = re.search(r'<a rel="next" href="\?chu=K&(?:amp;)?sau=(bdq-[0-9a-f]+)#chu-cai">', page)
    assert following and following.group(1) == shown[-1]
    second = client.get("/ngon-ngu/bdq", params={"chu": "K", "sau": following.group(1)}).text
    again = re.findall(r'<li><a href="/e/(bdq-[0-9a-f]+)" lang="bdq">', second)
    assert again and not set(again) & set(shown) and 'rel="prev" href="?chu=K#chu-cai"' in second
    khmer = client.get("/ngon-ngu/khm").text
    assert 'lang="km"' in khmer and "ភាសាខ្មែរ" in khmer and "CC-BY-SA-3.0" in khmer
    assert client.get("/ngon-ngu/tyz").status_code == 200  # a language of the registry with no list yet
    missing = client.get("/ngon-ngu/deu")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")


def test_results_and_entries_link_their_language_page(client):
    page = client.get("/", params={"q": "nước", "from": "vie", "to": "rad"}).text
    assert 'href="/ngon-ngu/rad">Ê Đê</a>' in page
    entry = found(client, "nước", **{"from": "vie", "to": "rad"})[0]
    assert 'href="/ngon-ngu/rad"' in client.get(f"/e/{entry['id']}").text


def test_the_letter_row_of_ede_and_gia_rai_offers_every_letter_off_the_keyboard():
    from api.routes.pages import SPECIAL_LETTERS

    off_keyboard = [letter for letter in EDE if not letter.isascii()]
    assert SPECIAL_LETTERS["rad"].split() == SPECIAL_LETTERS["jra"].split() == off_keyboard
