"""The HTTP API in process, over the sample corpus: shapes, errors, CORS, gzip."""

import pytest
from support import Library

from corpora.sample import load_sample


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    lib = Library(tmp_path_factory.mktemp("api") / "data")
    load_sample(lib.services.collection)
    lib.index()
    with lib.client() as c:
        yield c


def test_search_shape_and_match(client):
    body = client.get("/v1/search", params={"q": "ntoo", "from": "mww", "to": "vie"}).json()
    assert body["query"] == {"q": "ntoo", "from": "mww", "to": "vie", "limit": 10, "offset": 0}
    top = body["results"][0]
    assert top["headword"] == "ntoo" and top["language"] == "mww"
    assert top["senses"][0]["glosses"] == {"vie": ["cây", "gỗ"], "eng": ["tree", "wood"]}
    assert top["match"] == {"field": "headword", "tier": "exact", "distance": 0, "text": "ntoo", "exact": True}
    assert top["source"]["dataset"] == "sample-mww" and "Heimbach" in top["source"]["citation"]
    assert top["url"] == f"/v1/entries/{top['id']}"


def test_reverse_and_inferred_directions(client):
    body = client.get("/v1/search", params={"q": "cây", "from": "vie", "to": "mww"}).json()
    assert [r["headword"] for r in body["results"]] == ["ntoo"]
    body = client.get("/v1/search", params={"q": "cây", "from": "vie"}).json()
    assert {r["language"] for r in body["results"]} == {"mww", "khm"}
    body = client.get("/v1/search", params={"q": "nuoc"}).json()
    assert {r["headword"] for r in body["results"][:3]} == {"dej", "ទឹក", "nặm"}
    assert body["results"][0]["match"]["tier"] == "fold"


def test_telex_and_vni_queries_are_decoded_below_literal_matches(client):
    for typed in ("nuwowcs", "nu7o71c"):
        top = client.get("/v1/search", params={"q": typed, "from": "vie"}).json()["results"][0]
        assert top["match"]["tier"] == "decoded" and top["match"]["decoded"] == "nước"
        assert top["match"]["text"] == "nước"
    # Hmong "dej" is also Telex for "dẹ": the word as typed still comes first.
    top = client.get("/v1/search", params={"q": "dej"}).json()["results"][0]
    assert (top["headword"], top["match"]["tier"]) == ("dej", "exact")


def test_a_query_found_as_typed_is_not_read_as_telex_too(client):
    """Hmong "dej" is found as typed: it is not also read as Telex "dẹ" (whose glosses dê, đe…
    would follow it as noise); "nuwowcs" finds nothing as typed and is read; a query said to be
    Vietnamese that no Vietnamese spelling allows is read even beside a literal match."""
    from dictionary.search.queries import possible_vietnamese, reread_typing

    for params in ({"q": "dej"}, {"q": "dej", "from": "mww"}):
        results = client.get("/v1/search", params={**params, "limit": 100}).json()["results"]
        assert results and results[0]["headword"] == "dej"
        assert not [r for r in results if r["match"]["tier"] == "decoded"]
    assert possible_vietnamese("tiếng việt") and possible_vietnamese("nhà")
    assert not possible_vietnamese("tieengs") and not possible_vietnamese("dej")
    assert reread_typing("dej", "mww", False) and not reread_typing("dej", "mww", True)
    assert not reread_typing("dej", None, True)
    assert reread_typing("tieengs", "vie", True) and not reread_typing("nhà", "vie", True)


def test_paging(client):
    every = client.get("/v1/search", params={"q": "ngày", "limit": 100}).json()
    page = client.get("/v1/search", params={"q": "ngày", "limit": 1, "offset": 1}).json()
    assert page["total"] == every["total"] >= 2
    assert page["results"][0]["id"] == every["results"][1]["id"]


def test_suggest_entry_languages_health(client):
    assert client.get("/v1/suggest", params={"q": "nt", "lang": "mww"}).json()["suggestions"] == ["ntoo", "ntawv"]
    assert "mặt trời" in client.get("/v1/suggest", params={"q": "mat", "lang": "vie"}).json()["suggestions"]
    hit = client.get("/v1/search", params={"q": "ទឹក"}).json()["results"][0]
    entry = client.get(hit["url"]).json()
    assert entry["headword"] == "ទឹក" and entry["senses"][0]["extra"] == {"source": "Headley et al. 1977"}
    languages = {lang["code"]: lang for lang in client.get("/v1/languages").json()["languages"]}
    assert languages["khm"]["entries"] == 16 and languages["bdq"]["name_vi"] == "Ba Na"
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["store"]["entries"] == 40


def test_cors_gzip_and_docs(client):
    response = client.get("/v1/search", params={"q": "a", "limit": 100},
                          headers={"Origin": "https://app.example", "Accept-Encoding": "gzip"})
    assert response.headers["access-control-allow-origin"] == "*"
    big = client.get("/v1/languages", headers={"Accept-Encoding": "gzip"})
    assert big.headers.get("content-encoding") == "gzip"
    assert client.get("/docs").status_code == 200
    assert "/v1/search" in client.get("/openapi.json").json()["paths"]


BAD_REQUESTS = [
    ("/v1/search", {}, 422, "Thiếu tham số q"),
    ("/v1/search", {"q": "   "}, 422, "trống"),
    ("/v1/search", {"q": "a" * 201}, 422, "tối đa là 200"),
    ("/v1/search", {"q": "cây", "from": "xyz"}, 422, "ISO 639-3"),
    ("/v1/search", {"q": "cây", "to": "Vietnamese"}, 422, "ISO 639-3"),
    ("/v1/search", {"q": "cây", "limit": 0}, 422, "limit phải"),
    ("/v1/search", {"q": "cây", "limit": 101}, 422, "limit phải"),
    ("/v1/search", {"q": "cây", "limit": "mười"}, 422, "limit phải"),
    ("/v1/search", {"q": "cây", "offset": -1}, 422, "offset phải"),
    ("/v1/search", {"q": "ntoo", "from": "mww", "to": "khm"}, 422, "Chưa hỗ trợ tra thẳng"),
    ("/v1/suggest", {}, 422, "Thiếu tham số q"),
    ("/v1/suggest", {"q": "a", "lang": "zz"}, 422, "ISO 639-3"),
    ("/v1/entries/mww-000000000000", {}, 404, "Không có mục từ"),
    ("/v1/nothing-here", {}, 404, "Không có trang"),
    ("/v1/entries/mww-000000000000/audio", {}, 404, "Không có mục từ"),
    ("/v1/entries/mww-000000000000/pronunciation", {}, 404, "Không có mục từ"),
    ("/v1/audio/s0000000000000000", {}, 404, "Không có đoạn âm thanh"),
    ("/v1/speak", {}, 422, "Thiếu tham số text"),
    ("/v1/speak", {"text": "cây", "lang": "tieng-viet"}, 422, "ISO 639-3"),
    ("/v1/export", {"format": "lift", "language": "tyz"}, 401, "đăng nhập"),
    ("/v1/packs/xyz", {}, 422, "ISO 639-3"),
    ("/v1/packs/bdq", {}, 404, "chưa có gói"),
    ("/v1/packs/tyz/audio", {}, 404, "chưa có gói âm thanh"),
    ("/v1/changes", {}, 422, "since"),
    ("/v1/changes", {"since": 0, "language": "zz"}, 422, "ISO 639-3"),
    ("/v1/changes", {"since": 0, "limit": 0}, 422, "limit"),
    ("/v1/changes", {"since": 10**9}, 410, "tải lại gói ngôn ngữ"),
    ("/v1/changes", {"since": 10**30}, 410, "tải lại gói ngôn ngữ"),
    ("/v1/languages/xyz", {}, 422, "ISO 639-3"),
    ("/v1/languages/deu", {}, 404, "chưa có ngôn ngữ"),
    ("/v1/languages/xyz/entries", {}, 422, "ISO 639-3"),
    ("/v1/languages/mww/entries", {"letter": "Ꙁ"}, 422, "bảng chữ cái"),
    ("/v1/languages/mww/entries", {"after": "mww-000000000000"}, 422, "trang đầu"),
    ("/v1/languages/mww/entries", {"limit": 0}, 422, "limit phải"),
]


@pytest.mark.parametrize(("path", "params", "status", "words"), BAD_REQUESTS)
def test_errors_share_one_shape_with_an_actionable_sentence(client, path, params, status, words):
    response = client.get(path, params=params)
    assert response.status_code == status
    assert set(response.json()) == {"error"}
    error = response.json()["error"]
    assert error["status"] == status and error["code"] and words in error["message"]


BAD_TRANSLATIONS = [
    ({"text": "nước", "to": []}, "ít nhất một ngôn ngữ"),
    ({"text": "  ", "to": ["mww"]}, "dán một đoạn văn bản"),
    ({"text": "nước", "to": ["xyz"]}, "ISO 639-3"),
    ({"text": "nước", "to": ["vie"]}, "không phải tiếng Việt"),
    ({"text": "a" * 5001, "to": ["mww"]}, "tối đa là 5000"),
    ({"to": ["mww"]}, "text"),
]


@pytest.mark.parametrize(("body", "words"), BAD_TRANSLATIONS)
def test_translate_errors_share_the_shape(client, body, words):
    response = client.post("/v1/translate", json=body)
    assert response.status_code == 422 and set(response.json()) == {"error"}
    assert words in response.json()["error"]["message"]


def test_translate_finds_terms_and_gaps(client):
    body = client.post("/v1/translate", json={"text": "Nước và cây, mặt trời.", "to": ["mww", "khm"]}).json()
    terms = {t["text"]: t for t in body["terms"]}
    assert [e["headword"] for e in terms["Nước"]["equivalents"]["mww"]] == ["dej"]
    assert terms["cây"]["equivalents"]["khm"][0]["headword"] == "ដើមឈើ"
    assert "mặt trời" in terms  # a multi-syllable gloss of the dictionary stays whole
    # a function word is marked, never a gap; the words are
    assert terms["và"]["function_word"] and terms["và"]["gaps"] == [] and "và" not in body["gaps"]
    assert not terms["cây"]["function_word"]
    assert body["gaps"] == []  # every word of it has equivalents in both; "và" is no gap
    assert terms["Nước"]["equivalents"]["mww"][0]["meaning"] == "chỉ có nghĩa «Nước»"


def test_administrative_terms_stay_whole_and_function_words_are_no_gaps(client):
    """"Ủy ban nhân dân" is one term (a gap where no language has it), not "Ủy" and a gap
    "ban nhân dân"; "thẻ căn cước" likewise, whichever way its tone marks sit."""
    text = "Uỷ ban nhân dân xã cấp thẻ căn cước cho người dân và trẻ em."
    body = client.post("/v1/translate", json={"text": text, "to": ["mww"]}).json()
    terms = [t["text"] for t in body["terms"]]
    assert terms[0] == "Uỷ ban nhân dân" and "thẻ căn cước" in terms and "ban nhân dân" not in terms
    assert "Uỷ ban nhân dân" in body["gaps"]
    assert {t["text"] for t in body["terms"] if t["function_word"]} == {"cho", "và"}
    assert not {"cho", "và"} & set(body["gaps"])


def test_translate_takes_words_not_syllables(client):
    """The segmenter keeps "nước sạch" (clean water) whole: a gap, with "nước" (water) as a hint,
    rather than a wrong "nước → dej" for the whole term.  Each equivalent lists its audio."""
    body = client.post("/v1/translate", json={"text": "Mỗi gia đình cần nước sạch và nhà.",
                                              "to": ["mww", "tyz"]}).json()
    terms = {t["text"]: t for t in body["terms"]}
    assert {"gia đình", "nước sạch"} <= set(terms) and "sạch" not in terms
    clean = terms["nước sạch"]
    assert clean["gaps"] == ["mww", "tyz"] and "nước sạch" in body["gaps"]
    assert [(p["text"], [e["headword"] for e in p["equivalents"]["mww"]]) for p in clean["parts"]] == [("nước", ["dej"])]
    house = terms["nhà"]["equivalents"]
    assert [e["headword"] for e in house["mww"]] == ["tsev"] and [e["headword"] for e in house["tyz"]] == ["rườn"]
    assert house["tyz"][0]["audio"][0]["kind"] == "synthetic"  # Tày: the Vietnamese voice, approximate
    assert house["mww"][0]["audio"] == []  # Hmong RPA: no voice reads it


def test_segmentation_maps_back_onto_the_text_by_syllables():
    from dictionary.text.segment import SYLLABLE, word_lengths

    # the segmenter rewrites "hoà" as "hòa"; words are mapped back by counting, not by searching
    text = "Uỷ ban nhân dân xã hoà bình, 24 hộ nghèo."
    lengths = word_lengths(text)
    syllables = [m.group(0) for m in SYLLABLE.finditer(text)]
    assert lengths is not None and len(lengths) == len(syllables) == 9
    assert sum(lengths) == len(syllables) and lengths[0] > 0  # words cover every syllable once
    assert syllables[5:7] == ["hoà", "bình"] and lengths[5:7] == [2, 0]  # found although rewritten
    lengths = word_lengths("Người dân cần nước sạch.")
    assert lengths == [2, 0, 1, 2, 0]


def test_every_route_is_covered_by_the_error_shape_test(client):
    """Every documented /v1 route has a bad request above (or in test_audio for the uploads)."""
    import re

    routes = {p for p in client.app.openapi()["paths"] if p.startswith("/v1/")}
    from test_editing import REFUSALS
    from test_growth import REFUSALS as GROWTH_REFUSALS

    tested = {p for p, *_ in BAD_REQUESTS} | {"/v1/translate", "/v1/entries/x/audio"} | {p for _, p, *_ in REFUSALS} \
        | {p.split("?")[0] for _, p, *_ in GROWTH_REFUSALS}
    for route in routes - {"/v1/languages", "/v1/packs"}:  # these take no input
        pattern = re.compile("^" + re.sub(r"\\{[a-z_]+\\}", "[^/]+", re.escape(route)) + "$")
        assert any(pattern.match(path) for path in tested), f"{route} has no bad request in BAD_REQUESTS"


def test_method_not_allowed_uses_the_shape(client):
    response = client.post("/v1/search")
    assert response.status_code == 405 and response.json()["error"]["status"] == 405


@pytest.mark.parametrize(
    "raw",
    ["q=%FF%FE", "q=%00%01cây", "q=%E1%BB", "q=c%C3%A2y&limit=1e3", "q=" + "%F0%9F%92%A9" * 60,
     "q=\u0300\u0300", "q=[]{}()*?\\", "q=a&from=%00%00%00", "q=ntoo&q=dej"],
)
def test_no_bytes_make_a_500(client, raw):
    response = client.get("/v1/search?" + raw)
    assert response.status_code in (200, 422)
    assert response.headers["content-type"].startswith("application/json")
    if response.status_code == 422:
        assert response.json()["error"]["message"]
