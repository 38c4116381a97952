"""The Elasticsearch backend: the same keys and stages as the embedded engine, on a cluster.

Keys are normalised in Python by :mod:`dictionary.text.normalize` and indexed as ``keyword`` fields, so
the mapping needs no analysis plugin (the minimal distribution has no ``analysis-common``) and
works unchanged on any cluster.  Multi-word keys also go through the ``standard`` analyzer for the
"every word" stage.

Queries are built as data by pure functions (:mod:`indexer.elastic_query`) and sent in one ``msearch``
round trip; the distance-2 fuzzy stage follows only when the closer stages found nothing, as on
the embedded engine.  :meth:`ElasticBackend.candidates_many` answers several plans (a query and
its readings) in a single ``msearch``, the distance-2 stage included and its hits dropped where
they are not wanted.  Candidates are read from doc values, never ``_source``.

Index versions live behind an alias: a build writes a new index (in parallel bulk requests, with
refreshes, replicas and a synced translog off until it is written: :mod:`indexer.elastic_bulk`),
restores the serving settings, checks its document count,
then moves the alias in one atomic ``_aliases`` call and deletes the old index.  Searches never
see a half-built index; a failed build deletes its own index and leaves the old one serving.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import Elasticsearch, OrjsonSerializer, helpers
from elasticsearch import exceptions as es_errors

from dictionary.errors import BackendUnavailable, IndexMissing
from dictionary.search.ports import KeyDoc
from dictionary.search.ranking import Candidate, QueryPlan

from . import elastic_bulk
from .breaker import Breaker
from .config import ElasticSettings
from .elastic_query import MAPPING, fuzzy2_body, stage_bodies, take_hits

STATUS_BUDGET = 0.8  # seconds /health may wait for the cluster
GENERATION_TTL = 1.0  # seconds a known index generation is trusted (updates land every second)
# While a new index version is written nobody searches it: no replicas to copy to, no refreshes,
# and a translog synced in the background, not per request (a build that dies is thrown away).
# The serving settings replace these before the alias moves to it.
BUILDING = {"number_of_replicas": 0, "refresh_interval": "-1", "translog.durability": "async"}


# -- the backend ----------------------------------------------------------------------------------

class ElasticBackend:
    name = "elasticsearch"
    remote = True  # every call is a network round trip

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
        self._generation: tuple[float, int | None] = (0.0, None)  # (when read, generation)

    # -- errors ----------------------------------------------------------------------------
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

    # -- searching ---------------------------------------------------------------------------
    def candidates(self, plan: QueryPlan) -> list[Candidate]:
        stages = stage_bodies(plan)
        deadline = time.monotonic() + self.settings.timeout
        out, entries = self._read(stages, self._msearch(stages))
        if plan.fuzzy >= 2 and plan.keys.fold and plan.wider_fuzzy(len(entries)):
            body = fuzzy2_body(plan)
            left = max(0.02, deadline - time.monotonic())  # one deadline for the whole search
            response = self._timely(lambda client: client.search(index=self.alias, body=body), within=left)
            take_hits("fuzzy2", response["hits"]["hits"], out, entries)
        return out

    def candidates_many(self, plans: Sequence[QueryPlan]) -> list[list[Candidate]]:
        """Every stage of every plan in one ``_msearch`` round trip.  A plan that may need the
        distance-2 stage sends it too, and its hits are kept only when the closer stages found
        nothing, as :meth:`candidates` decides after its first answer: the same candidates,
        one round trip instead of up to two per plan."""
        layout: list[tuple[QueryPlan, int, int]] = []  # plan, its first search, its number of stages
        stages: list[tuple[str, dict]] = []
        for plan in plans:
            own = stage_bodies(plan)
            if plan.fuzzy >= 2 and plan.keys.fold:
                own.append(("fuzzy2", fuzzy2_body(plan)))
            layout.append((plan, len(stages), len(own)))
            stages.extend(own)
        if not stages:
            return []
        responses = self._msearch(stages)
        results = []
        for plan, first, count in layout:
            own, answers = stages[first:first + count], responses[first:first + count]
            wider = own[-1][0] == "fuzzy2"
            out, entries = self._read(own[:-1] if wider else own, answers[:-1] if wider else answers)
            if wider:
                self._check(own[-1][0], answers[-1])
                if plan.wider_fuzzy(len(entries)):
                    take_hits("fuzzy2", answers[-1]["hits"]["hits"], out, entries)
            results.append(out)
        return results

    def _msearch(self, stages: list[tuple[str, dict]]) -> list[dict]:
        """The responses of ``stages``' searches, sent in one ``_msearch``."""
        searches: list[dict] = []
        header = {"index": self.alias}
        for _, body in stages:
            searches.extend((header, body))
        return self._timely(lambda client: client.msearch(searches=searches))["responses"]

    def _check(self, name: str, response: dict) -> None:
        if "error" in response:
            error = response["error"]
            if isinstance(error, dict) and error.get("type") == "index_not_found_exception":
                raise self._missing()
            raise BackendUnavailable(f"Elasticsearch không thực hiện được truy vấn ({name}): {error}")

    def _read(self, stages: list[tuple[str, dict]], responses: list[dict]) -> tuple[list[Candidate], set[int]]:
        """The candidates of one plan's stages, in order, and the entries they name."""
        out: list[Candidate] = []
        entries: set[int] = set()
        for (name, _), response in zip(stages, responses, strict=True):
            self._check(name, response)
            take_hits(name, response["hits"]["hits"], out, entries)
        return out, entries

    # -- building ----------------------------------------------------------------------------
    def rebuild(self, docs: Iterable[KeyDoc], generation: int) -> int:
        s = self.settings
        name = f"{self.alias}-g{generation}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 1_000_000:06d}"
        self._call(
            self.client.indices.create,
            index=name,
            settings={
                "number_of_shards": s.shards,
                **BUILDING,
                "max_result_window": 10_000,
            },
            mappings={**MAPPING, "_meta": {"generation": generation, "built_at": time.time()}},
        )
        try:
            bulk = self.client.options(request_timeout=max(60.0, s.timeout), max_retries=s.retries)
            count = self._call(elastic_bulk.write, bulk, name, docs)
            # what serving needs, before the index is searched: replicas, refreshes, a durable log
            self._call(
                self.client.indices.put_settings,
                index=name,
                settings={"refresh_interval": s.refresh_interval, "number_of_replicas": s.replicas,
                          "translog.durability": "request"},
            )
            self._call(self.client.indices.refresh, index=name)
            found = self._call(self.client.count, index=name)["count"]
            if found != count:
                raise BackendUnavailable(f"index {name} holds {found} documents, {count} were sent")
            health = self._call(
                self.client.options(request_timeout=max(60.0, s.timeout)).cluster.health,
                index=name, wait_for_status="yellow", timeout="50s",
            )
            if health.get("timed_out"):
                raise BackendUnavailable(f"index {name} did not become available: {health.get('status')}")
            self._swap(name)
        except BaseException:
            try:
                self.client.indices.delete(index=name, ignore_unavailable=True)
            except Exception:  # noqa: BLE001 - the original failure is the one to report
                pass
            raise
        return count

    def update(self, entries: list[int], docs: Iterable[KeyDoc], generation: int) -> None:
        """Delete the documents of ``entries``, index ``docs``, refresh, and record ``generation``
        in the index's mapping: searchable when this returns.

        The documents to delete are found by a search on their entry (delete-by-query belongs to
        a module some distributions leave out); deletions and additions go in one bulk request."""
        s = self.settings
        try:
            name = next(iter(self.client.indices.get_alias(name=self.alias).body))
        except es_errors.NotFoundError:
            raise self._missing() from None
        except (TransportConnectionError, es_errors.ApiError, es_errors.TransportError) as exc:
            raise self._unavailable(exc) from None
        client = self.client.options(request_timeout=max(30.0, s.timeout))
        actions: list[dict] = []
        try:
            for start in range(0, len(entries), 1000):  # every document of these entries, by scroll
                actions.extend({"_op_type": "delete", "_index": name, "_id": hit["_id"]} for hit in helpers.scan(
                    client, index=name, query={"query": {"terms": {"entry": entries[start:start + 1000]}}},
                    _source=False, size=5000, scroll="1m"))
        except (TransportConnectionError, es_errors.ApiError, es_errors.TransportError) as exc:
            raise self._unavailable(exc) from None
        actions.extend({"_index": name, "_source": elastic_bulk.source(doc)} for doc in docs)
        try:
            helpers.bulk(client, actions, chunk_size=2000, max_retries=3, refresh=True)
        except helpers.BulkIndexError as exc:
            raise BackendUnavailable(f"Elasticsearch từ chối {len(exc.errors)} tài liệu khi cập nhật chỉ mục") from None
        except (TransportConnectionError, es_errors.ApiError, es_errors.TransportError) as exc:
            raise self._unavailable(exc) from None
        mapping = self._call(self.client.indices.get_mapping, index=name).body[name]["mappings"]
        meta = {**mapping.get("_meta", {}), "generation": generation, "updated_at": time.time()}
        self._call(self.client.indices.put_mapping, index=name, meta=meta)
        self._generation = (time.monotonic(), generation)

    def _swap(self, name: str) -> None:
        """Point the alias at ``name`` in one atomic call, then delete the versions before it."""
        try:
            old = list(self.client.indices.get_alias(name=self.alias).body)
        except es_errors.NotFoundError:
            old = []
        if self.client.indices.exists(index=self.alias) and not old:
            raise BackendUnavailable(
                f"'{self.alias}' is an index, not an alias; delete it or choose another "
                "TUDIEN_ELASTICSEARCH_INDEX"
            )
        actions = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self._call(self.client.indices.update_aliases, actions=actions)
        for index in old:
            if index != name:
                self.client.indices.delete(index=index, ignore_unavailable=True)

    # -- state -------------------------------------------------------------------------------
    def status(self) -> dict:
        """The cluster's and the index's state, within the configured time-out; at once, from
        what is known, while the cluster is known to be down."""
        hosts = list(self.settings.hosts)
        if self.breaker.is_open:
            return {"ok": False, "engine": self.name, "hosts": hosts, "generation": None,
                    "error": self.breaker.error}
        try:
            def read(client):
                health = client.cluster.health()
                try:
                    index = next(iter(client.indices.get_alias(name=self.alias).body))
                except es_errors.NotFoundError:
                    raise self._missing() from None
                mapping = client.indices.get_mapping(index=index).body[index]["mappings"]
                return health, index, mapping, client.count(index=self.alias)["count"]

            # /health must answer fast: a short budget, and a slow answer here does not stop searches
            health, index, mapping, documents = self._timely(read, within=min(self.settings.timeout, STATUS_BUDGET),
                                                             trip=False)
        except IndexMissing:
            return {"ok": False, "engine": self.name, "hosts": hosts, "generation": None,
                    "error": f"alias '{self.alias}' not found: run 'tudien index'"}
        except BackendUnavailable as exc:
            return {"ok": False, "engine": self.name, "hosts": hosts, "generation": None, "error": str(exc)}
        meta = mapping.get("_meta", {})
        self._generation = (time.monotonic(), meta.get("generation"))
        return {
            "ok": health["status"] in ("green", "yellow"),
            "engine": self.name,
            "hosts": hosts,
            "cluster": health["cluster_name"],
            "cluster_status": health["status"],
            "index": index,
            "generation": meta.get("generation"),
            "documents": documents,
            "built_at": meta.get("built_at"),
        }

    def generation(self, fresh: bool = False) -> int | None:
        """From the index's mapping, read again at most every GENERATION_TTL seconds (at once
        when ``fresh``)."""
        when, known = self._generation
        if (fresh or time.monotonic() - when > GENERATION_TTL) and not self.breaker.is_open:
            try:
                def read(client):
                    mappings = client.indices.get_mapping(index=self.alias).body
                    return next(iter(mappings.values()))["mappings"].get("_meta", {}).get("generation")

                known = self._timely(read, within=STATUS_BUDGET, trip=False)
            except (BackendUnavailable, IndexMissing):
                pass  # the search itself says what is wrong; keep what was known
            self._generation = (time.monotonic(), known)
        return known

    def close(self) -> None:
        self.client.close()

    def drop(self) -> None:
        """Delete every index version behind the alias (a test's own alias, when it is done)."""
        self.client.indices.delete(index=f"{self.alias}-g*", ignore_unavailable=True, allow_no_indices=True)


class _DeadlinePassed(Exception):
    """The request's deadline passed before an attempt could start."""
