"""Configuration from the environment, read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

BACKENDS = ("embedded", "elasticsearch")


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "tudien"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=_default_data_dir)
    backend: str = "embedded"

    @property
    def store_path(self) -> Path:
        return self.data_dir / "tudien.sqlite3"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @classmethod
    def from_env(cls) -> Settings:
        data_dir = os.environ.get("TUDIEN_DATA_DIR")
        backend = os.environ.get("TUDIEN_BACKEND", "embedded").strip().lower() or "embedded"
        if backend not in BACKENDS:
            raise SystemExit(
                f"TUDIEN_BACKEND={backend!r} is not a backend; choose one of {', '.join(BACKENDS)}"
            )
        return cls(
            data_dir=Path(data_dir).expanduser() if data_dir else _default_data_dir(),
            backend=backend,
        )
