"""Real audio for the tests: speech from espeak-ng, encoded into the formats phones and recorders
produce with the encoders in PyAV's FFmpeg (LAME, Opus, AAC), and decoded back with libsndfile
(through soundfile) — a decoder independent of the one the service uses."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess

import av
import numpy as np
import pytest
import soundfile
from support import IN_CI

ESPEAK = shutil.which("espeak-ng")


def require_espeak() -> str:
    if ESPEAK is None:
        message = "espeak-ng is not installed (scripts/install installs it from Debian)"
        if IN_CI:
            pytest.fail(f"{message}; CI must run the audio tests", pytrace=False)
        pytest.skip(message)
    return ESPEAK


def espeak_wav(text: str, voice: str = "vi") -> bytes:
    done = subprocess.run([require_espeak(), "-v", voice, "--stdout"], input=text.encode(),
                          capture_output=True, check=True, timeout=30)
    return done.stdout


def samples_of(wav: bytes) -> tuple[np.ndarray, int]:
    data, rate = soundfile.read(io.BytesIO(wav), dtype="float32", always_2d=False)
    return data, rate


# container → (PyAV format, codec, sample rate the codec wants)
FORMATS = {
    "wav": ("wav", "pcm_s16le", None),
    "mp3": ("mp3", "libmp3lame", 44_100),
    "ogg": ("ogg", "libopus", 48_000),
    "m4a": ("ipod", "aac", 44_100),
    "webm": ("webm", "libopus", 48_000),
}


def encode(samples: np.ndarray, rate: int, kind: str, stereo: bool = False) -> bytes:
    """``samples`` (mono float32) as a file of ``kind``, resampled to what the codec wants."""
    fmt, codec, codec_rate = FORMATS[kind]
    out_rate = codec_rate or rate
    layout = "stereo" if stereo else "mono"
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=fmt) as container:
        stream = container.add_stream(codec, rate=out_rate, layout=layout)
        resampler = av.AudioResampler(format=stream.codec_context.format.name, layout=layout, rate=out_rate)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[None, :].astype(np.float32)),
                                           format="flt", layout="mono")
        frame.sample_rate = rate
        frame.pts = 0
        for chunk in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(chunk):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def decode_with_libsndfile(data: bytes) -> tuple[np.ndarray, int, int]:
    """(samples, sample rate, channels) decoded by libsndfile."""
    with soundfile.SoundFile(io.BytesIO(data)) as f:
        rate, channels = f.samplerate, f.channels
        samples = f.read(dtype="float32", always_2d=True)
    return samples, rate, channels


def rms_db(samples: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(samples), dtype=np.float64)) + 1e-12))


def google_answer(mp3: bytes) -> bytes:
    """The body Google's batchexecute endpoint sends back with speech in it, as gTTS parses it."""
    payload = base64.b64encode(mp3).decode()
    line = '[["wrb.fr","jQ1olc","[\\"' + payload + '\\"]",null,null,null,"generic"]]'
    return f")]}}'\n\n{len(line)}\n{line}\n".encode()
