"""The store's contract, on each store the program runs on: the SQLite file and a real PostgreSQL
server (scripts/postgres).  The same tests, through the same services and the HTTP API, must
give the same results on both: entries and datasets, revisions, accounts and sessions, the
audit log, suggestions, the audio catalogue and the change feed."""

from __future__ import annotations

import threading
import time

import pytest
from audio_support import espeak_wav
from support import CheckedClient, Library

from corpora.sample import load_sample
from dictionary import languages
from dictionary.errors import AccountExists, FeedExpired
from dictionary.storage.datasets import Dataset

NEW = {"language": "tyz", "headword": "vài", "pos": "n", "senses": [{"glosses": {"vie": ["trâu"]}}],
       "comment": "ghi ở Cao Bằng"}  # a real Tày word of the sample, entered again as a new entry


@pytest.fixture
def lib(tmp_path, store_kind):
    library = Library(tmp_path / "data", database_url=store_kind, api_keys=("khoa-thu",))
    load_sample(library.services.collection)
    library.index()
    yield library
    library.close()


@pytest.fixture
def world(lib):
    accounts = lib.services.accounts
    tokens = {"contributor": accounts.add("hoang.a", "contributor", "tyz"),
              "editor": accounts.add("le.b", "editor", "tyz"),
              "admin": accounts.add("quan.tri", "admin", "*")}
    with CheckedClient(lib.app()) as client:
        yield lib, client, {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}


def test_entries_and_datasets(lib):
    store = lib.store
    assert store.entries.kind == ("postgresql" if lib.settings.database_url else "sqlite")
    assert store.entries.count() == 40 and store.entries.language_counts() == {"khm": 16, "mww": 16, "tyz": 8}
    names = [d["name"] for d in store.datasets.all()]
    assert names == sorted(names) and len(names) == 3
    shown = store.datasets.get("sample-tyz")
    assert shown["languages"] == {"tyz": 8} and shown["edited"] == 0 and shown["licence"] == "CC-BY-4.0"
    bodies = store.entries.bodies(sorted(store.entries.authoritative() | {1, 2, 3}))
    assert {b["id"] for b in bodies.values()} == {e["id"] for e in list(store.entries.export_entries())[:3]}
    again = store.datasets.replace(Dataset("sample-tyz", "tsv", licence="CC-BY-4.0"),
                                  [store.entries.get(i) for i, _ in store.entries.dataset_entries("sample-tyz")][:5])
    assert (again.added, again.updated, again.removed) == (0, 0, 3)
    assert store.entries.language_counts()["tyz"] == 5
    assert store.datasets.remove("sample-khm", actor="test") == 16 and "khm" not in store.entries.language_counts()
    assert [h.entry["headword"] for h in lib.search("nước", "vie", "mww").hits][:1] == ["dej"]


def test_a_dataset_keeps_its_title_and_a_new_import_without_one_keeps_it(lib):
    """The title public pages show a dataset by ("Dữ liệu mẫu tiếng Tày", not "sample-tyz")."""
    store = lib.store
    assert store.datasets.get("sample-tyz")["title"] == "Dữ liệu mẫu tiếng Tày"
    entries = [store.entries.get(i) for i, _ in store.entries.dataset_entries("sample-tyz")]
    store.datasets.replace(Dataset("sample-tyz", "tsv", title="Từ Tày cơ bản"), entries)
    assert store.datasets.get("sample-tyz")["title"] == "Từ Tày cơ bản"
    store.datasets.replace(Dataset("sample-tyz", "tsv"), entries)  # imported again, no title given
    assert store.datasets.get("sample-tyz")["title"] == "Từ Tày cơ bản"
    assert {d["name"]: d["title"] for d in store.datasets.all()}["sample-khm"] == "Dữ liệu mẫu tiếng Khmer"
    tay = lib.services.catalogue.language("tyz")["datasets"]
    assert [(d["name"], d["title"]) for d in tay] == [("sample-tyz", "Từ Tày cơ bản")]


def test_revisions_review_and_history(world):
    lib, client, who = world
    made = client.post("/v1/entries", headers=who["contributor"], json=NEW)
    assert made.status_code == 201 and made.headers["ETag"] == '"r1"'
    entry_id = made.json()["id"]
    assert client.get(f"/v1/entries/{entry_id}").status_code == 404
    stale = client.put(f"/v1/entries/{entry_id}", headers={**who["contributor"], "If-Match": '"r0"'}, json=NEW)
    assert stale.status_code == 412 and stale.json()["error"]["current_revision"] == 1
    edited = client.put(f"/v1/entries/{entry_id}", headers={**who["contributor"], "If-Match": '"r1"'},
                        json={**NEW, "senses": [{"glosses": {"vie": ["trâu", "trâu nước"]}}]})
    assert edited.status_code == 200 and edited.headers["ETag"] == '"r2"'
    assert client.post(f"/v1/entries/{entry_id}/status", headers=who["contributor"],
                       json={"status": "review"}).status_code == 200
    assert client.post(f"/v1/entries/{entry_id}/status", headers=who["editor"],
                       json={"status": "published", "comment": "được"}).status_code == 200
    assert entry_id in [r["id"] for r in client.get("/v1/search", params={"q": "trâu nước"}).json()["results"]]
    reverted = client.post(f"/v1/entries/{entry_id}/revert", headers=who["editor"], json={"revision": 1})
    assert reverted.status_code == 200 and reverted.json()["revision"] == 5
    history = client.get(f"/v1/entries/{entry_id}/history", headers=who["editor"]).json()["revisions"]
    assert [(r["revision"], r["author"], r["status"]) for r in history] == [
        (1, "hoang.a", "draft"), (2, "hoang.a", "draft"), (3, "hoang.a", "review"), (4, "le.b", "published"),
        (5, "le.b", "published")]
    assert history[1]["changes"] == ["senses[0].glosses.vie"]
    assert client.get(f"/v1/entries/{entry_id}").json()["senses"][0]["glosses"] == {"vie": ["trâu"]}
    assert client.post(f"/v1/entries/{entry_id}/status", headers=who["editor"],
                       json={"status": "retired", "comment": "trùng"}).status_code == 200
    assert client.get(f"/v1/entries/{entry_id}").status_code == 404
    queue = client.get("/v1/review?language=tyz", headers=who["editor"]).json()["entries"]
    assert queue == []


def test_four_eyes_and_the_authority_reference(world):
    """An editor does not publish content they wrote last (a status move is no content of
    theirs); an admin switches the rule off for a one-person team, audited with its reason, and on
    again; a "Thuật ngữ chuẩn" needs the reference of the decision that fixed the term."""
    lib, client, who = world
    second = {"Authorization": "Bearer " + lib.services.accounts.add("pham.d", "editor", "tyz")}
    made = client.post("/v1/entries", headers=who["editor"], json=NEW).json()["id"]
    assert client.post(f"/v1/entries/{made}/status", headers=who["editor"], json={"status": "review"}).status_code == 200
    own = client.post(f"/v1/entries/{made}/status", headers=who["editor"], json={"status": "published"})
    assert own.status_code == 403 and own.json()["error"]["code"] == "forbidden"
    assert "hai người duyệt" in own.json()["error"]["message"]
    assert client.get(f"/v1/entries/{made}").status_code == 404
    assert client.post(f"/v1/entries/{made}/status", headers=second, json={"status": "published"}).status_code == 200
    history = client.get(f"/v1/entries/{made}/history", headers=who["editor"]).json()["revisions"]
    assert [(r["revision"], r["author"], r["version"], r["move"]) for r in history] == [
        (1, "le.b", 1, False), (2, "le.b", 1, True), (3, "pham.d", 1, True)]  # sent and published: one version
    # a contributor's content, sent by them: the editor publishes it
    theirs = client.post("/v1/entries", headers=who["contributor"], json=NEW).json()["id"]
    client.post(f"/v1/entries/{theirs}/status", headers=who["contributor"], json={"status": "review"})
    assert client.post(f"/v1/entries/{theirs}/status", headers=who["editor"],
                       json={"status": "published"}).status_code == 200

    # the switch is an admin's, and is audited with its reason
    assert client.put("/v1/review/rules/tyz", headers=who["editor"], json={"four_eyes": False,
                                                                        "comment": "một người"}).status_code == 403
    off = client.put("/v1/review/rules/tyz", headers=who["admin"],
                     json={"four_eyes": False, "comment": "nhóm tiếng Tày chỉ có một biên tập viên"})
    assert off.status_code == 200 and off.json() == {"language": "tyz", "four_eyes": False}
    assert client.get("/v1/review/rules", headers=who["editor"]).json() == {"default": True,
                                                                          "languages": {"tyz": False}}
    alone = client.post("/v1/entries", headers=who["editor"], json=NEW).json()["id"]
    client.post(f"/v1/entries/{alone}/status", headers=who["editor"], json={"status": "review"})
    assert client.post(f"/v1/entries/{alone}/status", headers=who["editor"],
                       json={"status": "published"}).status_code == 200
    records = client.get("/v1/audit", headers=who["admin"], params={"limit": 1000}).json()["records"]
    switch = [r for r in records if r["action"] == "team.four_eyes"]
    assert [(r["actor"], r["target"], r["detail"]["four_eyes"], r["detail"]["before"], r["detail"]["comment"])
            for r in switch] == [("quan.tri", "tyz", False, None, "nhóm tiếng Tày chỉ có một biên tập viên")]
    assert client.put("/v1/review/rules/tyz", headers=who["admin"], json={"four_eyes": True}).status_code == 200
    again = client.post("/v1/entries", headers=who["editor"], json=NEW).json()["id"]
    client.post(f"/v1/entries/{again}/status", headers=who["editor"], json={"status": "review"})
    assert client.post(f"/v1/entries/{again}/status", headers=who["editor"],
                       json={"status": "published"}).status_code == 403

    # the authority names its decision or publication: a bare word is refused, naming the field
    bare = client.post("/v1/entries", headers=who["contributor"], json={**NEW, "authority": "chuẩn"})
    assert bare.status_code == 422 and bare.json()["error"]["field"] == "authority"
    assert "Quyết định số" in bare.json()["error"]["message"]
    decision = "Quyết định số 1234/QĐ-UBDT"
    kept = client.post("/v1/entries", headers=who["contributor"], json={**NEW, "authority": decision})
    assert kept.status_code == 201 and kept.json()["authority"] == decision


def test_two_writers_at_once_one_gets_412(world):
    lib, client, who = world
    entry_id = client.post("/v1/entries", headers=who["contributor"], json=NEW).json()["id"]
    answers: list[int] = []
    start = threading.Barrier(2)

    def write(n: int) -> None:
        start.wait()
        response = client.put(f"/v1/entries/{entry_id}", headers={**who["contributor"], "If-Match": '"r1"'},
                              json={**NEW, "senses": [{"glosses": {"vie": [f"trâu {n}"]}}]})
        answers.append(response.status_code)

    threads = [threading.Thread(target=write, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [200, 412]
    assert lib.store.entries.state(entry_id).revision == 2


def test_text_the_database_cannot_hold_is_a_clear_4xx(world):
    lib, client, who = world
    # SQLite holds a NUL and finds no such entry; PostgreSQL cannot hold one and says so
    assert client.get("/v1/entries/tyz-a%00b").status_code == (422 if lib.settings.database_url else 404)
    assert client.get("/v1/search", params={"q": "n\x00ước"}).status_code == 200  # the NUL is dropped as invisible
    assert client.post("/v1/entries", headers=who["contributor"],
                       json={**NEW, "headword": "v\x00ài"}).status_code == 422


def test_accounts_sessions_and_the_audit_log(world):
    lib, client, who = world
    accounts = lib.services.accounts
    with pytest.raises(AccountExists):
        accounts.add("le.b", "editor", "tyz")
    accounts.set_password("le.b", "mật khẩu dài đủ dùng")
    account, session = accounts.sign_in("le.b", "mật khẩu dài đủ dùng", "127.0.0.9")
    assert account.name == "le.b" and accounts.by_session(session).name == "le.b"
    accounts.sign_out(session)
    assert accounts.by_session(session) is None
    accounts.disable("hoang.a")
    assert client.post("/v1/entries", headers=who["contributor"], json=NEW).status_code == 401
    records = client.get("/v1/audit?limit=1000", headers=who["admin"]).json()["records"]
    actions = [(r["actor"], r["action"]) for r in records]
    assert [(r["actor"], r["client"]) for r in records if r["action"] == "session.open"] == [("le.b", "127.0.0.9")]
    assert [(r["actor"], r["client"]) for r in records if r["action"] == "session.close"] == [("le.b", "127.0.0.9")]
    assert actions[0] == ("import", "import")
    assert [a["name"] for a in accounts.list()] == ["hoang.a", "le.b", "quan.tri"]


def test_the_audit_log_is_a_chain_of_digests_and_says_where_it_breaks(world):
    """Every record carries the digest of the one before it, written with the change; a record
    changed behind the service's back breaks the chain at that record."""
    from dictionary.storage import chain

    lib, client, who = world
    lib.services.accounts.set_role("hoang.a", "editor", "tyz", actor="cli:test")
    assert client.post("/v1/entries", headers=who["contributor"], json=NEW).status_code == 201
    rows = list(lib.services.audit.records())
    assert [r["action"] for r in rows][-2:] == ["account.role", "entry.create"]
    assert rows[0]["prev"] == chain.ORIGIN and all(b["prev"] == a["digest"] for a, b in zip(rows, rows[1:], strict=False))
    verdict = lib.services.audit.verify()
    assert verdict.holds and verdict.held == len(rows)
    since = list(lib.services.audit.records(rows[-1]["at"]))
    assert since == [r for r in rows if r["at"] >= rows[-1]["at"]] and since[-1]["id"] == rows[-1]["id"]
    with lib.store.core.transaction() as db:  # what an edit straight in the database looks like
        db.execute("UPDATE audit_log SET target = 'khac' WHERE id = ?", (rows[2]["id"],))
    verdict = lib.services.audit.verify()
    assert (verdict.held, verdict.broken_at) == (2, rows[2]["id"]) and "bị sửa" in verdict.reason


def test_sign_in_pauses_a_name_from_one_address_and_keeps_no_unknown_name(world):
    """Failures for a name wait by (name, address) with growing delays; the right password from
    another address goes through; an unknown name is kept only as a keyed digest; the store's
    secret key is made once."""
    from dictionary.editorial.accounts import DELAYS, PAUSE
    from dictionary.errors import InvalidAccount, TooManySignIns, WrongPassword

    lib, client, who = world
    accounts, store = lib.services.accounts, lib.store
    accounts.set_password("le.b", "mật khẩu dài đủ dùng")
    now = time.time()
    for failures, delay in enumerate(DELAYS[:-1], start=1):
        with pytest.raises(WrongPassword):
            accounts.sign_in("le.b", "sai", "10.0.0.1", now=now)
        assert store.accounts.sign_in_failures_from("le.b", "10.0.0.1", now - PAUSE)[0] == failures
        if delay:  # the next try from there waits, growing
            with pytest.raises(TooManySignIns) as waiting:
                accounts.sign_in("le.b", "mật khẩu dài đủ dùng", "10.0.0.1", now=now + 1)
            assert delay - 2 <= waiting.value.retry_after <= delay
        now += delay + 1
    with pytest.raises(WrongPassword):
        accounts.sign_in("le.b", "sai", "10.0.0.1", now=now)
    with pytest.raises(TooManySignIns) as paused:
        accounts.sign_in("le.b", "mật khẩu dài đủ dùng", "10.0.0.1", now=now + 1)  # right, but paused
    assert paused.value.retry_after > PAUSE - 5
    account, session = accounts.sign_in("le.b", "mật khẩu dài đủ dùng", "10.0.0.2", now=now + 1)
    assert account.name == "le.b"
    second, newer = accounts.sign_in("le.b", "mật khẩu dài đủ dùng", "10.0.0.2", now=now + 2, replacing=session)
    assert accounts.by_session(session) is None and accounts.by_session(newer).name == "le.b"
    typed = "mật khẩu dài đủ dùng của ai đó"
    with pytest.raises(WrongPassword):
        accounts.sign_in(f"  {typed}  ", "x", "10.0.0.3", now=now)
    for bad in ("le.b\nroot", "a\x1b[2J", "x" * 65, "le\u200bb"):
        with pytest.raises(InvalidAccount):
            accounts.sign_in(bad, "sai", "10.0.0.4", now=now)
    assert store.accounts.sign_in_failures_from("x", "10.0.0.4", 0)[2] == 0  # a refused name records nothing
    records = client.get("/v1/audit?limit=1000", headers=who["admin"]).json()["records"]
    failed = [r for r in records if r["action"] == "session.failed"]
    assert {r["actor"] for r in failed} == {"le.b", "?"} and not any(typed in repr(r) for r in records)
    unknown = next(r for r in failed if r["actor"] == "?")
    assert unknown["target"].startswith("?") and len(unknown["target"]) == 33
    assert store.accounts.secret_key("accounts") == store.accounts.secret_key("accounts") and len(store.accounts.secret_key("accounts")) == 32


def test_suggestions_reach_the_editors(world):
    lib, client, who = world
    entry = lib.search("nhà", "vie", "tyz").hits[0].entry
    sent = client.post(f"/v1/entries/{entry['id']}/suggestions", json={"text": "Nghĩa thiếu «nhà sàn»."})
    assert sent.status_code == 202
    open_ = client.get("/v1/suggestions?language=tyz", headers=who["editor"]).json()["suggestions"]
    assert [s["entry"] for s in open_] == [entry["id"]]
    number = open_[0]["id"]
    done = client.post(f"/v1/suggestions/{number}", headers=who["editor"],
                       json={"status": "accepted", "comment": "đã thêm"})
    assert done.status_code == 200
    assert client.get("/v1/suggestions?language=tyz", headers=who["editor"]).json()["suggestions"] == []
    assert client.post(f"/v1/suggestions/{number}", headers=who["editor"],
                       json={"status": "dismissed"}).status_code == 409


def test_the_audio_catalogue_and_the_change_feed(world):
    lib, client, who = world
    store = lib.store
    entry = lib.search("nặm", "tyz").hits[0].entry
    head = store.feed.head()
    everything = store.feed.changes(0, None, 1000)
    assert {c.id for c in everything.changes} == {e["id"] for e in store.entries.export_entries()}
    upload = client.post(f"/v1/entries/{entry['id']}/audio", headers=who["editor"],
                         files={"file": ("take.wav", espeak_wav("nặm"), "audio/wav")},
                         data={"speaker": "người đọc thử", "licence": "CC BY 4.0"})
    assert upload.status_code == 201
    clip = upload.json()["clip"]
    played = client.get(clip["url"])
    assert played.status_code == 200 and played.headers["content-type"] == "audio/mpeg"
    page = store.feed.changes(head, "tyz", 10)
    assert [(c.id, len(c.recordings)) for c in page.changes] == [(entry["id"], 1)] and page.next == head + 1
    assert client.delete(clip["url"], headers=who["editor"]).status_code == 200
    assert [len(c.recordings) for c in store.feed.changes(head, "tyz", 10).changes] == [0]
    store.datasets.remove("sample-khm", actor="test")
    gone = store.feed.changes(head + 2, None, 100)
    assert len(gone.changes) == 16 and all(c.public is None for c in gone.changes)
    store.feed.compact(keep_deleted_days=0)
    with pytest.raises(FeedExpired):
        store.feed.changes(head, None, 10)
    assert store.feed.changes(store.feed.head(), None, 10).changes == []


@pytest.mark.postgres
def test_the_same_answers_on_both_stores(tmp_path, postgres):
    """One dictionary on each store, the same searches: the same results in the same order."""
    url = postgres.database()
    try:
        sqlite_lib = Library(tmp_path / "a")
        pg_lib = Library(tmp_path / "b", database_url=url)
        for lib in (sqlite_lib, pg_lib):
            load_sample(lib.services.collection)
            lib.index()
        for q, source, target in (("nước", "vie", None), ("nha", None, None), ("tieengs", None, None),
                                  ("dej", "mww", "vie"), ("tuk", None, None)):
            assert [h.entry["id"] for h in sqlite_lib.search(q, source, target).hits] == \
                   [h.entry["id"] for h in pg_lib.search(q, source, target).hits]
        assert [c.id for c in sqlite_lib.store.feed.changes(0, None, 100).changes] == \
               [c.id for c in pg_lib.store.feed.changes(0, None, 100).changes]
        pg_lib.close()
        sqlite_lib.close()
    finally:
        postgres.drop(url)


@pytest.mark.postgres
def test_tudien_migrate_makes_the_schema_once_and_refuses_a_later_one(tmp_path, postgres):
    import psycopg

    from dictionary.storage.schema import VERSION
    from tudien.cli import main

    url = postgres.database()
    try:
        env = {"TUDIEN_DATA_DIR": str(tmp_path / "data"), "TUDIEN_DATABASE_URL": url}
        assert main(["migrate"], env) == 0
        lib = Library(tmp_path / "data", database_url=url)
        load_sample(lib.services.collection)
        before = lib.store.entries.count(), lib.store.feed.head(), lib.store.feed.store_id
        lib.close()
        assert main(["migrate"], env) == 0  # again: nothing to do, nothing lost
        lib = Library(tmp_path / "data", database_url=url)
        assert (lib.store.entries.count(), lib.store.feed.head(), lib.store.feed.store_id) == before
        lib.close()
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("UPDATE meta SET value = %s WHERE key = 'schema'", (str(VERSION + 1),))
        assert main(["migrate"], env) == 1  # a database of a later release is not written to
    finally:
        postgres.drop(url)


def test_the_language_pages_read_the_same(world):
    """The language catalogue's reads (headwords, recordings, datasets) on either store: an edit
    waiting for review leaves the public headword in its letter; a recording counts once."""
    lib, client, who = world
    entry = lib.search("nặm", "tyz").hits[0].entry
    body = {"language": "tyz", "headword": "zzz nặm mới", "senses": [{"glosses": {"vie": ["nước"]}}],
            "comment": "chưa duyệt"}
    assert client.put(f"/v1/entries/{entry['id']}", headers={**who["contributor"], "If-Match": '"r1"'},
                      json=body).status_code == 200
    detail = client.get("/v1/languages/tyz").json()
    assert detail["entries"] == 8 and sum(x["entries"] for x in detail["letters"]) == 8
    assert [d["name"] for d in detail["datasets"]] == ["sample-tyz"] and detail["datasets"][0]["entries"] == 8
    letter = next(x["letter"] for x in detail["letters"] if x["letter"] == entry["headword"][0].upper())
    words = client.get("/v1/languages/tyz/entries", params={"letter": letter}).json()["entries"]
    assert entry["headword"] in [w["headword"] for w in words] and "zzz nặm mới" not in str(words)
    upload = client.post(f"/v1/entries/{entry['id']}/audio", headers=who["editor"],
                         files={"file": ("take.wav", espeak_wav("nặm"), "audio/wav")},
                         data={"speaker": "người đọc thử", "licence": "CC BY 4.0"})
    assert upload.status_code == 201
    listed = {x["code"]: x for x in client.get("/v1/languages").json()["languages"]}
    assert (listed["tyz"]["recorded"], listed["khm"]["recorded"], listed["tyz"]["has_entries"]) == (1, 0, True)
    khmer = client.get("/v1/languages/khm/entries", params={"limit": 100}).json()
    heads = [w["headword"] for w in khmer["entries"]]
    assert khmer["total"] == len(heads) > 0 and heads == sorted(heads, key=languages.collator("khm").getSortKey)


def test_demand_requests_campaigns_and_coverage(world):
    """Counts from two processes add to the same rows; a request asked twice is one row; a
    campaign's take waits for review, is public once accepted and leaves with its speaker."""
    from dictionary.growth.demand import Counter

    lib, client, auth = world
    store = lib.store
    workers = [Counter(store.demand), Counter(store.demand)]  # two processes of one server
    for counter in workers:
        assert counter.miss("căn cước", "vie", "tyz", "192.0.2.1")
        counter.lookup("tyz-3c710a199ddb", "192.0.2.1")
        counter.flush()
    assert [(r["term"], r["searches"]) for r in store.demand.misses("2000-01-01", ["tyz"])] == [("căn cước", 2)]
    assert store.demand.lookups(["tyz-3c710a199ddb"]) == {"tyz-3c710a199ddb": 2}

    first = client.post("/v1/requests", json={"text": "Căn cước", "language": "tyz", "contact": "a@b.vn"}).json()
    again = client.post("/v1/requests", json={"text": "căn cước", "language": "tyz"}).json()
    assert again["number"] == first["number"] and again["count"] == 2
    items = client.get("/v1/worklist", params={"language": "tyz"}, headers=auth["editor"]).json()["items"]
    assert [(i["term"], i["searches"], i["requests"], i["status"]) for i in items] == [("căn cước", 2, 2, "open")]
    assert client.post("/v1/worklist/decisions", headers=auth["editor"], json={
        "language": "tyz", "text": "căn cước", "status": "dismissed", "reason": "chưa đủ tư liệu"}).status_code == 200
    assert client.get(f"/v1/requests/{first['number']}").json()["status"] == "dismissed"

    speaker = client.post("/v1/speakers", headers=auth["contributor"], json={
        "language": "tyz", "name": "Hoàng A", "decade": 1980, "consent": True}).json()
    campaign = client.post("/v1/campaigns", headers=auth["editor"], json={
        "language": "tyz", "name": "Tày", "order": "most_looked_up", "limit": 2}).json()
    assert campaign["items"][0]["entry"] == "tyz-3c710a199ddb"  # the most looked up first
    entry_id = campaign["items"][0]["entry"]
    sent = client.post(f"/v1/entries/{entry_id}/audio", headers=auth["contributor"],
                       data={"campaign": str(campaign["id"]), "take": "k1"}, files={"file": ("a.wav", espeak_wav("rườn"))})
    assert sent.status_code == 201
    clip = sent.json()["clip"]["id"]
    assert client.post(f"/v1/entries/{entry_id}/audio", headers=auth["contributor"], data={
        "campaign": str(campaign["id"]), "take": "k1"}, files={"file": ("a.wav", espeak_wav("rườn"))}).status_code == 200
    assert store.campaigns.pending("tyz")[0]["id"] == clip
    assert [c["id"] for c in lib.audio.recordings([entry_id]).get(entry_id, [])] == []
    assert client.post(f"/v1/recordings/{clip}/review", headers=auth["editor"],
                       json={"verdict": "accept"}).json()["review"] == "accepted"
    assert [c["id"] for c in lib.audio.recordings([entry_id])[entry_id]] == [clip]
    tay = next(r for r in client.get("/v1/coverage").json()["languages"] if r["language"] == "tyz")
    assert (tay["published"], tay["recorded"], tay["pending"], tay["open_requests"]) == (8, 1, 0, 0)
    assert tay["missed_30_days"] == 2
    client.delete(f"/v1/speakers/{speaker['id']}", headers=auth["editor"])
    assert lib.audio.recordings([entry_id]).get(entry_id) is None
