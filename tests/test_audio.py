"""Pronunciation audio with real files: speech made here by espeak-ng, encoded into WAV, MP3,
OGG/Opus, M4A and WebM, uploaded through the API, streamed back with and without ranges and
decoded by libsndfile.  Google's service cannot be reached from here, so gTTS runs its own code
with its HTTP layer replaced (``responses``), answering as Google does, or failing as it does."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest
import requests
import responses
from audio_support import (
    FORMATS,
    decode_with_libsndfile,
    encode,
    espeak_wav,
    google_answer,
    rms_db,
    samples_of,
)
from support import Library

from corpora.sample import load_sample
from dictionary.audio import media
from dictionary.audio.library import Limits, RecordingInfo
from dictionary.audio.synth import Espeak, Gtts, Synthesiser, SynthesisFailed, vietnamese_spelling

KEY = "khoa-thu-nghiem"
GOOGLE = re.compile(r"https://translate\.google\.com/_/TranslateWebserverUi/data/batchexecute.*")
FIELDS = {"speaker": "Người đọc A", "licence": "CC BY 4.0", "sex": "nữ", "dialect": "Cao Bằng",
          "recorded_on": "2024-05-31"}


class Counting(Espeak):
    """espeak-ng, counting how often it is asked to speak."""

    def __init__(self) -> None:
        super().__init__(timeout=10)
        self.calls: list[str] = []

    def synthesise(self, text: str, voice: str) -> bytes:
        self.calls.append(text)
        return super().synthesise(text, voice)


class World:
    """The sample corpus behind a real app, with espeak-ng and a gTTS whose network is replaced."""

    def __init__(self, folder, limits: Limits | None = None, keys=(KEY,)) -> None:
        self.espeak = Counting()
        self.synth = Synthesiser(engines={"gtts": Gtts(timeout=2), "espeak-ng": self.espeak}, cooldown=60)
        self.lib = Library(folder, api_keys=keys, synthesiser=self.synth, limits=limits)
        load_sample(self.lib.services.collection)
        self.lib.index()
        self.audio = self.lib.audio
        self.client = self.lib.client()

    def entry(self, headword: str) -> dict:
        hits = self.lib.search(headword).hits
        return next(h.entry for h in hits if h.entry["headword"] == headword)

    def upload(self, entry_id: str, data: bytes, name: str = "take.wav", key: str | None = KEY, **fields):
        headers = {"X-API-Key": key} if key else {}
        return self.client.post(f"/v1/entries/{entry_id}/audio", headers=headers,
                                files={"file": (name, data, "application/octet-stream")},
                                data={**FIELDS, **fields})


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path / "data")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as google:
        w.google = google
        yield w


@pytest.fixture(scope="module")
def speech():
    """'nặm' (Tày, water) read by espeak-ng's Vietnamese voice: a real recording stands in for a
    speaker's, since the tests need audio, not a native speaker."""
    return samples_of(espeak_wav("nặm"))


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == response.status_code
    assert body["error"]["message"] and body["error"]["code"]
    return body["error"]


@pytest.mark.parametrize("kind", list(FORMATS))
def test_upload_each_format_then_play_it_from_the_search_result(world, speech, kind):
    samples, rate = speech
    data = encode(samples, rate, kind, stereo=kind in ("m4a", "webm"))
    entry = world.entry("nặm")
    r = world.upload(entry["id"], data, name="ghi-am.bin")  # the name says nothing: content decides
    assert r.status_code == 201, r.text
    clip = r.json()["clip"]
    assert clip["kind"] == "recording" and clip["speaker"] == "Người đọc A" and clip["sex"] == "female"
    assert clip["engine"] is None and clip["approximate"] is False
    assert abs(clip["duration_ms"] - len(samples) * 1000 / rate) < 60

    result = next(x for x in world.client.get("/v1/search", params={"q": "nam", "from": "tyz"}).json()["results"]
                  if x["id"] == entry["id"])
    assert result["audio"][0]["kind"] == "recording" and result["audio"][0]["url"] == clip["url"]

    full = world.client.get(clip["url"])
    assert full.status_code == 200 and full.headers["content-type"] == "audio/mpeg"
    assert int(full.headers["content-length"]) == len(full.content)
    assert full.headers["accept-ranges"] == "bytes" and "max-age" in full.headers["cache-control"]
    decoded, out_rate, channels = decode_with_libsndfile(full.content)
    assert (out_rate, channels) == (24_000, 1)
    assert abs(len(decoded) / out_rate * 1000 - clip["duration_ms"]) < 80

    part = world.client.get(clip["url"], headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.content == full.content[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(full.content)}"
    tail = world.client.get(clip["url"], headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == full.content[-500:]

    original = world.client.get(clip["url"], params={"original": 1})
    assert original.content == data  # kept byte for byte
    assert original.headers["content-type"] == media.CONTENT_TYPES[
        {"wav": "WAV", "mp3": "MP3", "ogg": "OGG", "m4a": "M4A", "webm": "WebM"}[kind]]


def test_playback_copies_are_levelled_though_the_originals_differ_by_40_db(world, speech):
    samples, rate = speech
    loud = encode(samples, rate, "wav")
    quiet = encode(samples * 0.01, rate, "wav")  # 40 dB down
    entry = world.entry("nặm")
    levels = []
    for data, who in ((loud, "loud"), (quiet, "quiet")):
        clip = world.upload(entry["id"], data, speaker=who).json()["clip"]
        played, _, _ = decode_with_libsndfile(world.client.get(clip["url"]).content)
        source, _, _ = decode_with_libsndfile(data)
        levels.append((rms_db(source), rms_db(played)))
        # EBU R128 by libavfilter's meter: a short, peaky word lands up to ~3.5 LU under the target,
        # because the limiter that keeps peaks under -1 dBFS is deliberately gentle
        assert -4 < media.loudness(played[:, 0]) - media.TARGET_LUFS < 1
    (loud_in, loud_out), (quiet_in, quiet_out) = levels
    assert loud_in - quiet_in == pytest.approx(40, abs=0.5)
    assert abs(loud_out - quiet_out) < 2.0
    clips = world.client.get(f"/v1/entries/{entry['id']}/audio").json()["audio"]
    assert [c["speaker"] for c in clips] == ["loud", "quiet"]


def test_same_file_twice_is_stored_once(world, speech):
    data = encode(*speech, "mp3")
    entry = world.entry("nặm")
    first, second = world.upload(entry["id"], data), world.upload(entry["id"], data)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == {"clip": first.json()["clip"], "created": False}
    assert len(world.client.get(f"/v1/entries/{entry['id']}/audio").json()["audio"]) == 1


def test_refused_uploads_say_why(tmp_path, speech):
    w = World(tmp_path / "data", limits=Limits(max_bytes=200_000, max_seconds=5))
    entry = w.entry("nặm")["id"]
    wav = encode(*speech, "wav")
    cases = [
        (w.upload(entry, b"ID3 this is a text file, not audio\n" * 20, name="tu.mp3"), 415, "audio_rejected"),
        (w.upload(entry, b"", name="empty.wav"), 415, "audio_rejected"),
        (w.upload(entry, wav[: len(wav) // 3] + b"\x00" * 10, name="cut.wav"), None, None),
        (w.upload(entry, np.zeros(400_000, np.int16).tobytes() + wav, name="big.wav"), 413, "audio_too_large"),
        (w.upload(entry, encode(np.tile(speech[0], 16), speech[1], "mp3")), 415, "audio_rejected"),
        (w.upload(entry, wav, key=None), 401, "unauthenticated"),
        (w.upload(entry, wav, key="sai"), 401, "unauthenticated"),
        (w.upload("tyz-000000000000", wav), 404, "not_found"),
        (w.upload(entry, wav, speaker=""), 422, "invalid_recording"),
        (w.upload(entry, wav, recorded_on="31/05/2024"), 422, "invalid_recording"),
        (w.upload(entry, wav, sex="x"), 422, "invalid_recording"),
    ]
    messages = []
    for response, status, code in cases:
        if status is None:  # a truncated WAV still decodes what it holds: accepted or refused, never a 500
            assert response.status_code in (201, 415), response.text
            continue
        assert response.status_code == status, response.text
        error = error_of(response)
        assert error["code"] == code
        messages.append(error["message"])
    assert "WAV, MP3, OGG/Opus, M4A, WebM" in messages[0]
    assert "giây" in messages[3]  # too long: says the bound
    assert "X-API-Key" in messages[4]
    assert "recorded_on" in messages[8]
    nobody = World(tmp_path / "other", keys=())
    error = error_of(nobody.upload(nobody.entry("nặm")["id"], wav))
    assert "TUDIEN_API_KEYS" in error["message"]


def test_synthetic_vietnamese_voice_made_once_on_first_play(world):
    world.google.add(responses.POST, GOOGLE, body=requests.ConnectionError("no route to Google"))
    entry = world.entry("nặm")  # Tày in a Vietnamese-based alphabet: the Vietnamese voice may approximate
    listed = world.client.get("/v1/search", params={"q": "nặm", "from": "tyz"}).json()["results"][0]["audio"]
    assert listed[0]["kind"] == "synthetic" and listed[0]["approximate"] is True and listed[0]["id"] is None

    played = world.client.get(listed[0]["url"], follow_redirects=False)
    assert played.status_code == 307
    audio = world.client.get(played.headers["location"], headers={"Range": "bytes=0-"})
    assert audio.status_code == 206 and audio.headers["content-type"] == "audio/mpeg"
    samples, rate, channels = decode_with_libsndfile(audio.content)
    assert (rate, channels) == (24_000, 1) and 0.2 < len(samples) / rate < 3 and rms_db(samples) > -40

    clip = world.client.get("/v1/search", params={"q": "nặm", "from": "tyz"}).json()["results"][0]["audio"][0]
    assert clip["id"] and clip["url"] == played.headers["location"]
    assert (clip["kind"], clip["engine"], clip["voice"], clip["approximate"]) == ("synthetic", "espeak-ng", "vi", True)
    for _ in range(3):
        assert world.client.get(f"/v1/entries/{entry['id']}/pronunciation").json()["clip"] == clip
    assert world.espeak.calls == ["nặm"]  # cached by text, engine and voice


def test_gtts_answer_is_used_and_labelled(world):
    mp3 = encode(*samples_of(espeak_wav("xin chào")), "mp3")
    world.google.add(responses.POST, GOOGLE, body=google_answer(mp3))
    clip = world.client.get("/v1/speak", params={"text": "xin chào", "lang": "vie"}).json()["clip"]
    assert (clip["kind"], clip["engine"], clip["voice"], clip["approximate"]) == ("synthetic", "gtts", "vi", False)
    sent = world.google.calls[0].request
    assert "xin ch" in requests.utils.unquote(sent.body)  # gTTS's own request, built by gTTS
    samples, rate, _ = decode_with_libsndfile(world.client.get(clip["url"]).content)
    assert rate == 24_000 and len(samples) > 0.3 * rate
    assert world.espeak.calls == []


@pytest.mark.parametrize("failure", ["rate_limit", "server_error", "no_audio", "timeout", "empty"])
def test_failing_gtts_falls_through_to_espeak_and_leaves_no_file(world, failure):
    answer = {
        "rate_limit": {"status": 429, "body": "Too Many Requests"},
        "server_error": {"status": 503, "body": ""},
        "no_audio": {"status": 200, "body": ')]}\'\n\n[["wrb.fr","jQ1olc",null]]\n'},
        "timeout": {"body": requests.exceptions.ReadTimeout("read timed out")},
        "empty": {"status": 200, "body": ""},
    }[failure]
    world.google.add(responses.POST, GOOGLE, **answer)
    started = time.monotonic()
    clip = world.client.get("/v1/speak", params={"text": "hòa bình", "lang": "vie"}).json()["clip"]
    assert time.monotonic() - started < 10
    assert (clip["engine"], clip["voice"]) == ("espeak-ng", "vi")
    files = [p for p in (world.audio.blobs.root).rglob("*") if p.is_file()]
    assert files and all(p.stat().st_size > 0 for p in files)
    assert world.audio.blobs.strays() == []
    # Google rests after the failure: the next word goes straight to espeak-ng
    world.client.get("/v1/speak", params={"text": "độc lập", "lang": "vie"})
    assert len(world.google.calls) == 1


def test_khmer_gets_google_voice_or_nothing(world):
    mp3 = encode(*samples_of(espeak_wav("a")), "mp3")
    world.google.add(responses.POST, GOOGLE, body=google_answer(mp3))
    clip = world.client.get("/v1/entries/" + world.entry("ទឹក")["id"] + "/pronunciation").json()["clip"]
    assert (clip["engine"], clip["voice"], clip["approximate"]) == ("gtts", "km", False)

    world.google.replace(responses.POST, GOOGLE, status=429)
    down = world.client.get("/v1/entries/" + world.entry("ផ្ទះ")["id"] + "/pronunciation")
    assert down.status_code == 503 and error_of(down)["code"] == "speech_unavailable"
    # while Google rests, Khmer results offer no synthetic clip rather than one that cannot play
    result = world.client.get("/v1/search", params={"q": "ផ្ទះ"}).json()["results"][0]
    assert result["audio"] == []


def test_no_audio_rather_than_nonsense(world):
    hmong = world.entry("ntoo")
    result = world.client.get("/v1/search", params={"q": "ntoo", "from": "mww"}).json()["results"][0]
    assert result["audio"] == []
    r = world.client.get(f"/v1/entries/{hmong['id']}/pronunciation")
    assert r.status_code == 404 and error_of(r)["code"] == "no_audio"
    for text, lang in (("ntoo", "mww"), ("bơ̆", "bdq"), ("hơdrung", "bdq"), ("ba", "bdq"), ("ua", "mww")):
        r = world.client.get("/v1/speak", params={"text": text, "lang": lang})
        assert r.status_code == 404 and "giọng" in error_of(r)["message"]
        assert error_of(r)["code"] == "no_audio" and "giọng máy tiếng Việt" in error_of(r)["message"]
    assert world.espeak.calls == []


def test_speak_bounds_and_errors(world):
    assert error_of(world.client.get("/v1/speak"))["code"] == "invalid_query"
    r = world.client.get("/v1/speak", params={"text": "a" * 201})
    assert r.status_code == 422 and "200" in error_of(r)["message"]
    assert error_of(world.client.get("/v1/speak", params={"text": "a", "lang": "xx"}))["code"] == "unknown_language"
    for clip_id in ("nope", "s" + "0" * 16, "..%2F..%2Fetc%2Fpasswd"):
        r = world.client.get(f"/v1/audio/{clip_id}")
        assert r.status_code == 404 and error_of(r)
    # the client resolves the dots itself: /etc/passwd, a page this site does not have
    r = world.client.get("/v1/audio/../../etc/passwd")
    assert r.status_code == 404 and "root:" not in r.text and "Không có trang này" in r.text
    world.google.add(responses.POST, GOOGLE, status=429)
    url = world.client.get("/v1/speak", params={"text": "cây", "play": 1}, follow_redirects=False).headers["location"]
    size = int(world.client.head(url).headers["content-length"])
    for bad in ("bytes=99999-", "lines=0-1", "bytes=abc"):
        r = world.client.get(url, headers={"Range": bad})
        assert r.status_code == 416 and error_of(r)["code"] == "range_not_satisfiable"
        assert r.headers["content-range"] == f"bytes */{size}"
    etag = world.client.get(url).headers["etag"]
    assert world.client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_delete_and_gc_leave_no_file_behind(world, speech, tmp_path):
    entry = world.entry("nặm")
    first = world.upload(entry["id"], encode(*speech, "wav")).json()["clip"]
    second = world.upload(entry["id"], encode(*speech, "ogg"), speaker="B").json()["clip"]
    before = set(world.audio.blobs)
    assert len(before) == 4  # two originals, two playback copies

    assert world.client.delete(f"/v1/audio/{first['id']}").status_code == 401
    gone = world.client.delete(f"/v1/audio/{first['id']}", headers={"X-API-Key": KEY}).json()
    assert gone == {"id": first["id"], "files_removed": 2}
    assert world.client.get(first["url"]).status_code == 404

    # the entry disappears when its dataset is imported again without it
    remaining = world.lib.store.entries.iter_entries()
    kept = [e for _, e in remaining if e["provenance"]["dataset"] == "sample-tyz" and e["id"] != entry["id"]]
    from dictionary.model import Entry
    from dictionary.storage.datasets import Dataset

    world.lib.store.datasets.replace(Dataset("sample-tyz", "tsv"), [Entry.model_validate(e) for e in kept])
    after_delete = set(world.audio.blobs)
    assert len(after_delete) == 2
    (world.audio.blobs.root / "ab").mkdir(parents=True, exist_ok=True)
    (world.audio.blobs.root / "ab" / ".tmp-crashed").write_bytes(b"partial")
    report = world.audio.gc(dry_run=True)
    assert report["orphan_clips"] == [second["id"]] and len(report["unused_files"]) == 2
    assert set(world.audio.blobs) == after_delete and world.audio.blobs.strays()  # a dry run removes nothing
    report = world.audio.gc()
    assert report["removed"] and list(world.audio.blobs) == [] and world.audio.blobs.strays() == []
    assert world.audio.gc()["orphan_clips"] == []


def test_folder_import_by_headword_is_all_or_nothing(world, speech, tmp_path, capsys):
    from tudien.cli import main

    folder = tmp_path / "ghi-am"
    folder.mkdir()
    (folder / "nặm.wav").write_bytes(encode(*speech, "wav"))
    (folder / "nặm__2.ogg").write_bytes(encode(*speech, "ogg"))
    (folder / "bản.mp3").write_bytes(encode(*speech, "mp3"))
    (folder / "không-có.wav").write_bytes(encode(*speech, "wav"))
    (folder / "hỏng.wav").write_bytes(b"RIFF....not really")
    env_args = ["audio", "import", str(folder), "--language", "tyz", "--speaker", "A", "--licence", "CC BY 4.0"]
    env = {"TUDIEN_DATA_DIR": str(world.lib.settings.data_dir), "TUDIEN_TTS_ENGINES": "espeak-ng"}
    assert main(env_args, env) == 1
    err = capsys.readouterr().err
    assert "không-có.wav: không có mục từ tyz" in err and "hỏng.wav" in err and "nothing was imported" in err
    assert world.audio.recordings([world.entry("nặm")["id"]]) == {}
    (folder / "không-có.wav").unlink()
    (folder / "hỏng.wav").unlink()
    assert main([*env_args, "--dry-run"], env) == 0 and "3 recordings would be imported" in capsys.readouterr().out
    assert main(env_args, env) == 0 and "3 recordings added" in capsys.readouterr().out
    assert main(env_args, env) == 0 and "0 recordings added, 3 already there" in capsys.readouterr().out
    clips = world.client.get(f"/v1/entries/{world.entry('nặm')['id']}/audio").json()["audio"]
    assert [c["kind"] for c in clips] == ["recording", "recording"]


def test_lift_media_references_import(world, speech, tmp_path):
    from corpora.importer import import_file

    folder = tmp_path / "lift"
    (folder / "audio").mkdir(parents=True)
    (folder / "audio" / "nuoc-1.wav").write_bytes(encode(*speech, "wav"))
    lift = folder / "tu.lift"
    lift.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<lift version="0.13">\n'
        '<entry id="nuoc_1"><lexical-unit><form lang="vi"><text>nước</text></form></lexical-unit>'
        '<pronunciation><media href="nuoc-1.wav"/></pronunciation>'
        '<sense><gloss lang="en"><text>water</text></gloss></sense></entry>\n'
        '<entry id="cay_1"><lexical-unit><form lang="vi"><text>cây</text></form></lexical-unit>'
        '<pronunciation><media href="cay-1.wav"/></pronunciation>'
        '<sense><gloss lang="en"><text>tree</text></gloss></sense></entry>\n</lift>\n', encoding="utf-8")
    import_file(world.lib.services.collection, lift, "lift", dataset="tu-lift")
    pairs, problems = world.audio.match_lift_media(folder, "tu-lift")
    assert len(pairs) == 1 and len(problems) == 1 and "'cay-1.wav'" in problems[0]
    (folder / "audio" / "cay-1.wav").write_bytes(encode(*speech, "wav"))
    pairs, problems = world.audio.match_lift_media(folder, "tu-lift")
    assert problems == [] and len(pairs) == 2
    report = world.audio.import_files(pairs, RecordingInfo("A", "CC BY 4.0"), source="lift")
    assert report.added == 2 and report.problems == []
    clips = world.audio.recordings([entry_id for entry_id, _ in pairs])
    assert all(c[0]["source"] == "lift" for c in clips.values()) and len(clips) == 2


def test_real_words_get_voices_only_where_the_alphabet_allows(shared_data, real_library):
    """On the real lists: Mường (Vietnamese-style spelling) words that Vietnamese spelling allows
    get the approximate Vietnamese voice; Bahnar and Hmong words never do, not even those whose
    letters happen to spell Vietnamese syllables (the registry says the voice reads them wrong)."""
    synth = Synthesiser(engines={"espeak-ng": Espeak()})
    counts = {}
    for code in ("mtq", "bdq", "mww"):
        rows = [h for _, h in real_library.store.entries.headwords(code)]
        voiced = [h for h in rows if synth.plan(code, h).voices]
        counts[code] = (len(voiced), len(rows))
        assert not any(ch in "".join(voiced) for ch in "ĕŏŭ\u0306")
    print("\nwords a Vietnamese voice may read (approximate):", counts)
    assert counts["mww"][0] == 0
    assert counts["mtq"][0] > 0.3 * counts["mtq"][1]
    assert counts["bdq"][0] == 0 and counts["bdq"][1] > 1000
    spelt = [h for _, h in real_library.store.entries.headwords("bdq") if vietnamese_spelling(h)]
    assert len(spelt) > 100  # words a Vietnamese voice would have read, were spelling the test


def test_stored_bytes_are_named_by_their_hash(world, speech):
    import hashlib

    data = encode(*speech, "wav")
    world.upload(world.entry("nặm")["id"], data)
    sha = hashlib.sha256(data).hexdigest()
    assert world.audio.blobs.path(sha).read_bytes() == data
    with pytest.raises(ValueError):
        world.audio.blobs.path("../../etc/passwd")


def test_synthetic_cache_is_bounded_by_gc(world):
    world.google.add(responses.POST, GOOGLE, status=429)
    clips = [world.client.get("/v1/speak", params={"text": t}).json()["clip"] for t in ("một", "hai", "ba")]
    sizes = [world.audio.get(c["id"])["playback_bytes"] for c in clips]
    report = world.audio.gc(synthetic_budget=sizes[1] + sizes[2])
    assert report["evicted_synthetic"] == [clips[0]["id"]] and report["orphan_clips"] == []
    assert world.client.get(clips[0]["url"]).status_code == 404
    assert world.client.get(clips[2]["url"]).status_code == 200
    again = world.client.get("/v1/speak", params={"text": "một"}).json()["clip"]  # made again on demand
    assert again["id"] == clips[0]["id"] and world.client.get(again["url"]).status_code == 200


@pytest.mark.parametrize("text", ["\x1a", ".", " \u200b ", "…!?", "---"])
def test_text_that_speaks_as_nothing_is_refused_without_resting_a_voice(world, text):
    """One anonymous request of text that is empty after normalisation, or speaks as silence, is a
    422 for that request alone: no voice rests, and a real word still speaks at once."""
    r = world.client.get("/v1/speak", params={"text": text, "lang": "vie"})
    assert r.status_code == 422 and error_of(r)["code"] == "invalid_query"
    assert not world.synth.resting("espeak-ng") and not world.synth.resting("gtts")
    world.google.add(responses.POST, GOOGLE, body=requests.exceptions.ConnectionError("no network"))
    clip = world.client.get("/v1/speak", params={"text": "xin chào", "lang": "vie"}).json()["clip"]
    assert clip["engine"] == "espeak-ng" and world.client.get(clip["url"]).status_code == 200
    assert world.synth.resting("gtts") and not world.synth.resting("espeak-ng")  # Google's own fault


def test_audio_the_text_makes_unusable_rests_no_engine(world):
    """A voice whose audio for this text cannot be used (silence, too short to play) is not resting
    afterwards: the text was at fault, not the engine."""
    world.google.add(responses.POST, GOOGLE, body=google_answer(encode(*samples_of(espeak_wav("a")), "mp3")))

    def unusable(voice, data):
        raise SynthesisFailed("silence", engine_fault=False)

    with pytest.raises(SynthesisFailed) as failed:
        world.synth.run(world.synth.plan("vie", "xin chào").voices, "xin chào", unusable)
    assert not failed.value.engine_fault and len(world.google.calls) == 1 and world.espeak.calls == ["xin chào"]
    assert not world.synth.resting("gtts") and not world.synth.resting("espeak-ng")
