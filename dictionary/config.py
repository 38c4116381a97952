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
class ElasticSettings:
    """Where the Elasticsearch cluster is and how to talk to it (``TUDIEN_ELASTICSEARCH_*``)."""

    hosts: tuple[str, ...] = ("http://127.0.0.1:9200",)
    index: str = "tudien"  # the alias searches read; versions are indices behind it
    api_key: str | None = None
    username: str | None = None
    password: str | None = None
    ca_certs: str | None = None
    shards: int = 1
    replicas: int = 0
    refresh_interval: str = "1s"
    timeout: float = 2.0  # seconds per request
    retries: int = 2  # on connection errors, timeouts, 429/502/503/504

    @classmethod
    def from_env(cls) -> ElasticSettings:
        env = os.environ.get
        hosts = tuple(
            h.strip() for h in env("TUDIEN_ELASTICSEARCH_URL", "http://127.0.0.1:9200").split(",") if h.strip()
        )
        try:
            return cls(
                hosts=hosts,
                index=env("TUDIEN_ELASTICSEARCH_INDEX", "tudien"),
                api_key=env("TUDIEN_ELASTICSEARCH_API_KEY") or None,
                username=env("TUDIEN_ELASTICSEARCH_USER") or None,
                password=env("TUDIEN_ELASTICSEARCH_PASSWORD") or None,
                ca_certs=env("TUDIEN_ELASTICSEARCH_CA") or None,
                shards=int(env("TUDIEN_ELASTICSEARCH_SHARDS", "1")),
                replicas=int(env("TUDIEN_ELASTICSEARCH_REPLICAS", "0")),
                refresh_interval=env("TUDIEN_ELASTICSEARCH_REFRESH", "1s"),
                timeout=float(env("TUDIEN_ELASTICSEARCH_TIMEOUT", "2")),
                retries=int(env("TUDIEN_ELASTICSEARCH_RETRIES", "2")),
            )
        except ValueError as exc:
            raise SystemExit(f"TUDIEN_ELASTICSEARCH_* setting is not a number: {exc}") from None


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=_default_data_dir)
    backend: str = "embedded"
    elastic: ElasticSettings = field(default_factory=ElasticSettings)
    api_keys: tuple[str, ...] = ()  # keys that may upload or delete audio (TUDIEN_API_KEYS)

    @property
    def store_path(self) -> Path:
        return self.data_dir / "tudien.sqlite3"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "audio"

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
            elastic=ElasticSettings.from_env(),
            api_keys=tuple(k.strip() for k in os.environ.get("TUDIEN_API_KEYS", "").split(",") if k.strip()),
        )
