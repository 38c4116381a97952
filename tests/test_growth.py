"""The demand loop through the real HTTP API: a missed search counted once per client a day and
never with personal data, a term request from the no-result page reaching the worklist and
answered by a published entry, a recording campaign ordered by look-ups, a speaker's consent,
takes that wait for review (a retry never twice), validation, withdrawal, and the coverage
equal to the store's."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import orjson
import pytest
from audio_support import encode, espeak_wav, samples_of
from support import CheckedClient, Library

from corpora.sample import load_sample
from dictionary.growth.demand import Counter
from tudien.settings import Settings

MISS = "căn cước"


@pytest.fixture
def world(tmp_path):
    lib = Library(tmp_path)
    load_sample(lib.services.collection)
    lib.index()
    accounts = lib.services.accounts
    tokens = {
        "speaker": accounts.add("y.nie", "contributor", "tyz"),
        "speaker2": accounts.add("ma.van", "contributor", "tyz"),
        "editor": accounts.add("le.b", "editor", "tyz"),
        "admin": accounts.add("quan.tri", "admin", "*"),
    }
    app = lib.app()
    yield lib, app, tokens
    lib.services.close()


def client(app, host: str = "203.0.113.7") -> CheckedClient:
    return CheckedClient(app, client=(host, 50000))


def auth(tokens, who: str) -> dict:
    return {"Authorization": f"Bearer {tokens[who]}"}


def test_a_miss_is_counted_once_per_client_a_day_and_nothing_personal_is_kept(world):
    lib, app, _ = world
    first, second = client(app, "203.0.113.7"), client(app, "198.51.100.9")
    first.cookies.set("theo-doi", "abc")
    for _ in range(3):  # one client repeating itself counts once
        assert first.get("/v1/search", params={"q": MISS, "from": "vie", "to": "tyz"},
                         headers={"User-Agent": "Thu-1.0"}).json()["exact_matches"] == 0
    second.get("/v1/search", params={"q": "Căn  cước", "from": "vie", "to": "tyz"})  # the same term, another client
    assert first.get("/v1/search", params={"q": "123", "from": "vie", "to": "tyz"}).status_code == 200  # no letter
    found = first.get("/v1/search", params={"q": "rườn"}).json()  # an exact match is no miss
    assert found["exact_matches"] >= 1
    assert lib.store.demand.rows() == []  # nothing written on the request's path
    lib.services.demand.flush()
    rows = lib.store.demand.misses("2000-01-01")
    assert [(r["term"], r["source"], r["target"], r["searches"]) for r in rows] == [(MISS, "vie", "tyz", 2)]
    stored = lib.store.demand.rows()
    assert {tuple(sorted(r)) for r in stored} == {("count", "day", "origin", "source", "target", "term", "text")}
    everything = repr(lib.store.core.rows("SELECT * FROM misses")) + repr(lib.store.core.rows("SELECT * FROM lookups"))
    for personal in ("203.0.113.7", "198.51.100.9", "testclient", "Thu-1.0", "abc"):
        assert personal not in everything
    assert stored[0]["day"] == datetime.now(UTC).date().isoformat()


def test_counting_is_bounded_and_can_be_turned_off(world):
    lib, _, _ = world
    assert Counter.countable("x" * 101) is None and Counter.countable("!!! 42") is None
    assert Counter.countable("  Ủy ban  nhân dân ") == ("ủy ban nhân dân", "Ủy ban nhân dân")
    settings = Settings.from_env({"TUDIEN_RECORD_MISSES": "0", "TUDIEN_MISSES_DAYS": "30"})
    assert settings.record_misses is False and settings.misses_days == 30
    counter = lib.services.demand
    robot = sum(counter.miss(f"từ lạ {i}", "vie", "tyz", "192.0.2.1") for i in range(100))
    assert robot == 30  # a client past the burst is not counted
    off = Counter(lib.store.demand, type(counter.settings)(enabled=False))
    assert off.miss("từ khác", "vie", "tyz", "192.0.2.2") is False


def test_old_counts_are_dropped(world):
    lib, _, _ = world
    lib.store.demand.add({("2001-01-01", "cũ", "vie", "tyz", "search", "cũ"): 3}, {("2001-01-01", "x"): 1})
    lib.services.demand.flush()  # the daily retention runs with a flush
    assert lib.store.demand.rows() == []


def test_a_request_from_the_no_result_page_reaches_the_worklist_and_a_published_entry_answers_it(world):
    lib, app, tokens = world
    browser = client(app)
    page = browser.get("/", params={"q": MISS, "from": "vie", "to": "tyz"})
    assert "Đề nghị bổ sung" in page.text and 'href="/tien-do"' in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    sent = browser.post("/de-nghi", data={"text": MISS, "language": "tyz", "context": "Làm căn cước ở xã.",
                                          "contact": "0912 345 678", "csrf": csrf}, follow_redirects=False)
    assert sent.status_code == 303
    number = int(sent.headers["location"].rsplit("/", 1)[1])
    again = client(app, "198.51.100.9").post("/v1/requests", json={"text": "Căn cước", "language": "tyz"})
    assert again.status_code == 202 and again.json() == {"number": number, "count": 2,
                                                         "status_url": f"/de-nghi/{number}"}
    lib.services.demand.flush()

    assert client(app).get("/v1/worklist", params={"language": "tyz"}).status_code == 401
    items = client(app).get("/v1/worklist", params={"language": "tyz"}, headers=auth(tokens, "editor")).json()["items"]
    item = next(i for i in items if i["term"] == MISS)
    assert (item["searches"], item["requests"], item["status"], item["request_numbers"]) == (1, 2, "open", [number])
    assert "contacts" not in item  # an editor never sees contacts
    admin = client(app).get("/v1/worklist", params={"language": "tyz"}, headers=auth(tokens, "admin")).json()
    assert next(i for i in admin["items"] if i["term"] == MISS)["contacts"] == ["0912 345 678"]
    csv_editor = client(app).get("/v1/worklist.csv", params={"language": "tyz"}, headers=auth(tokens, "editor"))
    assert MISS in csv_editor.text and "0912" not in csv_editor.text
    assert "0912 345 678" in client(app).get("/v1/worklist.csv", headers=auth(tokens, "admin")).text
    xlsx = client(app).get("/v1/worklist.xlsx", params={"language": "tyz"}, headers=auth(tokens, "editor"))
    assert xlsx.content[:2] == b"PK"

    # "Tạo mục từ": the contributor's entry, published by the editor, marks the item done
    made = client(app).post("/v1/entries", headers=auth(tokens, "speaker"), json={
        "language": "tyz", "headword": "bài cước", "senses": [{"glosses": {"vie": [MISS]}}]})
    assert made.status_code == 201, made.text
    entry_id = made.json()["id"]
    assert client(app).post(f"/v1/entries/{entry_id}/status", json={"status": "review"},
                            headers=auth(tokens, "speaker")).status_code == 200
    assert client(app).get(f"/v1/requests/{number}").json()["status"] == "open"  # not published yet
    assert client(app).post(f"/v1/entries/{entry_id}/status", json={"status": "published"},
                            headers=auth(tokens, "editor")).status_code == 200
    lib.services.follower.catch_up()
    public = client(app).get(f"/v1/requests/{number}").json()
    assert public["status"] == "done" and public["entry"] == entry_id and "contact" not in public
    page = client(app).get(f"/de-nghi/{number}")
    assert f'href="/e/{entry_id}"' in page.text and "0912" not in page.text
    items = client(app).get("/v1/worklist", params={"language": "tyz"}, headers=auth(tokens, "editor")).json()["items"]
    assert next(i for i in items if i["term"] == MISS)["entry"] == entry_id
    records = lib.store.audit.records()
    actions = [r["action"] for r in records]
    assert "request.create" in actions and "request.repeat" in actions and "worklist.done" not in actions
    assert all(r["client"] is None for r in records if r["action"].startswith("request."))  # no address kept
    assert lib.store.core.rows("SELECT COUNT(*) AS n FROM worklist")[0]["n"] == 0  # reading writes nothing

    # the entry retired, the request is open again
    assert client(app).post(f"/v1/entries/{entry_id}/status", json={"status": "retired"},
                            headers=auth(tokens, "editor")).status_code == 200
    lib.services.follower.catch_up()
    assert client(app).get(f"/v1/requests/{number}").json()["status"] == "open"


def test_dismissing_an_item_needs_a_reason(world):
    lib, app, tokens = world
    client(app).post("/v1/requests", json={"text": "ô tô điện", "language": "tyz"})
    body = {"language": "tyz", "text": "ô tô điện", "status": "dismissed"}
    refused = client(app).post("/v1/worklist/decisions", json=body, headers=auth(tokens, "editor"))
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_request"
    assert client(app).post("/v1/worklist/decisions", json=body, headers=auth(tokens, "speaker")).status_code == 403
    done = client(app).post("/v1/worklist/decisions", json={**body, "reason": "Từ mượn, giữ nguyên."},
                            headers=auth(tokens, "editor"))
    assert done.status_code == 200
    items = client(app).get("/v1/worklist", params={"language": "tyz"}, headers=auth(tokens, "editor")).json()["items"]
    assert next(i for i in items if i["term"] == "ô tô điện")["status"] == "dismissed"


def _wav(text: str) -> bytes:
    return encode(*samples_of(espeak_wav(text)), "wav")


def test_a_campaign_of_the_words_people_look_up_recorded_reviewed_and_withdrawn(world):
    lib, app, tokens = world
    rows = lib.store.core.rows("SELECT id FROM entries WHERE language = 'tyz' AND public IS NOT NULL ORDER BY id")
    ids = [r["id"] for r in rows]
    popular, second = ids[-1], ids[-2]
    for host in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        client(app, host).get(f"/v1/entries/{popular}")
    client(app, "192.0.2.1").get(f"/v1/entries/{second}")
    client(app, "192.0.2.1").get(f"/v1/entries/{second}")  # the same client again: once
    lib.services.demand.flush()
    assert lib.store.demand.lookups([popular, second]) == {popular: 3, second: 1}

    opened = client(app).post("/v1/campaigns", json={"language": "tyz", "name": "Tày mùa xuân", "limit": 3},
                              headers=auth(tokens, "editor"))
    assert opened.status_code == 201, opened.text
    campaign = opened.json()
    assert [i["entry"] for i in campaign["items"]][:2] == [popular, second]
    assert client(app).post("/v1/campaigns", json={"language": "tyz", "name": "x"},
                            headers=auth(tokens, "speaker")).status_code == 403

    consent = client(app).get("/v1/speakers/consent").json()
    assert "đồng ý" in consent["text"]
    refused = client(app).post("/v1/speakers", json={"language": "tyz", "name": "Y Niê", "consent": False},
                               headers=auth(tokens, "speaker"))
    assert refused.status_code == 422
    speaker = client(app).post("/v1/speakers", json={
        "language": "tyz", "name": "Y Niê", "sex": "nữ", "decade": 1970, "commune": "Xã Nà Phặc",
        "province": "Bắc Kạn", "variety": "Tày Ngân Sơn", "consent": True}, headers=auth(tokens, "speaker")).json()
    assert speaker["licence"] == "CC BY 4.0" and "CC BY 4.0" in speaker["consent"] and speaker["account"] == "y.nie"

    words = [i["entry"] for i in campaign["items"]]
    clips = []
    for n, entry_id in enumerate(words):
        form = {"campaign": str(campaign["id"]), "take": f"take-{n}"}
        data = _wav(f"từ {n}")
        sent = client(app).post(f"/v1/entries/{entry_id}/audio", data=form, files={"file": ("t.wav", data)},
                                headers=auth(tokens, "speaker"))
        assert sent.status_code == 201, sent.text
        retry = client(app).post(f"/v1/entries/{entry_id}/audio", data=form, files={"file": ("t.wav", data)},
                                 headers=auth(tokens, "speaker"))
        assert retry.status_code == 200 and retry.json()["clip"]["id"] == sent.json()["clip"]["id"]
        clips.append(sent.json()["clip"]["id"])
    assert lib.store.core.rows("SELECT COUNT(*) AS n FROM audio_clips WHERE review = 'pending'")[0]["n"] == 3

    def public_audio(entry_id: str) -> list[str]:
        return [c["id"] for c in client(app).get(f"/v1/entries/{entry_id}/audio").json()["audio"]
                if c["kind"] == "recording"]

    assert public_audio(words[0]) == []  # pending: not public
    head = client(app).get("/v1/changes", params={"since": 0, "language": "tyz", "limit": 1000}).json()["next"]
    assert client(app).get("/v1/packs/tyz/audio").status_code == 404  # no accepted recording to pack yet
    assert client(app).get(f"/v1/audio/{clips[0]}").status_code == 404
    assert client(app).get(f"/v1/audio/{clips[0]}", headers=auth(tokens, "editor")).status_code == 200

    own = client(app).post(f"/v1/recordings/{clips[0]}/review", json={"verdict": "accept"},
                           headers=auth(tokens, "speaker"))
    assert own.status_code == 403  # a speaker does not validate their own recording
    assert client(app).post(f"/v1/recordings/{clips[0]}/review", json={"verdict": "accept"},
                            headers=auth(tokens, "editor")).json()["review"] == "accepted"
    client(app).post("/v1/speakers", json={"language": "tyz", "name": "Ma Văn", "consent": True},
                     headers=auth(tokens, "speaker2"))
    assert client(app).post(f"/v1/recordings/{clips[1]}/review", json={"verdict": "accept"},
                            headers=auth(tokens, "speaker2")).json()["review"] == "accepted"
    assert client(app).post(f"/v1/recordings/{clips[2]}/review", json={"verdict": "reject"},
                            headers=auth(tokens, "editor")).status_code == 422  # a reason is needed
    client(app).post(f"/v1/recordings/{clips[2]}/review", json={"verdict": "reject", "reason": "Có tiếng ồn."},
                     headers=auth(tokens, "editor"))
    assert public_audio(words[0]) == [clips[0]] and public_audio(words[2]) == []
    changed = client(app).get("/v1/changes", params={"since": head, "language": "tyz"}).json()
    fed = {c["id"]: [a["id"] for a in c["entry"]["audio"]] for c in changed["changes"] if c.get("entry")}
    assert fed == {words[0]: [clips[0]], words[1]: [clips[1]]}  # the accepted ones only, in the feed
    assert client(app).get("/v1/packs/tyz/audio").status_code == 200  # the offline pack holds them now
    packs = client(app).get("/v1/packs").json()
    assert next(p for p in packs["packs"] if p["language"] == "tyz")["audio"]["recordings"] == 2
    heard = client(app).get(f"/v1/entries/{words[0]}/audio").json()["audio"][0]
    assert (heard["speaker"], heard["dialect"], heard["licence"]) == ("Y Niê", "Tày Ngân Sơn", "CC BY 4.0")
    assert "Nà Phặc" in heard["attribution"] and heard["recorded_on"]

    progress = client(app).get(f"/v1/campaigns/{campaign['id']}", headers=auth(tokens, "editor")).json()
    assert progress["progress"] == {"items": 3, "recorded": 3, "accepted": 2, "rejected": 1, "pending": 0}
    assert progress["speakers"][0]["accepted"] == 2

    coverage = client(app).get("/v1/coverage").json()
    tay = next(r for r in coverage["languages"] if r["language"] == "tyz")
    store = lib.store.core.rows(
        "SELECT COUNT(*) AS published, SUM(CASE WHEN EXISTS (SELECT 1 FROM audio_clips a WHERE a.entry_id = e.id "
        "AND a.review = 'accepted') THEN 1 ELSE 0 END) AS recorded FROM entries e "
        "WHERE e.language = 'tyz' AND e.public IS NOT NULL")[0]
    assert (tay["published"], tay["recorded"]) == (store["published"], store["recorded"]) == (store["published"], 2)
    page = client(app).get("/tien-do")
    assert "<svg" in page.text and "<script" not in page.text.split("<main>")[1].split("</main>")[0]
    assert re.search(r'data-language="tyz">.*?class="published">(\d+)<.*?class="recorded">(\d+)<', page.text).groups() \
        == (str(store["published"]), "2")

    withdrawn = client(app).delete(f"/v1/speakers/{speaker['id']}", headers=auth(tokens, "editor"))
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_by"] == "le.b"
    assert public_audio(words[0]) == [] and public_audio(words[1]) == []  # at once
    actions = [(r["actor"], r["action"]) for r in lib.store.audit.records(limit=1000)]
    for done in (("le.b", "campaign.open"), ("y.nie", "speaker.consent"), ("le.b", "recording.accept"),
                 ("ma.van", "recording.accept"), ("le.b", "recording.reject"), ("le.b", "speaker.withdraw")):
        assert done in actions


def test_a_new_day_counts_the_same_client_again_under_a_new_key(world):
    lib, _, _ = world
    day = ["2026-03-01"]
    counter = Counter(lib.store.demand, today=lambda: day[0])
    assert counter.miss("nhà văn hoá", "vie", "tyz", "192.0.2.9")
    assert not counter.miss("Nhà văn hoá", "vie", "tyz", "192.0.2.9")  # the same client, the same day
    first_key = counter._key
    day[0] = "2026-03-02"
    assert counter.miss("nhà văn hoá", "vie", "tyz", "192.0.2.9")  # a new day: counted again
    assert counter._key != first_key and len(counter._seen) == 1  # yesterday's digests are gone
    counter.flush()
    rows = lib.store.core.rows("SELECT day, count FROM misses WHERE term = 'nhà văn hoá' ORDER BY day")
    assert rows == [{"day": "2026-03-01", "count": 1}, {"day": "2026-03-02", "count": 1}]


REFUSALS = [  # (method, path, who, body, status, code): each in the one error shape, in Vietnamese
    ("POST", "/v1/requests", None, {"text": "123", "language": "tyz"}, 422, "invalid_parameter"),
    ("POST", "/v1/requests", None, {"text": "nhà", "language": "vie"}, 422, "invalid_request"),
    ("POST", "/v1/requests", None, {"text": "nhà", "language": "xyz"}, 422, "unknown_language"),
    ("POST", "/v1/requests", None, {"text": "nhà", "language": "tyz", "contact": "x" * 201}, 422, "invalid_parameter"),
    ("GET", "/v1/requests/999", None, None, 404, "not_found"),
    ("GET", "/v1/worklist", None, None, 401, "unauthenticated"),
    ("GET", "/v1/worklist.csv", None, None, 401, "unauthenticated"),
    ("GET", "/v1/worklist.xlsx", None, None, 401, "unauthenticated"),
    ("GET", "/v1/worklist?language=mww", "editor", None, 403, "forbidden"),
    ("POST", "/v1/worklist/decisions", "speaker", {"language": "tyz", "text": "nhà", "status": "dismissed",
                                                   "reason": "x"}, 403, "forbidden"),
    ("POST", "/v1/speakers", "speaker", {"language": "tyz", "name": "A", "consent": False}, 422, "invalid_parameter"),
    ("POST", "/v1/speakers", "speaker", {"language": "tyz", "name": "A", "consent": True, "account": "le.b"},
     403, "forbidden"),
    ("GET", "/v1/speakers/999", "editor", None, 404, "not_found"),
    ("DELETE", "/v1/speakers/999", "editor", None, 404, "not_found"),
    ("POST", "/v1/campaigns", "speaker", {"language": "tyz", "name": "x"}, 403, "forbidden"),
    ("POST", "/v1/campaigns", "editor", {"language": "tyz", "name": "x", "entries": ["tyz-000000000000"]},
     404, "not_found"),
    ("GET", "/v1/campaigns/999", "editor", None, 404, "not_found"),
    ("GET", "/v1/campaigns/999", None, None, 401, "unauthenticated"),
    ("GET", "/v1/campaigns/999/pending", "editor", None, 404, "not_found"),
    ("GET", "/v1/campaigns/999/pending", None, None, 401, "unauthenticated"),
    ("POST", "/v1/recordings/r0000000000000000/review", "editor", {"verdict": "accept"}, 404, "audio_not_found"),
    ("POST", "/v1/coverage", None, None, 405, "http_error"),
    ("POST", "/v1/speakers/consent", None, None, 405, "http_error"),
]


@pytest.mark.parametrize(("method", "path", "who", "body", "status", "code"), REFUSALS,
                         ids=[f"{m} {p} {s}" for m, p, _, _, s, _ in REFUSALS])
def test_refusals_share_the_one_error_shape(world, method, path, who, body, status, code):
    lib, app, tokens = world
    answer = client(app).request(method, path, json=body, headers=auth(tokens, who) if who else {})
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert set(answer.json()) == {"error"} and error["status"] == status and error["code"] == code
    assert any(ch in error["message"] for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
    assert lib.store.core.rows("SELECT COUNT(*) AS n FROM term_requests")[0]["n"] == 0


def test_a_recording_for_internal_use_only_is_accepted_but_never_public(world):
    lib, app, tokens = world
    entry_id = lib.store.core.rows("SELECT id FROM entries WHERE language = 'tyz' AND public IS NOT NULL "
                                   "ORDER BY id LIMIT 1")[0]["id"]
    campaign = client(app).post("/v1/campaigns", json={"language": "tyz", "name": "nội bộ", "entries": [entry_id]},
                                headers=auth(tokens, "editor")).json()
    speaker = client(app).post("/v1/speakers", json={"language": "tyz", "name": "Người đọc B", "licence": "internal",
                                                     "consent": True}, headers=auth(tokens, "speaker")).json()
    assert speaker["licence"] == "chỉ dùng nội bộ" and "không công bố" in speaker["consent"]
    sent = client(app).post(f"/v1/entries/{entry_id}/audio", data={"campaign": str(campaign["id"]), "take": "n1"},
                            files={"file": ("t.wav", _wav("một"))}, headers=auth(tokens, "speaker")).json()
    clip = sent["clip"]["id"]
    reviewed = client(app).post(f"/v1/recordings/{clip}/review", json={"verdict": "accept"},
                                headers=auth(tokens, "editor")).json()
    assert reviewed["review"] == "internal"
    assert [c for c in client(app).get(f"/v1/entries/{entry_id}/audio").json()["audio"] if c["kind"] == "recording"] == []
    assert client(app).get(f"/v1/audio/{clip}").status_code == 404
    assert client(app).get(f"/v1/audio/{clip}", headers=auth(tokens, "editor")).status_code == 200
    assert client(app).get(f"/v1/campaigns/{campaign['id']}", headers=auth(tokens, "editor")).json()["progress"]["accepted"] == 1


def test_a_campaign_shows_its_contributors_the_public_text_only(world):
    lib, app, tokens = world
    tokens["hmong"] = lib.services.accounts.add("vang.a", "contributor", "mww")
    rows = lib.store.core.rows("SELECT id, body FROM entries WHERE language = 'tyz' AND public IS NOT NULL "
                               "ORDER BY id LIMIT 1")
    entry_id = rows[0]["id"]
    campaign = client(app).post("/v1/campaigns", json={"language": "tyz", "name": "công khai", "entries": [entry_id]},
                                headers=auth(tokens, "editor")).json()
    public = campaign["items"][0]["headword"]
    draft = {**orjson.loads(rows[0]["body"]), "headword": "bản nháp"}
    assert public != "bản nháp"
    lib.store.core.db.execute("UPDATE entries SET body = ? WHERE id = ?", (orjson.dumps(draft), entry_id))
    lib.store.core.db.commit()
    path = f"/v1/campaigns/{campaign['id']}"
    assert client(app).get(path).status_code == 401
    assert client(app).get(path, headers=auth(tokens, "hmong")).status_code == 403
    seen = client(app).get(path, headers=auth(tokens, "speaker")).json()
    assert seen["items"][0]["headword"] == public
    lib.store.core.db.execute("UPDATE entries SET public = NULL WHERE id = ?", (entry_id,))
    lib.store.core.db.commit()
    refused = client(app).post("/v1/campaigns", json={"language": "tyz", "name": "nháp", "entries": [entry_id]},
                               headers=auth(tokens, "editor"))
    assert refused.status_code == 422 and "chưa được công bố" in refused.json()["error"]["message"]
