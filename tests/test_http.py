"""HTTP hygiene: security headers on every answer, originals served as downloads, and a real
server that ends connections whose request stops arriving."""

from __future__ import annotations

import os
import socket
import time

import httpx
import pytest
from audio_support import encode, espeak_wav, samples_of
from support import Library, start_server

from corpora.sample import load_sample
from dictionary.errors import AudioTooLarge

KEY = "khoa-http"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    lib = Library(tmp_path_factory.mktemp("http") / "data", api_keys=(KEY,))
    load_sample(lib.services.collection)
    lib.index()
    with lib.client() as c:
        yield c


def _common(response):
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_pages_forbid_inline_script_and_framing(client):
    for path in ("/", "/?q=n%C6%B0%E1%BB%9Bc", "/dich"):
        page = client.get(path)
        _common(page)
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "<script>" not in page.text  # no inline script for the policy to break


def test_data_answers_allow_nothing_to_run(client):
    for answer in (client.get("/v1/search", params={"q": "nước"}), client.get("/v1/entries/none"),
                   client.get("/health"), client.request("PUT", "/v1/search")):
        _common(answer)
        assert answer.headers["content-security-policy"].startswith("default-src 'none'")


def test_an_original_is_a_download_and_the_copy_plays_inline(client):
    entry = client.get("/v1/search", params={"q": "nặm", "from": "tyz"}).json()["results"][0]
    wav = encode(*samples_of(espeak_wav("nặm")), "wav")
    clip = client.post(f"/v1/entries/{entry['id']}/audio", headers={"X-API-Key": KEY},
                       files={"file": ("nam.wav", wav, "audio/wav")},
                       data={"speaker": "A", "licence": "CC BY 4.0"}).json()["clip"]
    original = client.get(clip["url"], params={"original": 1})
    assert original.status_code == 200 and original.content == wav
    assert original.headers["content-disposition"].startswith("attachment;")
    _common(original)
    assert client.get(clip["url"]).headers["content-disposition"].startswith("inline;")
    # a range of another version of the file (If-Range) gets the file whole, even one past its end
    played = client.get(clip["url"])
    assert client.get(clip["url"], headers={"Range": "bytes=0-9", "If-Range": played.headers["etag"]}).status_code == 206
    other = client.get(clip["url"], headers={"Range": f"bytes={len(played.content) + 5}-", "If-Range": '"other"'})
    assert other.status_code == 200 and other.content == played.content
    assert client.get(clip["url"], headers={"Range": f"bytes={len(played.content) + 5}-"}).status_code == 416


def test_the_size_limit_says_what_the_readme_says():
    assert "tối đa 20 MB" in str(AudioTooLarge(25_000_000, 20_000_000))


# -- a real server's read deadlines ------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("deadlines") / "data"
    lib = Library(folder)
    load_sample(lib.services.collection)
    lib.index()
    env = {**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_HEADER_TIMEOUT": "1",
           "TUDIEN_BODY_TIMEOUT": "1", "TUDIEN_TTS_ENGINES": "espeak-ng"}
    process, port = start_server(env)
    yield port
    process.terminate()
    process.wait(timeout=20)


def _closed_after(sock: socket.socket, limit: float) -> float:
    """Seconds until the server closes ``sock`` (reading whatever it sends first)."""
    started = time.monotonic()
    sock.settimeout(limit)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return float("inf")
    except ConnectionResetError:
        pass
    return time.monotonic() - started


@pytest.mark.server
def test_half_sent_headers_end_the_connection(server):
    for start in (b"", b"GET /v1/search?q=cay HTTP/1.1\r\nHost: x\r\n"):
        with socket.create_connection(("127.0.0.1", server)) as sock:
            sock.sendall(start)
            assert _closed_after(sock, 5) < 3


@pytest.mark.server
def test_a_body_that_stops_ends_the_connection_but_a_slow_one_that_keeps_coming_does_not(server):
    head = (b"POST /v1/translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n")
    body = b'{"text": "n\xc6\xb0\xe1\xbb\x9bc", "to": ["mww"]}'
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(head % len(body) + body[:10])
        assert _closed_after(sock, 5) < 3
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(head % len(body))
        for i in range(0, len(body), 4):  # 4 bytes every 0.4 s: 4 s in all, never 1 s of silence
            sock.sendall(body[i:i + 4])
            time.sleep(0.4)
        sock.settimeout(10)
        answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert httpx.get(f"http://127.0.0.1:{server}/v1/search", params={"q": "cay"}).status_code == 200


def test_errors_of_pages_are_pages_in_vietnamese_and_the_api_keeps_json(client):
    for path, status, words in (("/e/mww-000000000000", 404, "Không có mục từ nào mang mã"),
                                ("/khong-co-trang-nay", 404, "Không có trang này"),
                                ("/e/mww-000000000000/lich-su?a=mot", 422, "Đường dẫn có tham số không dùng được")):
        page = client.get(path)
        assert page.status_code == status and page.headers["content-type"].startswith("text/html"), path
        assert words in page.text and 'role="search"' in page.text and "<h1>" in page.text
    api = client.get("/v1/khong-co")
    assert api.status_code == 404 and api.json()["error"]["code"] == "http_error"


def test_page_messages_name_no_parameters_and_there_is_a_favicon(client):
    empty = client.get("/", params={"q": "   "})
    assert empty.status_code == 200 and "?q=" not in empty.text and 'role="alert"' not in empty.text
    nothing_ticked = client.post("/dich", data={"text": "nước sạch"})
    assert nothing_ticked.status_code == 422 and "Hãy đánh dấu ít nhất một ngôn ngữ" in nothing_ticked.text
    assert "(to)" not in nothing_ticked.text
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
