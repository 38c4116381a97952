"""Signing in to the pages, against a real server: what is kept of a name typed there, the pause
after failures (by name and address, so that no one can lock an editor out), and the session and
CSRF token a sign-in gives (replacing the browser's earlier ones; ``__Host-`` cookies over HTTPS).

Addresses are told apart by ``X-Forwarded-For``, which uvicorn takes from a proxy on loopback, as
it does behind the reverse proxy the README describes."""

from __future__ import annotations

import os
import re

import httpx
import pytest
from support import Library, checked_http, start_server

from corpora.sample import load_sample

pytestmark = pytest.mark.server
KEY = "khoa-dang-nhap"
PASSWORDS = {"hoang.a": "mat-khau-cong-tac", "le.b": "mat-khau-bien-tap"}
NEW = {"language": "tyz", "headword": "vài", "senses": [{"glosses": {"vie": ["trâu"]}}]}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("signin") / "data"
    lib = Library(folder)
    load_sample(lib.services.collection)
    lib.index()
    for name, role in (("hoang.a", "contributor"), ("le.b", "editor")):
        lib.services.accounts.add(name, role, "tyz", password=PASSWORDS[name])
    env = {**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_TTS_ENGINES": "espeak-ng", "TUDIEN_API_KEYS": KEY}
    server, port = start_server(env)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=15)


def browser(address: str, **headers) -> httpx.Client:
    """A browser at ``address`` (its own cookies)."""
    http = checked_http(timeout=30, follow_redirects=False)
    http.headers.update({"X-Forwarded-For": address, **headers})
    return http


def form_token(page: httpx.Response) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def sign_in(http: httpx.Client, site: str, name: str, password: str) -> httpx.Response:
    token = form_token(http.get(f"{site}/dang-nhap"))
    return http.post(f"{site}/dang-nhap", data={"name": name, "password": password, "csrf": token})


def audit(site: str) -> list[dict]:
    return checked_http(timeout=30).get(f"{site}/v1/audit", params={"limit": 1000},
                                        headers={"X-API-Key": KEY}).json()["records"]


# -- point 5: what is kept of a name -----------------------------------------------------------------

def test_a_sign_in_name_is_trimmed_capped_and_an_unknown_one_is_never_kept(site):
    http = browser("10.5.0.1")
    huge = "le.b\n\x1b[31m" + "x" * 200_000
    for name, said in ((huge, "dài quá 64 ký tự"), ("le.b\x1b[2J", "ký tự điều khiển"), ("le\u200bb", "ký tự ẩn")):
        refused = sign_in(http, site, name, "mat-khau-sai")
        assert refused.status_code == 422 and said in refused.text
        assert "x" * 100 not in refused.text and "\x1b" not in refused.text
        assert "tudien_session" not in refused.headers.get("set-cookie", "")
    # a password typed into the name field: an unknown name, kept only as its keyed digest
    typed = sign_in(http, site, PASSWORDS["le.b"], PASSWORDS["le.b"])
    assert typed.status_code == 401
    records = audit(site)
    assert not any(PASSWORDS["le.b"] in repr(r) or "xxxxxxxxxx" in repr(r) or "\x1b" in repr(r) for r in records)
    failed = [r for r in records if r["action"] == "session.failed" and r["client"] == "10.5.0.1"]
    assert [(r["actor"], r["target"][:1], len(r["target"])) for r in failed] == [("?", "?", 33)]
    # the same unknown name again is the same digest (so its tries are counted), another is not
    sign_in(http, site, PASSWORDS["le.b"], "x")
    sign_in(http, site, "khong-co-ai", "x")
    targets = [r["target"] for r in audit(site) if r["action"] == "session.failed" and r["client"] == "10.5.0.1"]
    assert len(targets) == 3 and len(set(targets)) == 2
    # a name with spaces around it is the name
    signed = sign_in(http, site, "  le.b \t", PASSWORDS["le.b"])
    assert signed.status_code == 303 and "tudien_session=" in signed.headers["set-cookie"]


# -- point 6: a pause by name and address ------------------------------------------------------------

def test_failures_from_one_address_pause_it_but_do_not_lock_the_editor_out(site):
    guesser = browser("10.6.0.1")
    tries = [sign_in(guesser, site, "hoang.a", "doan-mo").status_code for _ in range(3)]
    assert tries == [401, 401, 401]
    waiting = sign_in(guesser, site, "hoang.a", PASSWORDS["hoang.a"])  # even the right password waits
    assert waiting.status_code == 429 and 20 <= int(waiting.headers["Retry-After"]) <= 30
    assert "giây" in waiting.text and "tudien_session" not in waiting.headers.get("set-cookie", "")
    # the guesser's other names are not paused by it, and hoang.a signs in from elsewhere at once
    assert sign_in(guesser, site, "le.b", "doan-mo").status_code == 401
    editor = browser("10.6.0.2")
    signed = sign_in(editor, site, "hoang.a", PASSWORDS["hoang.a"])
    assert signed.status_code == 303 and "tudien_session=" in signed.headers["set-cookie"]
    assert editor.get(f"{site}/duyet").status_code == 200


def test_twenty_failures_from_one_address_pause_every_sign_in_from_it(site):
    http = browser("10.6.0.3")
    for i in range(20):
        assert sign_in(http, site, f"ten-{i}", "sai-mat-khau").status_code == 401
    paused = sign_in(http, site, "le.b", PASSWORDS["le.b"])
    assert paused.status_code == 429 and int(paused.headers["Retry-After"]) > 60
    assert "xin chờ khoảng 15 phút" in paused.text
    assert sign_in(browser("10.6.0.4"), site, "le.b", PASSWORDS["le.b"]).status_code == 303


# -- point 11: sessions and CSRF tokens --------------------------------------------------------------

def test_signing_in_replaces_the_session_and_the_csrf_token_belongs_to_it(site):
    http = browser("10.11.0.1")
    before = form_token(http.get(f"{site}/dang-nhap"))
    assert sign_in(http, site, "hoang.a", PASSWORDS["hoang.a"]).status_code == 303
    first = http.cookies["tudien_session"]
    token = form_token(http.get(f"{site}/duyet"))
    assert token != before
    # the page's own script calls the API with the session and that token
    made = http.post(f"{site}/v1/entries", json=NEW, headers={"X-CSRF-Token": token})
    assert made.status_code == 201
    assert http.post(f"{site}/v1/entries", json=NEW, headers={"X-CSRF-Token": before}).status_code == 403
    # signing in again, as someone else: the old session and its token stop working
    assert sign_in(http, site, "le.b", PASSWORDS["le.b"]).status_code == 303
    second = http.cookies["tudien_session"]
    assert second != first
    old = browser("10.11.0.1")
    old.cookies.set("tudien_session", first)
    assert old.get(f"{site}/duyet").status_code == 303  # sent to sign in
    assert http.post(f"{site}/dang-xuat", data={"csrf": token}).status_code == 403
    assert "le.b" in http.get(f"{site}/duyet").text

    # a planted cookie, with its own value in the form, is no token
    planted = browser("10.11.0.2")
    planted.cookies.set("tudien_csrf", "gia-mao")
    refused = planted.post(f"{site}/dang-nhap", data={"name": "le.b", "password": PASSWORDS["le.b"], "csrf": "gia-mao"})
    assert refused.status_code == 403 and "tudien_session" not in refused.headers.get("set-cookie", "")
    # nor is another session's token with that session's cookie planted: the token is the session's
    attacker = browser("10.11.0.3")
    assert sign_in(attacker, site, "hoang.a", PASSWORDS["hoang.a"]).status_code == 303
    their_token = form_token(attacker.get(f"{site}/duyet"))
    http.cookies.set("tudien_csrf", attacker.cookies["tudien_csrf"])
    assert http.post(f"{site}/v1/entries", json=NEW, headers={"X-CSRF-Token": their_token}).status_code == 403
    assert http.post(f"{site}/dang-xuat", data={"csrf": their_token}).status_code == 403
    assert "le.b" in http.get(f"{site}/duyet").text  # still signed in: nothing went through


def _cookies(response: httpx.Response) -> dict[str, str]:
    """name → the whole Set-Cookie line, for each cookie the answer sets."""
    return {line.split("=", 1)[0]: line for line in response.headers.get_list("set-cookie")}


def test_over_https_the_cookies_take_the_host_prefix(site):
    http = browser("10.11.0.4", **{"X-Forwarded-Proto": "https"})
    http.cookies = None  # cookies are sent by hand: httpx keeps Secure ones for https URLs only
    page = http.get(f"{site}/dang-nhap")
    csrf = _cookies(page)["__Host-tudien_csrf"]
    assert "Secure" in csrf and "Path=/" in csrf and "Domain" not in csrf and "HttpOnly" in csrf
    browser_value = csrf.split("=", 1)[1].split(";", 1)[0]
    jar = {"Cookie": f"__Host-tudien_csrf={browser_value}"}
    # the plain cookie names mean nothing over HTTPS
    plain = http.post(f"{site}/dang-nhap", headers={"Cookie": f"tudien_csrf={browser_value}"},
                      data={"name": "le.b", "password": PASSWORDS["le.b"], "csrf": form_token(page)})
    assert plain.status_code == 403
    signed = http.post(f"{site}/dang-nhap", headers=jar,
                       data={"name": "le.b", "password": PASSWORDS["le.b"], "csrf": form_token(page)})
    assert signed.status_code == 303
    set_now = _cookies(signed)
    session = set_now["__Host-tudien_session"]
    assert "Secure" in session and "Path=/" in session and "Domain" not in session and "HttpOnly" in session
    assert "__Host-tudien_csrf" in set_now  # a new CSRF value at sign-in
    token = session.split("=", 1)[1].split(";", 1)[0]
    assert http.get(f"{site}/duyet", headers={"Cookie": f"__Host-tudien_session={token}"}).status_code == 200
    assert http.get(f"{site}/duyet", headers={"Cookie": f"tudien_session={token}"}).status_code == 303
