"""Offline packs, the change feed and the reference offline client, on the real word lists and a
real server: what a pack holds, that a pack kept current by the feed has the rows of a pack built
afresh, resumed and damaged downloads, and the feed's pages and limits."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time

import av
import httpx
import orjson
import pytest
from audio_support import espeak_wav
from support import DATA, REPO, CheckedClient, Library, start_server

from api.schemas.search import SearchPublic
from corpora.sample import load_sample
from dictionary.collection import Collection
from dictionary.packs import pack as packs
from dictionary.public import published_entry
from dictionary.search.indexing import key_docs
from dictionary.storage.store import Storage
from tudien.offline import SyncError, open_search, search, sync

pytestmark = pytest.mark.shared_data

DOC = REPO / "dictionary" / "packs" / "packs.md"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rows_of(path) -> dict[str, list[tuple]]:
    """Every row of a pack but the time it was made."""
    db = sqlite3.connect(path)
    try:
        out = {table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
               for table in ("entries", "keys", "words", "datasets")}
        out["pack"] = db.execute("SELECT * FROM pack WHERE key != 'built_at' ORDER BY key").fetchall()
        return out
    finally:
        db.close()


def prepared_copy(source, target):
    shutil.copyfile(source, target)
    db = sqlite3.connect(target, isolation_level=None)
    packs.prepare(db)
    db.close()
    return target


# -- what a pack holds -------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["bdq", "mww"])
def test_a_pack_holds_every_published_entry_with_the_keys_the_server_indexes(real_library, language, tmp_path):
    store = real_library.store
    info = real_library.services.packs.refresh(language)
    assert info.entries == store.entries.language_counts()[language] and info.version == store.feed.head()
    assert info.store == store.feed.store_id and info.schema == packs.SCHEMA_VERSION
    path = real_library.services.packs.path(info.file)
    raw = path.read_bytes()
    assert _digest(raw) == info.sha256 and len(raw) == info.bytes
    wire = real_library.services.packs.path(info.file + ".gz").read_bytes()
    assert gzip.decompress(wire) == raw and len(wire) == info.gzip_bytes
    if language == "bdq":  # the Bahnar list (20,686 entries): at most 2 MB on the wire
        assert info.entries > 20_000 and info.gzip_bytes <= 2_000_000, info.gzip_bytes

    prepared = prepared_copy(path, tmp_path / "pack.sqlite")
    db = sqlite3.connect(prepared)
    meta = dict(db.execute("SELECT key, value FROM pack"))
    assert meta["language"] == language and int(meta["version"]) == info.version
    # each entry as the public reads it, with its recordings
    version, entries = store.feed.snapshot(language)
    bodies = {c.row: published_entry(c.public, list(c.recordings)) for c in entries}
    stored = {row: (authority, meanings, body) for row, authority, meanings, body
              in db.execute("SELECT row, authority, meanings, json FROM entries")}
    assert stored.keys() == bodies.keys()
    assert all(orjson.loads(stored[row][2]) == body for row, body in bodies.items())
    assert all(stored[c.row][1] == c.meanings for c in entries)
    # every key the server's index has for these entries, numbered in the index's order
    expected = []
    seen: dict[int, int] = {}
    for doc in key_docs(sorted((c.row, c.public) for c in entries)):
        n = seen.get(doc.entry, 0)
        seen[doc.entry] = n + 1
        expected.append((doc.entry * packs.KEYS_PER_ENTRY + n, doc.field, doc.gloss_language or "", doc.position,
                         doc.exact, doc.tone, doc.fold))
    assert db.execute("SELECT * FROM keys ORDER BY key").fetchall() == expected
    multi = db.execute("SELECT COUNT(DISTINCT key) FROM words").fetchone()[0]
    assert multi == sum(1 for key in expected if " " in key[6])
    datasets = db.execute("SELECT name FROM datasets").fetchall()
    assert {name for (name,) in datasets} == {c.public["provenance"]["dataset"] for c in entries}
    db.close()


def documented_lookup() -> str:
    """The plain-SQL look-up the pack's documentation gives app developers."""
    found = re.search(r"```sql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert found, "dictionary/packs/packs.md gives one SQL look-up"
    return found.group(1)


def test_the_documented_lookup_finds_a_word_with_plain_sql(real_library, tmp_path):
    """An app with SQLite and no other code of ours: Vietnamese 'nhà' finds the Bahnar words
    glossed 'nhà', words of few meanings first; typed without marks, every word it may mean."""
    info = real_library.services.packs.refresh("bdq")
    prepared = prepared_copy(real_library.services.packs.path(info.file), tmp_path / "bdq.sqlite")
    db = sqlite3.connect(prepared)
    sql = documented_lookup()
    found = [orjson.loads(body) for body, *_ in db.execute(sql, {"fold": "nha", "exact": "nhà", "gloss": "vie"})]
    assert len(found) == 20
    assert all("nhà" in [g for s in e["senses"] for g in s["glosses"].get("vie", [])] for e in found)
    meanings = [sum(max((len(g) for g in s["glosses"].values()), default=1) or 1 for s in e["senses"]) for e in found]
    assert meanings[0] <= 5 and meanings == sorted(meanings, key=lambda m: m > 5)
    unmarked = [orjson.loads(body) for body, *_ in db.execute(sql, {"fold": "nha", "exact": "nha", "gloss": "vie"})]
    from dictionary.text.normalize import search_keys
    assert unmarked and all(any(search_keys(g).fold == "nha" for s in e["senses"] for g in s["glosses"].get("vie", []))
                            for e in unmarked)
    db.close()


# -- syncing through a real server ------------------------------------------------------------------

class Site:
    """A real ``tudien serve`` over the White Hmong list, with the one editor of mww."""

    def __init__(self, folder, request) -> None:
        self.lib = Library(folder)
        request.addfinalizer(self.lib.close)
        self.lib.add(DATA / "pairs/mww-vie.tsv", "tsv", "mww", "mww_form", "vie_form", "english_meaning")
        self.lib.index()
        self.token = self.lib.services.accounts.add("vang.b", "editor", "mww")
        # one editor, who publishes their own edits: a one-person team, without four eyes
        env = {**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_TTS_ENGINES": "espeak-ng",
               "TUDIEN_PACK_INTERVAL": "0.5", "TUDIEN_FOUR_EYES": "0"}
        self.server, port = start_server(env, workers=1, start_new_session=True)
        request.addfinalizer(self.stop)
        self.url = f"http://127.0.0.1:{port}"
        self.http = httpx.Client(base_url=self.url, timeout=30, headers={"Authorization": f"Bearer {self.token}"})
        request.addfinalizer(self.http.close)

    def stop(self) -> None:
        if self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait(timeout=10)

    def publish(self, entry_id: str, comment: str) -> None:
        assert self.http.post(f"/v1/entries/{entry_id}/status", json={"status": "review"}).status_code == 200
        done = self.http.post(f"/v1/entries/{entry_id}/status", json={"status": "published", "comment": comment})
        assert done.status_code == 200, done.text

    def pack_current(self, language: str, within: float = 30) -> dict:
        """The server's listing of ``language``'s pack once its own loop has brought it up to the feed."""
        started = time.monotonic()
        while True:
            listed = next(p for p in self.http.get("/v1/packs").json()["packs"] if p["language"] == language)
            if listed["version"] == self.lib.store.feed.head():
                return listed
            assert time.monotonic() - started < within, "the server did not patch its pack"
            time.sleep(0.2)

    def fresh_pack(self, language: str, target) -> object:
        """A pack of the server's store as it is now, built whole (not patched)."""
        store = Storage(self.lib.settings.store_path, readonly=True)
        try:
            packs.build(store.feed, language, target)
        finally:
            store.close()
        return prepared_copy(target, target.with_suffix(".prepared"))


@pytest.fixture
def site(tmp_path, request) -> Site:
    return Site(tmp_path / "data", request)


def _writable(entry: dict, **change) -> dict:
    return {"language": entry["language"], "headword": entry["headword"],
            "senses": [{"glosses": s["glosses"]} for s in entry["senses"]], **change}


def test_sync_follows_publish_edit_revert_retire_and_recordings_row_for_row(site, tmp_path):
    folder = tmp_path / "phone"
    first = sync(site.url, "mww", folder)
    assert first.downloaded > 0 and first.entries == site.lib.store.entries.language_counts()["mww"]
    service = open_search(folder)
    assert search(service, "niam txiv", "mww", "vie")["results"][0]["headword"] == "niam txiv"
    service.entries.close()

    store = site.lib.store
    _, entries = store.feed.snapshot("mww")
    bodies = {c.id: c.public for c in entries}
    several = next(c for c in entries if len(c.public["senses"]) >= 2)
    retired = next(c for c in entries if c.id != several.id and c.public["headword"] != several.public["headword"])
    again = next(c for c in entries if c.id not in (several.id, retired.id))
    recorded = next(c for c in entries if c.id not in (several.id, retired.id, again.id))

    # a real White Hmong word entered again as a new entry, published
    made = site.http.post("/v1/entries", json={**_writable(bodies[again.id]), "comment": "nhập lại"})
    assert made.status_code == 201, made.text
    new_id = made.json()["id"]
    site.publish(new_id, "đã đối chiếu")
    # an edit of a published entry (its last sense dropped), published, then reverted to revision 1
    edited = site.http.put(f"/v1/entries/{several.id}", headers={"If-Match": '"r1"'},
                           json=_writable(bodies[several.id], senses=[{"glosses": s["glosses"]} for s in
                                                                      bodies[several.id]["senses"][:-1]]))
    assert edited.status_code == 200, edited.text
    site.publish(several.id, "bỏ nghĩa trùng")
    assert site.http.post(f"/v1/entries/{several.id}/revert", json={"revision": 1, "comment": "giữ như cũ"}).status_code == 200
    # a retire, and a recording added
    assert site.http.post(f"/v1/entries/{retired.id}/status",
                          json={"status": "retired", "comment": "trùng"}).status_code == 200
    upload = site.http.post(f"/v1/entries/{recorded.id}/audio",
                            files={"file": ("take.wav", espeak_wav(recorded.public["headword"]), "audio/wav")},
                            data={"speaker": "người đọc thử", "licence": "CC BY 4.0"})
    assert upload.status_code == 201, upload.text

    # the server patches its own pack (and remakes its recordings pack) from the same feed
    assert site.pack_current("mww")["audio"]["recordings"] == 1

    second = sync(site.url, "mww", folder, audio=True)
    assert second.downloaded == 0 and second.changes == 4 and second.version == store.feed.head()
    assert second.feed_bytes < 20_000
    # the same rows as a pack of the new version built whole
    assert rows_of(folder / "mww.sqlite") == rows_of(site.fresh_pack("mww", tmp_path / "fresh.sqlite"))

    service = open_search(folder)
    hits = search(service, bodies[again.id]["headword"], "mww", "vie", limit=20)["results"]
    assert new_id in [h["id"] for h in hits]
    assert retired.id not in [h["id"] for h in search(service, retired.public["headword"], "mww", "vie", limit=50)["results"]]
    reverted = next(h for h in search(service, several.public["headword"], "mww", "vie", limit=50)["results"]
                    if h["id"] == several.id)
    assert reverted["senses"] == published_entry(bodies[several.id], [])["senses"]
    with_audio = next(h for h in search(service, recorded.public["headword"], "mww", "vie", limit=50)["results"]
                      if h["id"] == recorded.id)
    assert [c["kind"] for c in with_audio["audio"]] == ["recording"]
    SearchPublic.model_validate(search(service, "niam", "mww", "vie"))  # /v1/search's shape
    service.entries.close()

    # the recordings pack: real Opus, decoded by FFmpeg, of the right length
    assert second.audio and second.audio["recordings"] == 1
    audio_db = sqlite3.connect(folder / "mww-audio.sqlite")
    clip_id, entry_id, content_type, duration, data = audio_db.execute("SELECT * FROM recordings").fetchone()
    audio_db.close()
    assert (clip_id, entry_id) == (with_audio["audio"][0]["id"], recorded.id) and content_type.startswith("audio/ogg")
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "opus" and stream.codec_context.channels == 1
        decoded = sum(frame.samples for frame in container.decode(stream)) / stream.codec_context.sample_rate
    assert abs(decoded * 1000 - duration) < 120
    assert len(data) < upload.json()["clip"]["duration_ms"] * 4  # about 20 kbit/s

    # a pack the server patched has the same rows again
    again_folder = tmp_path / "again"
    assert sync(site.url, "mww", again_folder).downloaded > 0
    assert rows_of(again_folder / "mww.sqlite") == rows_of(folder / "mww.sqlite")
    # the removal of the recording reaches the pack too
    assert site.http.delete(f"/v1/audio/{with_audio['audio'][0]['id']}").status_code == 200
    site.pack_current("mww")
    third = sync(site.url, "mww", folder, audio=True)
    assert third.changes == 1 and third.audio is None and not (folder / "mww-audio.sqlite").exists()


class CutAfter(httpx.HTTPTransport):
    """A connection that drops after ``limit`` bytes of a pack."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def handle_request(self, request):
        response = super().handle_request(request)
        if "/v1/packs/" not in request.url.path:
            return response
        limit, stream = self.limit, response.stream

        class Cut(httpx.SyncByteStream):
            def __iter__(self):
                sent = 0
                for chunk in stream:
                    if sent + len(chunk) > limit:
                        yield chunk[: limit - sent]
                        raise httpx.ReadError("connection dropped")
                    sent += len(chunk)
                    yield chunk

            def close(self):
                stream.close()

        return httpx.Response(response.status_code, headers=response.headers, stream=Cut(),
                              extensions=response.extensions)


def test_a_cut_download_resumes_with_range_and_a_damaged_one_is_refused(site, tmp_path):
    listing = next(p for p in site.http.get("/v1/packs").json()["packs"] if p["language"] == "mww")
    half = listing["gzip_bytes"] // 2
    folder = tmp_path / "phone"
    with httpx.Client(base_url=site.url, transport=CutAfter(half), timeout=30) as cut, pytest.raises(SyncError) as failed:
        sync(site.url, "mww", folder, http=cut)
    assert "resumes" in str(failed.value) and (folder / "mww.download").stat().st_size == half
    resumed = sync(site.url, "mww", folder)
    assert resumed.resumed_from == half and resumed.downloaded == listing["gzip_bytes"] - half
    assert rows_of(folder / "mww.sqlite") == rows_of(site.fresh_pack("mww", tmp_path / "fresh.sqlite"))

    # damaged on the way: a byte of the kept half changed; the checksum refuses the pack
    other = tmp_path / "other"
    with httpx.Client(base_url=site.url, transport=CutAfter(half), timeout=30) as cut, pytest.raises(SyncError):
        sync(site.url, "mww", other, http=cut)
    part = other / "mww.download"
    data = bytearray(part.read_bytes())
    data[half // 2] ^= 0xFF
    part.write_bytes(bytes(data))
    with pytest.raises(SyncError, match="damaged|SHA-256"):
        sync(site.url, "mww", other)
    assert not part.exists() and not (other / "mww.sqlite").exists()
    assert sync(site.url, "mww", other).downloaded == listing["gzip_bytes"]  # then whole, and good

    # a download resumed after the pack was replaced gets the new pack whole (If-Range)
    third = tmp_path / "third"
    with httpx.Client(base_url=site.url, transport=CutAfter(half), timeout=30) as cut, pytest.raises(SyncError):
        sync(site.url, "mww", third, http=cut)
    entry = site.lib.store.feed.snapshot("mww")[1][0]
    assert site.http.post(f"/v1/entries/{entry.id}/status", json={"status": "retired", "comment": "thử"}).status_code == 200
    site.lib.services.packs.refresh("mww")
    fresh = sync(site.url, "mww", third)
    assert fresh.resumed_from == 0 and fresh.version == site.lib.store.feed.head()


def test_downloads_during_a_rebuild_get_a_whole_pack(site):
    shelf = site.lib.services.packs
    before = shelf.current("mww")
    got = bytearray()
    with httpx.Client(base_url=site.url, timeout=30) as http, \
            http.stream("GET", "/v1/packs/mww", headers={"Accept-Encoding": "gzip"}) as response:
        chunks = response.iter_raw(4096)
        got += next(chunks)
        entry = site.lib.store.feed.snapshot("mww")[1][0]
        assert site.http.post(f"/v1/entries/{entry.id}/status",
                              json={"status": "retired", "comment": "thử"}).status_code == 200
        after = shelf.refresh("mww")
        assert after.file != before.file
        for chunk in chunks:
            got += chunk
    assert _digest(bytes(got)) == before.gzip_sha256 and _digest(gzip.decompress(got)) == before.sha256


# -- the feed ------------------------------------------------------------------------------------

@pytest.fixture
def sample(tmp_path):
    lib = Library(tmp_path / "data")
    load_sample(lib.services.collection)
    lib.index()
    yield lib
    lib.close()


def test_the_feed_pages_each_entry_once_and_says_when_it_no_longer_reaches(sample):
    store = sample.store
    with CheckedClient(sample.app()) as client:
        everything, since = [], 0
        while True:
            page = client.get("/v1/changes", params={"since": since, "limit": 7}).json()
            everything += page["changes"]
            since = page["next"]
            if not page["more"]:
                break
        assert since == store.feed.head() and page["store"] == store.feed.store_id
        assert sorted(c["id"] for c in everything) == sorted(e["id"] for e in store.entries.export_entries())
        assert len({c["id"] for c in everything}) == len(everything)
        assert [c["seq"] for c in everything] == sorted(c["seq"] for c in everything)
        tyz = client.get("/v1/changes", params={"since": 0, "language": "tyz", "limit": 5000}).json()
        assert {c["language"] for c in tyz["changes"]} == {"tyz"} and not tyz["more"]
        assert client.get("/v1/changes", params={"since": since}).json() == {
            "changes": [], "next": since, "more": False, "store": store.feed.store_id}

        # a dataset removed: each of its entries is one deletion
        name = store.datasets.all()[0]["name"]
        gone = {e["id"] for e in store.entries.export_entries(dataset=name)}
        store.datasets.remove(name, actor="test")
        page = client.get("/v1/changes", params={"since": since, "include": "index"}).json()
        assert {c["id"] for c in page["changes"]} == gone and {c["op"] for c in page["changes"]} == {"delete"}
        assert all(set(c) == {"seq", "id", "language", "op", "index"} for c in page["changes"])

        # superseded changes go without loss; deletions older than kept go, and the feed says so
        kept = client.get("/v1/changes", params={"since": 0, "limit": 5000}).json()
        store.feed.compact(keep_deleted_days=365)
        assert client.get("/v1/changes", params={"since": 0, "limit": 5000}).json() == kept
        store.feed.compact(keep_deleted_days=0)
        expired = client.get("/v1/changes", params={"since": since - 1})
        assert expired.status_code == 410 and expired.json()["error"]["code"] == "feed_expired"
        assert "tải lại gói" in expired.json()["error"]["message"]
        assert client.get("/v1/changes", params={"since": store.feed.head() + 5}).status_code == 410
        assert client.get("/v1/changes", params={"since": -1}).status_code == 422
        assert client.get("/v1/changes", params={"since": 0, "language": "xxx"}).status_code == 422
        assert client.get("/v1/packs/vie").status_code == 404  # no Vietnamese headwords in the sample
        assert client.get("/v1/packs/xxx").status_code == 422


def test_packs_answer_304_ranges_and_identity_for_clients_without_gzip(sample):
    with CheckedClient(sample.app()) as client:
        listing = client.get("/v1/packs").json()["packs"]
        assert {p["language"] for p in listing} == set(sample.store.entries.language_counts())
        pack = listing[0]
        zipped = client.get(pack["url"], headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"].startswith("Accept-Encoding")
        raw = client.get(pack["url"], headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in raw.headers and _digest(raw.content) == pack["sha256"]
        assert len(raw.content) == pack["bytes"] and raw.headers["etag"] != zipped.headers["etag"]
        assert client.get(pack["url"], headers={"Accept-Encoding": "identity",
                                                "If-None-Match": raw.headers["etag"]}).status_code == 304
        part = client.get(pack["url"], headers={"Accept-Encoding": "identity", "Range": "bytes=100-199"})
        assert part.status_code == 206 and part.content == raw.content[100:200]
        assert client.get(pack["url"], headers={"Range": f"bytes={len(raw.content) + 10}-"}).status_code == 416
        assert client.get(f"{pack['url']}/audio").status_code == 404


def test_a_store_made_before_the_feed_head_was_kept_never_gives_a_number_twice(tmp_path):
    """Migration 9: a version-8 store without the head in meta, whose last changes were dropped,
    keeps numbering after the largest number it ever gave."""
    path = tmp_path / "store.sqlite"
    store = Storage(path)
    load_sample(Collection(store.entries, store.datasets))
    given = store.feed.head()
    store.close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("DELETE FROM meta WHERE key = 'feed_head'")
    db.execute("DELETE FROM changes WHERE seq > ?", (given - 5,))
    db.execute("PRAGMA user_version = 8")
    db.close()
    store = Storage(path)
    assert store.feed.head() == given
    store.datasets.remove("sample-tyz", actor="test")
    assert min(c.seq for c in store.feed.changes(given, None, 100).changes) == given + 1


def test_a_store_of_the_previous_release_gets_a_feed_of_its_whole_public_text(tmp_path):
    """Migration 8: every public entry is in the feed from 0, the changes before it kept."""
    from dictionary.storage import schema

    path = tmp_path / "store.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    for migration in schema.MIGRATIONS[:7]:
        if callable(migration):
            db.execute("BEGIN")
            migration(db)
            db.execute("COMMIT")
        else:
            db.executescript(migration)
    db.execute("PRAGMA user_version = 7")
    db.execute("INSERT INTO datasets (name, format, imported_at, entries) VALUES ('d', 'tsv', '2026-01-01', 3)")
    for n, (entry_id, public) in enumerate([("mww-a", True), ("mww-b", True), ("mww-c", False)], start=1):
        body = f'{{"id": "{entry_id}", "language": "mww", "headword": "dej", "senses": [], "status": "published", ' \
               f'"provenance": {{"dataset": "d"}}}}'
        db.execute("INSERT INTO entries (rowid, id, language, dataset, headword, status, body, public) "
                   "VALUES (?, ?, 'mww', 'd', 'dej', 'published', ?, ?)", (n, entry_id, body, body if public else None))
    db.execute("UPDATE meta SET value = '9' WHERE key = 'generation'")
    db.execute("INSERT INTO entry_changes VALUES (9, 2, 'mww-b')")
    db.execute("INSERT INTO entry_changes VALUES (8, 4, 'mww-gone')")
    db.close()
    store = Storage(path)
    page = store.feed.changes(0, "mww", 100)
    assert [(c.id, c.public is not None) for c in page.changes] == [("mww-a", True), ("mww-gone", False),
                                                                     ("mww-b", True)]
    assert page.next == store.feed.head() == 3 and len(store.feed.store_id) == 36
    assert store.feed.changed_since(8) == [2]  # the index still follows by generation


def test_the_offline_client_on_the_command_line(site, tmp_path, capsys):
    from tudien.cli import main

    folder = tmp_path / "phone"
    assert main(["offline", "sync", site.url, "--language", "mww", "--dir", str(folder)]) == 0
    assert "mww: version" in capsys.readouterr().out
    assert main(["offline", "search", str(folder), "niam txiv", "--from", "mww", "--to", "vie", "--json"]) == 0
    import orjson

    answer = orjson.loads(capsys.readouterr().out)
    online = httpx.get(f"{site.url}/v1/search", params={"q": "niam txiv", "from": "mww", "to": "vie"}).json()
    assert [r["id"] for r in answer["results"]] == [r["id"] for r in online["results"]]
    assert [r["match"] for r in answer["results"]] == [r["match"] for r in online["results"]]
    assert answer["total"] == online["total"] and answer["did_you_mean"] == online["did_you_mean"]
    assert main(["offline", "search", str(tmp_path / "empty"), "niam"]) == 1
    assert "no language pack" in capsys.readouterr().err
    assert main(["offline", "sync", site.url, "--language", "khm", "--dir", str(folder)]) == 1
    assert "no pack for 'khm'" in capsys.readouterr().err


def test_a_row_used_again_after_a_removal_keeps_both_entries_in_the_feed(sample):
    """SQLite gives the rows of a removed dataset to the next import: the feed still says that
    the old entries went, and a pack patched through it has the rows of a pack built whole."""
    from corpora.importer import import_file
    from corpora.sample import COLUMNS, FOLDER

    store = sample.store
    before = store.feed.head()
    gone = {e["id"] for e in store.entries.export_entries(dataset="sample-tyz")}
    pack = sample.settings.data_dir / "tyz-before.sqlite"
    packs.build(store.feed, "tyz", pack)
    store.datasets.remove("sample-tyz", actor="test")
    import_file(sample.services.collection, FOLDER / "tyz.tsv", "tsv", language="tyz", columns=COLUMNS, dataset="tyz-again",
                citation="Sample data, imported again", licence="CC-BY-4.0")
    page = store.feed.changes(before, "tyz", 100)
    deleted = {c.id for c in page.changes if c.public is None}
    upserted = {c.id for c in page.changes if c.public is not None}
    assert deleted == gone and upserted and not upserted & gone
    assert {c.row for c in page.changes if c.public is None} & {c.row for c in page.changes if c.public}
    patched = sample.settings.data_dir / "tyz-patched.sqlite"
    assert packs.patch(store.feed, "tyz", pack, patched, 1000) is not None
    fresh = sample.settings.data_dir / "tyz-fresh.sqlite"
    packs.build(store.feed, "tyz", fresh)
    assert rows_of(patched)["entries"] == rows_of(fresh)["entries"] and rows_of(patched) == rows_of(fresh)
    assert rows_of(fresh)["datasets"] == [("tyz-again", "Sample data, imported again", "CC-BY-4.0")]


def test_a_dataset_whose_entries_differ_in_citation_packs_the_same_patched_or_whole(sample):
    """An entry editors changed keeps its text through a re-import that changes the dataset's
    citation: the pack names the citation of the dataset's first entry, patched or built whole."""
    from corpora.importer import import_file
    from corpora.sample import COLUMNS, FOLDER
    from dictionary.model import Entry, Status

    store = sample.store
    pack = sample.settings.data_dir / "tyz-before.sqlite"
    packs.build(store.feed, "tyz", pack)
    # an entry glossed two ways in Vietnamese loses one gloss: an editor's correction
    chosen = next(c for c in store.feed.snapshot("tyz")[1] if len(c.public["senses"][0]["glosses"]["vie"]) >= 2)
    sense = {**chosen.public["senses"][0], "glosses": {**chosen.public["senses"][0]["glosses"],
                                                       "vie": chosen.public["senses"][0]["glosses"]["vie"][:1]}}
    edited = Entry.model_validate({**chosen.public, "senses": [sense, *chosen.public["senses"][1:]]})
    store.entries.write_revision(edited, author="le.b", comment="sửa", status=Status.published,
                         expected=store.entries.state(chosen.id).revision, action="entry.update")
    import_file(sample.services.collection, FOLDER / "tyz.tsv", "tsv", language="tyz", columns=COLUMNS, dataset="sample-tyz",
                citation="Sample data, a later edition", licence="CC-BY-4.0")
    citations = {c.public["provenance"]["citation"] for c in store.feed.snapshot("tyz")[1]}
    assert len(citations) == 2  # the edited entry kept the citation it had
    patched = sample.settings.data_dir / "tyz-patched.sqlite"
    assert packs.patch(store.feed, "tyz", pack, patched, 1000) is not None
    fresh = sample.settings.data_dir / "tyz-fresh.sqlite"
    packs.build(store.feed, "tyz", fresh)
    assert rows_of(patched) == rows_of(fresh)
    first = min(store.feed.snapshot("tyz")[1], key=lambda c: c.row).public["provenance"]["citation"]
    assert rows_of(fresh)["datasets"] == [("sample-tyz", first, "CC-BY-4.0")]


def test_a_resume_of_a_replaced_pack_gets_it_whole_and_q_values_are_read(sample):
    with CheckedClient(sample.app()) as client:
        url = client.get("/v1/packs").json()["packs"][0]["url"]
        far = client.get(url, headers={"Accept-Encoding": "identity", "Range": "bytes=99999999-",
                                       "If-Range": '"an-old-pack"'})
        assert far.status_code == 200 and "content-range" not in far.headers
        for header, encoded in (("gzip;q=0.5", True), ("gzip;q=0", False), ("*", True), ("br", False),
                                ("identity, *;q=0.1", True), ("gzip; q=0.0", False)):
            answer = client.get(url, headers={"Accept-Encoding": header})
            assert (answer.headers.get("content-encoding") == "gzip") is encoded, header
