"""Building an Elasticsearch index on a real node: parallel bulk requests, the build's settings
(no refreshes, no replicas, a translog synced in the background) replaced by the serving ones
before the alias moves, and a document the node refuses failing the build with its reason."""

from __future__ import annotations

import pytest
from support import Library, elastic_settings

from corpora.sample import load_sample
from dictionary.errors import BackendUnavailable
from dictionary.search.indexing import key_docs
from indexer import elastic_bulk
from indexer.elastic import BUILDING
from indexer.elastic_query import MAPPING

pytestmark = pytest.mark.elasticsearch


@pytest.fixture
def lib(request, tmp_path):
    node = request.getfixturevalue("elastic_node")
    lib = Library(tmp_path / "data", "elasticsearch", elastic_settings(node.url))
    request.addfinalizer(lib.close)
    load_sample(lib.services.collection)
    return lib


def _settings(lib: Library, index: str) -> dict:
    return lib.backend.client.indices.get_settings(index=index).body[index]["settings"]["index"]


def test_a_build_serves_with_the_serving_settings(lib):
    keys = lib.index()
    status = lib.backend.status()
    assert status["documents"] == keys > 0
    serving = _settings(lib, status["index"])
    assert serving["translog"]["durability"] == "request"
    assert serving["refresh_interval"] == lib.settings.elastic.refresh_interval
    assert serving["number_of_replicas"] == str(lib.settings.elastic.replicas)
    assert lib.search("ntoo", "mww").hits[0].entry["headword"] == "ntoo"


def test_bulk_writes_in_parallel_and_refusals_name_their_reason(lib):
    client, name = lib.backend.client, f"{lib.backend.alias}-g0-bulk"
    client.indices.create(index=name, settings={"number_of_shards": 1, **BUILDING}, mappings=MAPPING)
    try:
        docs = list(key_docs(lib.services.follower.entries.iter_entries()))
        assert len(docs) > 50
        # chunks of 7 documents, three requests in flight: every document arrives once
        assert elastic_bulk.write(client, name, docs, chunk=7, in_flight=3) == len(docs)
        assert _settings(lib, name)["translog"]["durability"] == "async"
        client.indices.refresh(index=name)
        assert client.count(index=name)["count"] == len(docs)
        entries = {hit["fields"]["entry"][0] for hit in client.search(
            index=name, size=10_000, docvalue_fields=["entry"], source=False)["hits"]["hits"]}
        assert entries == {d.entry for d in docs}
        # a document the mapping refuses (a field it does not know): the node's reason, not a count
        bad = [next(elastic_bulk.lines(docs[:1])), b'{"index":{}}\n{"unknown":1}\n']
        with pytest.raises(BackendUnavailable, match="strict_dynamic_mapping_exception"):
            elastic_bulk.send(client, name, bad)
    finally:
        client.indices.delete(index=name, ignore_unavailable=True)
