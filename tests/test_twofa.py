"""Two-factor sign-in (TOTP, RFC 6238) on the pages, in process over a real store: enrolment from
the account page with a QR code made by the server and a first code computed by pyotp from the
secret the page shows; the second step at sign-in, limited as passwords are; recovery codes that
work once; who must have it (admins; editors too with TUDIEN_2FA=editors), sent to enrol before
anything else; an admin's reset from the command line; the hook for accounts whose provider
checks the factor; every event in the audit log.  The accounts' clock is moved by the tests, so
that a code of the next 30 seconds is not waited for."""

from __future__ import annotations

import base64
import re
import time
from urllib.parse import unquote

import pyotp
import pytest
from support import Library, enrol_second_factor, form_token, page_sign_in

from dictionary.editorial.policy import Policy
from dictionary.errors import NotSignedIn, TooManySignIns, WrongCode
from tudien.cli import main
from tudien.settings import Settings

PASSWORDS = {"tran.q": "quan-tri-vien-tu-dien", "le.b": "mat-khau-bien-tap", "hoang.a": "mat-khau-cong-tac"}
SITE = "http://testserver"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _library(folder, policy: Policy | None = None) -> tuple[Library, Clock]:
    lib = Library(folder, sign_in=policy)
    clock = Clock()
    lib.services.accounts.clock = clock
    for name, role in (("tran.q", "admin"), ("le.b", "editor"), ("hoang.a", "contributor")):
        lib.services.accounts.add(name, role, "*" if role == "admin" else "tyz", password=PASSWORDS[name])
    return lib, clock


@pytest.fixture
def world(tmp_path):
    lib, clock = _library(tmp_path / "data")
    yield lib, clock, lib.client()
    lib.close()


def audit(lib: Library, action: str) -> list[dict]:
    return [r for r in lib.services.audit.records() if r["action"] == action]


def code_step(http, code: str):
    page = http.get(f"{SITE}/dang-nhap/ma")
    return http.post(f"{SITE}/dang-nhap/ma", data={"code": code, "csrf": form_token(page.text), "next": "/duyet"},
                     follow_redirects=False)


def test_an_admin_is_sent_to_enrol_before_anything_else_and_enrols_with_a_qr_code(world):
    lib, clock, http = world
    answer = page_sign_in(http, SITE, "tran.q", PASSWORDS["tran.q"])
    assert answer.status_code == 303 and answer.headers["location"].startswith("/tai-khoan/xac-thuc-hai-lop")
    # before enrolling, nothing else: every desk page sends it back to the sign-in, which sends it to enrol
    assert http.get(f"{SITE}/duyet", follow_redirects=False).headers["location"].startswith("/dang-nhap")
    assert http.get(f"{SITE}/dang-nhap", follow_redirects=False).headers["location"].startswith(
        "/tai-khoan/xac-thuc-hai-lop")
    assert http.get(f"{SITE}/tai-khoan", follow_redirects=False).headers["location"].startswith(
        "/tai-khoan/xac-thuc-hai-lop")
    page = http.get(f"{SITE}/tai-khoan/xac-thuc-hai-lop")
    assert "bắt buộc phải có xác thực hai lớp" in page.text
    # the QR code is made here: an SVG in the page itself, no image fetched from anywhere
    qr = re.search(r'<img id="qr" src="data:image/svg\+xml;charset=utf-8,([^"]+)"', page.text)
    assert qr and unquote(qr.group(1)).startswith("<svg")
    secret = re.search(r'<code id="secret">([A-Z2-7]+)</code>', page.text).group(1)
    assert len(base64.b32decode(secret)) == 20  # 160 bits
    # the page shows the same secret until it is confirmed
    assert secret in http.get(f"{SITE}/tai-khoan/xac-thuc-hai-lop").text
    wrong = http.post(f"{SITE}/tai-khoan/xac-thuc-hai-lop",
                      data={"code": "000000", "csrf": form_token(page.text), "next": "/duyet"})
    assert wrong.status_code == 401 and "Mã xác thực không đúng" in wrong.text
    shown, codes = enrol_second_factor(http, SITE, at=clock())
    assert shown == secret and len(codes) == 10 and len(set(codes)) == 10
    assert http.get(f"{SITE}/duyet", follow_redirects=False).status_code == 200  # signed in now
    account = http.get(f"{SITE}/tai-khoan")
    assert "Đã bật" in account.text and "còn 10 mã khôi phục" in account.text
    # kept: the secret as is, the recovery codes only as digests
    row = lib.store.accounts.account("tran.q")
    assert row["totp_secret"] == secret and row["totp_pending"] is None
    stored = lib.store.core.rows("SELECT digest FROM recovery_codes WHERE account = 'tran.q'")
    assert len(stored) == 10 and not any(c.replace("-", "") in str(stored) for c in codes)
    assert [r["target"] for r in audit(lib, "2fa.enrol")] == ["tran.q"]
    assert http.get(f"{SITE}/tai-khoan/xac-thuc-hai-lop", follow_redirects=False).headers["location"] == "/tai-khoan"


def _enrolled_admin(lib, clock, http) -> tuple[str, list[str]]:
    page_sign_in(http, SITE, "tran.q", PASSWORDS["tran.q"])
    secret, codes = enrol_second_factor(http, SITE, at=clock())
    http.post(f"{SITE}/dang-xuat", data={"csrf": form_token(http.get(f"{SITE}/duyet").text)})
    clock.now += 30  # the next code
    return secret, codes


def test_the_second_step_takes_a_code_once_and_a_recovery_code_once(world):
    lib, clock, http = world
    secret, codes = _enrolled_admin(lib, clock, http)
    answer = page_sign_in(http, SITE, "tran.q", PASSWORDS["tran.q"])
    assert answer.headers["location"] == "/dang-nhap/ma?next=/duyet"
    assert http.get(f"{SITE}/duyet", follow_redirects=False).headers["location"].startswith("/dang-nhap")
    code = pyotp.TOTP(secret).at(clock())
    done = code_step(http, code)
    assert done.status_code == 303 and done.headers["location"] == "/duyet"
    assert http.get(f"{SITE}/duyet", follow_redirects=False).status_code == 200
    # the same code again (a code seen over a shoulder) does not sign in a second browser
    other = lib.client()
    page_sign_in(other, SITE, "tran.q", PASSWORDS["tran.q"])
    refused = code_step(other, code)
    assert refused.status_code == 401 and "Mã xác thực không đúng" in refused.text
    # a recovery code, as typed (lower case, spaces), works once
    typed = codes[0].lower().replace("-", " ")
    assert code_step(other, typed).status_code == 303
    third = lib.client()
    page_sign_in(third, SITE, "tran.q", PASSWORDS["tran.q"])
    assert code_step(third, codes[0]).status_code == 401
    assert "còn 9 mã khôi phục" in other.get(f"{SITE}/tai-khoan").text
    assert [r["detail"] for r in audit(lib, "2fa.recovery")] == ['{"left":9}']
    assert len(audit(lib, "2fa.success")) == 1 and len(audit(lib, "2fa.failed")) == 2


def test_wrong_codes_are_limited_as_passwords_are(world):
    lib, clock, http = world
    secret, _ = _enrolled_admin(lib, clock, http)
    page_sign_in(http, SITE, "tran.q", PASSWORDS["tran.q"])
    for _ in range(3):
        assert code_step(http, "123456").status_code == 401
    paused = code_step(http, pyotp.TOTP(secret).at(clock()))  # right, but paused: a guesser learns nothing
    assert paused.status_code == 429 and int(paused.headers["retry-after"]) > 0
    assert "quá nhiều lần" in paused.text
    clock.now += 31
    assert code_step(http, pyotp.TOTP(secret).at(clock())).status_code == 303
    # from many addresses at once: CODE_FAILURES for the account pause its second step everywhere
    accounts = lib.services.accounts
    clock.now += 60
    for n in range(10):
        _, token = accounts.sign_in("tran.q", PASSWORDS["tran.q"], f"10.0.0.{n}")
        with pytest.raises(WrongCode):
            accounts.second_step(token, "654321", f"10.0.0.{n}")
    _, token = accounts.sign_in("tran.q", PASSWORDS["tran.q"], "10.0.1.1")
    with pytest.raises(TooManySignIns):
        accounts.second_step(token, pyotp.TOTP(secret).at(clock()), "10.0.1.1")


def test_editors_must_enrol_when_the_setting_says_so(tmp_path):
    assert Settings.from_env({"TUDIEN_2FA": "editors"}).sign_in.second_factor == "editors"
    lib, clock = _library(tmp_path / "data", Policy(second_factor="editors"))
    try:
        editor, contributor = lib.client(), lib.client()
        assert page_sign_in(editor, SITE, "le.b", PASSWORDS["le.b"]).headers["location"].startswith(
            "/tai-khoan/xac-thuc-hai-lop")
        assert page_sign_in(contributor, SITE, "hoang.a", PASSWORDS["hoang.a"]).headers["location"] == "/duyet"
        # a contributor may enrol of their own accord, and is then asked for the code too
        enrol_second_factor(contributor, SITE, at=clock())
        clock.now += 30
        assert page_sign_in(lib.client(), SITE, "hoang.a", PASSWORDS["hoang.a"]).headers["location"].startswith(
            "/dang-nhap/ma")
    finally:
        lib.close()
    # by default editors need not
    lib, clock = _library(tmp_path / "other", Policy())
    try:
        assert page_sign_in(lib.client(), SITE, "le.b", PASSWORDS["le.b"]).headers["location"] == "/duyet"
    finally:
        lib.close()


def test_a_session_of_before_the_rule_waits_for_enrolment(world):
    lib, clock, http = world
    accounts = lib.services.accounts
    _, token = accounts.sign_in("le.b", PASSWORDS["le.b"], "10.0.0.1")
    assert accounts.by_session(token).name == "le.b"
    lib.store.accounts.update_account("le.b", role="admin", languages="*")  # now an admin, not enrolled
    assert accounts.by_session(token) is None and accounts.pending(token)[1] == "enrol"


def test_an_admin_resets_a_lost_factor_from_the_command_line(world, capsys):
    lib, clock, http = world
    _enrolled_admin(lib, clock, http)
    page_sign_in(http, SITE, "tran.q", PASSWORDS["tran.q"])
    env = {"TUDIEN_DATA_DIR": str(lib.settings.data_dir)}
    assert main(["users", "2fa-reset", "tran.q"], env) == 0
    assert "second factor of 'tran.q' removed" in capsys.readouterr().out
    [reset] = audit(lib, "2fa.reset")
    assert reset["actor"].startswith("cli") and reset["target"] == "tran.q"
    assert lib.store.core.rows("SELECT * FROM recovery_codes WHERE account = 'tran.q'") == []
    assert lib.services.accounts.pending(None) is None
    again = page_sign_in(lib.client(), SITE, "tran.q", PASSWORDS["tran.q"])
    assert again.headers["location"].startswith("/tai-khoan/xac-thuc-hai-lop")  # enrols again
    assert main(["users", "2fa-reset", "khong.co"], env) == 1
    assert "Không có tài khoản" in capsys.readouterr().err
    assert main(["users", "list"], env) == 0
    assert re.search(r"tran\.q\s+admin\s+\*\s+yes\s+no\s+active", capsys.readouterr().out)


def test_an_account_of_an_identity_provider_skips_the_local_factor(world):
    lib, clock, http = world
    accounts = lib.services.accounts
    with pytest.raises(NotSignedIn):  # a local account: only a password and its factor sign it in
        accounts.start_session("tran.q", "10.0.0.1")
    accounts.set_external("tran.q", actor="oidc")
    assert [r["actor"] for r in audit(lib, "account.external")] == ["oidc"]
    token = accounts.start_session("tran.q", "10.0.0.1", "Firefox trên Linux")
    assert accounts.by_session(token).external and accounts.pending(token) is None
    assert accounts.two_factor.status("tran.q")["external"]
    # its provider checks who it is and its second factor: a password kept here no longer signs it
    # in (that would skip both), even the right one
    refused = page_sign_in(http, SITE, "tran.q", PASSWORDS["tran.q"])
    assert refused.status_code == 422 and "tài khoản cơ quan" in refused.text
