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
    load_sample(lib.store)
    lib.add(DATA / "pairs/mww-vie.tsv", "tsv", "mww", "mww_form", "vie_form", "english_meaning")
    lib.add(DATA / "bahnar/bahnaric.csv", "csv", "bdq", "Bahnaric", "Vietnamese")
    lib.index()
    # espeak-ng only: Google's voice cannot be reached from here (its code path is tested in test_audio)
    env = {**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_API_KEYS": API_KEY,
           "TUDIEN_TTS_ENGINES": "espeak-ng"}
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
    assert "khớp không dấu" in browser.find_element(By.CSS_SELECTOR, ".result .match").text
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
    assert text.splitlines()[0].startswith("Tiếng Việt,") and "\ncây," in text
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
    assert "Giọng máy (espeak-ng) — gần đúng" in synthetic.text
    played = browser.execute_async_script(PLAY, synthetic.find_element(By.TAG_NAME, "audio"))
    assert isinstance(played, dict) and played["duration"] > 0.2, played
    shot(browser, "audio", 360)

    # the entry page lists it too; Hmong, which no voice reads, has no player at all
    browser.find_element(By.CSS_SELECTOR, ".result .headword").click()
    assert browser.find_elements(By.CSS_SELECTOR, ".audio-synthetic audio")
    browser.get(site + "/?q=ntoo&from=mww")
    assert browser.find_elements(By.CSS_SELECTOR, ".result") and not browser.find_elements(By.CSS_SELECTOR, ".audio")
