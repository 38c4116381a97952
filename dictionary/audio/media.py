"""Audio files in and out, through FFmpeg's libraries (PyAV).

PyAV's wheels carry libavformat, libavcodec and libavfilter with LAME and Opus built in, so a fresh
machine needs no FFmpeg package.  A file is recognised by its content (libavformat's prober), never
by its name; only the containers a pronunciation recording arrives in are accepted.  The playback
copy is mono MP3 at a fixed loudness: every browser and phone plays MP3, and real recordings differ
by 40 dB before this step.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from fractions import Fraction

import av
import av.filter
import numpy as np

from dictionary.errors import AudioRejected, AudioTooLarge

__all__ = ["AudioRejected", "AudioTooLarge", "decode", "loudness", "normalise", "playback_copy"]

# libavformat's name for a container → what people call it.  Anything else is refused.
ACCEPTED = {
    "wav": "WAV",
    "mp3": "MP3",
    "ogg": "OGG",
    "mov,mp4,m4a,3gp,3g2,mj2": "M4A",
    "matroska,webm": "WebM",
}
CONTENT_TYPES = {"WAV": "audio/wav", "MP3": "audio/mpeg", "OGG": "audio/ogg", "M4A": "audio/mp4",
                 "WebM": "audio/webm"}
ACCEPTED_NAMES = "WAV, MP3, OGG/Opus, M4A, WebM"

PLAYBACK_RATE = 24_000  # Hz: speech needs no more, and MPEG-2 layer III at 24 kHz is small
PLAYBACK_BITRATE = 48_000
PLAYBACK_TYPE = "audio/mpeg"
TARGET_LUFS = -16.0  # the loudness phones and podcasts are mastered to
PEAK_CEILING_DB = -1.0  # sample peak after the gain, so a loud click is not clipped
MAX_GAIN_DB = 50.0  # real recordings differ by 40 dB; a whisper raised further is mostly room noise


@dataclass(frozen=True, slots=True)
class Decoded:
    format: str  # WAV, MP3, OGG, M4A, WebM
    codec: str
    sample_rate: int  # of the source
    channels: int  # of the source
    samples: np.ndarray  # mono float32 at PLAYBACK_RATE
    content_type: str

    @property
    def duration_ms(self) -> int:
        return round(len(self.samples) * 1000 / PLAYBACK_RATE)


@dataclass(frozen=True, slots=True)
class Playback:
    data: bytes
    content_type: str
    duration_ms: int
    source_lufs: float | None  # loudness of the source, None when it was silent
    gain_db: float


def decode(data: bytes, *, max_seconds: float) -> Decoded:
    """Decode a whole file to mono samples, refusing what is not an accepted audio file."""
    if not data:
        raise AudioRejected("Tệp âm thanh rỗng (0 byte).")
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, ValueError) as exc:
        raise AudioRejected(
            f"Không nhận ra đây là tệp âm thanh ({_why(exc)}). Chỉ nhận {ACCEPTED_NAMES}."
        ) from None
    with container:
        fmt = ACCEPTED.get(container.format.name)
        if fmt is None:
            raise AudioRejected(
                f"Định dạng {container.format.long_name or container.format.name} không được nhận; "
                f"chỉ nhận {ACCEPTED_NAMES}."
            )
        if not container.streams.audio:
            raise AudioRejected(f"Tệp {fmt} này không có luồng âm thanh.")
        stream = container.streams.audio[0]
        codec = stream.codec_context.name
        if fmt == "OGG" and codec not in ("opus", "vorbis", "flac"):
            raise AudioRejected(f"Tệp OGG chứa mã {codec}; chỉ nhận Opus hoặc Vorbis.")
        rate, channels = stream.codec_context.sample_rate, stream.codec_context.channels
        resampler = av.AudioResampler(format="flt", layout="mono", rate=PLAYBACK_RATE)
        chunks: list[np.ndarray] = []
        limit = int(max_seconds * PLAYBACK_RATE)
        total = 0
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunk = out.to_ndarray().reshape(-1)
                    chunks.append(chunk)
                    total += len(chunk)
                if total > limit:
                    raise AudioRejected(
                        f"Bản ghi dài hơn {max_seconds:g} giây; một bản ghi phát âm chỉ cần vài giây."
                    )
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
        except av.FFmpegError as exc:
            raise AudioRejected(f"Tệp {fmt} bị hỏng, không giải mã được ({_why(exc)}).") from None
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    if len(samples) < PLAYBACK_RATE // 20:
        raise AudioRejected(f"Tệp {fmt} không có âm thanh giải mã được (ngắn hơn 50 ms).")
    return Decoded(fmt, codec, rate, channels, samples.astype(np.float32), CONTENT_TYPES[fmt])


def _why(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc)


def _run_graph(samples: np.ndarray, rate: int, filters: list[tuple[str, str]]) -> tuple[np.ndarray, dict]:
    """Push mono float samples through a libavfilter chain; return its output and last metadata."""
    graph = av.filter.Graph()
    node = graph.add_abuffer(format="flt", sample_rate=rate, layout="mono", time_base=Fraction(1, rate))
    first = node
    for name, args in filters:
        nxt = graph.add(name, args)
        node.link_to(nxt)
        node = nxt
    convert = graph.add("aformat", f"sample_fmts=flt:channel_layouts=mono:sample_rates={rate}")
    node.link_to(convert)
    sink = graph.add("abuffersink")
    convert.link_to(sink)
    graph.configure()
    chunks: list[np.ndarray] = []
    metadata: dict = {}

    def drain() -> None:
        while True:
            try:
                frame = graph.pull()
            except (av.BlockingIOError, av.EOFError):
                return
            chunks.append(frame.to_ndarray().reshape(-1))
            if frame.metadata:
                metadata.update(frame.metadata)

    step = 4096
    for start in range(0, len(samples), step):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples[None, start : start + step]), format="flt", layout="mono"
        )
        frame.sample_rate = rate
        frame.pts = start
        first.push(frame)
        drain()
    first.push(None)
    drain()
    out = np.concatenate(chunks).astype(np.float32) if chunks else np.zeros(0, np.float32)
    return out, metadata


def loudness(samples: np.ndarray, rate: int = PLAYBACK_RATE) -> float | None:
    """Integrated loudness (EBU R128, LUFS) by libavfilter's ebur128; None for silence.

    R128 gates in 400 ms blocks, so a clip shorter than two seconds is measured looped to that
    length: the loudness of a word repeated is the loudness of the word."""
    if len(samples) == 0:
        return None
    reps = max(1, math.ceil(2 * rate / len(samples)))
    looped = np.tile(samples, reps) if reps > 1 else samples
    _, metadata = _run_graph(looped, rate, [("ebur128", "metadata=1")])
    value = metadata.get("lavfi.r128.I")
    if value is None or float(value) <= -69.0:  # the meter's floor: nothing above the gate
        return None
    return float(value)


def normalise(samples: np.ndarray) -> tuple[np.ndarray, float | None, float]:
    """Gain to TARGET_LUFS (at most MAX_GAIN_DB), then a look-ahead limiter so peaks stay under
    PEAK_CEILING_DB instead of clipping.  Returns the samples, the source loudness and the gain."""
    measured = loudness(samples)
    if measured is None:
        return samples, None, 0.0
    gain = max(min(TARGET_LUFS - measured, MAX_GAIN_DB), -MAX_GAIN_DB)
    ceiling = 10 ** (PEAK_CEILING_DB / 20)
    out, _ = _run_graph(samples, PLAYBACK_RATE, [
        ("volume", f"{gain:.2f}dB"),
        ("alimiter", f"limit={ceiling:.4f}:attack=5:release=50:level=disabled:latency=1"),
    ])
    return np.clip(out, -1.0, 1.0), measured, gain


def encode_mp3(samples: np.ndarray, rate: int = PLAYBACK_RATE) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=rate, layout="mono")
        stream.bit_rate = PLAYBACK_BITRATE
        step = 4608
        for start in range(0, len(samples), step):
            frame = av.AudioFrame.from_ndarray(samples[None, start : start + step], format="flt", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


OFFLINE_TYPE = "audio/ogg; codecs=opus"
OFFLINE_BITRATE = 20_000  # bit/s: Opus keeps speech clear at a fraction of the playback copy's MP3
OFFLINE_RATE = 16_000  # Hz: wideband speech


def encode_opus(samples: np.ndarray, rate: int = PLAYBACK_RATE, bitrate: int = OFFLINE_BITRATE) -> bytes:
    """Mono Opus in Ogg at ``bitrate`` (resampled to 16 kHz, Opus's wideband)."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=OFFLINE_RATE, layout="mono")
        stream.bit_rate = bitrate
        resampler = av.AudioResampler(format="s16", layout="mono", rate=OFFLINE_RATE)
        frame = av.AudioFrame.from_ndarray(samples[None, :].astype(np.float32), format="flt", layout="mono")
        frame.sample_rate = rate
        for part in (*resampler.resample(frame), *resampler.resample(None)):
            for packet in stream.encode(part):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def offline_copy(playback: bytes) -> bytes:
    """A playback copy again as compact Opus, for the offline audio packs."""
    return encode_opus(decode(playback, max_seconds=600).samples)


def playback_copy(decoded: Decoded) -> Playback:
    samples, measured, gain = normalise(decoded.samples)
    return Playback(encode_mp3(samples), PLAYBACK_TYPE, decoded.duration_ms, measured, gain)
