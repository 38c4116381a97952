"""The reader's pages in Chromium at 360 and 1280 px (issue 28, points 1-7), against a real
uvicorn server over the sample corpus and the real White Hmong and Bahnar lists, a screenshot per
page into ``test-artifacts/``: the sense a query matched first, a synthetic voice only where it
reads right, no Telex noise, a phone's first screen, sources in words, web fonts, print."""

from __future__ import annotations

import base64
import os

import pytest
from support import DATA, Library, start_server
from test_browser import ARTIFACTS, BAHNAR_CITATION, HTTP, _page, chromium, shot

from corpora.sample import load_sample

pytestmark = [pytest.mark.server, pytest.mark.shared_data]

WIDTHS = [360, 1280]
BAHNAR_TITLE = "Cặp từ Ba Na – Việt của dự án BARTBahnar"


@pytest.fixture(scope="module")
def site(tmp_path_factory, shared_data):
    folder = tmp_path_factory.mktemp("reading-site") / "data"
    lib = Library(folder)
    load_sample(lib.services.collection)
    lib.add(DATA / "pairs/mww-vie.tsv", "tsv", "mww", "mww_form", "vie_form", "english_meaning")
    lib.add(DATA / "bahnar/bahnaric.csv", "csv", "bdq", "Bahnaric", "Vietnamese", dataset="bahnaric",
            citation=BAHNAR_CITATION, licence="Apache-2.0", title=BAHNAR_TITLE)
    lib.index()
    env = {**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_TTS_ENGINES": "espeak-ng"}
    server, port = start_server(env)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=15)


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def _visible_senses(result):
    from selenium.webdriver.common.by import By

    return [li for li in result.find_elements(By.CSS_SELECTOR, ".senses li") if li.is_displayed()]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_matched_sense_leads_and_the_entry_highlights_it(site, browser, width):
    """"nhà" → Ba Na: hnam (28 senses in the list's alphabetical order, "bệnh" first) shows "nhà"
    first, marked; its page keeps the source's order and highlights the sense come from."""
    from selenium.webdriver.common.by import By

    _page(browser, site, width, "/", q="nhà", **{"from": "vie", "to": "bdq", "trang": 1})
    results = browser.find_elements(By.CSS_SELECTOR, ".result")
    assert results
    for result in results[:10]:
        first = _visible_senses(result)[0]
        assert "matched" in first.get_attribute("class")
        assert first.find_element(By.TAG_NAME, "mark").text == "nhà"
        assert first.find_element(By.CSS_SELECTOR, ".matched-label").is_displayed()
    shot(browser, "nghia-khop", width)
    entry = HTTP.get(site + "/v1/search", params={"q": "hnam", "from": "bdq"}).json()["results"][0]
    number = 1 + next(i for i, s in enumerate(entry["senses"]) if "nhà" in s["glosses"]["vie"])
    assert number > 3  # the source puts it after three others: what the reader saw hidden before
    _page(browser, site, width, f"/e/{entry['id']}", nghia=number)
    senses = browser.find_elements(By.CSS_SELECTOR, "article.entry ol.senses > li")
    assert senses[0].text.startswith("bệnh")  # the source's order
    marked = browser.find_element(By.CSS_SELECTOR, "li.came-from")
    assert marked.get_attribute("id") == f"nghia-{number}" and "nhà" in marked.text
    assert marked.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
    browser.find_element(By.CSS_SELECTOR, ".came-from-note a").click()
    assert browser.execute_script("return arguments[0].getBoundingClientRect().top", marked) < 900
    shot(browser, "nghia-khop-muc-tu", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_synthetic_voice_only_where_it_reads_right(site, browser, width):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    # a Ba Na word spelt like Vietnamese syllables: no voice, a way to record it instead
    _page(browser, site, width, "/", q="ba", **{"from": "bdq"})
    assert browser.find_elements(By.CSS_SELECTOR, ".result") and not browser.find_elements(By.CSS_SELECTOR, ".audio audio")
    browser.find_element(By.CSS_SELECTOR, ".result .headword").click()
    none = browser.find_element(By.CSS_SELECTOR, ".audio-none")
    assert none.text.startswith("Chưa có bản ghi âm.")
    link = none.find_element(By.LINK_TEXT, "Ghi âm từ này")
    entry_id = browser.current_url.split("/e/")[1].split("?")[0]
    assert link.get_attribute("href") == f"{site}/dang-nhap?next=/e/{entry_id}/sua"
    shot(browser, "khong-giong-may", width)
    link.click()
    assert "/dang-nhap" in browser.current_url and browser.find_element(By.CSS_SELECTOR, "input[name=next]")
    # Tày: the Vietnamese voice, labelled as such
    _page(browser, site, width, "/", q="bản", **{"from": "tyz"})
    voice = browser.find_element(By.CSS_SELECTOR, ".result .audio-synthetic .voice")
    assert voice.text.startswith("Giọng máy tiếng Việt, đọc gần đúng")
    shot(browser, "giong-may", width)
    # in the workbench, the same voice behind a compact play button
    _page(browser, site, width, "/dich")
    browser.execute_script("document.getElementById('text').value = arguments[0]", "Nước. Gà.")
    box = browser.find_element(By.CSS_SELECTOR, "input[name=to][value=tyz]")
    if not box.is_selected():  # the workbench remembers the last choice (from the other width's run)
        box.click()
    browser.find_element(By.ID, "run").click()
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".glossary, p.error"))
    buttons = browser.find_elements(By.CSS_SELECTOR, ".glossary button.play")
    assert buttons and all(b.size["height"] <= 40 and b.size["width"] <= 40 for b in buttons if b.is_displayed())
    assert "Giọng máy tiếng Việt, đọc gần đúng" in buttons[0].get_attribute("title")
    assert not browser.find_elements(By.CSS_SELECTOR, ".glossary audio[controls]")
    shot(browser, "giong-may-dich", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_word_found_as_typed_is_not_also_read_as_telex(site, browser, width):
    from selenium.webdriver.common.by import By

    _page(browser, site, width, "/", q="dej")
    headwords = [h.text for h in browser.find_elements(By.CSS_SELECTOR, ".result .headword")]
    assert headwords[:2] == ["dej", "dej"]
    labels = [m.text for m in browser.find_elements(By.CSS_SELECTOR, ".result .match")]
    assert not [t for t in labels if "Telex" in t], labels
    shot(browser, "dej", width)
    _page(browser, site, width, "/", q="nuwowcs", **{"from": "vie"})
    assert "Telex/VNI" in browser.find_element(By.CSS_SELECTOR, ".result .match").text


@pytest.mark.parametrize("width", WIDTHS)
def test_a_phones_first_screen_names_each_language(site, browser, width):
    """"nước": a line per language above the fold, each a link to its group; a filter to one."""
    from selenium.webdriver.common.by import By

    _page(browser, site, width, "/", q="nước", **{"from": "vie"})
    line = browser.find_element(By.CSS_SELECTOR, ".overview-line")
    links = line.find_elements(By.TAG_NAME, "a")
    names = [a.find_element(By.CSS_SELECTOR, ".overview-lang").text for a in links]
    assert {"Ba Na", "H'Mông Trắng", "Tày", "Khmer"} <= set(names)
    bottom = browser.execute_script("return arguments[0].getBoundingClientRect().bottom", line)
    assert bottom < 640, bottom  # on a 360 × 640 phone, without scrolling
    shot(browser, "nuoc-ngon-ngu", width)
    browser.set_window_size(width, 640)  # shot made the window as tall as the page
    hmong = links[names.index("H'Mông Trắng")]
    assert hmong.find_element(By.TAG_NAME, "bdi").text == "dej"
    hmong.click()
    group = browser.find_element(By.ID, "nhom-mww")
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", group)
    assert 0 <= top < 100, top
    browser.find_element(By.CSS_SELECTOR, "p.filter").find_element(By.LINK_TEXT, "Ba Na").click()
    groups = {g.text for g in browser.find_elements(By.CSS_SELECTOR, "h3.group")}
    assert groups == {"Ba Na"} and "to=bdq" in browser.current_url
    shot(browser, "nuoc-ba-na", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_sources_are_named_in_words(site, browser, width):
    from selenium.webdriver.common.by import By

    _page(browser, site, width, "/", q="nước", **{"from": "vie"})
    sources = [s.text for s in browser.find_elements(By.CSS_SELECTOR, ".result details.source summary a:first-child")]
    assert "Dữ liệu mẫu tiếng Khmer" in sources and BAHNAR_TITLE in sources
    assert not [s for s in sources if s.startswith("sample-") or s == "bahnaric"]
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Sample data" not in body and "Dòng trong tệp" not in body
    nav = browser.find_element(By.CSS_SELECTOR, "header nav")
    assert not nav.find_elements(By.CSS_SELECTOR, "a[href='/docs']")
    assert browser.find_element(By.CSS_SELECTOR, "footer a[href='/docs']").text == "API"
    entry = HTTP.get(site + "/v1/search", params={"q": "hnam", "from": "bdq"}).json()["results"][0]
    _page(browser, site, width, f"/e/{entry['id']}")
    status = browser.find_element(By.CSS_SELECTOR, ".status-line").text
    assert status.startswith("Đã công bố.") and "nhập nguyên văn" in status and "chưa biên tập viên nào sửa" in status
    provenance = browser.find_element(By.CSS_SELECTOR, "dl.provenance").text
    assert BAHNAR_TITLE in provenance and "bahnaric.csv" not in provenance
    shot(browser, "nguon-muc-tu", width)
    browser.find_element(By.LINK_TEXT, BAHNAR_TITLE).click()
    assert browser.find_element(By.TAG_NAME, "h1").text == f"Nguồn dữ liệu: {BAHNAR_TITLE}"
    assert "bahnaric.csv" not in browser.find_element(By.TAG_NAME, "body").text
    shot(browser, "nguon", width)


FONTS = """
const done = arguments[arguments.length - 1];
document.fonts.ready.then(() => done(Array.from(document.fonts).map(f => [f.family, f.status])));
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_khmer_text_gets_its_web_font_only_where_it_is_on_the_page(site, browser, width):
    from selenium.webdriver.common.by import By

    browser.set_script_timeout(10)
    _page(browser, site, width, "/", q="nhà", **{"from": "vie", "to": "bdq"})
    loaded = dict(browser.execute_async_script(FONTS))
    assert loaded.get('"Noto Sans Khmer"', loaded.get("Noto Sans Khmer")) == "unloaded"
    khmer = HTTP.get(site + "/v1/search", params={"q": "ទឹក"}).json()["results"][0]
    _page(browser, site, width, f"/e/{khmer['id']}")
    heading = browser.find_element(By.TAG_NAME, "h1")
    assert heading.get_attribute("lang") == "km"
    loaded = dict(browser.execute_async_script(FONTS))
    assert loaded.get('"Noto Sans Khmer"', loaded.get("Noto Sans Khmer")) == "loaded", loaded
    assert loaded.get('"Noto Sans Cham"', loaded.get("Noto Sans Cham")) == "unloaded"
    fetched = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/fonts/'))")
    assert [n.rsplit("/", 1)[1] for n in fetched] == ["NotoSansKhmer-Regular.woff2"]
    # the glyphs are drawn (a font without them would draw boxes of one width)
    width_of = browser.execute_script(
        "const c = document.createElement('canvas').getContext('2d'); c.font = '40px \"Noto Sans Khmer\"';"
        "return [c.measureText('ទឹក').width, c.measureText('ក').width];")
    assert width_of[0] > width_of[1] > 0
    shot(browser, "khmer", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_entry_and_a_results_page_print_cleanly_on_a4(site, browser, width):
    from selenium.webdriver.common.by import By

    entry = HTTP.get(site + "/v1/search", params={"q": "hnam", "from": "bdq"}).json()["results"][0]
    for name, path, params in (("in-ket-qua", "/", {"q": "nhà", "from": "vie", "to": "bdq"}),
                               ("in-muc-tu", f"/e/{entry['id']}", {})):
        _page(browser, site, width, path, **params)
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            for selector in ("header nav", "form.search", "footer .for-developers", ".pager", "#gop-y", ".tools"):
                for element in browser.find_elements(By.CSS_SELECTOR, selector):
                    assert not element.is_displayed(), selector
            assert browser.find_element(By.TAG_NAME, "h1").is_displayed() or path == "/"
            shot(browser, name, width)
        finally:
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        pdf = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": False})
        data = base64.b64decode(pdf["data"])
        assert data.startswith(b"%PDF")
        (ARTIFACTS / f"{name}-{width}.pdf").write_bytes(data)
        # A4: 595 × 842 points
        assert b"/MediaBox [0 0 595" in data or b"/MediaBox [0 0 594" in data, data[:2000]
