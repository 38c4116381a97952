"""Several API nodes, one truth: two real ``tudien serve`` processes with data folders of their
own over one real PostgreSQL database and one real Elasticsearch index, and the faults of each."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from audio_support import espeak_wav
from support import PG_SCRIPT, Library, checked_http, elastic_settings, start_server

from corpora.sample import load_sample

pytestmark = [pytest.mark.postgres, pytest.mark.elasticsearch, pytest.mark.server]

HTTP = checked_http(timeout=30)
WITHIN = 2.0  # seconds from an answer on one node to the other node showing it
# a real Tày word of the sample corpus (vài: water buffalo), entered again as a new entry
NEW = {"language": "tyz", "headword": "vài", "pos": "n", "senses": [{"glosses": {"vie": ["trâu"]}}]}


class Cluster:
    """The sample corpus in a PostgreSQL database and an Elasticsearch index, and nodes over them."""

    def __init__(self, tmp_path, request) -> None:
        self.tmp = tmp_path
        self.pg = request.getfixturevalue("postgres")
        self.node = request.getfixturevalue("elastic_node")
        self.url = self.pg.database()
        request.addfinalizer(lambda: self.pg.drop(self.url))
        self.lib = Library(tmp_path / "setup", "elasticsearch", elastic_settings(self.node.url), database_url=self.url)
        request.addfinalizer(self.lib.close)
        load_sample(self.lib.services.collection)
        self.lib.index()
        self.token = self.lib.services.accounts.add("le.b", "editor", "tyz")
        self.reviewer = self.lib.services.accounts.add("tran.c", "editor", "tyz")  # four eyes: publishes le.b's work
        es = self.lib.settings.elastic
        self.env = {**os.environ, "TUDIEN_DATABASE_URL": self.url, "TUDIEN_BACKEND": "elasticsearch",
                    "TUDIEN_ELASTICSEARCH_URL": es.hosts[0], "TUDIEN_ELASTICSEARCH_INDEX": es.index,
                    "TUDIEN_AUDIO_DIR": str(tmp_path / "shared-audio"), "TUDIEN_TTS_ENGINES": "espeak-ng",
                    "TUDIEN_PACK_INTERVAL": "0", "TUDIEN_RATE_LIMITS": "report=600/600"}
        self.servers: list[subprocess.Popen] = []
        request.addfinalizer(self.stop)

    def start(self, name: str) -> str:
        server, port = start_server({**self.env, "TUDIEN_DATA_DIR": str(self.tmp / name)}, workers=1,
                                    start_new_session=True)
        self.servers.append(server)
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        for server in self.servers:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait(timeout=10)

    def headers(self, token: str | None = None) -> dict:
        return {"Authorization": f"Bearer {token or self.token}"}

    def publish(self, site: str, body: dict) -> str:
        made = HTTP.post(f"{site}/v1/entries", headers=self.headers(), json=body)
        assert made.status_code == 201, made.text
        entry_id = made.json()["id"]
        for status, token in (("review", self.token), ("published", self.reviewer)):
            moved = HTTP.post(f"{site}/v1/entries/{entry_id}/status", headers=self.headers(token),
                              json={"status": status, "comment": "được"})
            assert moved.status_code == 200, moved.text
        return entry_id


def found(site: str, q: str, entry_id: str) -> bool:
    answer = HTTP.get(f"{site}/v1/search", params={"q": q, "limit": 50})
    return answer.status_code == 200 and entry_id in [r["id"] for r in answer.json()["results"]]


def seconds_until(check, within: float = 30.0) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < within, "never happened"
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture
def cluster(tmp_path, request) -> Cluster:
    return Cluster(tmp_path, request)


def test_two_nodes_serve_one_dictionary(cluster):
    a, b = cluster.start("node-a"), cluster.start("node-b")

    # an entry published through A is found by search on B within 2 s
    entry_id = cluster.publish(a, NEW)
    assert seconds_until(lambda: found(b, "trâu", entry_id)) < WITHIN
    assert HTTP.get(f"{b}/v1/entries/{entry_id}").json()["status"] == "published"

    # a change another process made in the database (no node wrote it, none was told) reaches
    # the index by the change feed: both nodes find it within 2 s
    from dictionary.model import Entry, Status

    body = {**cluster.lib.store.entries.state(entry_id).public, "id": entry_id}
    body["senses"] = [{**body["senses"][0], "glosses": {"vie": ["trâu", "con trâu"]}}]
    cluster.lib.store.entries.write_revision(Entry.model_validate(body), author="le.b", comment="thêm nghĩa",
                                     status=Status.published, expected=cluster.lib.store.entries.state(entry_id).revision,
                                     action="entry.update")
    assert seconds_until(lambda: found(a, "con trâu", entry_id) and found(b, "con trâu", entry_id)) < WITHIN

    # an account made on A signs in on B (its token, and its password on the sign-in page's service)
    made = subprocess.run([sys.executable, "-m", "tudien", "users", "add", "hoang.a", "--role", "contributor",
                           "--languages", "tyz"], env={**cluster.env, "TUDIEN_DATA_DIR": str(cluster.tmp / "node-a")},
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    draft = HTTP.post(f"{b}/v1/entries", headers=cluster.headers(token), json=NEW)
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    assert HTTP.get(f"{a}/v1/entries/{draft.json()['id']}", headers=cluster.headers(token)).status_code == 200

    # a recording uploaded to A plays from B
    upload = HTTP.post(f"{a}/v1/entries/{entry_id}/audio", headers=cluster.headers(),
                       files={"file": ("take.wav", espeak_wav("vài"), "audio/wav")},
                       data={"speaker": "người đọc thử", "licence": "CC BY 4.0"})
    assert upload.status_code == 201, upload.text
    played = HTTP.get(b + upload.json()["clip"]["url"])
    assert played.status_code == 200 and played.headers["content-type"] == "audio/mpeg" and len(played.content) > 1000

    # the change feed is the same on both nodes
    assert HTTP.get(f"{a}/v1/changes", params={"since": 0, "limit": 5000}).json() == \
           HTTP.get(f"{b}/v1/changes", params={"since": 0, "limit": 5000}).json()

    # many requests at once hold few connections: a node's are bounded, whatever its threads
    from concurrent.futures import ThreadPoolExecutor

    import psycopg

    from dictionary.storage.sql import PgConnections

    def busy(n: int) -> int:
        if n % 4 == 0:
            return HTTP.post(f"{a}/v1/entries", headers=cluster.headers(), json=NEW).status_code
        return HTTP.get(f"{(a, b)[n % 2]}/v1/search", params={"q": "nước"}).status_code

    with ThreadPoolExecutor(max_workers=48) as pool:
        codes = list(pool.map(busy, range(240)))
    assert set(codes) <= {200, 201}, set(codes)
    with psycopg.connect(cluster.url) as db:
        held = db.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()").fetchone()[0]
    per_node = PgConnections.READERS + PgConnections.POOL_SIZE + 2
    assert held <= 2 * per_node + PgConnections.READERS + PgConnections.POOL_SIZE + 1, held


def test_kill_9_of_one_node_mid_writes_loses_no_acknowledged_write(cluster):
    a, b = cluster.start("node-a"), cluster.start("node-b")
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            try:
                made = HTTP.post(f"{a}/v1/entries", headers=cluster.headers(), json=NEW)
            except Exception:  # noqa: BLE001 - the node is killed under the writer
                return
            if made.status_code == 201:
                acknowledged.append(made.json()["id"])

    thread = threading.Thread(target=writer)
    thread.start()
    seconds_until(lambda: len(acknowledged) >= 10)
    os.killpg(cluster.servers[0].pid, signal.SIGKILL)
    cluster.servers[0].wait(timeout=10)
    stop.set()
    thread.join(timeout=30)
    assert acknowledged
    for entry_id in acknowledged:
        answer = HTTP.get(f"{b}/v1/entries/{entry_id}", headers=cluster.headers())
        assert answer.status_code == 200 and answer.json()["headword"] == "vài"
    # B keeps serving, reads and writes
    assert HTTP.get(f"{b}/v1/search", params={"q": "nước"}).status_code == 200
    entry_id = cluster.publish(b, NEW)
    assert seconds_until(lambda: found(b, "trâu", entry_id)) < WITHIN


def test_postgresql_down_answers_503_quickly_and_the_node_recovers(cluster):
    site = cluster.start("node")
    assert HTTP.get(f"{site}/v1/search", params={"q": "nước"}).status_code == 200
    subprocess.run([str(PG_SCRIPT), "stop"], check=True, capture_output=True, timeout=120)
    try:
        for method, path, body in (("GET", "/v1/search?q=n%C6%B0%E1%BB%9Bc", None), ("POST", "/v1/entries", NEW),
                                   ("GET", "/v1/changes?since=0", None)):
            started = time.monotonic()
            answer = HTTP.request(method, site + path, headers=cluster.headers(), json=body)
            assert time.monotonic() - started < 2.0
            assert answer.status_code == 503, (path, answer.text)
            error = answer.json()["error"]
            assert error["code"] == "store_unavailable" and "PostgreSQL" in error["message"]
        health = HTTP.get(f"{site}/health")
        assert health.status_code == 503
        assert health.json()["store"]["ok"] is False and health.json()["index"]["ok"] is True
    finally:
        subprocess.run([str(PG_SCRIPT), "start"], check=True, capture_output=True, timeout=300)
    seconds_until(lambda: HTTP.get(f"{site}/v1/search", params={"q": "nước"}).status_code == 200, within=30)
    assert HTTP.get(f"{site}/health").json()["store"]["ok"] is True
    entry_id = cluster.publish(site, NEW)
    assert seconds_until(lambda: found(site, "trâu", entry_id)) < WITHIN


def test_elasticsearch_down_writes_still_commit_and_the_index_catches_up(cluster):
    if not cluster.node.managed:
        pytest.skip("the node at TUDIEN_TEST_ES_URL is not ours to stop")
    site = cluster.start("node")
    cluster.node.stop()
    try:
        entry_id = cluster.publish(site, NEW)  # committed to PostgreSQL though the index is down
        assert HTTP.get(f"{site}/v1/entries/{entry_id}").status_code == 200
        search = HTTP.get(f"{site}/v1/search", params={"q": "trâu"})
        assert search.status_code == 503 and search.json()["error"]["code"] == "backend_unavailable"
        health = HTTP.get(f"{site}/health").json()
        assert health["index"]["ok"] is False and health["store"]["ok"] is True
    finally:
        cluster.node.start()
    assert seconds_until(lambda: found(site, "trâu", entry_id), within=90) < 90
