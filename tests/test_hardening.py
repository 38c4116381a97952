"""What an outside probe of a real server found (issue 27), each held to it through a real server:
nothing private cached by a shared proxy, no costly answer without a limit, a huge Range is 416,
a draft is 404 to whoever may not see it, If-Match names a revision, and links go somewhere."""

from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from audio_support import espeak_wav
from support import Library, checked_http, start_server

from corpora.sample import load_sample

pytestmark = pytest.mark.server
PASSWORDS = {"hoang.a": "mat-khau-cong-tac", "le.b": "mat-khau-bien-tap", "vang.c": "mat-khau-hmong"}
PUBLIC_URL = "https://tudien.example.vn"
DRAFT = {"language": "tyz", "headword": "mạy phầy", "senses": [{"glosses": {"vie": ["củi"]}}]}
FEED_ROWS = 2100  # more changes than the feed sends before it advises the pack


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hardening") / "data"
    lib = Library(folder)
    load_sample(lib.services.collection)
    words = folder.parent / "tu-ba-na.csv"  # enough entries for a feed from the start to be long
    words.write_text("Bahnaric,Vietnamese\n" + "".join(f"hơ̆m{n},số {n}\n" for n in range(FEED_ROWS)),
                     encoding="utf-8")
    lib.add(words, "csv", "bdq", "Bahnaric", "Vietnamese", dataset="so-dem", citation="Danh sách số đếm",
            licence="CC0-1.0")
    lib.index()
    tokens = {name: lib.services.accounts.add(name, role, language, password=PASSWORDS[name])
              for name, role, language in (("hoang.a", "contributor", "tyz"), ("le.b", "editor", "tyz"),
                                           ("vang.c", "editor", "mww"))}
    head = lib.store.feed.head()
    lib.close()
    env = {**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_TTS_ENGINES": "espeak-ng",
           "TUDIEN_PUBLIC_URL": PUBLIC_URL, "TUDIEN_PACK_INTERVAL": "0"}
    server, port = start_server(env)
    http = checked_http(base_url=f"http://127.0.0.1:{port}", timeout=60)
    auth = {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}
    yield {"url": f"http://127.0.0.1:{port}", "http": http, "auth": auth, "head": head}
    http.close()
    server.terminate()
    server.wait(timeout=20)


_addresses = iter(range(1, 250))


def client_address() -> dict:
    """A header that makes the server see a client of its own (it trusts X-Forwarded-For from
    127.0.0.1, as from a reverse proxy): per-client limits of one test leave the others alone."""
    return {"X-Forwarded-For": f"198.51.100.{next(_addresses)}"}


def published(site, q: str = "nặm", language: str = "tyz") -> dict:
    return site["http"].get("/v1/search", params={"q": q, "from": language}).json()["results"][0]


def draft(site) -> dict:
    made = site["http"].post("/v1/entries", headers=site["auth"]["hoang.a"], json=DRAFT)
    assert made.status_code == 201, made.text
    return made.json()


@contextmanager
def signed_in(site, name: str):
    """A browser of ``name``'s, signed in through the sign-in form."""
    with httpx.Client(base_url=site["url"], timeout=30) as browser:
        form = browser.get("/dang-nhap")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        answer = browser.post("/dang-nhap", data={"name": name, "password": PASSWORDS[name], "csrf": csrf,
                                                  "next": "/duyet"})
        assert answer.status_code == 303, answer.text
        yield browser


def upload(site, entry_id: str, who: str = "hoang.a", **fields) -> httpx.Response:
    return site["http"].post(f"/v1/entries/{entry_id}/audio", headers=site["auth"][who],
                             files={"file": ("nam.wav", espeak_wav("nặm"), "audio/wav")},
                             data={"speaker": "Hoàng A", "licence": "CC BY 4.0", **fields})


# -- 1. nothing private in a shared cache ---------------------------------------------------------

def test_answers_that_depend_on_a_session_or_credential_are_private_and_public_ones_keep_caching(site):
    http, entry = site["http"], published(site)
    public = http.get(f"/v1/entries/{entry['id']}")
    # exactly what a shared cache may keep: no directive at all, revalidated by its ETag
    assert "cache-control" not in public.headers and public.headers["etag"].startswith('"r')
    assert "Cookie" in public.headers["vary"] and "Authorization" in public.headers["vary"]
    clip = http.get("/v1/speak", params={"text": "nặm"}, headers=client_address()).json()["clip"]
    assert http.get(clip["url"]).headers["cache-control"] == "public, max-age=604800"  # speech is no secret

    mine = draft(site)
    for answer in (http.get(f"/v1/entries/{mine['id']}", headers=site["auth"]["hoang.a"]),
                   http.get(f"/v1/entries/{entry['id']}", headers=site["auth"]["le.b"]),
                   http.get("/v1/export", params={"format": "csv", "language": "tyz"}, headers=site["auth"]["le.b"]),
                   http.get("/v1/review", headers=site["auth"]["le.b"])):
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "private, no-store", answer.request.url

    with signed_in(site, "le.b") as browser:
        for path in ("/duyet", "/gop-y", f"/e/{entry['id']}", f"/v1/entries/{mine['id']}", "/"):
            answer = browser.get(path)
            assert answer.status_code == 200, path
            assert answer.headers["cache-control"] == "private, no-store", path
            assert "Cookie" in answer.headers["vary"], path
    # a page holds the browser's CSRF token, even for the public: never kept by a proxy
    page = httpx.get(f"{site['url']}/e/{entry['id']}")
    assert page.headers["cache-control"] == "private, no-store" and "Cookie" in page.headers["vary"]


# -- 3. no costly answer without a limit ----------------------------------------------------------

def test_the_feed_from_the_start_advises_the_pack_and_pages_are_capped(site):
    http, head = site["http"], site["head"]
    assert head > FEED_ROWS
    start = http.get("/v1/changes", params={"since": 0, "limit": 5000, "include": "index"}, headers=client_address())
    assert start.status_code == 410 and start.json()["error"]["code"] == "use_pack"
    assert "/v1/packs" in start.json()["error"]["message"]
    bahnar = http.get("/v1/changes", params={"since": 0, "language": "bdq"}, headers=client_address())
    assert bahnar.status_code == 410 and "/v1/packs/bdq" in bahnar.json()["error"]["message"]
    page = http.get("/v1/changes", params={"since": head - 1999, "limit": 5000, "include": "index"},
                    headers=client_address()).json()
    assert len(page["changes"]) == 200 and page["more"] is True and page["next"] > head - 1999
    plain = http.get("/v1/changes", params={"since": head - 1999, "limit": 5000}, headers=client_address()).json()
    assert len(plain["changes"]) == 1000 and plain["more"] is True
    # a copy one page behind gets its page whole, as before
    last = http.get("/v1/changes", params={"since": head - 3}, headers=client_address()).json()
    assert len(last["changes"]) == 3 and last["more"] is False and last["next"] == head


def test_the_feed_and_pronunciations_are_rate_limited_per_client(site):
    http, entry = site["http"], published(site)
    for path, params, burst in (("/v1/changes", {"since": site["head"] - 1}, 5),
                                (f"/v1/entries/{entry['id']}/pronunciation", {}, 10)):
        me, other = client_address(), client_address()
        answers = [http.get(path, params=params, headers=me) for _ in range(burst + 2)]
        assert [a.status_code for a in answers[:burst]] == [200] * burst, path
        refused = answers[-1]
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert refused.json()["error"]["code"] == "rate_limited"
        assert http.get(path, params=params, headers=other).status_code == 200  # another client is not held


def test_a_client_that_keeps_finding_nothing_is_held_at_the_door(site):
    prober, reader = client_address(), client_address()
    answers = [httpx.get(f"{site['url']}/e/nope-{n}", headers=prober) for n in range(60)]
    assert {a.status_code for a in answers} == {404}
    started = time.monotonic()
    held = [httpx.get(f"{site['url']}/e/nope", headers=prober) for _ in range(6)]
    assert [a.status_code for a in held].count(429) >= 2 and {a.status_code for a in held} <= {404, 429}
    assert time.monotonic() - started > 0.5  # a refused request waits for its answer: a crowd slows down
    refused = next(a for a in held if a.status_code == 429)
    assert refused.json()["error"]["code"] == "rate_limited" and int(refused.headers["retry-after"]) >= 1
    assert refused.headers["x-content-type-options"] == "nosniff"  # the door's answer has the headers too
    # a reader at another address is not held
    assert httpx.get(f"{site['url']}/e/nope", headers=reader).status_code == 404
    assert httpx.get(f"{site['url']}/v1/search", params={"q": "nặm"}, headers=reader).status_code == 200


def test_health_and_the_404_page_answer_from_what_they_computed_once(site):
    http = site["http"]
    assert http.get("/health").json()["store"]["entries"] > FEED_ROWS
    missing = httpx.get(f"{site['url']}/e/nope")
    assert missing.status_code == 404 and "Không tìm thấy" in missing.text
    assert 'value="bdq"' in httpx.get(f"{site['url']}/").text  # the language menu, made once per generation
    # a publish makes a new generation: the menus and counts follow
    before = http.get("/health").json()["store"]["entries"]
    mine = draft(site)
    for status, who in (("review", "hoang.a"), ("published", "le.b")):
        assert http.post(f"/v1/entries/{mine['id']}/status", headers=site["auth"][who],
                         json={"status": status}).status_code == 200
    assert http.get("/health").json()["store"]["entries"] == before + 1


# -- 4. a huge Range ------------------------------------------------------------------------------

def test_a_range_of_thousands_of_digits_is_416_with_the_security_headers(site):
    http, entry = site["http"], published(site)
    clip = upload(site, entry["id"]).json()["clip"]
    huge = "bytes=" + "9" * 4301 + "-"
    for path in (clip["url"], "/v1/packs/tyz"):
        for header in (huge, "bytes=0-" + "9" * 4301, "bytes=-" + "9" * 5000):
            answer = http.get(path, headers={"Range": header})
            assert answer.status_code == 416, (path, answer.text[:200])
            assert answer.json()["error"]["code"] == "range_not_satisfiable"
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_the_outermost_500_carries_the_security_headers(tmp_path):
    from fastapi.testclient import TestClient

    lib = Library(tmp_path / "data")
    app = lib.app()

    @app.get("/v1/fails")
    async def fails():
        raise RuntimeError("a fault of the server's own")

    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/v1/fails")
    lib.close()
    assert answer.status_code == 500 and answer.json()["error"]["code"] == "internal_error"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")


# -- 7. existence and visibility --------------------------------------------------------------------

def test_a_draft_is_404_to_whoever_may_not_see_it_as_an_unknown_id_is(site):
    http, mine = site["http"], draft(site)
    other = site["auth"]["vang.c"]  # an editor, of another language
    for entry_id in (mine["id"], "tyz-000000000000"):
        for method, path, body, headers in (
                ("GET", f"/v1/entries/{entry_id}/history/1", None, {}),
                ("PUT", f"/v1/entries/{entry_id}", DRAFT, {"If-Match": '"r1"'}),
                ("POST", f"/v1/entries/{entry_id}/status", {"status": "review"}, {}),
                ("POST", f"/v1/entries/{entry_id}/revert", {"revision": 1}, {})):
            answer = http.request(method, path, json=body, headers={**other, **headers})
            assert answer.status_code == 404, (method, path, answer.text)
            assert "tyz" not in answer.json()["error"]["message"].replace(entry_id, "")
        refused = upload(site, entry_id, "vang.c")
        assert refused.status_code == 404, refused.text
    with signed_in(site, "vang.c") as browser:
        page = browser.get(f"/e/{mine['id']}/sua")
        said = re.search(r'class="error" role="alert">(.*?)</p>', page.text, re.S).group(1)
        assert page.status_code == 404 and "Tày" not in said and "tyz" not in said.replace(mine["id"], "")
    # those who may see it still do
    assert http.get(f"/v1/entries/{mine['id']}/history/1", headers=site["auth"]["hoang.a"]).status_code == 200
    with signed_in(site, "hoang.a") as browser:
        assert browser.get(f"/e/{mine['id']}/sua").status_code == 200


def test_recordings_of_what_the_public_cannot_read_are_404_to_it(site):
    http, mine = site["http"], draft(site)
    clip = upload(site, mine["id"]).json()["clip"]
    assert httpx.get(site["url"] + clip["url"]).status_code == 404  # never published
    seen = http.get(clip["url"], headers=site["auth"]["hoang.a"])
    assert seen.status_code == 200 and seen.headers["cache-control"] == "private, no-store"
    assert http.get(clip["url"], headers=site["auth"]["vang.c"]).status_code == 404

    for status, who in (("review", "hoang.a"), ("published", "le.b")):
        assert http.post(f"/v1/entries/{mine['id']}/status", headers=site["auth"][who],
                         json={"status": status}).status_code == 200
    public = httpx.get(site["url"] + clip["url"])
    assert public.status_code == 200
    assert public.headers["cache-control"] == "public, max-age=600"  # not a week: it may be withdrawn
    assert http.post(f"/v1/entries/{mine['id']}/status", headers=site["auth"]["le.b"],
                     json={"status": "retired"}).status_code == 200
    assert httpx.get(site["url"] + clip["url"]).status_code == 404  # retired


# -- 8. If-Match means a revision -------------------------------------------------------------------

def test_if_match_takes_only_a_revisions_strong_etag_and_a_body_read_goes_back(site):
    http, mine = site["http"], draft(site)
    who = site["auth"]["hoang.a"]
    read = http.get(f"/v1/entries/{mine['id']}", headers=who)
    assert read.headers["etag"] == '"r1"'
    for sent, status, code in (("*", 428, "precondition_required"), ('W/"r1"', 412, "weak_etag"),
                               ("W/r1", 412, "weak_etag")):
        for method, path, body in (("PUT", f"/v1/entries/{mine['id']}", read.json()),
                                   ("POST", f"/v1/entries/{mine['id']}/status", {"status": "review"})):
            answer = http.request(method, path, json=body, headers={**who, "If-Match": sent})
            assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), (sent, method)
    assert http.get(f"/v1/entries/{mine['id']}", headers=who).json()["revision"] == 1  # nothing written

    body = {**read.json(), "headword": "mạy phầy khô"}  # id, language_name, status, url, source… as read
    written = http.put(f"/v1/entries/{mine['id']}", headers={**who, "If-Match": read.headers["etag"]}, json=body)
    assert written.status_code == 200, written.text
    assert written.json()["headword"] == "mạy phầy khô" and written.headers["etag"] == '"r2"'
    # an imported entry's senses keep their source lines, whatever location the body names
    entry = published(site)
    full = http.get(f"/v1/entries/{entry['id']}", headers=who)
    body = full.json()
    body["senses"][0]["location"] = "somewhere else"
    back = http.put(f"/v1/entries/{entry['id']}", headers={**who, "If-Match": full.headers["etag"]}, json=body)
    assert back.status_code == 200, back.text
    assert back.json()["senses"][0].get("location") == full.json()["senses"][0].get("location")


# -- 12. links that go somewhere -----------------------------------------------------------------------

def test_editor_made_entries_have_a_source_page(site):
    mine = draft(site)
    assert mine["source"]["dataset"] == "editors"
    page = httpx.get(f"{site['url']}/nguon/editors")
    assert page.status_code == 200
    assert "le.b" in page.text and "vang.c" in page.text and "Tày" in page.text and "duyệt" in page.text
    assert "hoang.a" not in page.text  # a contributor, not an editor


def test_absolute_links_come_from_the_public_address_never_the_host(site):
    entry = published(site)
    page = httpx.get(f"{site['url']}/e/{entry['id']}", headers={"Host": "evil.example"})
    assert page.status_code == 200
    assert "evil.example" not in page.text
    assert f"{PUBLIC_URL}/e/{entry['id']}" in page.text  # the citation and the copy-link box
    glossary = httpx.post(f"{site['url']}/dich", headers={"Host": "evil.example"},
                          data={"text": "nước", "to": ["tyz"], "export": "csv"})
    assert glossary.status_code == 200 and "evil.example" not in glossary.text
    assert f"{PUBLIC_URL}/e/" in glossary.text


def test_a_recording_made_in_the_future_is_refused(site):
    entry = published(site)
    later = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    refused = upload(site, entry["id"], recorded_on=later)
    assert refused.status_code == 422 and "tương lai" in refused.json()["error"]["message"]
    today = datetime.now(UTC).date().isoformat()
    assert upload(site, entry["id"], recorded_on=today).status_code in (200, 201)
