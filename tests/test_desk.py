"""The editors' desk in a real browser (Debian's Chromium, headless) against a real server: sign in,
send a draft for review, an editor in a second browser publishes it from the review queue, the
public page shows it; the history page compares and reverts; a reader's suggestion reaches the
queue; a form without its CSRF token is refused; text holding markup stays text; failed sign-ins
pause (tests/test_signin.py holds the pause by name and address, sessions and tokens).  Screenshots at 360 and 1280 pixels go to ``test-artifacts/``."""

from __future__ import annotations

import re

import pytest
from support import DESK_PASSWORDS, checked_http, desk_site
from test_browser import PLAY, chromium, shot

HTTP = checked_http(timeout=30)
pytestmark = pytest.mark.server
PASSWORDS = DESK_PASSWORDS
# a real Tày word of the sample (vài: water buffalo), entered again as a new entry
NEW = {"language": "tyz", "headword": "vài", "senses": [{"glosses": {"vie": ["trâu"]}}], "comment": "ghi ở Cao Bằng"}


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    with desk_site(tmp_path_factory.mktemp("desk") / "data") as (_, site, tokens):
        yield site, tokens


@pytest.fixture(scope="module")
def microphone(tmp_path_factory) -> str:
    """A real WAV file, made here by espeak-ng, that Chromium's fake microphone plays."""
    from audio_support import espeak_wav

    path = tmp_path_factory.mktemp("mic") / "vai.wav"
    path.write_bytes(espeak_wav("vài"))
    return str(path)


@pytest.fixture(scope="module")
def contributor(microphone):
    driver = chromium("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                      f"--use-file-for-fake-audio-capture={microphone}")
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def editor():
    driver = chromium()
    yield driver
    driver.quit()


def _sign_in(driver, site: str, name: str, then: str = "/duyet") -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{site}{then}")
    assert "/dang-nhap" in driver.current_url  # sent to sign in first, and back after
    driver.find_element(By.ID, "name").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(PASSWORDS[name])
    driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(lambda d: "/dang-nhap" not in d.current_url)  # the page after signing in
    assert driver.current_url == f"{site}{then}"
    assert name in driver.find_element(By.TAG_NAME, "nav").text
    session = next(c for c in driver.get_cookies() if c["name"] == "tudien_session")
    assert session["httpOnly"] and session["sameSite"] == "Lax" and session["expiry"]


def test_a_contributor_on_a_phone_writes_records_and_sends_an_entry_that_an_editor_publishes(
        desk, contributor, editor):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    site, tokens = desk
    contributor.set_window_size(360, 800)
    _sign_in(contributor, site, "hoang.a", then="/moi")
    c = contributor
    c.find_element(By.ID, "f-headword").send_keys("vài")
    first = c.find_elements(By.CSS_SELECTOR, "fieldset.sense")[0]
    first.find_element(By.CSS_SELECTOR, ".s-vie").send_keys("trâu")
    first.find_element(By.CSS_SELECTOR, ".add-example").click()
    first.find_element(By.CSS_SELECTOR, ".e-text").send_keys("vài cày")
    first.find_element(By.CSS_SELECTOR, ".e-vie").send_keys("trâu cày")
    c.find_element(By.ID, "add-sense").click()
    second = c.find_elements(By.CSS_SELECTOR, "fieldset.sense")[1]
    second.find_element(By.CSS_SELECTOR, ".s-vie").send_keys("trâu nước")
    # a sense without a gloss is caught before sending, next to its field
    c.find_element(By.ID, "add-sense").click()
    c.find_element(By.ID, "save").click()
    assert "Mỗi nghĩa cần ít nhất một nghĩa dịch" in c.find_elements(By.CSS_SELECTOR, "fieldset.sense")[2].text
    c.find_elements(By.CSS_SELECTOR, "fieldset.sense")[2].find_element(By.CSS_SELECTOR, ".remove").click()
    c.find_element(By.ID, "f-comment").send_keys("ghi ở Cao Bằng")
    shot(c, "editor-new", 360)
    c.find_element(By.ID, "save").click()
    WebDriverWait(c, 10).until(lambda d: "/sua?luu=1" in d.current_url)
    entry_id = c.current_url.split("/e/")[1].split("/")[0]
    stored = HTTP.get(f"{site}/v1/entries/{entry_id}", headers={"Authorization": f"Bearer {tokens['hoang.a']}"}).json()
    assert [s["glosses"]["vie"] for s in stored["senses"]] == [["trâu"], ["trâu nước"]]
    assert [(x["text"], x["translations"]) for x in stored["senses"][0]["examples"]] == [("vài cày", {"vie": "trâu cày"})]

    # a pronunciation from the (fake) microphone: heard back, then uploaded through the API route
    c.find_element(By.ID, "rec-start").click()
    WebDriverWait(c, 10).until(lambda d: "Đang ghi âm" in d.find_element(By.ID, "rec-status").text)
    import time

    time.sleep(1.5)
    c.find_element(By.ID, "rec-stop").click()
    WebDriverWait(c, 10).until(lambda d: d.find_element(By.ID, "rec-upload").is_enabled())
    c.set_script_timeout(20)
    played = c.execute_async_script(PLAY, c.find_element(By.ID, "rec-audio"))
    assert isinstance(played, dict), played
    c.find_element(By.ID, "rec-upload").click()
    WebDriverWait(c, 20).until(lambda d: d.find_element(By.ID, "rec-status").get_attribute("data-clip"))
    shot(c, "editor-recorded", 360)
    c.find_element(By.ID, "send-review").click()
    assert not c.find_elements(By.ID, f"d-{entry_id}")

    editor.set_window_size(1280, 900)
    _sign_in(editor, site, "le.b")
    waiting = editor.find_element(By.ID, f"r-{entry_id}")
    assert "mục từ mới" in waiting.text and "trâu nước" in waiting.text
    shot(editor, "desk-review", 1280)
    shot(editor, "desk-review", 360)
    editor.set_window_size(1280, 900)
    waiting.find_element(By.CSS_SELECTOR, "button[value=published]").click()
    # the form posts and the queue comes back without it (waited for: the click only starts the post)
    WebDriverWait(editor, 15).until(lambda d: not d.find_elements(By.ID, f"r-{entry_id}"))

    # the public page shows the entry with its recording
    reader = chromium()
    try:
        reader.get(f"{site}/e/{entry_id}")
        assert reader.find_element(By.TAG_NAME, "h1").text == "vài"
        assert "Bản ghi của người bản ngữ: hoang.a" in reader.find_element(By.CSS_SELECTOR, ".audio-recording").text
    finally:
        reader.quit()


def test_two_editors_at_once_the_second_sees_both_versions_and_keeps_its_text(desk, contributor, editor):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    site, tokens = desk
    made = HTTP.post(f"{site}/v1/entries", headers={"Authorization": f"Bearer {tokens['hoang.a']}"}, json=NEW)
    entry_id = made.json()["id"]
    contributor.get(f"{site}/e/{entry_id}/sua")
    editor.get(f"{site}/e/{entry_id}/sua")
    editor.find_element(By.ID, "f-ipa").send_keys("vaːj˧˩")
    editor.find_element(By.ID, "save").click()
    WebDriverWait(editor, 10).until(lambda d: "luu=2" in d.current_url)
    typed = contributor.find_element(By.ID, "f-variants")
    typed.send_keys("vài đực")
    contributor.find_element(By.ID, "save").click()
    WebDriverWait(contributor, 10).until(lambda d: d.find_element(By.ID, "conflict").is_displayed())
    rows = {r.get_attribute("data-key"): r for r in contributor.find_elements(By.CSS_SELECTOR, "#conflict-rows tr")}
    assert set(rows) == {"variants", "ipa"}
    shot(contributor, "editor-conflict", 360)
    rows["ipa"].find_element(By.CSS_SELECTOR, "input[value=theirs]").click()  # keep the other's IPA, and my variant
    contributor.find_element(By.ID, "resolve").click()
    WebDriverWait(contributor, 10).until(lambda d: "luu=3" in d.current_url)
    stored = HTTP.get(f"{site}/v1/entries/{entry_id}", headers={"Authorization": f"Bearer {tokens['le.b']}"}).json()
    assert (stored["variants"], stored["ipa"]) == (["vài đực"], "vaːj˧˩")


def test_history_compares_two_revisions_and_an_editor_reverts(desk, editor):
    from selenium.webdriver.common.by import By

    site, tokens = desk
    auth = {"Authorization": f"Bearer {tokens['le.b']}"}
    author = {"Authorization": f"Bearer {tokens['hoang.a']}"}  # four eyes: one writes, the other publishes
    entry_id = HTTP.post(f"{site}/v1/entries", headers=author, json=NEW).json()["id"]
    for status, who in (("review", author), ("published", auth)):
        HTTP.post(f"{site}/v1/entries/{entry_id}/status", headers=who, json={"status": status})
    etag = HTTP.get(f"{site}/v1/entries/{entry_id}", headers=author).headers["ETag"]
    assert HTTP.put(f"{site}/v1/entries/{entry_id}", headers={**author, "If-Match": etag},
                    json={**NEW, "senses": [{"glosses": {"vie": ["trâu", "trâu nước"]}}]}).status_code == 200
    for status, who in (("review", author), ("published", auth)):
        assert HTTP.post(f"{site}/v1/entries/{entry_id}/status", headers=who, json={"status": status}).status_code == 200
    editor.get(f"{site}/e/{entry_id}/lich-su?a=3&b=6")
    assert "trâu nước" in editor.find_element(By.CSS_SELECTOR, "table.diff").text
    shot(editor, "desk-history", 1280)
    editor.find_element(By.CSS_SELECTOR, "#rev-3 button").click()
    assert "Khôi phục phiên bản 3" in editor.find_element(By.ID, "rev-7").text
    assert "trâu nước" not in HTTP.get(f"{site}/v1/entries/{entry_id}").text


def test_a_readers_suggestion_reaches_the_editors_queue_as_text(desk, editor):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    site, _ = desk
    entry_id = HTTP.get(f"{site}/v1/search", params={"q": "vài", "from": "tyz"}).json()["results"][0]["id"]
    reader = chromium()
    try:
        reader.set_window_size(360, 800)
        reader.get(f"{site}/e/{entry_id}")
        reader.find_element(By.ID, "suggest-text").send_keys("<script>window.injected = 1</script> còn thiếu nghĩa")
        reader.find_element(By.CSS_SELECTOR, "#gop-y button[type=submit]").click()
        assert "Cảm ơn bạn" in reader.find_element(By.CSS_SELECTOR, "#gop-y .notice").text
        shot(reader, "suggest", 360)
    finally:
        reader.quit()
    editor.get(f"{site}/gop-y")
    text = editor.find_element(By.CSS_SELECTOR, ".suggestion .text").text
    assert text == "<script>window.injected = 1</script> còn thiếu nghĩa"
    assert editor.execute_script("return window.injected") is None
    editor.find_element(By.CSS_SELECTOR, ".suggestion button[value=dismissed]").click()
    WebDriverWait(editor, 10).until(lambda d: "Không có góp ý nào đang chờ" in d.page_source)


def test_a_form_without_its_csrf_token_is_refused(desk):
    site, _ = desk
    entry_id = HTTP.get(f"{site}/v1/search", params={"q": "nặm", "from": "tyz"}).json()["results"][0]["id"]
    forged = HTTP.post(f"{site}/e/{entry_id}/gop-y", data={"text": "giả mạo"})
    assert forged.status_code == 403 and "Biểu mẫu đã hết hạn" in forged.text
    # a token that is not the one of this browser's cookie
    http = checked_http(timeout=30)
    page = http.get(f"{site}/dang-nhap")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    http.cookies.set("tudien_csrf", "khac")
    other = http.post(f"{site}/dang-nhap", data={"name": "le.b", "password": PASSWORDS["le.b"], "csrf": token})
    assert other.status_code == 403 and "tudien_session" not in other.headers.get("set-cookie", "")


def test_failed_sign_ins_pause_and_say_nothing_about_the_name(desk):
    site, _ = desk
    http = checked_http(timeout=30)
    http.headers["X-Forwarded-For"] = "10.9.0.1"  # an address of its own (loopback is a trusted proxy)
    page = http.get(f"{site}/dang-nhap")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)

    def attempt(name, password):
        return http.post(f"{site}/dang-nhap", data={"name": name, "password": password, "csrf": token},
                         follow_redirects=False)

    unknown, wrong = attempt("khong-co-ai", "sai-mat-khau"), attempt("hoang.a", "sai-mat-khau")
    assert unknown.status_code == wrong.status_code == 401
    said = [re.search(r'role="alert">([^<]+)', a.text).group(1) for a in (unknown, wrong)]
    assert said[0] == said[1] == "Tên đăng nhập hoặc mật khẩu không đúng."
    for i in range(18):  # twenty failures from one address (for any names) pause it
        assert attempt(f"khong-co-ai-{i}", "sai-mat-khau").status_code == 401
    paused = attempt("hoang.a", PASSWORDS["hoang.a"])  # the right password, during the pause
    assert paused.status_code == 429 and int(paused.headers["Retry-After"]) > 60
    assert "xin chờ khoảng 15 phút" in paused.text
    cookie = paused.headers.get("set-cookie", "")
    assert "tudien_session" not in cookie


def test_the_entry_page_records_too_and_a_headword_with_markup_stays_text(desk, contributor):
    """A signed-in contributor of the language records from the public entry page as well; a
    headword holding markup is shown as the text it is, on the entry page and in the queue."""
    import time

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    site, tokens = desk
    auth = {"Authorization": f"Bearer {tokens['le.b']}"}
    author = {"Authorization": f"Bearer {tokens['hoang.a']}"}  # four eyes: one writes, the other publishes
    marked = "vài<script>window.injected = 2</script>"
    entry_id = HTTP.post(f"{site}/v1/entries", headers=author, json={**NEW, "headword": marked}).json()["id"]
    for status, who in (("review", author), ("published", auth)):
        HTTP.post(f"{site}/v1/entries/{entry_id}/status", headers=who, json={"status": status})
    c = contributor
    c.set_window_size(360, 800)
    c.get(f"{site}/e/{entry_id}")
    assert c.find_element(By.TAG_NAME, "h1").text == marked
    assert c.execute_script("return window.injected") is None
    c.find_element(By.ID, "rec-start").click()
    WebDriverWait(c, 10).until(lambda d: "Đang ghi âm" in d.find_element(By.ID, "rec-status").text)
    time.sleep(1.2)
    c.find_element(By.ID, "rec-stop").click()
    WebDriverWait(c, 10).until(lambda d: d.find_element(By.ID, "rec-upload").is_enabled())
    c.find_element(By.ID, "rec-upload").click()
    WebDriverWait(c, 20).until(lambda d: d.find_element(By.ID, "rec-status").get_attribute("data-clip"))
    shot(c, "entry-record", 360)
    clips = HTTP.get(f"{site}/v1/entries/{entry_id}/audio").json()["audio"]
    assert [a["kind"] for a in clips][:1] == ["recording"] and clips[0]["speaker"] == "hoang.a"
    # the public sees no recorder
    assert 'id="record"' not in HTTP.get(f"{site}/e/{entry_id}").text
