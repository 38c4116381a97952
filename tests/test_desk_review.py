"""The desk as editors use it, in a real browser (headless Chromium) against a real server, at
360 and 1280 pixels with a screenshot of each page in ``test-artifacts/``: nothing typed is lost
(unsaved edits are saved before sending, leaving them warns, the page says what was sent);
review and history in Vietnamese (field names, sense by sense, Vietnam's time, the author's
note, a status move shown as a move of the same version); four eyes on publication; an
authority refused without its reference, named in Vietnamese; a reader's suggestion beside the
editor, closed when the edit is saved; the signed-in menu on a phone."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta

import pytest
from support import Library, checked_http, start_server
from test_browser import chromium, shot

from corpora.sample import load_sample

HTTP = checked_http(timeout=30)
pytestmark = pytest.mark.server
PASSWORDS = {"hoang.a": "mat-khau-cong-tac", "le.b": "mat-khau-bien-tap", "pham.d": "mat-khau-bien-tap-2"}
ROLES = {"hoang.a": "contributor", "le.b": "editor", "pham.d": "editor"}
NEW = {"language": "tyz", "headword": "vài", "senses": [{"glosses": {"vie": ["trâu"]}}], "comment": "ghi ở Cao Bằng"}
WIDTHS = (360, 1280)
WHEN = re.compile(r"(\d\d):(\d\d) ngày (\d\d)/(\d\d)/(\d{4})")


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    folder = tmp_path_factory.mktemp("desk-review") / "data"
    lib = Library(folder)
    load_sample(lib.services.collection)
    lib.index()
    tokens = {name: lib.services.accounts.add(name, role, "tyz", password=PASSWORDS[name])
              for name, role in ROLES.items()}
    env = {**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_TTS_ENGINES": "espeak-ng"}
    server, port = start_server(env)
    yield f"http://127.0.0.1:{port}", {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}
    server.terminate()
    server.wait(timeout=15)


@pytest.fixture(scope="module")
def browsers():
    drivers: dict[str, object] = {}

    def signed_in(name: str, site: str):
        if name not in drivers:
            from selenium.webdriver.common.by import By
            from selenium.webdriver.support.ui import WebDriverWait

            driver = chromium()
            driver.get(f"{site}/dang-nhap?next=/duyet")
            driver.find_element(By.ID, "name").send_keys(name)
            driver.find_element(By.ID, "password").send_keys(PASSWORDS[name])
            driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
            WebDriverWait(driver, 10).until(lambda d: d.current_url == f"{site}/duyet")
            drivers[name] = driver
        return drivers[name]

    yield signed_in
    for driver in drivers.values():
        driver.quit()


def _entry(site: str, who: dict, **more) -> str:
    made = HTTP.post(f"{site}/v1/entries", headers=who, json={**NEW, **more})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def _vietnam_time(shown: str) -> datetime:
    hour, minute, day, month, year = map(int, WHEN.search(shown).groups())
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


@pytest.mark.parametrize("width", WIDTHS)
def test_unsaved_edits_are_saved_before_sending_and_leaving_them_warns(desk, browsers, width):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    site, who = desk
    entry_id = _entry(site, who["hoang.a"])
    c = browsers("hoang.a", site)
    c.set_window_size(width, 900)
    c.get(f"{site}/e/{entry_id}/sua")
    leave = "const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented"
    assert c.execute_script(leave) is False  # nothing typed yet: leaving is quiet
    c.find_element(By.CSS_SELECTOR, "fieldset.sense .s-vie").send_keys("\ntrâu cày")
    c.find_element(By.ID, "f-comment").send_keys("thêm nghĩa trâu cày")
    assert c.find_element(By.ID, "unsaved").is_displayed()
    assert c.execute_script(leave) is True  # leaving now asks first
    shot(c, "editor-unsaved", width)
    c.find_element(By.ID, "send-review").click()  # without saving first
    WebDriverWait(c, 15).until(lambda d: "/duyet?gui=" in d.current_url)
    said = c.find_element(By.ID, "sent").text
    assert said.startswith("Đã gửi «vài» để duyệt")
    stored = HTTP.get(f"{site}/v1/entries/{entry_id}", headers=who["hoang.a"]).json()
    assert stored["status"] == "review" and stored["senses"][0]["glosses"]["vie"] == ["trâu", "trâu cày"]
    history = HTTP.get(f"{site}/v1/entries/{entry_id}/history", headers=who["hoang.a"]).json()["revisions"]
    assert [(r["status"], r["comment"]) for r in history][-2:] == [("draft", "thêm nghĩa trâu cày"), ("review", None)]
    shot(c, "desk-sent", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_review_in_vietnamese_and_four_eyes(desk, browsers, width):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    site, who = desk
    entry_id = _entry(site, who["le.b"], comment="theo bản ghi ở Trùng Khánh")
    etag = HTTP.get(f"{site}/v1/entries/{entry_id}", headers=who["le.b"]).headers["ETag"]
    edited = {**NEW, "senses": [{"glosses": {"vie": ["trâu"]}, "definitions": {"vie": "con trâu cày ruộng"}},
                                {"glosses": {"vie": ["trâu nước"]}}], "comment": "thêm giải nghĩa"}
    assert HTTP.put(f"{site}/v1/entries/{entry_id}", headers={**who["le.b"], "If-Match": etag},
                    json=edited).status_code == 200
    assert HTTP.post(f"{site}/v1/entries/{entry_id}/status", headers=who["le.b"],
                     json={"status": "review"}).status_code == 200
    before = datetime.now(UTC).replace(second=0, microsecond=0)

    # the editor who wrote it last sees it waiting, but may not publish it
    own = browsers("le.b", site)
    own.set_window_size(width, 900)
    own.get(f"{site}/duyet")
    card = own.find_element(By.ID, f"r-{entry_id}")
    link = card.find_element(By.CSS_SELECTOR, "h3 a.headword")
    assert link.text == "vài" and link.get_attribute("href").endswith(f"/e/{entry_id}")
    assert "Nghĩa 1" in card.text and "Nghĩa 2" in card.text and "Giải nghĩa: Tiếng Việt: con trâu cày ruộng" in card.text
    assert "senses[" not in card.text and "glosses" not in card.text
    assert "ghi chú cho người duyệt: “thêm giải nghĩa”" in card.text
    shown = _vietnam_time(card.find_element(By.CSS_SELECTOR, ".written time").text)
    assert abs((shown - before).total_seconds()) <= 120  # Vietnam's time, said the Vietnamese way
    publish = card.find_element(By.CSS_SELECTOR, "button[value=published]")
    assert not publish.is_enabled() and "hai người duyệt" in card.find_element(By.CSS_SELECTOR, ".four-eyes").text
    refused = HTTP.post(f"{site}/v1/entries/{entry_id}/status", headers=who["le.b"], json={"status": "published"})
    assert refused.status_code == 403 and "hai người duyệt" in refused.json()["error"]["message"]
    shot(own, "desk-four-eyes", width)

    # another editor of the language publishes it from the queue
    other = browsers("pham.d", site)
    other.set_window_size(width, 900)
    other.get(f"{site}/duyet")
    other.find_element(By.ID, f"r-{entry_id}").find_element(By.CSS_SELECTOR, "button[value=published]").click()
    WebDriverWait(other, 10).until(lambda d: "/duyet?done=" in d.current_url)
    assert not other.find_elements(By.ID, f"r-{entry_id}")
    assert HTTP.get(f"{site}/v1/entries/{entry_id}").json()["status"] == "published"

    # history: the sending and the publishing are moves of version 2, not versions of their own
    other.get(f"{site}/e/{entry_id}/lich-su")
    rows = {r.get_attribute("id"): r for r in other.find_elements(By.CSS_SELECTOR, "table.history tbody tr")}
    assert [rows[f"rev-{n}"].find_element(By.CSS_SELECTOR, ".version").text for n in (1, 2, 3, 4)] == [
        "phiên bản 1", "phiên bản 2", "vẫn phiên bản 2", "vẫn phiên bản 2"]
    assert "chuyển trạng thái: chờ duyệt → đã công bố" in rows["rev-4"].text
    assert "Nghĩa 1 · Giải nghĩa" in rows["rev-2"].text and "senses" not in rows["rev-2"].text
    assert WHEN.search(rows["rev-1"].text)
    shot(other, "desk-history-versions", width)
    # two revisions differing only in their status do not "read the same"
    other.get(f"{site}/e/{entry_id}/lich-su?a=3&b=4")
    compared = other.find_element(By.CSS_SELECTOR, "table.diff").text
    assert "Nội dung như nhau" not in compared and "Trạng thái" in compared and "đã công bố" in compared
    other.get(f"{site}/e/{entry_id}/lich-su?a=1&b=4")
    compared = other.find_element(By.CSS_SELECTOR, "table.diff")
    assert [h.text for h in compared.find_elements(By.CSS_SELECTOR, "tr.sense-head")] == ["Nghĩa 1", "Nghĩa 2"]
    shot(other, "desk-compare", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_authority_needs_its_reference_and_a_refusal_names_the_field_in_vietnamese(desk, browsers, width):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    site, who = desk
    entry_id = _entry(site, who["hoang.a"])
    c = browsers("hoang.a", site)
    c.set_window_size(width, 900)
    c.get(f"{site}/e/{entry_id}/sua")
    c.find_element(By.ID, "f-authority").send_keys("chuẩn")
    c.find_element(By.ID, "save").click()
    note = WebDriverWait(c, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".field-error"))[0]
    assert note.text.startswith("Căn cứ: phải nêu văn bản đã xác định thuật ngữ") and "authority" not in note.text
    shot(c, "editor-authority-refused", width)
    box = c.find_element(By.ID, "f-authority")
    box.clear()
    box.send_keys("Quyết định số 1234/QĐ-UBDT")
    c.find_element(By.ID, "save").click()
    WebDriverWait(c, 10).until(lambda d: "luu=2" in d.current_url)
    assert HTTP.get(f"{site}/v1/entries/{entry_id}", headers=who["hoang.a"]).json()["authority"] == \
        "Quyết định số 1234/QĐ-UBDT"


@pytest.mark.parametrize("width", WIDTHS)
def test_an_accepted_suggestion_sits_beside_the_editor_and_closes_when_the_edit_is_saved(desk, browsers, width):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    site, who = desk
    entry_id = _entry(site, who["hoang.a"])
    for status, by in (("review", "hoang.a"), ("published", "le.b")):
        assert HTTP.post(f"{site}/v1/entries/{entry_id}/status", headers=who[by], json={"status": status}).status_code == 200
    asked = HTTP.post(f"{site}/v1/entries/{entry_id}/suggestions", json={"text": f"thiếu nghĩa «trâu đực» ({width})"})
    number = asked.json()["id"]
    e = browsers("le.b", site)
    e.set_window_size(width, 900)
    e.get(f"{site}/gop-y")
    card = e.find_element(By.ID, f"s-{number}")
    assert WHEN.search(card.text)
    card.find_element(By.CSS_SELECTOR, "button[value=accepted]").click()
    WebDriverWait(e, 10).until(lambda d: f"/e/{entry_id}/sua?gop-y={number}" in d.current_url)
    beside = e.find_element(By.ID, "suggestion")
    assert f"thiếu nghĩa «trâu đực» ({width})" in beside.text
    shot(e, "editor-suggestion", width)
    state = HTTP.get(f"{site}/v1/suggestions", headers=who["le.b"], params={"status": "open"}).json()
    assert number in [s["id"] for s in state["suggestions"]]  # still open: nothing is saved yet
    e.find_element(By.CSS_SELECTOR, "fieldset.sense .s-vie").send_keys("\ntrâu đực")
    e.find_element(By.ID, "save").click()
    WebDriverWait(e, 10).until(lambda d: "luu=" in d.current_url)
    revision = int(e.current_url.split("luu=")[1])
    closed = HTTP.get(f"{site}/v1/suggestions", headers=who["le.b"], params={"status": "accepted"}).json()
    done = next(s for s in closed["suggestions"] if s["id"] == number)
    assert done["resolved_by"] == "le.b" and f"phiên bản {revision}" in done["comment"]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_signed_in_menu_breaks_no_word(desk, browsers, width):
    from selenium.webdriver.common.by import By

    site, _ = desk
    e = browsers("le.b", site)
    e.set_window_size(width, 900)
    e.get(f"{site}/duyet")
    links = e.find_elements(By.CSS_SELECTOR, "nav a, nav button")
    assert "Góp ý" in [a.text for a in links]
    for a in links:  # each item on one line: "Góp ý" never "Góp / ý"
        assert e.execute_script("return arguments[0].getClientRects().length", a) == 1, a.text
        height = e.execute_script("return arguments[0].getBoundingClientRect().height", a)
        line = e.execute_script("return parseFloat(getComputedStyle(arguments[0]).lineHeight) || 24", a)
        assert height <= line * 1.6 + 16, (a.text, height, line)
    shot(e, "desk-menu", width)
