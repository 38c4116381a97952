"""How to reach an Elasticsearch cluster.  A plain value: the program reads it from its settings
and hands it to :class:`indexer.elastic.ElasticBackend`; nothing here reads the environment."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ElasticSettings:
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
