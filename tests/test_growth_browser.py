"""The demand loop in a real browser (Debian's Chromium, headless, 360 px) against a real server:
a reader's missed search becomes a request from the no-result page; the editor's worklist shows
it and "Tạo mục từ" opens the editor with the term filled in; the entry, published, answers the
request's public page; a speaker signs up with their consent on the campaign page and records
three words from Chromium's fake microphone with the connection cut in the middle — every take
waits in the browser and is sent once the connection returns, none lost, none twice; an editor
accepts them and the public hears only accepted takes; /tien-do counts what the store holds."""

from __future__ import annotations

import time

import pytest
from support import DESK_PASSWORDS as PASSWORDS
from support import checked_http, desk_site
from test_browser import chromium, shot

HTTP = checked_http(timeout=30)
pytestmark = pytest.mark.server
MISS = "căn cước"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with desk_site(tmp_path_factory.mktemp("growth") / "data") as (lib, site, tokens):
        yield lib, site, {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}


@pytest.fixture(scope="module")
def microphone(tmp_path_factory) -> str:
    from audio_support import espeak_wav

    path = tmp_path_factory.mktemp("mic") / "tu.wav"
    path.write_bytes(espeak_wav("rườn"))
    return str(path)


def _sign_in(driver, site: str, name: str, then: str) -> None:
    """Sign in from the page ``then`` sends to, and wait to be back there (a page that reads the
    worklist takes a moment to answer)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{site}{then}")
    assert "/dang-nhap" in driver.current_url
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORDS[name])
    driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    WebDriverWait(driver, 20).until(lambda d: d.current_url == f"{site}{then}")
    assert name in driver.find_element(By.TAG_NAME, "nav").text


def _until(check, timeout: float = 20.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}", pytrace=False)


def test_a_miss_becomes_a_request_the_worklist_shows_and_a_published_entry_answers(world):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    lib, site, auth = world
    reader = chromium()
    try:
        reader.set_window_size(360, 800)
        reader.get(f"{site}/?q={MISS}&from=vie&to=tyz")
        form = reader.find_element(By.CSS_SELECTOR, "details.request-term form")
        form.find_element(By.NAME, "context").send_keys("Làm căn cước ở xã.")
        form.find_element(By.NAME, "contact").send_keys("0912 345 678")
        shot(reader, "request-form", 360)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(reader, 15).until(lambda d: "/de-nghi/" in d.current_url)  # the post, then its page
        assert "Đang chờ biên tập viên" in reader.page_source
        number = int(reader.current_url.rsplit("/", 1)[1])
        assert reader.find_element(By.LINK_TEXT, "Tiến độ của từ điển")
    finally:
        reader.quit()
    # the reader's miss reaches the store within the flush interval, with nothing of the reader
    rows = _until(lambda: lib.store.demand.misses("2000-01-01", ["tyz"]), what="the miss to be written")
    assert [(r["term"], r["searches"]) for r in rows] == [(MISS, 1)]
    assert "127.0.0.1" not in repr(lib.store.demand.rows())

    editor = chromium()
    try:
        editor.set_window_size(360, 800)
        _sign_in(editor, site, "le.b", then="/viec-can-lam")
        item = editor.find_element(By.CSS_SELECTOR, f'li.work-item[data-text="{MISS}"]')
        assert "1 lượt tra" in item.text and "1 đề nghị" in item.text and "0912" not in editor.page_source
        shot(editor, "worklist", 360)
        item.find_element(By.LINK_TEXT, "Tạo mục từ").click()
        assert editor.find_element(By.CSS_SELECTOR, ".s-vie").get_attribute("value") == MISS
    finally:
        editor.quit()
    made = HTTP.post(f"{site}/v1/entries", headers=auth["hoang.a"], json={
        "language": "tyz", "headword": "bài cước", "senses": [{"glosses": {"vie": [MISS]}}]}).json()
    HTTP.post(f"{site}/v1/entries/{made['id']}/status", headers=auth["hoang.a"], json={"status": "review"})
    HTTP.post(f"{site}/v1/entries/{made['id']}/status", headers=auth["le.b"], json={"status": "published"})
    answered = _until(lambda: HTTP.get(f"{site}/v1/requests/{number}").json()["entry"], what="the request done")
    assert answered == made["id"]
    assert f'href="/e/{made["id"]}"' in HTTP.get(f"{site}/de-nghi/{number}").text


def test_three_words_recorded_on_a_phone_through_a_lost_connection_then_validated(world, microphone):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    lib, site, auth = world
    ids = [r["id"] for r in lib.store.core.rows(
        "SELECT id FROM entries WHERE language = 'tyz' AND public IS NOT NULL ORDER BY id")]
    popular = ids[-1]
    for _ in range(2):  # one reader twice: one look-up
        HTTP.get(f"{site}/v1/entries/{popular}")
    _until(lambda: lib.store.demand.lookups([popular]), what="the look-up to be written")
    campaign = HTTP.post(f"{site}/v1/campaigns", headers=auth["le.b"],
                         json={"language": "tyz", "name": "Tày: ba từ", "limit": 3}).json()
    assert campaign["items"][0]["entry"] == popular and len(campaign["items"]) == 3

    phone = chromium("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                     f"--use-file-for-fake-audio-capture={microphone}")
    try:
        phone.set_window_size(360, 800)
        _sign_in(phone, site, "hoang.a", then=f"/ghi-am/{campaign['id']}")
        assert "đồng ý" in phone.find_element(By.CSS_SELECTOR, ".consent-text").text
        phone.find_element(By.ID, "sp-name").clear()
        phone.find_element(By.ID, "sp-name").send_keys("Hoàng A")
        phone.find_element(By.ID, "sp-variety").send_keys("Tày Cao Bằng")
        phone.find_element(By.ID, "sp-consent").click()
        shot(phone, "campaign-consent", 360)
        phone.find_element(By.ID, "sp-submit").click()
        WebDriverWait(phone, 10).until(lambda d: d.find_element(By.ID, "campaign").is_displayed())

        def record_one() -> None:
            phone.find_element(By.ID, "c-record").click()
            WebDriverWait(phone, 10).until(lambda d: d.find_element(By.ID, "c-stop").is_enabled())
            time.sleep(1.2)
            phone.find_element(By.ID, "c-stop").click()
            WebDriverWait(phone, 10).until(lambda d: d.find_element(By.ID, "c-keep").is_enabled())
            phone.find_element(By.ID, "c-keep").click()

        def queue() -> int:
            return int(phone.find_element(By.ID, "c-queue").text)

        def takes() -> int:
            return lib.store.core.rows("SELECT COUNT(*) AS n FROM campaign_takes")[0]["n"]

        record_one()
        _until(lambda: takes() == 1 and queue() == 0, what="the first take sent")
        phone.execute_cdp_cmd("Network.enable", {})
        phone.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        record_one()
        record_one()
        _until(lambda: queue() == 2, what="two takes held in the browser")
        time.sleep(4)  # the page tries again meanwhile: nothing gets through, nothing is dropped
        assert takes() == 1 and queue() == 2
        shot(phone, "campaign-offline", 360)
        phone.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        _until(lambda: queue() == 0 and takes() == 3, timeout=30, what="the held takes sent")
        shot(phone, "campaign-done", 360)
    finally:
        phone.quit()
    rows = lib.store.core.rows("SELECT t.entry_id, a.review FROM campaign_takes t JOIN audio_clips a "
                               "ON a.id = t.clip_id ORDER BY t.at")
    assert sorted(r["entry_id"] for r in rows) == sorted(i["entry"] for i in campaign["items"])  # none lost, none twice
    assert {r["review"] for r in rows} == {"pending"}
    assert lib.store.core.rows("SELECT COUNT(*) AS n FROM audio_clips WHERE kind = 'recording'")[0]["n"] == 3

    def heard(entry_id: str) -> list[str]:
        return [c["id"] for c in HTTP.get(f"{site}/v1/entries/{entry_id}/audio").json()["audio"]
                if c["kind"] == "recording"]

    assert all(heard(i["entry"]) == [] for i in campaign["items"])
    progress = HTTP.get(f"{site}/v1/campaigns/{campaign['id']}", headers=auth["le.b"]).json()
    clips = {i["entry"]: i["takes"][0]["clip"] for i in progress["items"]}
    first, second, third = (i["entry"] for i in campaign["items"])
    HTTP.post(f"{site}/v1/recordings/{clips[first]}/review", headers=auth["le.b"], json={"verdict": "accept"})
    HTTP.post(f"{site}/v1/recordings/{clips[second]}/review", headers=auth["le.b"], json={"verdict": "accept"})
    HTTP.post(f"{site}/v1/recordings/{clips[third]}/review", headers=auth["le.b"],
              json={"verdict": "reject", "reason": "Đọc nhầm từ."})
    assert heard(first) == [clips[first]] and heard(second) == [clips[second]] and heard(third) == []
    found = HTTP.get(f"{site}/v1/search", params={"q": HTTP.get(f"{site}/v1/entries/{first}").json()["headword"],
                                                 "from": "tyz"}).json()
    audio = next(r["audio"] for r in found["results"] if r["id"] == first)
    assert [c["id"] for c in audio if c["kind"] == "recording"] == [clips[first]]

    page = HTTP.get(f"{site}/tien-do").text
    store = lib.store.core.rows("SELECT COUNT(*) AS n FROM entries WHERE language = 'tyz' AND public IS NOT NULL")[0]
    assert '<tr data-language="tyz"><th scope="row"><a href="/ngon-ngu/tyz">' in page
    row = page.split('<tr data-language="tyz">')[1].split("</tr>")[0]
    assert f'class="published">{store["n"]}<' in row and 'class="recorded">2<' in row and 'class="pending">0<' in row
