"""Sessions of the pages and the rules of passwords, over a real store: a session ends after
TUDIEN_SESSION_IDLE without use and after TUDIEN_SESSION_MAX however used (its last use written
at most once a minute); a person sees their own sessions (when, and a coarse description of the
browser) and ends any of them; an admin ends anyone's, from a page or the command line; every
ending is audited with who did it.  New passwords: at least 12 characters, not a common one.
The whole enrolment is also driven in Chromium against a real server, with a code computed by
pyotp from the secret the page shows.  The second factor's store steps run on PostgreSQL too."""

from __future__ import annotations

import io
import os
import re
import time

import pyotp
import pytest
from support import Library, form_token, page_sign_in, start_server

from dictionary.editorial.policy import Policy
from dictionary.errors import ConfigurationError, InvalidAccount, WrongCode
from tudien.cli import main
from tudien.settings import Settings

SITE = "http://testserver"
PASSWORD = "mat-khau-bien-tap"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/126.0 Mobile Safari/537.36")


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world(tmp_path):
    lib = Library(tmp_path / "data")
    clock = Clock()
    lib.services.accounts.clock = clock
    lib.services.accounts.add("le.b", "editor", "tyz", password=PASSWORD)
    lib.services.accounts.add("hoang.a", "contributor", "tyz", password="mat-khau-cong-tac")
    yield lib, clock
    lib.close()


def last_used(lib, token_handle: str) -> str:
    return lib.store.core.rows("SELECT last_used FROM sessions WHERE handle = ?", (token_handle,))[0]["last_used"]


def test_a_session_ends_when_idle_and_at_its_longest(world):
    lib, clock = world
    accounts = lib.services.accounts
    _, token = accounts.sign_in("le.b", PASSWORD, "10.0.0.1")
    handle = accounts.handle_of(token)
    first = last_used(lib, handle)
    clock.now += 50
    assert accounts.by_session(token).name == "le.b"
    assert last_used(lib, handle) == first  # not written again within the minute
    clock.now += 29 * 60  # 29 min 50 s after the last written use
    assert accounts.by_session(token) is not None
    assert last_used(lib, handle) > first  # now written
    clock.now += 30 * 60 + 1  # idle for longer than 30 minutes
    assert accounts.by_session(token) is None
    # used every 20 minutes, a session still ends after 12 hours
    _, token = accounts.sign_in("le.b", PASSWORD, "10.0.0.1")
    start = clock.now
    while clock.now < start + 12 * 3600 - 20 * 60:
        clock.now += 20 * 60
        assert accounts.by_session(token) is not None, clock.now - start
    clock.now = start + 12 * 3600 + 1
    assert accounts.by_session(token) is None


def test_the_settings_of_sessions():
    assert Settings.from_env({}).sign_in == Policy(30 * 60, 12 * 3600, "admins")
    chosen = Settings.from_env({"TUDIEN_SESSION_IDLE": "15", "TUDIEN_SESSION_MAX": "8h"}).sign_in
    assert (chosen.idle, chosen.longest) == (15 * 60, 8 * 3600)
    assert Settings.from_env({"TUDIEN_SESSION_IDLE": "90s"}).sign_in.idle == 90
    for env in ({"TUDIEN_SESSION_IDLE": "nửa giờ"}, {"TUDIEN_SESSION_MAX": "30d"}, {"TUDIEN_2FA": "ai"}):
        with pytest.raises(ConfigurationError):
            Settings.from_env(env)


def test_a_person_sees_and_ends_their_own_sessions(world):
    lib, clock = world
    laptop, phone, other = lib.client(), lib.client(), lib.client()
    laptop.headers["user-agent"] = FIREFOX
    phone.headers["user-agent"] = CHROME_ANDROID
    for http in (laptop, phone):
        assert page_sign_in(http, SITE, "le.b", PASSWORD).status_code == 303
    page_sign_in(other, SITE, "hoang.a", "mat-khau-cong-tac")
    page = laptop.get(f"{SITE}/tai-khoan")
    assert "Firefox trên Linux</strong> (phiên này)" in page.text and "Chrome trên Android" in page.text
    assert "128.0" not in page.text and "testclient" not in page.text  # nothing finer kept or shown
    assert "sau 30 phút không dùng, và sau 12 giờ kể từ khi đăng nhập" in page.text
    rows = lib.services.accounts.sessions("le.b")
    assert {r["agent"] for r in rows} == {"Firefox trên Linux", "Chrome trên Android"}
    phone_handle = next(r["handle"] for r in rows if r["agent"].startswith("Chrome"))
    theirs = lib.services.accounts.sessions("hoang.a")[0]["handle"]
    # someone else's session is none of theirs: refused, nothing ended
    refused = laptop.post(f"{SITE}/tai-khoan/phien/{theirs}", data={"csrf": form_token(page.text)})
    assert refused.status_code == 404
    assert other.get(f"{SITE}/duyet", follow_redirects=False).status_code == 200
    # without the form's token, nothing either
    assert laptop.post(f"{SITE}/tai-khoan/phien/{phone_handle}", data={"csrf": "x"}).status_code == 403
    ended = laptop.post(f"{SITE}/tai-khoan/phien/{phone_handle}", data={"csrf": form_token(page.text)},
                        follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"] == "/tai-khoan?ended=1"
    assert phone.get(f"{SITE}/duyet", follow_redirects=False).headers["location"].startswith("/dang-nhap")
    assert laptop.get(f"{SITE}/duyet", follow_redirects=False).status_code == 200
    [record] = [r for r in lib.services.audit.records() if r["action"] == "session.end"]
    assert (record["actor"], record["target"]) == ("le.b", "le.b")
    # ending its own: signed out
    mine = lib.services.accounts.handle_of(laptop.cookies.get("tudien_session"))
    page = laptop.get(f"{SITE}/tai-khoan")
    out = laptop.post(f"{SITE}/tai-khoan/phien/{mine}", data={"csrf": form_token(page.text)}, follow_redirects=False)
    assert out.headers["location"] == "/" and laptop.get(f"{SITE}/duyet", follow_redirects=False).status_code == 303


def test_an_admin_ends_anyones_session_from_the_page_and_the_command_line(world, capsys):
    lib, clock = world
    accounts = lib.services.accounts
    accounts.add("tran.q", "admin", "*", password="quan-tri-vien-tu-dien")
    admin, editor = lib.client(), lib.client()
    page_sign_in(admin, SITE, "tran.q", "quan-tri-vien-tu-dien")
    page = admin.get(f"{SITE}/tai-khoan/xac-thuc-hai-lop")
    secret = re.search(r'<code id="secret">([A-Z2-7]+)</code>', page.text).group(1)
    admin.post(f"{SITE}/tai-khoan/xac-thuc-hai-lop", data={"code": pyotp.TOTP(secret).at(clock()),
                                                            "csrf": form_token(page.text)})
    page_sign_in(editor, SITE, "le.b", PASSWORD)
    assert editor.get(f"{SITE}/quan-tri/phien").status_code == 403  # an editor sees no one else's
    listing = admin.get(f"{SITE}/quan-tri/phien")
    handle = accounts.sessions("le.b")[0]["handle"]
    assert f'id="p-{handle}"' in listing.text and '<bdi class="account">le.b</bdi>' in listing.text
    done = admin.post(f"{SITE}/quan-tri/phien/{handle}", data={"csrf": form_token(listing.text)},
                      follow_redirects=False)
    assert done.headers["location"] == "/quan-tri/phien?ended=1"
    assert editor.get(f"{SITE}/duyet", follow_redirects=False).status_code == 303
    assert admin.post(f"{SITE}/quan-tri/phien/{handle}", data={"csrf": form_token(listing.text)}).status_code == 404
    # the command line: list, end one, end all
    env = {"TUDIEN_DATA_DIR": str(lib.settings.data_dir)}
    for _ in range(2):
        page_sign_in(lib.client(), SITE, "le.b", PASSWORD)
    handles = [s["handle"] for s in accounts.sessions("le.b")]
    assert main(["users", "sessions", "le.b"], env) == 0
    out = capsys.readouterr().out
    assert all(h in out for h in handles) and out.splitlines()[0].split() == ["handle", "started", "last", "used",
                                                                             "browser"]
    assert main(["users", "sessions", "le.b", "--end", handles[0]], env) == 0
    assert main(["users", "sessions", "le.b", "--end", handles[0]], env) == 1
    assert "Không có phiên đăng nhập nào" in capsys.readouterr().err
    assert main(["users", "sessions", "le.b", "--end", "all"], env) == 0
    assert accounts.sessions("le.b") == []
    ends = [r for r in lib.services.audit.records() if r["action"] == "session.end"]
    assert ends[0]["actor"] == "tran.q" and all(r["actor"].startswith("cli") for r in ends[1:]) and len(ends) == 3


def test_passwords_need_twelve_characters_and_not_a_common_one(world, capsys, monkeypatch):
    lib, _ = world
    accounts = lib.services.accounts
    for short in ("ngan-qua", "mật khẩu"):
        with pytest.raises(InvalidAccount, match="cần ít nhất 12 ký tự"):
            accounts.set_password("le.b", short)
    for common in ("1qaz2wsx3edc", "SonyEricsson", "passwordpassword", "aaaaaaaaaaaaaa"):
        with pytest.raises(InvalidAccount, match="mật khẩu phổ biến"):
            accounts.add("vang.c", "contributor", "tyz", password=common)
    assert accounts.list()[-1]["name"] != "vang.c"  # nothing made
    accounts.set_password("le.b", "trâu đi cày ruộng bậc thang")  # a short sentence is a good one
    assert accounts.by_password("le.b", "trâu đi cày ruộng bậc thang").name == "le.b"
    env = {"TUDIEN_DATA_DIR": str(lib.settings.data_dir)}
    monkeypatch.setattr("sys.stdin", io.StringIO("qwerty123456\n"))
    assert main(["users", "password", "le.b"], env) == 1
    assert "mật khẩu phổ biến" in capsys.readouterr().err


def test_the_second_factors_store_steps(tmp_path, store_kind):
    """Migration 13's tables and columns on each store: enrol, a code once, a recovery code once."""
    lib = Library(tmp_path / "data", database_url=store_kind)
    try:
        clock = Clock()
        accounts = lib.services.accounts
        accounts.clock = clock
        accounts.add("tran.q", "admin", "*", password="quan-tri-vien-tu-dien")
        _, token = accounts.sign_in("tran.q", "quan-tri-vien-tu-dien", "10.0.0.1", agent="Firefox trên Linux")
        assert accounts.pending(token)[1] == "enrol" and accounts.by_session(token) is None
        secret, _ = accounts.two_factor.begin("tran.q")
        codes, token = accounts.enrol(token, pyotp.TOTP(secret).at(clock()), "10.0.0.1")
        assert accounts.by_session(token).name == "tran.q" and len(codes) == 10
        clock.now += 30
        _, pending = accounts.sign_in("tran.q", "quan-tri-vien-tu-dien", "10.0.0.1")
        code = pyotp.TOTP(secret).at(clock())
        assert accounts.by_session(accounts.second_step(pending, code, "10.0.0.1")).name == "tran.q"
        _, again = accounts.sign_in("tran.q", "quan-tri-vien-tu-dien", "10.0.0.2")
        with pytest.raises(WrongCode):
            accounts.second_step(again, code, "10.0.0.2")
        assert accounts.by_session(accounts.second_step(again, codes[3], "10.0.0.2")) is not None
        _, third = accounts.sign_in("tran.q", "quan-tri-vien-tu-dien", "10.0.0.3")
        with pytest.raises(WrongCode):
            accounts.second_step(third, codes[3], "10.0.0.3")
        assert {s["agent"] for s in accounts.sessions("tran.q")} == {"Firefox trên Linux", None}
        accounts.two_factor.reset("tran.q", actor="cli:root")
        assert accounts.sessions("tran.q") == [] and not accounts.two_factor.status("tran.q")["enrolled"]
    finally:
        lib.close()


# -- in Chromium, against a real server ---------------------------------------------------------------

@pytest.mark.server
def test_enrolment_in_a_real_browser(tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from test_browser import chromium, shot

    folder = tmp_path / "data"
    lib = Library(folder)
    lib.index()
    lib.services.accounts.add("tran.q", "admin", "*", password="quan-tri-vien-tu-dien")
    lib.close()
    server, port = start_server({**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_TTS_ENGINES": "espeak-ng"})
    driver = chromium()
    try:
        site = f"http://127.0.0.1:{port}"
        driver.get(f"{site}/dang-nhap")
        driver.find_element(By.ID, "name").send_keys("tran.q")
        driver.find_element(By.ID, "password").send_keys("quan-tri-vien-tu-dien")
        driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
        WebDriverWait(driver, 15).until(lambda d: "/tai-khoan/xac-thuc-hai-lop" in d.current_url)
        qr = driver.find_element(By.ID, "qr")
        assert driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth", qr) > 100
        shot(driver, "enrol", 360)
        secret = driver.find_element(By.ID, "secret").text
        driver.find_element(By.ID, "code").send_keys(pyotp.TOTP(secret).now())
        driver.find_element(By.CSS_SELECTOR, "form.stack button[type=submit]").click()
        WebDriverWait(driver, 15).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#recovery-codes li")) == 10)
        shot(driver, "enrol-codes", 360)
        codes = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#recovery-codes li")]
        assert len(codes) == 10 and all(re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", c) for c in codes)
        driver.find_element(By.ID, "continue").click()
        driver.get(f"{site}/tai-khoan")
        assert "Đã bật" in driver.find_element(By.ID, "factor").text
        assert "(phiên này)" in driver.find_element(By.CSS_SELECTOR, "ul.sessions").text
        assert "Chrome" in driver.find_element(By.CSS_SELECTOR, "ul.sessions").text
        for width in (360, 1280):
            shot(driver, "account", width)
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=15)
