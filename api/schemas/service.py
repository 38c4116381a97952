"""The service itself: the languages it holds, and its health."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .common import _Public


class StoreHealth(_Public):
    ok: bool = Field(description="false: the database does not answer (see error)")
    kind: str = Field(description="sqlite or postgresql")
    entries: int | None = None
    generation: int | None = None
    error: str | None = None


class HealthPublic(_Public):
    status: Literal["ok", "stale", "unavailable"]
    store: StoreHealth
    index: dict[str, Any] = Field(description="the engine's own report: ok, engine, generation, …")
