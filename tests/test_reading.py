"""The pages as a reader reads them, in process: the sense a query matched first, a line per
language, sources in words, pronunciation only where a voice reads right, web fonts for the
scripts a device may lack, BCP 47 language tags.  (In Chromium at two widths: test_browser.py.)"""

from __future__ import annotations

import re

import pytest
from support import REPO, Library

from corpora.sample import load_sample
from dictionary.audio.synth import Espeak, Synthesiser
from dictionary.search.senses import lead_matched

# a Ba Na word whose source lists its meanings in alphabetical order, "nhà" third
HNAM = "Bahnaric\tVietnamese\nhnam\tbệnh\nhnam\tcửa\nhnam\tnhà\nhnam\tgia đình\nhnam\tnhà cửa\n'dak\tnước\n"


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reading")
    (folder / "hnam.tsv").write_text(HNAM, encoding="utf-8")
    library = Library(folder / "data")
    load_sample(library.services.collection)
    library.add(folder / "hnam.tsv", "tsv", "bdq", "Bahnaric", "Vietnamese", dataset="ba-na-thu",
                title="Từ Ba Na thử", citation="Sổ tay từ Ba Na, bản thử", licence="CC0-1.0")
    library.index()
    yield library
    library.close()


@pytest.fixture(scope="module")
def client(lib):
    return lib.client()


def _hnam(client) -> str:
    return client.get("/v1/search", params={"q": "hnam", "from": "bdq"}).json()["results"][0]["id"]


def test_the_sense_a_query_matched_leads_its_result_and_is_marked(client):
    page = client.get("/", params={"q": "nhà", "from": "vie", "to": "bdq"}).text
    first = re.search(r'<ol class="senses"><li value="(\d+)" class="matched">(.*?)</li>', page)
    assert first and first.group(1) == "3" and "<mark>nhà</mark>" in first.group(2) and "nghĩa khớp" in first.group(2)
    # the others follow in the source's order, keeping their numbers
    values = re.findall(r'<li value="(\d+)"', page[first.start():first.start() + 2000])
    assert values[:5] == ["3", "1", "2", "4", "5"]
    assert f'href="/e/{_hnam(client)}?nghia=3"' in page
    # a query matching the headword matched no sense: the source's order
    page = client.get("/", params={"q": "hnam", "from": "bdq"}).text
    assert re.findall(r'<li value="(\d+)"', page)[:3] == ["1", "2", "3"] and "nghĩa khớp" not in page


def test_the_entry_page_keeps_the_order_and_highlights_the_sense_the_reader_came_from(client):
    entry_id = _hnam(client)
    page = client.get(f"/e/{entry_id}", params={"nghia": 3}).text
    senses = re.findall(r'<li id="nghia-(\d+)"( class="came-from")?', page)
    assert [n for n, _ in senses] == ["1", "2", "3", "4", "5"]
    assert [n for n, marked in senses if marked] == ["3"]
    assert 'href="#nghia-3"' in page
    assert "came-from" not in client.get(f"/e/{entry_id}").text.replace("came-from-note", "")
    for stale in ("99", "0", "abc", "٣"):  # a link from before an edit, or mistyped: the entry all the same
        page = client.get(f"/e/{entry_id}", params={"nghia": stale})
        assert page.status_code == 200 and 'class="came-from"' not in page.text


def test_lead_matched_puts_the_matched_gloss_first_in_its_sense():
    senses = [{"glosses": {"vie": ["bệnh"]}}, {"glosses": {"vie": ["nhà cửa", "nhà"], "eng": ["house"]}}]
    shown = lead_matched(senses, {"field": "gloss", "text": "nhà", "language": "vie"})
    assert [(s["number"], s["matched"], s["hit"]) for s in shown] == [(2, True, "nhà"), (1, False, None)]
    assert shown[0]["glosses"]["vie"] == ["nhà", "nhà cửa"]
    english = lead_matched(senses, {"field": "gloss", "text": "house", "language": "eng"})
    assert english[0]["number"] == 2 and english[0]["hit"] == "house"
    assert [s["number"] for s in lead_matched(senses, {"field": "headword", "text": "hnam"})] == [1, 2]


def test_a_line_per_language_links_to_its_group_and_a_filter_keeps_one(client):
    page = client.get("/", params={"q": "nước", "from": "vie"}).text
    line = re.search(r'<p class="overview-line">(.*?)</p>', page, re.S).group(1)
    links = re.findall(r'<a href="#nhom-(\w+)"><span class="overview-lang">([^<]+)</span>: <bdi lang="([\w-]+)">([^<]+)</bdi>',
                       line)
    by_code = {code: (name, tag, word) for code, name, tag, word in links}
    assert by_code["bdq"] == ("Ba Na", "bdq", "&#39;dak") and by_code["khm"][1:] == ("km", "ទឹក")
    assert by_code["mww"][2] == "dej" and by_code["tyz"][2] == "nặm"
    for code in by_code:
        assert f'id="nhom-{code}"' in page
    assert page.index('class="overview"') < page.index('class="results-section')
    assert 'to=mww" rel="nofollow">H&#39;Mông Trắng</a>' in page
    only = client.get("/", params={"q": "nước", "from": "vie", "to": "mww"}).text
    assert 'class="overview"' not in only and "Xem mọi ngôn ngữ" in only
    assert set(re.findall(r'<h3 class="group"[^>]*><a href="/ngon-ngu/(\w+)"', only)) == {"mww"}


def test_sources_read_in_words_without_file_locations(client):
    page = client.get("/", params={"q": "nước", "from": "vie"}).text
    assert ">Dữ liệu mẫu tiếng Khmer</a>" in page and ">sample-khm</a>" not in page and "Sample data" not in page
    assert "Dòng trong tệp" not in page and "khm.tsv" not in page
    entry_id = _hnam(client)
    entry = client.get(f"/e/{entry_id}").text
    assert ">Từ Ba Na thử</a>" in entry and "hnam.tsv" not in entry
    assert "nhập nguyên văn từ bộ dữ liệu" in entry.lower() and "chưa biên tập viên nào sửa" in entry
    source = client.get("/nguon/ba-na-thu").text
    assert "<h1>Nguồn dữ liệu: Từ Ba Na thử</h1>" in source and "hnam.tsv" not in source
    # the API is for developers: in the footer, not the menu
    nav, footer = page[page.index("<nav>"):page.index("</nav>")], page[page.index("<footer>"):]
    assert 'href="/docs"' not in nav and 'href="/docs"' in footer


def test_fonts_for_khmer_cham_and_tai_viet_are_served_with_their_licence(client):
    css = client.get("/static/app.css").text
    for family, file, block in (("Noto Sans Khmer", "NotoSansKhmer-Regular.woff2", "U+1780-17FF"),
                                ("Noto Sans Cham", "NotoSansCham-Regular.woff2", "U+AA00-AA5F"),
                                ("Noto Sans Tai Viet", "NotoSansTaiViet-Regular.woff2", "U+AA80-AADF")):
        face = re.search(r'@font-face \{ font-family: "' + family + r'";(.*?)\}', css, re.S).group(1)
        assert file in face and f"unicode-range: {block}" in face
        font = client.get(f"/static/fonts/{file}")
        assert font.status_code == 200 and font.headers["content-type"] == "font/woff2"
        assert font.content[:4] == b"wOF2" and len(font.content) < 200_000
    licence = (REPO / "api/static/fonts/OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Google" in licence
    khmer = client.get("/v1/search", params={"q": "ទឹក"}).json()["results"][0]
    assert '<h1 lang="km" dir="auto">ទឹក</h1>' in client.get(f"/e/{khmer['id']}").text


def test_no_vietnamese_voice_for_ba_na_but_a_way_to_record_it(client):
    entry_id = _hnam(client)
    assert client.get("/v1/search", params={"q": "hnam", "from": "bdq"}).json()["results"][0]["audio"] == []
    r = client.get(f"/v1/entries/{entry_id}/pronunciation")
    assert r.status_code == 404 and "giọng máy tiếng Việt" in r.json()["error"]["message"]
    page = client.get(f"/e/{entry_id}").text
    assert "Chưa có bản ghi âm." in page and f'href="/dang-nhap?next=/e/{entry_id}/sua">Ghi âm từ này</a>' in page
    tay = client.get("/v1/search", params={"q": "nặm", "from": "tyz"}).json()["results"][0]
    assert tay["audio"][0]["approximate"] is True
    assert "Giọng máy tiếng Việt, đọc gần đúng" in client.get(f"/e/{tay['id']}").text


def test_a_resting_voice_is_said_and_offers_a_retry(tmp_path):
    """espeak-ng that fails (here a program that always exits 1) rests; the player says so."""
    lib = Library(tmp_path / "data", synthesiser=Synthesiser(engines={"espeak-ng": Espeak(binary="/bin/false")}))
    load_sample(lib.services.collection)
    lib.index()
    client = lib.client()
    tay = client.get("/v1/search", params={"q": "nặm", "from": "tyz"}).json()["results"][0]
    assert client.get(f"/v1/entries/{tay['id']}/pronunciation").status_code == 503
    assert client.get("/v1/search", params={"q": "nặm", "from": "tyz"}).json()["results"][0]["audio"] == []
    for page in (client.get(f"/e/{tay['id']}").text, client.get("/", params={"q": "nặm", "from": "tyz"}).text):
        assert "Giọng máy đang tạm nghỉ" in page and '<button type="button" class="retry">Thử lại</button>' in page
        assert f'data-pending="/v1/entries/{tay["id"]}/pronunciation"' in page
    lib.close()
