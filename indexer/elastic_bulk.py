"""Writing many key documents into an Elasticsearch index fast: the bulk body built once, sent in
parallel.

A build sends tens of thousands of small documents.  The generic helpers spend more time in
Python than the node spends indexing: each action is a dict turned into JSON line by line, and
the answer lists every document, parsed back into dicts.  Here each document becomes one NDJSON
line with orjson, a chunk is one ``bytes`` body, the answer is cut down to whether anything
failed (``filter_path``), and while the node indexes one chunk the next is being built and
another is on its way: a few requests in flight, never more (the node's write queue stays short
and memory stays bounded).

Documents the node refused for being busy (429) are sent again, a few times, after a pause;
any other refusal fails the build with the node's reason.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import orjson
from elasticsearch import Elasticsearch

from dictionary.errors import BackendUnavailable
from dictionary.search.ports import EDGE, KeyDoc

CHUNK_DOCS = 4000  # documents per bulk request (about 1 MB of small key documents)
IN_FLIGHT = 2  # bulk requests the node works on at once, beside the one being built
BUSY_RETRIES = 4  # times documents refused with 429 are sent again

_ACTION = b'{"index":{}}\n'  # the index is named in the request's path


def source(doc: KeyDoc) -> dict[str, Any]:
    """The stored form of one key document (see :data:`indexer.elastic_query.MAPPING`)."""
    fold = doc.fold
    out: dict[str, Any] = {
        "side": "g" if doc.gloss_language else "h",
        "exact": doc.exact,
        "tone": doc.tone,
        "fold": fold,
        "prefix": [fold[:n] for n in range(1, min(len(fold), EDGE) + 1)],
        "lang": doc.language,
        "entry": doc.entry,
        "len": len(fold),
        "pos": doc.position,
        "field": doc.field,
    }
    if " " in fold:
        out["words"] = fold
    if doc.gloss_language:
        out["glang"] = doc.gloss_language
    return out


def lines(docs: Iterable[KeyDoc]) -> Iterator[bytes]:
    """Each document as its bulk lines (action and source), UTF-8."""
    dumps = orjson.dumps
    for doc in docs:
        yield _ACTION + dumps(source(doc)) + b"\n"


def _chunks(docs: Iterable[KeyDoc], size: int) -> Iterator[list[bytes]]:
    chunk: list[bytes] = []
    for line in lines(docs):
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def send(client: Elasticsearch, index: str, chunk: list[bytes], *, refresh: bool = False) -> int:
    """Index ``chunk`` (bulk lines) into ``index``; returns how many documents it held."""
    pending = chunk
    for attempt in range(BUSY_RETRIES + 1):
        # the NDJSON serializer sends an encoded body as it is (the helpers of the client do so too)
        answer = client.bulk(index=index, operations=b"".join(pending),  # type: ignore[arg-type]
                             refresh=refresh, filter_path="errors,items.*.status,items.*.error")
        if not answer.get("errors"):
            return len(chunk)
        busy: list[bytes] = []
        for line, item in zip(pending, answer["items"], strict=True):
            result = next(iter(item.values()))
            if result.get("status") == 429:
                busy.append(line)
            elif "error" in result:
                raise BackendUnavailable(f"Elasticsearch từ chối một tài liệu của chỉ mục {index}: {result['error']}")
        if attempt == BUSY_RETRIES:
            break
        pending = busy
        time.sleep(0.2 * 2 ** attempt)
    raise BackendUnavailable(f"Elasticsearch quá bận: {len(pending)} tài liệu không vào được chỉ mục {index}")


def write(client: Elasticsearch, index: str, docs: Iterable[KeyDoc], *, chunk: int = CHUNK_DOCS,
          in_flight: int = IN_FLIGHT) -> int:
    """Index every document of ``docs`` into ``index``, ``in_flight`` requests at a time while
    the next chunk is built; returns how many were indexed.  The first failure stops the write
    (the requests already sent are waited for) and is raised."""
    count = 0
    waiting: deque[Future[int]] = deque()
    with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="es-bulk") as pool:
        try:
            for lines_ in _chunks(docs, chunk):
                while len(waiting) >= in_flight:
                    count += waiting.popleft().result()
                waiting.append(pool.submit(send, client, index, lines_))
            while waiting:
                count += waiting.popleft().result()
        except BaseException:
            for future in waiting:
                future.cancel()
            raise
    return count
