"""How the pages' sessions end and who needs a second factor: what the settings say, kept apart
(nothing imported) so that reading the settings loads nothing else."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    """How the pages' sessions and second factor work (TUDIEN_SESSION_IDLE, TUDIEN_SESSION_MAX,
    TUDIEN_2FA)."""

    idle: float = 30 * 60  # seconds without use that end a session
    longest: float = 12 * 3600  # seconds after which a session ends however used
    second_factor: str = "admins"  # "admins", or "editors": editors and admins

    def requires(self, role: str) -> bool:
        return role == "admin" or (self.second_factor == "editors" and role == "editor")
