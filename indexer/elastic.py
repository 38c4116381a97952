"""The Elasticsearch backend: the same keys and stages as the embedded engine, on a cluster.

Keys are normalised in Python by :mod:`dictionary.text.normalize` and indexed as ``keyword`` fields, so
the mapping needs no analysis plugin (the minimal distribution has no ``analysis-common``) and
works unchanged on any cluster.  Multi-word keys also go through the ``standard`` analyzer for the
"every word" stage.

Queries are built as data by pure functions (:mod:`indexer.elastic_query`) and sent in one ``msearch``
round trip; the distance-2 fuzzy stage follows only when the closer stages found nothing, as on
the embedded engine.  :meth:`ElasticBackend.candidates_many` answers several plans (a query and
its readings) in a single ``msearch``, and the distance-2 stages of those that need them in one
more.  Candidates are read from doc values, never ``_source`` or stored fields, and answers are
cut down to them (``filter_path``).  The connection, its deadlines and its errors are
:mod:`indexer.elastic_client`.

Index versions live behind an alias: a build writes a new index (in parallel bulk requests, with
refreshes, replicas and a synced translog off until it is written: :mod:`indexer.elastic_bulk`),
restores the serving settings, checks its document count, then moves the alias in one atomic
``_aliases`` call and deletes the old index.  Searches never see a half-built index; a failed
build deletes its own index and leaves the old one serving.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import orjson
from elastic_transport import ConnectionError as TransportConnectionError
from elasticsearch import exceptions as es_errors
from elasticsearch import helpers

from dictionary.errors import BackendUnavailable, IndexMissing
from dictionary.search.ports import KeyDoc
from dictionary.search.ranking import Candidate, QueryPlan

from . import elastic_bulk
from .config import ElasticSettings
from .elastic_client import ElasticConnection
from .elastic_query import MAPPING, fuzzy2_body, stage_bodies, take_hits

STATUS_BUDGET = 0.8  # seconds /health may wait for the cluster
GENERATION_TTL = 1.0  # seconds a known index generation is trusted (updates land every second)
# While a new index version is written nobody searches it: no replicas to copy to, no refreshes,
# and a translog synced in the background, not per request (a build that dies is thrown away).
# The serving settings replace these before the alias moves to it.
BUILDING = {"number_of_replicas": 0, "refresh_interval": "-1", "translog.durability": "async"}


# What a search answer is read for: each response's status (which keeps them in order) and
# error, its hits' scores and doc values; the node's time, for measuring.
_ANSWER = "took,responses.status,responses.error,responses.hits.hits._score,responses.hits.hits.fields"


# -- the backend ----------------------------------------------------------------------------------

class ElasticBackend(ElasticConnection):
    name = "elasticsearch"
    remote = True  # every call is a network round trip
    speculate = False  # candidates_many: send distance-2 stages before knowing they are wanted

    def __init__(self, settings: ElasticSettings) -> None:
        super().__init__(settings)
        self._generation: tuple[float, int | None] = (0.0, None)  # (when read, generation)

    # -- searching ---------------------------------------------------------------------------
    def candidates(self, plan: QueryPlan) -> list[Candidate]:
        stages = stage_bodies(plan)
        deadline = time.monotonic() + self.settings.timeout
        out, entries = self._read(stages, self._msearch(stages))
        if _may_widen(plan) and plan.wider_fuzzy(len(entries)):
            left = max(0.02, deadline - time.monotonic())  # one deadline for the whole search
            wider = [("fuzzy2", fuzzy2_body(plan))]
            self._read(wider, self._msearch(wider, left), out, entries)
        return out

    def candidates_many(self, plans: Sequence[QueryPlan]) -> list[list[Candidate]]:
        """Every stage of every plan in one ``_msearch`` round trip; then, only for the plans
        whose closer stages found nothing, their distance-2 stages, together, in a second one
        (as :meth:`candidates` asks for them after its first answer): the same candidates, in
        one round trip, or two where a long query matched nothing closer.

        With :attr:`speculate`, the distance-2 stages go in the first round trip too and their
        hits are dropped where they are not wanted: one round trip always, but on a long query
        the node walks a distance-2 automaton for nothing nearly every time (measured in
        ``bench/engines.py``: it costs more than the round trip it saves)."""
        deadline = time.monotonic() + self.settings.timeout
        layout: list[tuple[QueryPlan, int, int]] = []  # plan, its first search, its number of stages
        stages: list[tuple[str, dict]] = []
        for plan in plans:
            own = stage_bodies(plan)
            if self.speculate and _may_widen(plan):
                own.append(("fuzzy2", fuzzy2_body(plan)))
            layout.append((plan, len(stages), len(own)))
            stages.extend(own)
        if not stages:
            return []
        responses = self._msearch(stages)
        results: list[list[Candidate]] = []
        wider: list[int] = []  # the plans that want their distance-2 stage and have not sent it
        for plan, first, count in layout:
            own, answers = stages[first:first + count], responses[first:first + count]
            sent = own[-1][0] == "fuzzy2"
            out, entries = self._read(own[:-1] if sent else own, answers[:-1] if sent else answers)
            if sent:
                self._check("fuzzy2", answers[-1])
                if plan.wider_fuzzy(len(entries)):
                    self._read(own[-1:], answers[-1:], out, entries)
            elif _may_widen(plan) and plan.wider_fuzzy(len(entries)):
                wider.append(len(results))
            results.append(out)
        if wider:
            second = [("fuzzy2", fuzzy2_body(plans[i])) for i in wider]
            left = max(0.02, deadline - time.monotonic())
            for i, stage, response in zip(wider, second, self._msearch(second, left), strict=True):
                self._read([stage], [response], results[i])
        return results

    def _msearch(self, stages: list[tuple[str, dict]], within: float | None = None) -> list[dict]:
        """The responses of ``stages``' searches, sent in one ``_msearch``, cut down to what
        :func:`take_hits` reads (every response keeps its status, so they stay in order)."""
        header = orjson.dumps({"index": self.alias}) + b"\n"
        searches = b"".join(header + orjson.dumps(body) + b"\n" for _, body in stages)
        # the NDJSON serializer sends an encoded body as it is
        return self._timely(lambda client: client.msearch(searches=searches, filter_path=_ANSWER),  # type: ignore[arg-type]
                            within=within)["responses"]

    def _check(self, name: str, response: dict) -> None:
        if "error" in response:
            error = response["error"]
            if isinstance(error, dict) and error.get("type") == "index_not_found_exception":
                raise self._missing()
            raise BackendUnavailable(f"Elasticsearch không thực hiện được truy vấn ({name}): {error}")

    def _read(self, stages: list[tuple[str, dict]], responses: list[dict], out: list[Candidate] | None = None,
              entries: set[int] | None = None) -> tuple[list[Candidate], set[int]]:
        """The candidates of one plan's stages, in order (after ``out``), and the entries they name."""
        out = [] if out is None else out
        entries = {c.entry for c in out} if entries is None else entries
        for (name, _), response in zip(stages, responses, strict=True):
            self._check(name, response)
            take_hits(name, response.get("hits", {}).get("hits", ()), out, entries)
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


def _may_widen(plan: QueryPlan) -> bool:
    """Whether ``plan`` has a distance-2 stage (which runs only when the closer ones found nothing)."""
    return plan.fuzzy >= 2 and bool(plan.keys.fold)
