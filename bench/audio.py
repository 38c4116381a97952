"""Audio benchmark: time to first byte over HTTP for a cached clip and for a first synthesis, and
the cost of taking in an upload (decode, loudness, limiter, MP3).

    .venv/bin/python bench/audio.py [--words 40]

Data: the Mường (Mường Bì) – Vietnamese pairs (../shared/data/pairs/mtq-muongbi-vie.tsv,
CC-BY-4.0, Sidwell & Alves 2021), read in place; the Mường words a Vietnamese voice may read are
synthesised by espeak-ng through a real uvicorn server on loopback (Google's voice is off: this
machine cannot reach it).  Prints a table; compare figures within one run.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = REPO.parent / "shared" / "data"

from corpora.imports import Imports  # noqa: E402
from corpora.tabular import Columns  # noqa: E402
from dictionary.audio import media  # noqa: E402
from dictionary.audio.synth import Espeak, Synthesiser  # noqa: E402
from tudien.settings import Settings  # noqa: E402
from tudien.wiring import open_services  # noqa: E402


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def ttfb(port: int, path: str, headers: dict | None = None) -> tuple[float, int, dict]:
    """Seconds to the first byte of the body, status, headers (a fresh connection each time, as a
    phone opening a player would)."""
    started = time.perf_counter()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", path, headers=headers or {})
    r = c.getresponse()
    r.read(1)
    first = time.perf_counter() - started
    r.read()
    c.close()
    return first, r.status, dict(r.getheaders())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=40)
    args = parser.parse_args()
    source = DATA / "pairs" / "mtq-muongbi-vie.tsv"
    if not source.is_file():
        sys.exit(f"the benchmark reads {source}; it is not there")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        synth = Synthesiser(engines={"espeak-ng": Espeak()})
        services = open_services(settings, synthesiser=synth)
        Imports.of(services).import_file(source, "tsv", language="mtq", columns=Columns("muong_form", "vie_value"))
        ids = [e["id"] for e in services.collection.export_entries(language="mtq")
               if synth.plan("mtq", e["headword"]).voices][: args.words]

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "TUDIEN_DATA_DIR": tmp, "TUDIEN_TTS_ENGINES": "espeak-ng"}
        server = subprocess.Popen([sys.executable, "-m", "tudien", "serve", "--port", str(port),
                                   "--log-level", "warning"], env=env, cwd=REPO)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if ttfb(port, "/health")[1] == 200:
                        break
                except OSError:
                    time.sleep(0.05)
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start")
            first, cached, ranged, urls = [], [], [], []
            for entry_id in ids:
                t1, status, headers = ttfb(port, f"/v1/entries/{entry_id}/pronunciation?play=1")
                assert status == 307, status
                t2, status, _ = ttfb(port, headers["location"])
                assert status == 200
                first.append(t1 + t2)
                urls.append(headers["location"])
            for url in urls:
                cached.append(ttfb(port, url)[0])
                ranged.append(ttfb(port, url, {"Range": "bytes=0-1023"})[0])
            again = [ttfb(port, f"/v1/entries/{i}/pronunciation?play=1")[0] for i in ids]
        finally:
            server.terminate()
            server.wait(timeout=20)

    label = f"{len(ids)} Mường words"
    for name, values in (("first synthesis (espeak-ng), redirect + audio", first),
                         ("cached clip, /v1/audio/{id}", cached),
                         ("cached clip, Range bytes=0-1023", ranged),
                         ("cached pronunciation redirect", again)):
        rows.append((label, f"TTFB {name}", f"p50 {percentile(values, 50) * 1000:.1f} ms, "
                                            f"p95 {percentile(values, 95) * 1000:.1f} ms"))

    wav = subprocess.run(["espeak-ng", "-v", "vi", "--stdout"], input="xin chào các bạn".encode(),
                         capture_output=True, check=True).stdout
    times = []
    for _ in range(20):
        started = time.perf_counter()
        media.playback_copy(media.decode(wav, max_seconds=30))
        times.append(time.perf_counter() - started)
    rows.append(("1.3 s WAV upload", "decode + R128 + limiter + MP3", f"p50 {percentile(times, 50) * 1000:.1f} ms"))
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, width, strict=True)))


if __name__ == "__main__":
    main()
