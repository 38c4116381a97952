"""Editing the dictionary through the real HTTP API, on both engines: a contributor's entry goes
through review to publication and the public finds it within 2 s through every worker; edits of a
published entry wait while the public keeps the published text; a concurrent edit gets 412;
history and revert; every refusal a clear 4xx that writes nothing; a kill -9 during a stream of
writes loses no acknowledged write."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from support import Library, checked_http, elastic_settings, start_server

from corpora.sample import load_sample
from dictionary.model import Entry, Provenance
from dictionary.storage.datasets import Dataset

BACKENDS = ["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)]
VISIBLE_WITHIN = 2.0  # seconds from a publish's answer to the public finding it
HTTP = checked_http(timeout=30)


class World:
    """A library with the sample corpus, four accounts, and a real ``tudien serve`` with two
    workers over it."""

    def __init__(self, kind: str, folder, request) -> None:
        if kind == "elasticsearch":
            node = request.getfixturevalue("elastic_node")
            self.lib = Library(folder, "elasticsearch", elastic_settings(node.url))
        else:
            self.lib = Library(folder)
        request.addfinalizer(self.lib.close)
        load_sample(self.lib.services.collection)
        self.lib.index()
        accounts = self.lib.services.accounts
        self.tokens = {
            "contributor": accounts.add("hoang.a", "contributor", "tyz"),
            "editor": accounts.add("le.b", "editor", "tyz"),
            "other_editor": accounts.add("giang.c", "editor", "mww"),
            "admin": accounts.add("quan.tri", "admin", "*"),
        }
        self.env = {**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_TTS_ENGINES": "espeak-ng",
                    "TUDIEN_RATE_LIMITS": "report=600/600"}
        if kind == "elasticsearch":
            es = self.lib.settings.elastic
            self.env.update({"TUDIEN_BACKEND": "elasticsearch", "TUDIEN_ELASTICSEARCH_URL": es.hosts[0],
                             "TUDIEN_ELASTICSEARCH_INDEX": es.index})
        self.server = None
        self.start()
        request.addfinalizer(self.stop)

    def start(self) -> None:
        self.server, port = start_server(self.env, workers=2, start_new_session=True)
        self.site = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait(timeout=10)

    def kill(self) -> None:
        """kill -9 of the server and its workers."""
        os.killpg(self.server.pid, signal.SIGKILL)
        self.server.wait(timeout=10)

    def headers(self, who: str | None, **more) -> dict:
        return {**({"Authorization": f"Bearer {self.tokens[who]}"} if who else {}), **more}

    def call(self, method: str, path: str, who: str | None = None, json=None, **headers) -> httpx.Response:
        return HTTP.request(method, self.site + path, json=json, headers=self.headers(who, **headers))

    def found(self, q: str, entry_id: str, language: str | None = None) -> bool:
        params = {"q": q, **({"from": language} if language else {})}
        results = HTTP.get(self.site + "/v1/search", params=params).json()["results"]
        return any(r["id"] == entry_id for r in results)

    def lag(self, q: str, entry_id: str, *, present: bool = True, within: float = 10.0) -> float:
        """Seconds until the public's search shows (or no longer shows) the entry in every answer:
        the start of a run of ten agreeing answers, asked over new connections (so of either
        worker)."""
        started = time.monotonic()
        streak_from, streak = None, 0
        while streak < 10:
            assert time.monotonic() - started < within, f"{entry_id} not {'found' if present else 'gone'}"
            asked = time.monotonic()
            if self.found(q, entry_id) == present:
                streak_from, streak = streak_from or asked, streak + 1
            else:
                streak_from, streak = None, 0
                time.sleep(0.02)
        return streak_from - started


@pytest.fixture(params=BACKENDS)
def world(request, tmp_path) -> World:
    return World(request.param, tmp_path / "data", request)


# Real Tày words of the sample corpus (vài: water buffalo; rườn: house), entered again as new
# entries: the tests tell them apart from the sample's by id, never by a made-up word.
NEW = {"language": "tyz", "headword": "vài", "pos": "n",
       "senses": [{"glosses": {"vie": ["trâu"]}, "domains": ["chăn nuôi"]}],
       "comment": "ghi ở Cao Bằng"}
MORE = {**NEW, "senses": [{"glosses": {"vie": ["trâu", "trâu nước"]}}], "comment": "thêm nghĩa"}


def test_an_entry_goes_through_review_to_the_public_within_two_seconds(world):
    w = world
    made = w.call("POST", "/v1/entries", "contributor", NEW)
    assert made.status_code == 201
    entry = made.json()
    entry_id = entry["id"]
    assert made.headers["Location"] == f"/v1/entries/{entry_id}" and made.headers["ETag"] == '"r1"'
    assert (entry["status"], entry["revision"], entry["published_revision"], entry["pending"]) == ("draft", 1, None, False)
    assert entry["headword"] == "vài" and entry["senses"][0]["glosses"] == {"vie": ["trâu"]}

    # a draft: the public neither reads nor finds it; the accounts of its language do
    assert w.call("GET", f"/v1/entries/{entry_id}").status_code == 404
    assert w.call("GET", f"/v1/entries/{entry_id}", "other_editor").status_code == 404
    assert w.call("GET", f"/v1/entries/{entry_id}", "editor").json()["status"] == "draft"
    assert not w.found("trâu", entry_id)

    assert w.call("POST", f"/v1/entries/{entry_id}/status", "contributor", {"status": "review"}).status_code == 200
    queue = w.call("GET", "/v1/review?language=tyz", "editor").json()["entries"]
    assert [(e["id"], e["author"]) for e in queue] == [(entry_id, "hoang.a")]
    assert w.call("GET", "/v1/review?language=tyz", "other_editor").status_code == 403

    published = w.call("POST", f"/v1/entries/{entry_id}/status", "editor", {"status": "published", "comment": "đã đối chiếu"})
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert w.lag("trâu", entry_id) < VISIBLE_WITHIN
    assert w.lag("vài", entry_id) < VISIBLE_WITHIN
    public = w.call("GET", f"/v1/entries/{entry_id}")
    assert public.status_code == 200 and public.headers["ETag"] == '"r3"' and public.json()["pending"] is False

    # an edit of the published entry waits: the public keeps the published text
    edited = w.call("PUT", f"/v1/entries/{entry_id}", "contributor", MORE, **{"If-Match": '"r3"'})
    assert edited.status_code == 200 and edited.headers["ETag"] == '"r4"'
    assert (edited.json()["status"], edited.json()["pending"], edited.json()["published_revision"]) == ("draft", True, 3)
    assert w.call("GET", f"/v1/entries/{entry_id}").json()["senses"][0]["glosses"]["vie"] == ["trâu"]
    assert w.call("GET", f"/v1/entries/{entry_id}", "editor").json()["pending"] is True
    time.sleep(VISIBLE_WITHIN)
    assert not w.found("trâu nước", entry_id)

    assert w.call("POST", f"/v1/entries/{entry_id}/status", "contributor", {"status": "review"}).status_code == 200
    sent_back = w.call("POST", f"/v1/entries/{entry_id}/status", "editor", {"status": "draft"})
    assert sent_back.status_code == 422 and sent_back.json()["error"]["field"] == "comment"
    assert w.call("POST", f"/v1/entries/{entry_id}/status", "editor",
                  {"status": "published", "comment": "được"}).status_code == 200
    assert w.lag("trâu nước", entry_id) < VISIBLE_WITHIN

    # history, then a revert of the published entry to its first published content
    history = w.call("GET", f"/v1/entries/{entry_id}/history", "editor").json()["revisions"]
    assert [(r["revision"], r["author"], r["status"]) for r in history] == [
        (1, "hoang.a", "draft"), (2, "hoang.a", "review"), (3, "le.b", "published"),
        (4, "hoang.a", "draft"), (5, "hoang.a", "review"), (6, "le.b", "published")]
    assert history[0]["changes"] == ["created"] and history[3]["changes"] == ["senses[0].glosses.vie", "senses[0].domains", "status"]
    assert history[0]["comment"] == "ghi ở Cao Bằng" and history[2]["comment"] == "đã đối chiếu"
    assert w.call("GET", f"/v1/entries/{entry_id}/history/3", "editor").json()["content"]["senses"][0]["glosses"] \
        == {"vie": ["trâu"]}
    reverted = w.call("POST", f"/v1/entries/{entry_id}/revert", "editor", {"revision": 3, "comment": "bỏ nghĩa chưa chắc"})
    assert reverted.status_code == 200 and reverted.json()["revision"] == 7 and reverted.json()["status"] == "published"
    assert w.lag("trâu nước", entry_id, present=False) < VISIBLE_WITHIN
    assert w.call("GET", f"/v1/entries/{entry_id}").json()["senses"][0]["glosses"]["vie"] == ["trâu"]

    # retired: gone for the public, its history kept
    assert w.call("POST", f"/v1/entries/{entry_id}/status", "editor",
                  {"status": "retired", "comment": "trùng mục khác"}).status_code == 200
    assert w.lag("vài", entry_id, present=False) < VISIBLE_WITHIN
    assert w.call("GET", f"/v1/entries/{entry_id}").status_code == 404
    assert len(w.call("GET", f"/v1/entries/{entry_id}/history", "editor").json()["revisions"]) == 8

    # every write is in the audit log, with its actor and client address
    records = w.call("GET", "/v1/audit?limit=1000", "admin").json()["records"]
    mine = [(r["actor"], r["action"]) for r in records if r["target"] == entry_id]
    assert mine == [("hoang.a", "entry.create"), ("hoang.a", "entry.review"), ("le.b", "entry.published"),
                    ("hoang.a", "entry.update"), ("hoang.a", "entry.review"), ("le.b", "entry.published"),
                    ("le.b", "entry.revert"), ("le.b", "entry.retired")]
    assert {r["client"] for r in records if r["target"] == entry_id} == {"127.0.0.1"}
    assert w.call("GET", "/v1/audit", "editor").status_code == 403


def test_two_editors_writing_at_once_one_gets_412(world):
    w = world
    entry_id = w.call("POST", "/v1/entries", "contributor", NEW).json()["id"]
    etag = w.call("GET", f"/v1/entries/{entry_id}", "editor").headers["ETag"]
    start = threading.Barrier(2)

    def write(n: int) -> httpx.Response:
        body = {**NEW, "senses": [{"glosses": {"vie": ["trâu", "trâu nước"][: n + 1]}}]}
        start.wait()
        return w.call("PUT", f"/v1/entries/{entry_id}", "editor" if n else "contributor", body, **{"If-Match": etag})

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(write, range(2)))
    assert sorted(a.status_code for a in answers) == [200, 412]
    won = next(a for a in answers if a.status_code == 200)
    lost = next(a for a in answers if a.status_code == 412).json()["error"]
    assert lost["code"] == "stale_revision" and lost["current_revision"] == 2 and "phiên bản hiện tại là 2" in lost["message"]
    assert w.call("GET", f"/v1/entries/{entry_id}", "editor").json()["senses"] == won.json()["senses"]
    assert len(w.call("GET", f"/v1/entries/{entry_id}/history", "editor").json()["revisions"]) == 2


# (method, path, who, body, headers, status, code, field); {draft} and {published} are Tày entries
# made by the test, {mww} a published White Hmong entry of the sample
REFUSALS = [
    ("POST", "/v1/entries", None, NEW, {}, 401, "unauthenticated", None),
    ("POST", "/v1/entries", "other_editor", NEW, {}, 403, "forbidden", None),
    ("POST", "/v1/entries", "contributor", {**NEW, "headword": "  "}, {}, 422, "invalid_parameter", "headword"),
    ("POST", "/v1/entries", "contributor", {**NEW, "headword": "va\u0007i"}, {}, 422, "invalid_parameter", "headword"),
    ("POST", "/v1/entries", "contributor", {**NEW, "language": "xyz"}, {}, 422, "invalid_entry", "language"),
    ("POST", "/v1/entries", "contributor", {**NEW, "senses": [{"glosses": {"Vietnamese": ["trâu"]}}]}, {}, 422,
     "invalid_entry", "senses[0].glosses"),
    ("POST", "/v1/entries", "contributor", {**NEW, "senses": [{}]}, {}, 422, "invalid_parameter", "senses[0].glosses"),
    ("POST", "/v1/entries", "contributor", {**NEW, "colour": "đỏ"}, {}, 422, "invalid_parameter", "colour"),
    ("POST", "/v1/entries", "contributor", {**NEW, "headword": "a" * 201}, {}, 422, "invalid_parameter", "headword"),
    ("POST", "/v1/entries", "contributor", {**NEW, "senses": [{"glosses": {"vie": ["x" * 500] * 10}}] * 100},
     {}, 413, "body_too_large", None),
    ("PUT", "/v1/entries/{draft}", "contributor", NEW, {}, 428, "precondition_required", None),
    ("PUT", "/v1/entries/{draft}", "contributor", NEW, {"If-Match": '"r9"'}, 412, "stale_revision", None),
    ("PUT", "/v1/entries/{draft}", "contributor", NEW, {"If-Match": "yesterday"}, 422, "invalid_entry", "if-match"),
    ("PUT", "/v1/entries/{draft}", "contributor", {**NEW, "language": "mww"}, {"If-Match": '"r1"'}, 422,
     "invalid_entry", "language"),
    ("PUT", "/v1/entries/tyz-000000000000", "contributor", NEW, {"If-Match": '"r1"'}, 404, "not_found", None),
    ("PUT", "/v1/entries/{mww}", "contributor", {**NEW, "language": "mww"}, {"If-Match": '"r1"'}, 403, "forbidden", None),
    ("POST", "/v1/entries/{draft}/status", "contributor", {"status": "published"}, {}, 409, "invalid_transition", None),
    ("POST", "/v1/entries/{draft}/status", "contributor", {"status": "retired"}, {}, 403, "forbidden", None),
    ("POST", "/v1/entries/{draft}/status", "contributor", {"status": "gone"}, {}, 422, "invalid_parameter", "status"),
    # a draft is 404 to an account of another language, as an id that names nothing (issue 27.7)
    ("POST", "/v1/entries/{draft}/status", "other_editor", {"status": "review"}, {}, 404, "not_found", None),
    ("POST", "/v1/entries/{published}/status", "editor", {"status": "published"}, {}, 409, "invalid_transition", None),
    ("POST", "/v1/entries/{published}/revert", "contributor", {"revision": 1}, {}, 403, "forbidden", None),
    ("POST", "/v1/entries/{published}/revert", "editor", {"revision": 99}, {}, 404, "revision_not_found", None),
    ("POST", "/v1/entries/{published}/revert", "editor", {"revision": 0}, {}, 422, "invalid_parameter", "revision"),
    ("GET", "/v1/entries/{draft}/history", None, None, {}, 404, "not_found", None),
    ("GET", "/v1/entries/{draft}/history/1", None, None, {}, 401, "unauthenticated", None),
    ("GET", "/v1/entries/{draft}/history/1", "other_editor", None, {}, 404, "not_found", None),
    ("GET", "/v1/entries/{draft}", None, None, {"Authorization": "Bearer tdk_sai"}, 401, "unauthenticated", None),
    ("GET", "/v1/review", None, None, {}, 401, "unauthenticated", None),
    ("GET", "/v1/review", "contributor", None, {}, 403, "forbidden", None),
    ("GET", "/v1/review?language=Tay", "editor", None, {}, 422, "invalid_entry", "language"),
    ("POST", "/v1/entries/{draft}/suggestions", None, {"text": "sai"}, {}, 404, "not_found", None),
    ("POST", "/v1/entries/{published}/suggestions", None, {"text": "x" * 2001}, {}, 422, "invalid_parameter", "text"),
    ("POST", "/v1/entries/{published}/suggestions", None, {"text": "   "}, {}, 422, "invalid_parameter", "text"),
    ("GET", "/v1/suggestions", "contributor", None, {}, 403, "forbidden", None),
    ("GET", "/v1/suggestions?status=all", "editor", None, {}, 422, "invalid_parameter", "status"),
    ("POST", "/v1/suggestions/999", "editor", {"status": "accepted"}, {}, 404, "suggestion_not_found", None),
    ("POST", "/v1/suggestions/999", "editor", {"status": "maybe"}, {}, 422, "invalid_parameter", "status"),
    ("POST", "/v1/suggestions/999", "editor", {"status": "accepted", "revision": 0}, {}, 422, "invalid_parameter",
     "revision"),
    ("GET", "/v1/review/rules", None, None, {}, 401, "unauthenticated", None),
    ("GET", "/v1/review/rules", "contributor", None, {}, 403, "forbidden", None),
    ("PUT", "/v1/review/rules/tyz", "editor", {"four_eyes": False, "comment": "một người"}, {}, 403, "forbidden", None),
    ("PUT", "/v1/review/rules/xyz", "admin", {"four_eyes": True}, {}, 422, "invalid_entry", "language"),
    ("PUT", "/v1/review/rules/tyz", "admin", {"four_eyes": "có"}, {}, 422, "invalid_parameter", "four_eyes"),
    ("GET", "/v1/audit", "editor", None, {}, 403, "forbidden", None),
    ("GET", "/v1/audit?since=hôm-qua", "admin", None, {}, 422, "invalid_query", None),
    ("GET", "/v1/export?format=lift&language=tyz", None, None, {}, 401, "unauthenticated", None),
    ("GET", "/v1/export?format=lift&language=tyz", "other_editor", None, {}, 403, "forbidden", None),
    ("GET", "/v1/export?format=lift&language=tyz", "contributor", None, {}, 403, "forbidden", None),
    ("GET", "/v1/export?format=lift", "editor", None, {}, 403, "forbidden", None),
    ("GET", "/v1/export?format=pdf&language=tyz", "editor", None, {}, 422, "invalid_parameter", "format"),
    ("GET", "/v1/export?format=csv&language=tyz&dataset=khong-co", "editor", None, {}, 404, "not_found", None),
]


@pytest.fixture
def editors(library):
    """The sample corpus, the four accounts, an in-process client, and a draft and a published
    Tày entry made through the API."""
    load_sample(library.services.collection)
    library.index()
    accounts = library.services.accounts
    tokens = {"contributor": accounts.add("hoang.a", "contributor", "tyz"),
              "editor": accounts.add("le.b", "editor", "tyz"),
              "other_editor": accounts.add("giang.c", "editor", "mww"),
              "admin": accounts.add("quan.tri", "admin", "*")}

    def as_(who):
        return {"Authorization": f"Bearer {tokens[who]}"} if who else {}

    with library.client() as client:
        draft = client.post("/v1/entries", headers=as_("contributor"), json={
            **NEW, "headword": "rườn", "senses": [{"glosses": {"vie": ["nhà sàn"]}}]}).json()["id"]
        published = client.post("/v1/entries", headers=as_("contributor"), json=NEW).json()["id"]
        client.post(f"/v1/entries/{published}/status", headers=as_("contributor"), json={"status": "review"})
        client.post(f"/v1/entries/{published}/status", headers=as_("editor"), json={"status": "published"})
        mww = next(i for i, _ in library.store.entries.headwords("mww"))
        yield library, client, as_, {"draft": draft, "published": published, "mww": mww}


def _written(store) -> tuple:
    db = store.core.db
    return tuple(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                 for t in ("entries", "revisions", "audit_log", "suggestions")) + (store.feed.generation,)


@pytest.mark.parametrize(("method", "path", "who", "body", "headers", "status", "code", "field"), REFUSALS,
                         ids=[f"{m} {p} {s}" for m, p, _, _, _, s, *_ in REFUSALS])
def test_every_refusal_is_a_clear_4xx_and_writes_nothing(editors, method, path, who, body, headers, status, code, field):
    library, client, as_, ids = editors
    before = _written(library.store)
    answer = client.request(method, path.format(**ids), json=body, headers={**as_(who), **headers})
    error = answer.json()["error"]
    assert (answer.status_code, error["code"]) == (status, code), error
    assert error.get("field") == field
    assert len(error["message"]) > 20 and error["message"] == error["message"].strip()
    assert _written(library.store) == before


def test_signed_in_accounts_see_the_pending_revision_and_the_public_the_published_one(editors):
    library, client, as_, ids = editors
    entry_id = ids["published"]
    etag = client.get(f"/v1/entries/{entry_id}", headers=as_("editor")).headers["ETag"]
    assert client.put(f"/v1/entries/{entry_id}", headers={**as_("contributor"), "If-Match": etag},
                      json=MORE).status_code == 200
    for who, glosses, is_pending in [(None, ["trâu"], False), ("other_editor", ["trâu"], False),
                                     ("contributor", ["trâu", "trâu nước"], True),
                                     ("admin", ["trâu", "trâu nước"], True)]:
        shown = client.get(f"/v1/entries/{entry_id}", headers=as_(who))
        assert (shown.json()["senses"][0]["glosses"]["vie"], shown.json()["pending"]) == (glosses, is_pending), who
        assert "Authorization" in shown.headers["Vary"]
    # the public's history holds what was public text: no draft, its comment or its author
    public = client.get(f"/v1/entries/{entry_id}/history").json()["revisions"]
    assert [(r["revision"], r["status"], r["author"], r["changes"]) for r in public] == [(3, "published", "le.b", ["created"])]
    assert len(client.get(f"/v1/entries/{entry_id}/history", headers=as_("editor")).json()["revisions"]) == 4
    # search, suggest, languages, translation, pages and audio lists show the published text only
    assert client.get("/v1/search", params={"q": "trâu nước"}).json()["results"] == []
    assert client.get("/v1/search", params={"q": "nhà sàn"}).json()["results"] == []
    assert "nhà sàn" not in client.get("/v1/suggest", params={"q": "nhà s", "lang": "vie"}).json()["suggestions"]
    counts = {x["code"]: x["entries"] for x in client.get("/v1/languages").json()["languages"]}
    assert counts["tyz"] == 1 + sum(1 for _ in library.store.core.db.execute(
        "SELECT 1 FROM entries WHERE language = 'tyz' AND dataset != 'editors'"))
    glossary = client.post("/v1/translate", json={"text": "trâu, trâu nước và nhà sàn", "to": ["tyz"]}).json()
    found = {t["text"]: [e["id"] for e in t["equivalents"]["tyz"]] for t in glossary["terms"]}
    assert entry_id in found["trâu"] and ids["draft"] not in str(glossary)
    assert not found.get("trâu nước") and not found.get("nhà sàn")
    assert client.get(f"/e/{ids['draft']}").status_code == 404
    assert client.get(f"/v1/entries/{ids['draft']}/audio").status_code == 404
    assert client.get(f"/v1/entries/{entry_id}/audio").status_code == 200


def test_suggestions_reach_the_editors_of_the_language(editors):
    library, client, as_, ids = editors
    sent = client.post(f"/v1/entries/{ids['published']}/suggestions",
                       json={"text": "Nghĩa 'trâu nước' còn thiếu.", "contact": "0905 000 000"})
    assert sent.status_code == 202 and sent.json()["status"] == "open"
    number = sent.json()["id"]
    listed = client.get("/v1/suggestions", headers=as_("editor")).json()["suggestions"]
    assert [(s["id"], s["entry"], s["contact"]) for s in listed] == [(number, ids["published"], "0905 000 000")]
    assert client.get("/v1/suggestions", headers=as_("other_editor")).json()["suggestions"] == []
    assert client.post(f"/v1/suggestions/{number}", headers=as_("other_editor"),
                       json={"status": "dismissed"}).status_code == 403
    done = client.post(f"/v1/suggestions/{number}", headers=as_("editor"),
                       json={"status": "accepted", "comment": "đã thêm biến thể"})
    assert done.status_code == 200 and (done.json()["status"], done.json()["resolved_by"]) == ("accepted", "le.b")
    again = client.post(f"/v1/suggestions/{number}", headers=as_("editor"), json={"status": "dismissed"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "suggestion_closed"
    assert client.get("/v1/suggestions?status=open", headers=as_("editor")).json()["suggestions"] == []
    actions = [r["action"] for r in client.get("/v1/audit", headers=as_("admin")).json()["records"]]
    assert actions[-2:] == ["suggestion.create", "suggestion.accepted"]


def test_suggestions_are_rate_limited_per_client(tmp_path):
    library = Library(tmp_path / "data", rate_limits={"report": (6, 2)})
    load_sample(library.services.collection)
    library.index()
    entry_id = next(i for i, _ in library.store.entries.headwords("mww"))
    with library.client() as client:
        answers = [client.post(f"/v1/entries/{entry_id}/suggestions", json={"text": f"góp ý {n}"}) for n in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert int(answers[2].headers["Retry-After"]) >= 1 and "góp ý" in answers[2].json()["error"]["message"]
    assert len(library.store.suggestions.select("open", None)) == 2


def test_an_authority_ranks_first_among_equal_matches_and_the_page_says_so(editors):
    library, client, as_, ids = editors
    body = {**NEW, "authority": "Bảng thuật ngữ thử nghiệm, số TN-01"}
    made = client.post("/v1/entries", headers=as_("contributor"), json=body).json()
    client.post(f"/v1/entries/{made['id']}/status", headers=as_("contributor"), json={"status": "review"})
    client.post(f"/v1/entries/{made['id']}/status", headers=as_("editor"), json={"status": "published"})
    results = client.get("/v1/search", params={"q": "trâu", "to": "tyz"}).json()["results"]
    assert results[0]["id"] == made["id"] and ids["published"] in [r["id"] for r in results[1:]]
    assert results[0]["authority"] == body["authority"] and results[1]["authority"] is None
    page = client.get(f"/e/{made['id']}").text
    assert "Thuật ngữ chuẩn" in page and "Bảng thuật ngữ thử nghiệm, số TN-01" in page


def test_import_status_and_reimport_keeps_what_editors_changed(tmp_path, editors):
    from tudien.cli import main

    library, client, as_, ids = editors
    words = tmp_path / "tay-words.tsv"
    words.write_text("tyz\tvie\nmạ\tngựa\nmu\tlợn\n", encoding="utf-8")
    env = {"TUDIEN_DATA_DIR": str(library.settings.data_dir)}
    args = ["import", str(words), "--format", "tsv", "--language", "tyz", "--headword-column", "tyz",
            "--gloss-column", "vie", "--dataset", "tay-words"]
    assert main([*args, "--status", "draft"], env) == 0
    ids_of = dict((h, i) for i, h in library.store.core.db.execute(
        "SELECT id, headword FROM entries WHERE dataset = 'tay-words'"))
    assert client.get(f"/v1/entries/{ids_of['mạ']}").status_code == 404  # drafts wait for review
    assert client.get(f"/v1/entries/{ids_of['mạ']}", headers=as_("editor")).json()["status"] == "draft"
    etag = client.get(f"/v1/entries/{ids_of['mu']}", headers=as_("editor")).headers["ETag"]
    assert client.put(f"/v1/entries/{ids_of['mu']}", headers={**as_("editor"), "If-Match": etag},
                      json={"language": "tyz", "headword": "mu", "senses": [{"glosses": {"vie": ["lợn", "heo"]}}]}
                      ).status_code == 200
    words.write_text("tyz\tvie\nmạ\tcon ngựa\nmu\tcon lợn\n", encoding="utf-8")
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(args, env) == 0
    assert "kept 1 entries that editors changed" in out.getvalue() and ids_of["mu"] in out.getvalue()
    kept = library.store.entries.state(ids_of["mu"])
    assert kept.body["senses"][0]["glosses"]["vie"] == ["lợn", "heo"]
    updated = library.store.entries.state(ids_of["mạ"])
    assert (updated.status.value, updated.revision, updated.body["senses"][0]["glosses"]["vie"]) == ("draft", 2, ["con ngựa"])
    actions = [(r["action"], r["target"]) for r in library.store.audit.records(limit=1000)]
    assert actions.count(("import", "tay-words")) == 2


def test_the_index_follows_writes_of_another_process(world):
    """A write stored by another process (a worker killed before it updated the index, or the
    command line) reaches the public's search by the workers' own follow-up, within 2 s."""
    w = world
    entry = Entry(id="tyz-0123456789ab", language="tyz", headword="vài",
                  senses=[{"glosses": {"vie": ["trâu cày"]}}], provenance=Provenance(dataset="editors"))
    from dictionary.model import Status

    w.lib.store.entries.write_revision(entry, author="le.b", comment=None, status=Status.published, create=True,
                               action="entry.create")
    started = time.monotonic()
    while not w.found("trâu cày", entry.id):
        assert time.monotonic() - started < VISIBLE_WITHIN + 1.5
        time.sleep(0.05)


@pytest.mark.server
@pytest.mark.parametrize("kind", BACKENDS)
def test_kill_9_during_writes_loses_no_acknowledged_write(kind, tmp_path, request):
    w = World(kind, tmp_path / "data", request)
    acknowledged: dict[str, int] = {}  # entry id -> the revision its last 2xx answer gave
    stop = threading.Event()
    failures: list[str] = []

    def writer(n: int) -> None:
        http = httpx.Client(timeout=10)
        k = 0
        while not stop.is_set():
            k += 1
            try:
                made = http.post(w.site + "/v1/entries", headers=w.headers("contributor"),
                                 json={**NEW, "comment": f"luồng ghi {n}-{k}"})
                if made.status_code != 201:
                    failures.append(f"{made.status_code} {made.text}")
                    continue
                entry_id = made.json()["id"]
                acknowledged[entry_id] = 1
                for status in ("review", "published"):
                    # four eyes: the contributor sends the draft, the editor publishes it
                    who = "contributor" if status == "review" else "editor"
                    moved = http.post(w.site + f"/v1/entries/{entry_id}/status", headers=w.headers(who),
                                      json={"status": status})
                    if moved.status_code != 200:
                        failures.append(f"{moved.status_code} {moved.text}")
                        break
                    acknowledged[entry_id] = moved.json()["revision"]
            except httpx.TransportError:
                return  # the server is gone: what was answered before counts

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(3)
    w.kill()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert not failures, failures[:3]
    assert len(acknowledged) >= 10, "too few writes before the kill to prove anything"

    db = sqlite3.connect(w.lib.store.core.path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for entry_id, revision in acknowledged.items():
        row = db.execute("SELECT revision FROM entries WHERE id = ?", (entry_id,)).fetchone()
        assert row is not None and row[0] >= revision, (entry_id, revision, row)
        numbers = [r for (r,) in db.execute("SELECT revision FROM revisions WHERE entry_id = ? ORDER BY revision",
                                            (entry_id,))]
        assert numbers == list(range(1, row[0] + 1))  # no half-written revision, no gap
    db.close()

    w.start()  # starts cleanly, and its index catches up with every published entry
    deadline = time.monotonic() + 5  # the workers' follow-up, for an index the start did not update
    while (health := w.call("GET", "/health").json())["status"] != "ok":
        assert time.monotonic() < deadline, health
        time.sleep(0.1)
    assert health["index"]["generation"] == health["store"]["generation"]
    published = [e for e, r in acknowledged.items() if r == 3]
    assert published and all(w.call("GET", f"/v1/entries/{e}").status_code == 200 for e in published)


def test_a_store_of_the_previous_release_becomes_published_revision_1(tmp_path):
    """Entries stored before review existed were public: after the upgrade they are revision 1,
    published, written by their import, and the public sees them as before."""
    from dictionary.storage import schema
    from dictionary.storage.store import Storage

    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    for migration in schema.MIGRATIONS[:3]:
        db.executescript(migration)
    db.execute("PRAGMA user_version = 3")
    db.execute("UPDATE meta SET value = '5' WHERE key = 'generation'")
    entry = Entry(id="mww-aaaaaaaaaaaa", language="mww", headword="dej", senses=[{"glosses": {"vie": ["nước"]}}],
                  provenance=Provenance(dataset="old"))
    body = entry.model_dump_json().replace('"draft"', '"approved"')
    db.execute("INSERT INTO datasets VALUES ('old', 'tsv', NULL, NULL, NULL, NULL, '2026-01-01T00:00:00+00:00', 1)")
    db.execute("INSERT INTO entries (id, language, dataset, headword, status, body) VALUES (?, 'mww', 'old', 'dej', "
               "'approved', ?)", (entry.id, body.encode()))
    db.commit()
    db.close()
    store = Storage(path)
    state = store.entries.state(entry.id)
    assert (state.status.value, state.revision, state.published_revision, state.pending) == ("published", 1, 1, False)
    assert store.entries.get(entry.id).headword == "dej" and store.entries.count() == 1
    assert store.entries.revisions(entry.id) == [{"revision": 1, "author": "import:old", "at": "2026-01-01T00:00:00+00:00",
                                          "status": "published", "comment": None, "changes": ["created"]}]
    assert store.entries.broad(0) == {1: 1}  # its meanings counted for the ranking
    assert store.feed.changed_since(4) is None  # an index of before the feed is rebuilt, not followed
    assert store.feed.changed_since(5) == []
    store.datasets.replace(Dataset("old", "tsv"), [entry])
    assert store.entries.state(entry.id).revision == 1  # the same content again makes no revision


def test_an_index_that_cannot_follow_is_said_to_be_stale(library):
    """With no follow-up running (an app whose workers have not started), a change stored by
    another process leaves the index behind: the search answer, its header and the page say so."""
    load_sample(library.services.collection)
    library.index()
    library.store.datasets.replace(Dataset("more", "tsv"), [Entry(
        id="mww-bbbbbbbbbbbb", language="mww", headword="roob", senses=[{"glosses": {"vie": ["núi"]}}],
        provenance=Provenance(dataset="more"))])
    client = library.client()  # no lifespan: no follow-up thread
    stale = client.get("/v1/search", params={"q": "núi"})
    assert stale.json()["stale"] is True and stale.headers["x-index-stale"] == "1"
    assert "Chỉ mục tìm kiếm chưa cập nhật" in client.get("/", params={"q": "núi"}).text


def test_a_body_over_the_bound_is_refused_before_it_is_read(editors):
    """Declared or streamed in chunks, a body over 256 KB is 413 in the one error shape."""
    library, client, as_, ids = editors
    before = _written(library.store)

    def chunks():
        for _ in range(300):
            yield b" " * 1024

    answer = client.post("/v1/entries", headers={**as_("contributor"), "Content-Type": "application/json"},
                         content=chunks())
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "body_too_large"
    assert _written(library.store) == before


def test_a_status_move_does_not_undo_an_edit_that_landed_first(editors):
    """A publish decided on revision N, when an edit made N+1 meanwhile, is 412: the edit is not
    published unseen, nor written over."""
    library, client, as_, ids = editors
    entry_id = ids["draft"]
    assert client.post(f"/v1/entries/{entry_id}/status", headers=as_("contributor"), json={"status": "review"}).status_code == 200
    seen = client.get(f"/v1/entries/{entry_id}", headers=as_("editor")).headers["ETag"]
    edited = client.put(f"/v1/entries/{entry_id}", headers={**as_("contributor"), "If-Match": seen},
                        json={**NEW, "headword": "rườn", "senses": [{"glosses": {"vie": ["nhà sàn", "nhà"]}}]})
    assert edited.status_code == 200
    late = client.post(f"/v1/entries/{entry_id}/status", headers={**as_("editor"), "If-Match": seen},
                       json={"status": "published"})
    assert late.status_code == 412 and late.json()["error"]["current_revision"] == 3
    assert client.get(f"/v1/entries/{entry_id}").status_code == 404  # nothing was published


def test_a_retired_entry_is_taken_up_again_by_editors_only(editors):
    library, client, as_, ids = editors
    entry_id = ids["published"]
    assert client.post(f"/v1/entries/{entry_id}/status", headers=as_("editor"),
                       json={"status": "retired", "comment": "trùng"}).status_code == 200
    etag = client.get(f"/v1/entries/{entry_id}", headers=as_("editor")).headers["ETag"]
    refused = client.put(f"/v1/entries/{entry_id}", headers={**as_("contributor"), "If-Match": etag}, json=NEW)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    taken = client.put(f"/v1/entries/{entry_id}", headers={**as_("editor"), "If-Match": etag}, json=NEW)
    assert taken.status_code == 200 and taken.json()["status"] == "draft"


def test_publishing_an_imported_entry_does_not_stop_its_reimport(tmp_path, library):
    """Only a change of content makes an entry the editors' (kept by a re-import); a status move
    does not."""
    from corpora.importer import import_file
    from corpora.tabular import Columns
    from dictionary.editorial.accounts import Account, Role
    from dictionary.model import Status

    words = tmp_path / "tay.tsv"
    words.write_text("tyz\tvie\nmạ\tngựa\n", encoding="utf-8")
    import_file(library.services.collection, words, "tsv", language="tyz", columns=Columns("tyz", "vie"), status=Status.draft)
    (entry_id,), = library.store.core.db.execute("SELECT id FROM entries").fetchall()
    editor = Account("le.b", Role.editor, ("tyz",))
    library.services.editing.move(editor, entry_id, "review")
    library.services.editing.move(editor, entry_id, "published")
    words.write_text("tyz\tvie\nmạ\tcon ngựa\n", encoding="utf-8")
    stats = import_file(library.services.collection, words, "tsv", language="tyz", columns=Columns("tyz", "vie")).stats
    assert (stats.updated, stats.kept) == (1, ())
    assert library.store.entries.get(entry_id).senses[0].glosses["vie"] == ["con ngựa"]


def test_the_glossary_names_the_published_headword_while_a_new_one_waits(editors):
    """The workbench reads heads from the store's columns; an entry whose pending revision renames
    it still shows the published headword."""
    library, client, as_, ids = editors
    entry_id = ids["published"]
    etag = client.get(f"/v1/entries/{entry_id}", headers=as_("editor")).headers["ETag"]
    assert client.put(f"/v1/entries/{entry_id}", headers={**as_("editor"), "If-Match": etag},
                      json={**NEW, "headword": "rườn"}).status_code == 200
    glossary = client.post("/v1/translate", json={"text": "trâu", "to": ["tyz"]}).json()
    heads = {e["id"]: e["headword"] for t in glossary["terms"] for e in t["equivalents"]["tyz"]}
    assert heads[entry_id] == "vài"


def test_editors_download_their_language_in_every_exchange_format(editors):
    """The public text by default, every latest revision with status=all; LIFT, CLDF (zipped),
    CSV and XLSX, named after what they hold."""
    import io
    import zipfile

    from lxml import etree
    from openpyxl import load_workbook

    library, client, as_, ids = editors
    published = client.get("/v1/export", params={"format": "csv", "language": "tyz"}, headers=as_("editor"))
    assert published.status_code == 200 and published.headers["content-type"].startswith("text/csv")
    assert 'filename="tudien-tyz-published.csv"' in published.headers["content-disposition"]
    assert "\nmạ,ngựa" in published.text and "nhà sàn" not in published.text  # the draft is not public
    everything = client.get("/v1/export", params={"format": "csv", "language": "tyz", "status": "all"},
                            headers=as_("editor")).text
    assert "rườn,nhà sàn" in everything
    lift = client.get("/v1/export", params={"format": "lift", "language": "tyz"}, headers=as_("editor"))
    root = etree.fromstring(lift.content)
    assert root.tag == "lift" and root.get("version") == "0.13"
    assert len(root.findall("entry")) == library.store.core.db.execute(
        "SELECT COUNT(*) FROM entries WHERE language = 'tyz' AND public IS NOT NULL").fetchone()[0]
    book = load_workbook(io.BytesIO(client.get("/v1/export", params={"format": "xlsx", "language": "tyz"},
                                               headers=as_("editor")).content))
    assert [c.value for c in next(book.worksheets[0].iter_rows())] == ["headword", "vie", "eng", "pos", "variants", "ipa"]
    cldf = client.get("/v1/export", params={"format": "cldf"}, headers=as_("admin"))
    names = zipfile.ZipFile(io.BytesIO(cldf.content)).namelist()
    assert "cldf/Wordlist-metadata.json" in names and "cldf/forms.csv" in names


def test_the_desk_settings_four_eyes_and_time_zone(tmp_path):
    """TUDIEN_FOUR_EYES (on unless 0) and TUDIEN_TIMEZONE (Vietnam's unless named) are read once;
    the desk shows a stored UTC time in that zone, the Vietnamese way."""
    from api.routes.desk import clock
    from dictionary.errors import ConfigurationError
    from tudien.settings import Settings

    base = {"TUDIEN_DATA_DIR": str(tmp_path)}
    default = Settings.from_env(base)
    assert (default.four_eyes, default.timezone) == (True, "Asia/Ho_Chi_Minh")
    chosen = Settings.from_env({**base, "TUDIEN_FOUR_EYES": "0", "TUDIEN_TIMEZONE": "Asia/Bangkok"})
    assert (chosen.four_eyes, chosen.timezone) == (False, "Asia/Bangkok")
    for name, value in (("TUDIEN_FOUR_EYES", "maybe"), ("TUDIEN_TIMEZONE", "Hà Nội")):
        with pytest.raises(ConfigurationError, match=name):
            Settings.from_env({**base, name: value})

    assert clock("Asia/Ho_Chi_Minh")("2026-12-04T18:05:00+00:00") == "01:05 ngày 05/12/2026"
    assert clock("UTC")("2026-12-04T18:05:00+00:00") == "18:05 ngày 04/12/2026"
