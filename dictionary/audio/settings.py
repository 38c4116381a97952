"""How synthetic speech is configured: a plain value the program fills from its settings.  Light on
purpose: ``tudien serve``'s supervising process reads settings and must not load the voices."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpeechSettings:
    """Which engines may speak, the chains that override the defaults (``vie=espeak-ng:vi-vn-x-south``),
    each engine's time limit and an engine's rest after it fails (seconds)."""

    chains: str = ""
    engines: tuple[str, ...] = ("gtts", "espeak-ng")
    timeout: float = 5.0
    cooldown: float = 60.0
