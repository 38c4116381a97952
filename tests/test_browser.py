"""The pages in a real browser: Debian's Chromium, headless, driven by Selenium through Debian's
chromedriver, against a real uvicorn server over the sample corpus and the real White Hmong and
Bahnar lists.  Screenshots at phone (360 px) and desktop widths go to ``test-artifacts/``."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from support import DATA, IN_CI, REPO, Library, checked_http, start_server

from corpora.sample import load_sample

HTTP = checked_http()

pytestmark = [pytest.mark.server, pytest.mark.shared_data]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = REPO / "test-artifacts"
API_KEY = "khoa-trinh-duyet"
BAHNAR_CITATION = ("BARTBahnar: Bahnar–Vietnamese dictionary pairs (field work, church texts, radio transcripts), "
                   "https://github.com/IAmSkyDra/BARTBahnar")
PARAGRAPH = (
    "Người dân trong bản cần uống nước sạch và giữ rừng. "
    "Mỗi gia đình nên trồng cây, nuôi gà và cho trẻ em đi học ở trường."
)


def _need(path: str, package: str):
    if not os.path.exists(path):
        message = f"{path} not found (Debian package {package}; ./scripts/test installs it)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def site(tmp_path_factory, shared_data):
    folder = tmp_path_factory.mktemp("site") / "data"
    lib = Library(folder)
    load_sample(lib.services.collection)
    lib.add(DATA / "pairs/mww-vie.tsv", "tsv", "mww", "mww_form", "vie_form", "english_meaning")
    lib.add(DATA / "bahnar/bahnaric.csv", "csv", "bdq", "Bahnaric", "Vietnamese", dataset="bahnaric",
            citation=BAHNAR_CITATION, licence="Apache-2.0")
    lib.add(DATA / "cldf/sidwellvietic", "cldf")
    lib.index()
    # espeak-ng only: Google's voice cannot be reached from here (its code path is tested in test_audio)
    # the workbench is driven more often than a person would in a minute; its limit is tested in test_limits
    env = {**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_API_KEYS": API_KEY,
           "TUDIEN_TTS_ENGINES": "espeak-ng", "TUDIEN_RATE_LIMITS": "translate=0"}
    server, port = start_server(env)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=15)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


def chromium(*more: str, prefs: dict | None = None):
    """Debian's Chromium, headless, driven through Debian's chromedriver, with ``more`` switches."""
    _need(CHROMIUM, "chromium")
    _need(CHROMEDRIVER, "chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=vi",
                "--autoplay-policy=no-user-gesture-required", "--disable-background-networking", *more):
        options.add_argument(arg)
    if prefs:
        options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    ARTIFACTS.mkdir(exist_ok=True)
    return driver


@pytest.fixture(scope="module")
def browser(downloads):
    driver = chromium(prefs={"download.default_directory": str(downloads), "download.prompt_for_download": False})
    yield driver
    driver.quit()


def shot(driver, name: str, width: int) -> Path:
    driver.set_window_size(width, 900)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height, 600), 4000))
    path = ARTIFACTS / f"{name}-{width}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 5000
    return path


def test_search_without_diacritics_suggestion_and_entry_page(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    browser.set_window_size(360, 800)
    browser.get(site + "/")
    assert "Từ điển DTTS" in browser.title
    box = browser.find_element(By.ID, "q")
    # live suggestions from /v1/suggest, for Hmong
    Select(browser.find_element(By.ID, "from")).select_by_value("mww")
    box.send_keys("ntoo")
    WebDriverWait(browser, 5).until(
        lambda d: "ntoo" in [o.get_attribute("value") for o in d.find_elements(By.CSS_SELECTOR, "#suggestions option")]
    )
    suggestion = browser.find_element(By.CSS_SELECTOR, "#suggestions option").get_attribute("value")
    box.clear()
    box.send_keys(suggestion)
    browser.find_element(By.CSS_SELECTOR, ".pickers button[type=submit]").click()
    assert browser.find_element(By.CSS_SELECTOR, ".result .headword").text == "ntoo"
    # a Vietnamese query typed without diacritics, language picked
    browser.get(site + "/")
    Select(browser.find_element(By.ID, "from")).select_by_value("vie")
    Select(browser.find_element(By.ID, "to")).select_by_value("mww")
    browser.find_element(By.ID, "q").send_keys("nuoc")
    browser.find_element(By.CSS_SELECTOR, ".pickers button[type=submit]").click()
    headwords = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".result .headword")]
    assert "dej" in headwords[:3]
    assert "khớp khi bỏ dấu" in browser.find_element(By.CSS_SELECTOR, ".result .match").text
    shot(browser, "search", 360)
    shot(browser, "search", 1280)
    # the entry page, at its stable URL, with provenance
    browser.find_element(By.LINK_TEXT, "dej").click()
    assert browser.current_url.startswith(site + "/e/mww-")
    assert browser.find_element(By.TAG_NAME, "h1").text == "dej"
    assert "Nguồn" in browser.page_source and "mww" in browser.page_source
    shot(browser, "entry", 360)


def test_special_letters_tap_into_the_box(site, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(site + "/")
    Select(browser.find_element(By.ID, "from")).select_by_value("bdq")
    buttons = {b.text: b for b in browser.find_elements(By.CSS_SELECTOR, "#letters button")}
    assert {"ĕ", "ŏ", "ơ̆"} <= set(buttons)
    browser.find_element(By.ID, "q").send_keys("k")
    buttons["ơ̆"].click()
    assert browser.find_element(By.ID, "q").get_attribute("value") == "kơ̆"


def test_results_readable_without_javascript(site):
    page = HTTP.get(site + "/", params={"q": "nuoc", "from": "vie", "to": "mww"}).text
    assert 'class="headword"' in page and ">dej<" in page


def test_workbench_translates_a_paragraph_into_two_languages_and_exports(site, browser, downloads):
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 900)
    browser.get(site + "/dich")
    browser.execute_script("localStorage.clear()")  # a device that has chosen no language yet
    browser.get(site + "/dich")
    box = browser.find_element(By.ID, "text")
    box.send_keys(PARAGRAPH)
    if box.get_attribute("value") != PARAGRAPH:
        # chromedriver can drop keys of a long text typed into a busy page; the text, not the
        # typing, is what this test is about
        browser.execute_script("arguments[0].value = arguments[1]", box, PARAGRAPH)
    for code in ("mww", "bdq"):
        browser.find_element(By.CSS_SELECTOR, f"input[name=to][value={code}]").click()
    browser.find_element(By.ID, "run").click()
    rows = browser.find_elements(By.CSS_SELECTOR, ".glossary tbody tr")
    terms = {r.find_element(By.TAG_NAME, "td").text: r for r in rows}
    assert {"cây", "gia đình"} <= {t.lower() for t in terms}  # "gia đình" kept whole
    tree = terms["cây"].find_elements(By.TAG_NAME, "td")
    assert tree[1].text and "chưa có" not in tree[1].text  # White Hmong has "cây"
    assert tree[2].text and "chưa có" not in tree[2].text  # and so has Bahnar
    assert browser.find_elements(By.CSS_SELECTOR, ".glossary tr.gap")  # and some gaps
    assert "Thuật ngữ chưa có từ tương đương" in browser.page_source
    shot(browser, "workbench", 1280)
    shot(browser, "workbench", 360)
    for button, suffix in (("export-csv", ".csv"), ("export-docx", ".docx")):
        browser.find_element(By.ID, button).click()
        deadline = time.monotonic() + 20
        while not [p for p in downloads.iterdir() if p.suffix == suffix]:
            assert time.monotonic() < deadline, f"no {suffix} downloaded"
            time.sleep(0.2)
    csv_file = next(p for p in downloads.iterdir() if p.suffix == ".csv")
    text = csv_file.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Văn bản gốc,") and "\nTiếng Việt,Ba Na,H'Mông Trắng," in text
    assert "\ncây," in text
    docx_file = next(p for p in downloads.iterdir() if p.suffix == ".docx")
    _need(shutil.which("soffice") or "/usr/bin/soffice", "libreoffice-writer-nogui")
    done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(downloads),
                           str(docx_file)], capture_output=True, text=True, timeout=180,
                          env={**os.environ, "HOME": str(downloads)})
    pdf = docx_file.with_suffix(".pdf")
    assert done.returncode == 0 and pdf.exists() and pdf.stat().st_size > 1000, done.stderr


PLAY = """
const [audio, done] = arguments;
audio.muted = true;
audio.play().then(() => {
  const started = Date.now();
  const poll = () => {
    if (audio.error) return done("error " + audio.error.code);
    if (audio.currentTime > 0.2 || audio.ended) return done({time: audio.currentTime, duration: audio.duration});
    if (Date.now() - started > 8000) return done("stalled at " + audio.currentTime);
    setTimeout(poll, 50);
  };
  poll();
}).catch(e => done("play() refused: " + e));
"""


def test_recording_and_synthetic_speech_play_and_are_told_apart(site, browser):
    from audio_support import encode, espeak_wav, samples_of
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    # a recording uploaded through the API for the Tày word nặm (water)
    entry = HTTP.get(site + "/v1/search", params={"q": "nặm", "from": "tyz"}).json()["results"][0]
    wav = encode(*samples_of(espeak_wav("nặm")), "wav")
    up = HTTP.post(f"{site}/v1/entries/{entry['id']}/audio", headers={"X-API-Key": API_KEY},
                    files={"file": ("nam.wav", wav)}, data={"speaker": "Người đọc thử", "licence": "CC0"})
    assert up.status_code in (200, 201), up.text

    browser.set_window_size(360, 800)
    browser.get(site + "/?q=nặm&from=tyz")
    recording = browser.find_element(By.CSS_SELECTOR, ".result .audio-recording")
    assert "Bản ghi của người bản ngữ: Người đọc thử" in recording.text
    browser.set_script_timeout(20)
    played = browser.execute_async_script(PLAY, recording.find_element(By.TAG_NAME, "audio"))
    assert isinstance(played, dict) and played["duration"] > 0.2, played

    # a Tày word nobody has recorded: the Vietnamese voice, labelled as an approximation
    browser.get(site + "/?q=bản&from=tyz")
    synthetic = browser.find_element(By.CSS_SELECTOR, ".result .audio-synthetic")
    assert "Giọng máy tiếng Việt, đọc gần đúng" in synthetic.text
    played = browser.execute_async_script(PLAY, synthetic.find_element(By.TAG_NAME, "audio"))
    assert isinstance(played, dict) and played["duration"] > 0.2, played
    # the label names the voice that spoke, once it has (before, it cannot know which will)
    WebDriverWait(browser, 10).until(lambda d: "Giọng máy tiếng Việt, đọc gần đúng (espeak-ng)" in synthetic.text)
    shot(browser, "audio", 360)

    # the entry page lists it too; Hmong, which no voice reads, has no player at all
    browser.find_element(By.CSS_SELECTOR, ".result .headword").click()
    assert browser.find_elements(By.CSS_SELECTOR, ".audio-synthetic audio")
    browser.get(site + "/?q=ntoo&from=mww")
    assert browser.find_elements(By.CSS_SELECTOR, ".result") and not browser.find_elements(By.CSS_SELECTOR, ".audio")


# -- results an official can trust (both widths) -------------------------------------------------

def _page(browser, site, width: int, path: str, **params):
    from urllib.parse import urlencode

    browser.set_window_size(width, 900)
    browser.get(site + path + ("?" + urlencode(params) if params else ""))


@pytest.mark.parametrize("width", [360, 1280])
def test_a_query_nothing_matches_exactly_is_said_plainly(site, browser, width):
    """"căn cước" is in no entry: the page says so, offers what the dictionary has nearest, and
    labels each approximate result with what differs; a word typed right is "khớp đúng"; nonsense
    gets help rather than a bare zero."""
    from selenium.webdriver.common.by import By

    _page(browser, site, width, "/", q="căn cước", **{"from": "vie", "to": "bdq"})
    summary = browser.find_element(By.CSS_SELECTOR, ".summary").text
    assert "Không có kết quả khớp đúng với «căn cước»" in summary
    offered = browser.find_elements(By.CSS_SELECTOR, ".dym a")
    assert 1 <= len(offered) <= 3
    assert [h.text for h in browser.find_elements(By.CSS_SELECTOR, ".results-section h2")] == ["Kết quả gần đúng"]
    labels = [m.text for m in browser.find_elements(By.CSS_SELECTOR, ".result .match")]
    assert labels and all(("khác" in t or "chứa" in t or "bắt đầu" in t) and "«" in t for t in labels), labels
    shot(browser, "khong-khop-dung", width)
    word = offered[0].text
    offered[0].click()
    assert f"khớp đúng với «{word}»" in browser.find_element(By.CSS_SELECTOR, ".summary").text
    assert browser.find_elements(By.CSS_SELECTOR, ".results-section.exact .result")

    _page(browser, site, width, "/", q="xyzqw")
    help_items = [li.text for li in browser.find_elements(By.CSS_SELECTOR, ".summary .help li")]
    assert "Không tìm thấy mục từ nào cho «xyzqw»" in browser.find_element(By.CSS_SELECTOR, ".summary").text
    assert any("chính tả" in t for t in help_items) and any("Dịch thuật ngữ" in t for t in help_items)
    _page(browser, site, width, "/", q="nhàa", **{"from": "vie", "to": "bdq"})
    assert browser.find_element(By.CSS_SELECTOR, ".dym a").text == "nhà"
    _page(browser, site, width, "/", q="hnamx", **{"from": "bdq"})
    help_or_dym = browser.find_element(By.CSS_SELECTOR, ".summary").text
    assert "hnam" in help_or_dym


@pytest.mark.parametrize("width", [360, 1280])
def test_results_are_grouped_by_language_by_name_paged_and_short(site, browser, width):
    """"nhà" from Vietnamese: groups by Vietnamese language name (never a bare code), main
    meanings before words of many senses, long sense lists folded after three, a next page, each
    source with its citation and licence as links, and a phone page of sensible height."""
    from selenium.webdriver.common.by import By

    _page(browser, site, width, "/", q="nhà", **{"from": "vie"})
    groups = [g.text for g in browser.find_elements(By.CSS_SELECTOR, "h3.group")]
    assert "Ba Na" in groups and "H'Mông Trắng" in groups
    assert not [g for g in groups if len(g) == 3 and g.islower()]  # no bare ISO code
    height = browser.execute_script("return document.documentElement.scrollHeight")
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    shot(browser, "nha", width)
    assert height < (9000 if width == 360 else 6000), height
    for result in browser.find_elements(By.CSS_SELECTOR, ".result"):
        visible = [li for li in result.find_elements(By.CSS_SELECTOR, ".senses li") if li.is_displayed()]
        assert len(visible) <= 3
    _page(browser, site, width, "/", q="hơ", **{"from": "bdq"})  # a Bahnar word of 91 senses
    more = browser.find_element(By.CSS_SELECTOR, ".result details.more")
    assert more.find_element(By.TAG_NAME, "summary").text.startswith("Xem thêm")
    more.find_element(By.TAG_NAME, "summary").click()
    assert len([li for li in more.find_elements(By.CSS_SELECTOR, "li") if li.is_displayed()]) > 3
    # its source: the dataset, the citation and the licence, with working links
    source = browser.find_element(By.CSS_SELECTOR, ".result details.source")
    assert source.find_element(By.CSS_SELECTOR, "summary a").get_attribute("href").endswith("/nguon/bahnaric")
    licence = source.find_element(By.CSS_SELECTOR, "summary a[rel~=license]")
    assert licence.text == "Apache-2.0" and licence.get_attribute("href").startswith("https://www.apache.org/")
    source.find_element(By.TAG_NAME, "summary").click()
    link = source.find_element(By.CSS_SELECTOR, "p a")
    assert link.get_attribute("href") == "https://github.com/IAmSkyDra/BARTBahnar"
    # paging
    _page(browser, site, width, "/", q="nhà", **{"from": "vie"})
    pager = browser.find_element(By.CSS_SELECTOR, "nav.pager")
    assert "Trang 1/" in pager.text
    pager.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    assert "Trang 2/" in browser.find_element(By.CSS_SELECTOR, "nav.pager").text
    assert browser.find_elements(By.CSS_SELECTOR, ".result")


@pytest.mark.parametrize("width", [360, 1280])
def test_main_meanings_first_and_varieties_told_apart(site, browser, width):
    from selenium.webdriver.common.by import By

    _page(browser, site, width, "/", q="nhà", **{"from": "vie", "to": "bdq"})
    senses = [len(r.find_elements(By.CSS_SELECTOR, ".senses li")) for r in
              browser.find_elements(By.CSS_SELECTOR, ".result")[:10]]
    assert len(senses) == 10 and max(senses) <= 50, senses  # no word of many uses among the first ten
    # three Mường forms "ɲaː²" from the Vietic data: each says its variety
    _page(browser, site, width, "/", q="ɲaː²", **{"from": "mtq"})
    varieties = [v.text for v in browser.find_elements(By.CSS_SELECTOR, ".result .variety")]
    assert len(varieties) >= 2 and len(set(varieties)) == len(varieties) and all(v.startswith("Mương [") for v in varieties)
    shot(browser, "phuong-ngu", width)


@pytest.mark.parametrize("width", [360, 1280])
def test_the_language_menu_is_sorted_by_name_and_letters_follow_the_language(site, browser, width):
    """Vietnamese first, then by Vietnamese collation; the special letters are those of the
    language typed in (none for H'Mông or when it is to be recognised), one tab stop, arrows
    inside."""
    import icu
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    _page(browser, site, width, "/")
    assert browser.switch_to.active_element.get_attribute("id") == "q"  # the empty page invites typing
    names = [o.text for o in browser.find_elements(By.CSS_SELECTOR, "#from > option")][1:]
    collator = icu.Collator.createInstance(icu.Locale("vi"))
    assert names[0] == "Tiếng Việt" and names[1:] == sorted(names[1:], key=collator.getSortKey)
    # the languages with no entries yet come after those with entries, in their own group, by name too
    group = browser.find_element(By.CSS_SELECTOR, "#from optgroup")
    assert group.get_attribute("label") == "Chưa có mục từ"
    empty = [o.text for o in group.find_elements(By.TAG_NAME, "option")]
    assert empty == sorted(empty, key=collator.getSortKey) and "Ê Đê" in empty and not set(empty) & set(names)
    row = browser.find_element(By.ID, "letters")
    assert not row.is_displayed()  # "(tự nhận biết)"
    Select(browser.find_element(By.ID, "from")).select_by_value("mww")
    assert not row.is_displayed()
    Select(browser.find_element(By.ID, "from")).select_by_value("bdq")
    assert row.is_displayed()
    buttons = row.find_elements(By.TAG_NAME, "button")
    assert [b.get_attribute("tabindex") for b in buttons].count("0") == 1
    browser.find_element(By.CSS_SELECTOR, ".pickers button[type=submit]").send_keys("")  # focus the button
    browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element == buttons[0]
    buttons[0].send_keys(Keys.ARROW_RIGHT)
    assert browser.switch_to.active_element == buttons[1]
    buttons[1].send_keys(Keys.TAB)
    assert browser.switch_to.active_element not in buttons  # one tab stop for the whole row
    shot(browser, "chu-dac-biet", width)


@pytest.mark.parametrize("width", [360, 1280])
def test_suggestions_say_language_and_meaning_and_result_pages_do_not_steal_focus(site, browser, width):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    _page(browser, site, width, "/")
    Select(browser.find_element(By.ID, "from")).select_by_value("bdq")
    browser.find_element(By.ID, "q").send_keys("hnam")
    WebDriverWait(browser, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#suggestions option"))
    labels = [o.get_attribute("label") for o in browser.find_elements(By.CSS_SELECTOR, "#suggestions option")]
    assert all(label.startswith("Ba Na") for label in labels) and any("nhà" in label for label in labels)
    _page(browser, site, width, "/", q="nhà")
    assert browser.switch_to.active_element.get_attribute("id") != "q"
    assert browser.find_element(By.TAG_NAME, "h1").text  # a main heading
    shot(browser, "goi-y", width)


@pytest.mark.parametrize("width", [360, 1280])
def test_the_entry_page_searches_cites_and_copies_its_link(site, browser, width):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    entry = HTTP.get(site + "/v1/search", params={"q": "hnam", "from": "bdq"}).json()["results"][0]
    _page(browser, site, width, f"/e/{entry['id']}")
    assert browser.switch_to.active_element.get_attribute("id") != "q"
    status = browser.find_element(By.CSS_SELECTOR, ".status-line").text
    assert status.startswith("Đã công bố.") and "duyệt" in status
    citation = browser.find_element(By.ID, "citation").text
    assert citation.startswith(f"{entry['headword']} (Ba Na)") and f"/e/{entry['id']}" in citation
    assert "BARTBahnar" in citation and "truy cập ngày" in citation
    assert browser.find_element(By.ID, "link").get_attribute("value") == f"{site}/e/{entry['id']}"
    browser.execute_cdp_cmd("Browser.grantPermissions", {"origin": site, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    browser.find_element(By.CSS_SELECTOR, "[data-copy=link]").click()
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.ID, "link-status").text == "Đã chép vào bộ nhớ tạm.")
    assert browser.execute_async_script(
        "const done = arguments[0]; navigator.clipboard.readText().then(done, e => done('refused: ' + e))"
    ) == f"{site}/e/{entry['id']}"
    licence = browser.find_element(By.CSS_SELECTOR, ".provenance a[rel~=license]")
    assert licence.get_attribute("href") == "https://www.apache.org/licenses/LICENSE-2.0"
    assert browser.execute_script(  # nothing wider than the screen (long addresses wrap)
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    shot(browser, "muc-tu", width)
    box = browser.find_element(By.ID, "q")
    box.send_keys("nhà")
    box.submit()
    assert "khớp đúng với «nhà»" in browser.find_element(By.CSS_SELECTOR, ".summary").text


@pytest.mark.parametrize("width", [360, 1280])
def test_a_voice_that_fails_says_so(site, browser, width):
    """A clip that cannot be played (here its file is gone) says so beside its button."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _page(browser, site, width, "/", q="bản", **{"from": "tyz"})
    holder = browser.find_element(By.CSS_SELECTOR, ".result .audio-synthetic")
    audio = holder.find_element(By.TAG_NAME, "audio")
    browser.execute_script("arguments[0].src = '/v1/audio/s0000000000000000'; arguments[0].play().catch(() => {})",
                           audio)
    WebDriverWait(browser, 10).until(lambda d: holder.find_element(By.CSS_SELECTOR, ".audio-error").is_displayed())
    assert "Không phát được" in holder.find_element(By.CSS_SELECTOR, ".audio-error").text
    shot(browser, "giong-loi", width)


@pytest.mark.parametrize("width", [360, 1280])
def test_the_workbench_glossary_a_communicator_can_act_on(site, browser, downloads, width):
    """Administrative terms whole, function words folded away, at most three candidates shown per
    cell each with what it means, gaps listed first, no voice for Ba Na, no junk."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    text = ("Ủy ban nhân dân xã cấp thẻ căn cước công dân cho người dân. "
            "Mỗi gia đình cần nước sạch và nhà ở, để trẻ em đi học.")
    browser.set_window_size(width, 900)
    browser.get(site + "/dich")
    browser.execute_script("localStorage.clear()")  # a device that has chosen no language yet
    browser.get(site + "/dich")
    browser.execute_script("document.getElementById('text').value = arguments[0]", text)
    browser.find_element(By.CSS_SELECTOR, "input[name=to][value=bdq]").click()
    browser.find_element(By.ID, "run").click()
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".gap-list, p.error"))
    refused = browser.find_elements(By.CSS_SELECTOR, "p.error")
    assert not refused, refused[0].text  # the page says why it gave no glossary
    gaps = browser.find_element(By.CSS_SELECTOR, ".gap-list")
    table = browser.find_element(By.CSS_SELECTOR, "table.glossary")
    assert gaps.location["y"] < table.location["y"]  # the gaps come first
    assert "Ủy ban nhân dân" in gaps.text and "ban nhân dân" not in gaps.text.replace("Ủy ban nhân dân", "")
    terms = [r.find_element(By.TAG_NAME, "td").text.split("\n")[0]
             for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert "Ủy ban nhân dân" in terms and "Ủy" not in terms
    assert not {"và", "cho", "để"} & set(terms)  # function words are folded away
    folded = browser.find_element(By.CSS_SELECTOR, "details.function-words")
    assert folded.get_attribute("open") is None and "và" in folded.find_element(By.TAG_NAME, "summary").text
    for cell in table.find_elements(By.CSS_SELECTOR, "tbody td + td"):
        shown = [li for li in cell.find_elements(By.CSS_SELECTOR, "ul.candidates li") if li.is_displayed()]
        assert 1 <= len(shown) <= 3
        for li in shown:
            if "chưa có" not in li.text:
                assert li.find_element(By.CSS_SELECTOR, ".meaning").text
                assert li.find_element(By.TAG_NAME, "a").text not in ("TRUE", "FALSE", "\u0306")
    # no voice reads Ba Na right (the language registry says why): no play button, whatever the
    # spelling; the compact buttons of a language a voice reads are in test_browser_reading.py
    assert not browser.find_elements(By.CSS_SELECTOR, ".glossary button.play")
    assert not browser.find_elements(By.CSS_SELECTOR, ".glossary audio[controls]")
    shot(browser, "bang-thuat-ngu", width)
    if width == 1280:
        for old in downloads.glob("*.csv"):
            old.unlink()
        browser.find_element(By.ID, "export-csv").click()
        deadline = time.monotonic() + 20
        while not [p for p in downloads.iterdir() if p.suffix == ".csv"]:
            assert time.monotonic() < deadline, "no CSV downloaded"
            time.sleep(0.2)
        exported = next(p for p in downloads.iterdir() if p.suffix == ".csv").read_text(encoding="utf-8-sig")
        assert exported.startswith("Văn bản gốc,") and "Ủy ban nhân dân xã cấp" in exported
        assert "Tiếng Việt,Ba Na,Còn thiếu ở" in exported and f"{site}/e/bdq-" in exported
        assert 'Nguồn,"bahnaric — BARTBahnar' in exported and "giấy phép: Apache-2.0" in exported
        assert "\nvà," not in exported


def test_a_language_page_at_phone_width_browses_by_letter_without_script(site):
    """The Ba Na page at 360 px: its names, counts and sources, the alphabet in its own order,
    a letter's words, and the next page, all by plain links (script off)."""
    from selenium.webdriver.common.by import By

    driver = chromium("--blink-settings=scriptEnabled=false")
    try:
        driver.set_window_size(360, 800)
        driver.get(site + "/ngon-ngu/bdq")
        assert driver.find_element(By.TAG_NAME, "h1").text == "Ba Na"
        assert "mục từ đã công bố" in driver.find_element(By.CSS_SELECTOR, ".counts").text
        letters = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "nav.alphabet a, nav.alphabet span")]
        assert letters[:6] == ["A", "Ă", "Â", "B", "Ƀ", "C"] and letters.index("Ơ") < letters.index("Ơ̆")
        driver.find_element(By.LINK_TEXT, "Ƀ").click()
        assert driver.find_element(By.CSS_SELECTOR, "nav.alphabet [aria-current=page]").text == "Ƀ"
        first = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "ol.words li > a")]
        assert first and all(word[0] in "ƀɃ" for word in first)
        driver.find_element(By.LINK_TEXT, "K").click()
        page_one = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "ol.words li > a")]
        assert len(page_one) == 50
        # nothing wider than the phone: no sideways scrolling
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 360
        shot(driver, "ngon-ngu", 360)
        driver.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
        page_two = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "ol.words li > a")]
        assert page_two and page_two[0] != page_one[0] and "sau=" in driver.current_url
        driver.find_element(By.CSS_SELECTOR, "a[rel=prev]").click()
        assert [a.text for a in driver.find_elements(By.CSS_SELECTOR, "ol.words li > a")] == page_one
        shot(driver, "ngon-ngu-k", 360)
    finally:
        driver.quit()


# -- the workbench as translators use it, at a phone's width and a desktop's -------------------------------------------

WIDTHS = (360, 1280)


def _run(browser, site: str, width: int, text: str, codes: tuple[str, ...] = ("bdq", "mww")):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(width, 800)
    browser.get(site + "/dich")
    browser.execute_script("localStorage.clear()")  # a device that has chosen no language yet
    browser.get(site + "/dich")
    browser.execute_script("document.getElementById('text').value = arguments[0]", text)
    for code in codes:
        browser.find_element(By.CSS_SELECTOR, f"input[name=to][value={code}]").click()
    browser.find_element(By.ID, "run").click()
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "table.glossary, p.error"))
    assert not browser.find_elements(By.CSS_SELECTOR, "p.error")
    return {r.find_element(By.TAG_NAME, "td").text: r
            for r in browser.find_elements(By.CSS_SELECTOR, "table.glossary > tbody > tr:not(.parts-row)")}


@pytest.mark.server
@pytest.mark.shared_data
@pytest.mark.parametrize("width", WIDTHS)
def test_a_missing_term_is_a_gap_whole_and_its_syllables_are_no_translation(site, browser, width):
    from selenium.webdriver.common.by import By

    rows = _run(browser, site, width, "Ủy ban nhân dân xã cấp giấy khai sinh.")
    assert "Ủy ban nhân dân" in rows and "Ủy" not in rows and "ban" not in rows
    whole = rows["Ủy ban nhân dân"]
    cells = whole.find_elements(By.TAG_NAME, "td")[1:]
    assert [c.text for c in cells] == ["chưa có", "chưa có"] and not whole.find_elements(By.CSS_SELECTOR, "td a")
    parts = whole.find_element(By.XPATH, "following-sibling::tr[1]")
    assert "parts-row" in parts.get_attribute("class")
    folded = parts.find_element(By.CSS_SELECTOR, "details.parts")
    assert folded.get_attribute("open") is None and folded.text == "xem từng tiếng"  # out of the way
    folded.find_element(By.TAG_NAME, "summary").click()
    assert "không phải bản dịch" in folded.find_element(By.CSS_SELECTOR, ".not-translation").text
    lines = [dd.text for dd in folded.find_elements(By.TAG_NAME, "dd")]
    assert lines and all(line.split(":")[0] in ("Ba Na", "H'Mông Trắng") for line in lines)  # one language a line
    if width == 360:  # each language's cell is a labelled line
        label = browser.execute_script("return getComputedStyle(arguments[0], '::before').content", cells[0])
        assert "Ba Na" in label
    shot(browser, "dich-khoang-trong", width)


@pytest.mark.server
@pytest.mark.shared_data
@pytest.mark.parametrize("width", WIDTHS)
def test_the_first_candidates_mean_the_term_and_each_word_comes_once(site, browser, width):
    from selenium.webdriver.common.by import By

    rows = _run(browser, site, width, "Ngày mùa, gạo và nước.")
    day, rice = rows["Ngày"].find_elements(By.TAG_NAME, "td"), rows["gạo"].find_elements(By.TAG_NAME, "td")
    first = lambda cell: cell.find_element(By.CSS_SELECTOR, "ul.candidates a").text  # noqa: E731
    assert first(day[1]) in {"'nar", "năr", "nar", "'năr"} and first(rice[1]) == "ƀa"
    assert first(day[2]) == "hnub" and first(rice[2]) == "nplej"
    for row in rows.values():
        for cell in row.find_elements(By.CSS_SELECTOR, "td[data-label]"):
            words = [a.get_attribute("textContent").casefold() for a in cell.find_elements(By.CSS_SELECTOR, "a")]
            assert len(words) == len(set(words)), words
    shot(browser, "dich-ung-vien", width)


@pytest.mark.server
@pytest.mark.shared_data
@pytest.mark.parametrize("width", WIDTHS)
def test_results_come_into_view_checkboxes_are_targets_and_the_choice_is_remembered(site, browser, width):
    from selenium.webdriver.common.by import By

    browser.set_window_size(width, 800)
    browser.get(site + "/dich")
    for label in browser.find_elements(By.CSS_SELECTOR, "fieldset.targets label.check"):
        size = label.size
        assert size["height"] >= 44 and size["width"] >= 44, (label.text, size)
    _run(browser, site, width, "Nước sạch cho mỗi nhà.", ("bdq",))
    top, seen = browser.execute_script(
        "const r = document.getElementById('ket-qua').getBoundingClientRect(); return [r.top, innerHeight]")
    assert 0 <= top < seen / 2  # the results, not the form, fill the screen
    if width == 360:
        assert browser.execute_script("return scrollY") > 0
    browser.get(site + "/dich")  # another day, the same device
    checked = [b.get_attribute("value") for b in browser.find_elements(By.CSS_SELECTOR, "input[name=to]")
               if b.is_selected()]
    assert checked == ["bdq"]
    shot(browser, "dich-nho-lua-chon", width)


@pytest.mark.server
@pytest.mark.shared_data
def test_the_docx_glossary_is_a4_with_vietnamese_margins(site):
    import io

    from docx import Document
    from docx.shared import Mm
    answer = HTTP.post(site + "/dich", data={"text": "Nước sạch cho mỗi nhà.", "to": ["bdq"],
                                                                  "export": "docx"})
    assert answer.status_code == 200
    section = Document(io.BytesIO(answer.content)).sections[0]
    mm = lambda length: round(length / Mm(1))  # noqa: E731
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert (mm(section.top_margin), mm(section.bottom_margin), mm(section.left_margin), mm(section.right_margin)) == \
        (20, 20, 30, 15)
