"""Synthetic speech, the fallback when no one has recorded a word.

Each language has a chain of voices, tried in order: gTTS (Google's online service: Vietnamese,
and Khmer) and espeak-ng (offline: northern, central and southern Vietnamese voices).  A voice of
another language is only an approximation, so a minority word is read by a Vietnamese voice only
where the language registry says a Vietnamese voice approximates the language's orthography
(:func:`dictionary.languages.vietnamese_voice`: Mường, Tày and Nùng; never Ba Na, H'Mông or the
Chamic languages, whatever a word's spelling) *and* every syllable of the word is a syllable
Vietnamese spelling allows; otherwise the voice would read letter names (espeak-ng says "e breve"
for ĕ) or teach a wrong pronunciation, and no audio is better than that.

An engine that fails (no network, time-out, rate limit, an empty answer) is skipped for a cool-down
period and the next voice is tried, each within its own time limit.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from dictionary import languages
from dictionary.audio.settings import SpeechSettings
from dictionary.errors import ConfigurationError
from dictionary.text import vietnamese
from dictionary.text.normalize import canonical

T = TypeVar("T")  # what a voice's audio is made into by the caller

log = logging.getLogger("tudien.audio")

MAX_SPEAK_CHARS = 200
SPEAKABLE = r"[^\W_]"  # text to speak holds a letter or a digit (as a pattern the API's schema states)


@dataclass(frozen=True, slots=True)
class Voice:
    engine: str  # gtts, espeak-ng
    voice: str  # the engine's own voice or language name
    language: str  # ISO 639-3 of the voice

    def __str__(self) -> str:
        return f"{self.engine}:{self.voice}"


class SynthesisFailed(Exception):
    """One engine could not produce audio now; the chain moves on.  ``engine_fault`` says whose
    fault it was: the engine's (no network, time-out, 429, 5xx, an empty answer), which rests it,
    or the text's (audio that is silence or too short to use), which rests nothing."""

    def __init__(self, message: str, *, engine_fault: bool = True) -> None:
        super().__init__(message)
        self.engine_fault = engine_fault


class Engine:
    name = ""

    def available(self) -> bool:
        return True

    def synthesise(self, text: str, voice: str) -> bytes:  # pragma: no cover - interface
        raise NotImplementedError


class Espeak(Engine):
    """espeak-ng from Debian, run as a program; text goes in on stdin, WAV comes out."""

    name = "espeak-ng"

    def __init__(self, timeout: float = 10.0, binary: str | None = None) -> None:
        self.timeout = timeout
        self.binary = binary or shutil.which("espeak-ng")

    def available(self) -> bool:
        return self.binary is not None

    def synthesise(self, text: str, voice: str) -> bytes:
        if self.binary is None:
            raise SynthesisFailed("espeak-ng is not installed")
        try:
            done = subprocess.run(
                [self.binary, "-v", voice, "--stdout"], input=text.encode(), capture_output=True,
                timeout=self.timeout, check=False,
            )
        except subprocess.TimeoutExpired:
            raise SynthesisFailed(f"espeak-ng took longer than {self.timeout:g} s") from None
        if done.returncode != 0 or not done.stdout:
            raise SynthesisFailed(f"espeak-ng failed: {done.stderr.decode(errors='replace').strip()}")
        return done.stdout


class Gtts(Engine):
    """Google's speech service through gTTS.  The answer is collected in memory and returned only
    when complete, so a failure part-way never leaves a file (gTTS's own ``save`` leaves a 0-byte
    MP3 behind when the request fails)."""

    name = "gtts"

    def __init__(self, timeout: float = 5.0, tld: str = "com") -> None:
        self.timeout = timeout
        self.tld = tld

    def synthesise(self, text: str, voice: str) -> bytes:
        from gtts import gTTS, gTTSError

        buffer = io.BytesIO()
        try:
            gTTS(text, lang=voice, tld=self.tld, timeout=self.timeout).write_to_fp(buffer)
        except (ValueError, AssertionError) as exc:  # gTTS's word on the text it was given
            raise SynthesisFailed(f"gTTS: {exc}", engine_fault=False) from None
        except (gTTSError, OSError) as exc:
            raise SynthesisFailed(f"gTTS: {exc}") from None
        if not buffer.getvalue():
            raise SynthesisFailed("gTTS answered with no audio")
        return buffer.getvalue()


# Voices per language, best first.  The languages the registry says a Vietnamese voice
# approximates get the Vietnamese voices (checked word by word); Khmer has Google's voice only.
# The others have none: their letters mean something else to a Vietnamese voice.
VI = (Voice("gtts", "vi", "vie"), Voice("espeak-ng", "vi", "vie"))
DEFAULT_CHAINS: dict[str, tuple[Voice, ...]] = {
    **{code: VI for code in languages.vietnamese_voiced()},
    "khm": (Voice("gtts", "km", "khm"),),
}
ESPEAK_VIETNAMESE = {"vi": "miền Bắc", "vi-vn-x-central": "miền Trung", "vi-vn-x-south": "miền Nam"}


def parse_chains(spec: str) -> dict[str, tuple[Voice, ...]]:
    """``vie=espeak-ng:vi-vn-x-south,gtts:vi;khm=gtts:km`` → chains (the voice's language is
    Vietnamese for the Vietnamese voices and the chain's own language otherwise)."""
    chains: dict[str, tuple[Voice, ...]] = {}
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        lang, _, voices = part.partition("=")
        parsed = []
        for item in filter(None, (v.strip() for v in voices.split(","))):
            engine, _, voice = item.partition(":")
            if engine not in ("gtts", "espeak-ng") or not voice:
                raise ConfigurationError(f"TUDIEN_TTS: {item!r} is not engine:voice (engine gtts or espeak-ng)")
            is_vi = voice in ESPEAK_VIETNAMESE or voice == "vi"
            parsed.append(Voice(engine, voice, "vie" if is_vi else lang.strip()))
        chains[lang.strip()] = tuple(parsed)
    return chains


_SYLLABLE_SPLIT = re.compile(r"[\s\-‐]+")


def readable_by(voice: Voice, language: str, text: str) -> bool:
    """Can ``voice`` read ``text`` of ``language`` as a fair approximation?  A Vietnamese voice
    reads only the languages the registry lets it (a chain configured otherwise does not
    override that), and only words Vietnamese spelling allows."""
    if voice.language == language:
        return True
    if voice.language != languages.VIETNAMESE:
        return False
    return languages.vietnamese_voice(language).approximates and vietnamese_spelling(text)


@lru_cache(maxsize=65536)
def vietnamese_spelling(text: str) -> bool:
    """Is every syllable of ``text`` one that Vietnamese spelling allows?"""
    words = [w for w in _SYLLABLE_SPLIT.split(canonical(text).lower()) if w]
    return bool(words) and all(vietnamese.is_syllable(w) for w in words)


@dataclass(frozen=True, slots=True)
class Plan:
    voices: tuple[Voice, ...]  # in the order to try
    approximate: bool
    reason: str | None = None  # why there are none, in Vietnamese


class Synthesiser:
    """The chains, the engines and their cool-downs.  ``produce`` is called with each voice in
    turn until one returns audio it accepts (the caller validates and stores it)."""

    def __init__(self, chains: dict[str, tuple[Voice, ...]] | None = None,
                 engines: dict[str, Engine] | None = None, cooldown: float = 60.0) -> None:
        self.chains = DEFAULT_CHAINS if chains is None else chains
        self.engines = engines if engines is not None else {"gtts": Gtts(), "espeak-ng": Espeak()}
        self.cooldown = cooldown
        self._resting: dict[str, float] = {}
        self._lock = threading.Lock()

    @classmethod
    def configured(cls, settings: SpeechSettings) -> Synthesiser:
        chains = dict(DEFAULT_CHAINS)
        if settings.chains:
            chains.update(parse_chains(settings.chains))
        engines: dict[str, Engine] = {}
        if "gtts" in settings.engines:
            engines["gtts"] = Gtts(timeout=settings.timeout)
        if "espeak-ng" in settings.engines:
            engines["espeak-ng"] = Espeak(timeout=settings.timeout)
        return cls(chains, engines, cooldown=settings.cooldown)

    def plan(self, language: str, text: str) -> Plan:
        """The voices that may read ``text`` (all of them, resting ones included: a cached clip
        of a resting engine is still good)."""
        chain = [v for v in self.chains.get(language, ()) if v.engine in self.engines
                 and self.engines[v.engine].available()]
        fit = languages.vietnamese_voice(language)
        if not fit.approximates and not any(v.language == language for v in chain):
            return Plan((), False, f"không dùng giọng máy tiếng Việt cho ngôn ngữ này: {fit.reason}")
        if not chain:
            return Plan((), False, "không có giọng đọc máy nào cho ngôn ngữ này")
        fits = tuple(v for v in chain if readable_by(v, language, text))
        if not fits:
            return Plan((), False, "chữ viết của từ này khác cách đọc tiếng Việt; giọng máy sẽ đọc sai")
        return Plan(fits, any(v.language != language for v in fits))

    def resting(self, engine: str) -> bool:
        with self._lock:
            return self._resting.get(engine, 0.0) > time.monotonic()

    def run(self, voices: tuple[Voice, ...], text: str,
            accept: Callable[[Voice, bytes], T]) -> tuple[Voice, T]:
        """Try each voice; ``accept`` validates and stores the audio (raising SynthesisFailed when
        it is unusable).  Returns the voice used and what ``accept`` returned.  An engine rests
        only after a failure of its own: when every voice failed because of the text, the
        failure raised says so (``engine_fault`` False) and every engine is still ready."""
        errors = []
        engine_fault = False
        for voice in voices:
            if self.resting(voice.engine):
                errors.append(f"{voice}: đang tạm nghỉ sau lỗi")
                engine_fault = True
                continue
            try:
                data = self.engines[voice.engine].synthesise(text, voice.voice)
            except SynthesisFailed as exc:
                errors.append(f"{voice}: {exc}")
                if exc.engine_fault:
                    log.warning("speech engine %s failed: %s", voice, exc)
                    engine_fault = True
                    with self._lock:
                        self._resting[voice.engine] = time.monotonic() + self.cooldown
                continue
            try:
                return voice, accept(voice, data)
            except SynthesisFailed as exc:  # the audio made of this text is unusable (silence)
                errors.append(f"{voice}: {exc}")
        raise SynthesisFailed("; ".join(errors) or "no voice", engine_fault=engine_fault)
