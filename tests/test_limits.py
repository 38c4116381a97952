"""No anonymous client may starve the others: per-client rate limits on the costly routes, one
translation's work bounded and run in a low-priority process of its own, the synthetic-speech
cache kept under its budget, and workers that end with their supervisor."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from support import Library, checked_http, free_port, start_server

from corpora.sample import load_sample
from dictionary.audio.library import Limits
from dictionary.errors import InvalidQuery
from dictionary.search import translate


@pytest.fixture
def limited(tmp_path):
    lib = Library(tmp_path / "data", rate_limits={"translate": (6, 2), "speak": (6, 2), "suggest": (60, 3)})
    load_sample(lib.services.collection)
    lib.index()
    with lib.client() as client:
        yield client


@pytest.mark.parametrize("kind, method, path, payload", [
    ("translate", "post", "/v1/translate", {"json": {"text": "nước", "to": ["mww"]}}),
    ("speak", "get", "/v1/speak", {"params": {"text": "nước", "lang": "vie"}}),
    ("suggest", "get", "/v1/suggest", {"params": {"q": "nt"}}),
])
def test_a_client_over_its_rate_gets_429_with_retry_after_and_searches_go_on(limited, kind, method, path, payload):
    burst = {"translate": 2, "speak": 2, "suggest": 3}[kind]
    answers = [getattr(limited, method)(path, **payload) for _ in range(burst + 1)]
    assert [a.status_code for a in answers[:burst]] == [200] * burst, [a.text for a in answers]
    refused = answers[-1]
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60 and "thử lại sau" in refused.json()["error"]["message"]
    for _ in range(20):  # searches are not limited by what the others cost
        assert limited.get("/v1/search", params={"q": "nước"}).status_code == 200


def test_the_workbench_page_refuses_over_the_rate_in_the_page(limited):
    for _ in range(2):
        assert limited.post("/dich", data={"text": "nước", "to": ["mww"]}).status_code == 200
    page = limited.post("/dich", data={"text": "nước", "to": ["mww"]})
    assert page.status_code == 429 and "thử lại sau" in page.text and page.headers["Retry-After"]


def test_one_translation_has_a_bounded_amount_of_work(library, monkeypatch):
    load_sample(library.services.collection)
    library.index()
    text = " ".join(["nước sạch cho người dân"] * 200)
    assert library.services.translator.translate(text, ["mww", "tyz"]).terms  # within the bound
    monkeypatch.setattr(translate, "MAX_SECONDS", 0.0)
    with pytest.raises(InvalidQuery, match="chia thành nhiều đoạn"):
        library.services.translator.translate(text + " hòa bình", ["mww", "tyz"])


def test_synthetic_clips_stay_within_their_budget(tmp_path):
    lib = Library(tmp_path / "data", limits=Limits(synthetic_bytes=12_000))
    load_sample(lib.services.collection)
    lib.index()
    with lib.client() as client:
        made = [client.get("/v1/speak", params={"text": text, "lang": "vie"}).json()["clip"]
                for text in ("một", "hai", "ba", "bốn", "năm", "sáu")]
        assert all(c["kind"] == "synthetic" for c in made)
        assert lib.store.clips.synthetic_total() <= 12_000
        kept = lib.store.clips.clips([c["id"] for c in made])
        assert made[-1]["id"] in kept and made[0]["id"] not in kept  # the oldest went first
        assert client.get(made[0]["url"]).status_code == 404 and client.get(made[-1]["url"]).status_code == 200
        assert len(list(lib.audio.blobs)) == len(kept)  # their files went with them
        again = client.get("/v1/speak", params={"text": "một", "lang": "vie"}).json()["clip"]
        assert again["id"] == made[0]["id"]  # made again on demand


# -- real servers ------------------------------------------------------------------------------------

def _serve(env, workers: int, port: int) -> subprocess.Popen:
    return start_server(env, workers=workers, port=port)[0]


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in subprocess.check_output(["pgrep", "-P", str(pid)], text=True).split()]
    except subprocess.CalledProcessError:
        return []


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name, or None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None


def _cmdline(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().replace(b"\0", b" ").decode()


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


@pytest.fixture
def sample_env(tmp_path):
    env = {**os.environ, "TUDIEN_DATA_DIR": str(tmp_path / "data"), "TUDIEN_TTS_ENGINES": "espeak-ng",
           "TUDIEN_RATE_LIMITS": "translate=600/100"}
    subprocess.run([sys.executable, "-m", "tudien", "sample"], env=env, check=True, capture_output=True, timeout=120)
    return env


@pytest.mark.server
def test_killing_the_supervisor_ends_its_workers_and_a_restart_just_works(sample_env):
    port = free_port()
    server = _serve(sample_env, 2, port)
    workers = _children(server.pid)
    assert len([w for w in workers if _alive(w)]) >= 2
    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers):
        assert time.monotonic() < deadline, "workers outlived their supervisor"
        time.sleep(0.1)
    again = _serve(sample_env, 2, port)  # the same port: nothing holds it
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/v1/search", params={"q": "cay"}).status_code == 200
    finally:
        again.terminate()
        again.wait(timeout=20)


@pytest.mark.server
def test_translations_run_in_a_low_priority_process_and_the_queue_is_bounded(sample_env):
    port = free_port()
    server = _serve(sample_env, 1, port)
    site = f"http://127.0.0.1:{port}"
    http = checked_http(timeout=60)
    try:
        body = {"text": "Người dân cần nước sạch.", "to": ["mww", "tyz"]}
        glossary = http.post(site + "/v1/translate", json=body).json()
        assert [t["text"] for t in glossary["terms"]] == ["Người dân", "cần", "nước sạch"]
        translators = [p for p in _children(server.pid) if _alive(p) and "resource_tracker" not in _cmdline(p)]
        assert translators, "no translation process"
        nice = {int(_stat(p)[16]) for p in translators}
        assert nice == {10}, nice
        long_text = {"text": " ".join(["nước sạch cho người dân ở xã hoà bình"] * 120), "to": ["mww", "tyz", "khm"]}
        with ThreadPoolExecutor(12) as pool:
            answers = list(pool.map(lambda _: http.post(site + "/v1/translate", json=long_text), range(12)))
        statuses = sorted(a.status_code for a in answers)
        assert 200 in statuses and 503 in statuses, statuses  # some served, the rest refused at once
        busy = next(a for a in answers if a.status_code == 503)
        assert busy.json()["error"]["code"] == "busy" and busy.headers["Retry-After"]
        assert http.get(site + "/v1/search", params={"q": "cay"}).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
        http.close()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in translators):  # the translation process ended with its server
        assert time.monotonic() < deadline, "the translation process outlived its server"
        time.sleep(0.1)
