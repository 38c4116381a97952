"""Search backends: the implementations of :class:`dictionary.search.ports.Backend`.

``embedded`` (tantivy, in process, the default) and ``elastic`` (an Elasticsearch cluster).
Importing the package loads no engine: ``tudien serve``'s supervising process reads
:mod:`indexer.current` and nothing else.
"""
