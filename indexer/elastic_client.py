"""The connection to an Elasticsearch cluster: one client, one deadline per call across its
retries, a breaker that fails calls at once while the cluster is known to be down, and the
cluster's failures as the domain's errors, in words a reader of the page understands."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import Elasticsearch, OrjsonSerializer
from elasticsearch import exceptions as es_errors

from dictionary.errors import BackendUnavailable, IndexMissing

from .breaker import Breaker
from .config import ElasticSettings


class ElasticConnection:
    """What :class:`indexer.elastic.ElasticBackend` talks to the cluster through."""

    def __init__(self, settings: ElasticSettings) -> None:
        self.settings = settings
        auth: dict[str, Any] = {}
        if settings.api_key:
            auth["api_key"] = settings.api_key
        elif settings.username:
            auth["basic_auth"] = (settings.username, settings.password or "")
        if settings.ca_certs:
            auth["ca_certs"] = settings.ca_certs
        self.client = Elasticsearch(
            list(settings.hosts),
            request_timeout=settings.timeout,
            max_retries=settings.retries,
            retry_on_timeout=True,
            retry_on_status=(429, 502, 503, 504),
            # one dead node must not be shunned for long: a single-node cluster that comes
            # back is used again at once
            dead_node_backoff_factor=0.5,
            max_dead_node_backoff=2.0,
            serializer=OrjsonSerializer(),  # answers of many hits parse several times faster
            **auth,
        )
        self.alias = settings.index
        self.breaker = Breaker(self._probe, interval=min(1.0, settings.timeout))
        # a call's first attempt has the whole time-out: that client is made once, not per call
        self._first = self.client.options(request_timeout=settings.timeout, max_retries=0)

    def _missing(self) -> IndexMissing:
        return IndexMissing(
            f"Chỉ mục tìm kiếm '{self.alias}' chưa được xây dựng trên Elasticsearch: hãy chạy 'tudien index'."
        )

    def _unavailable(self, exc: Exception) -> BackendUnavailable:
        hosts = ", ".join(self.settings.hosts)
        if isinstance(exc, ConnectionTimeout | _DeadlinePassed):
            why = f"Elasticsearch ({hosts}) không trả lời trong {self.settings.timeout:g} giây"
        elif isinstance(exc, TransportConnectionError):
            why = f"không kết nối được tới Elasticsearch ({hosts})"
        else:
            why = f"Elasticsearch ({hosts}) từ chối yêu cầu: {getattr(exc, 'message', exc)}"
        return BackendUnavailable(f"Máy tìm kiếm tạm thời không dùng được: {why}. Hãy thử lại sau ít phút.")

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except es_errors.NotFoundError as exc:
            if "index_not_found" in str(exc):
                raise self._missing() from None
            raise self._unavailable(exc) from None
        except (TransportConnectionError, es_errors.ApiError, es_errors.TransportError) as exc:
            raise self._unavailable(exc) from None

    def _probe(self) -> None:
        # the cluster's health: every distribution answers it (the minimal one refuses GET /)
        self.client.options(request_timeout=self.breaker.interval, max_retries=0).cluster.health()

    def _timely(self, call: Callable[[Elasticsearch], Any], *, within: float | None = None,
                trip: bool = True) -> Any:
        """``call(client)`` within one deadline (``within``, else the configured time-out) across
        every attempt.

        Retries (connection errors, time-outs, 429/502/503/504) use what is left of the deadline.
        While the cluster is known to be down the call fails at once; with ``trip``, a time-out or
        a refused connection marks it down (see :class:`~indexer.breaker.Breaker`)."""
        self.breaker.check()
        s = self.settings
        deadline = time.monotonic() + (within or s.timeout)
        attempt = 0
        while True:
            left = deadline - time.monotonic()
            try:
                if left <= 0.01:
                    raise _DeadlinePassed()
                if attempt == 0 and within is None:
                    return call(self._first)
                return call(self.client.options(request_timeout=left, max_retries=0))
            except es_errors.NotFoundError as exc:
                if "index_not_found" in str(exc):
                    raise self._missing() from None
                raise self._unavailable(exc) from None
            except (_DeadlinePassed, ConnectionTimeout, TransportConnectionError) as exc:
                attempt += 1
                if attempt <= s.retries and not isinstance(exc, _DeadlinePassed) \
                        and deadline - time.monotonic() > 0.05:
                    continue
                error = self._unavailable(exc)
                if trip:
                    self.breaker.failed(str(error))
                raise error from None
            except es_errors.ApiError as exc:
                attempt += 1
                if exc.meta.status in (429, 502, 503, 504) and attempt <= s.retries \
                        and deadline - time.monotonic() > 0.05:
                    continue
                raise self._unavailable(exc) from None
            except es_errors.TransportError as exc:
                raise self._unavailable(exc) from None


class _DeadlinePassed(Exception):
    """The request's deadline passed before an attempt could start."""
