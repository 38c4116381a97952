"""The formats word lists come in and go out in, by name: one table of importers, one of exporters.

A format joins by one entry: its name and the function that reads (or writes) it, named
``"module:function"`` — datasette names its built-in plugins by module the same way
(``DEFAULT_PLUGINS``).  The tables load nothing: ``tudien import --format`` and ``tudien export
--format`` take their choices from them without loading the entry model, lxml, pycldf or openpyxl
(``tudien serve``'s supervising process builds the same parser and must stay small); a format's
module is imported when a file of that format is read or written.

A reader is ``read(path, options: ReadOptions) -> Parsed`` and refuses, with
:class:`~dictionary.errors.ImportRejected`, a file or options it cannot take; a writer is
``write(entries, out, sources) -> int``, the number of entries written to ``out`` (a file, or a
folder for CLDF), ``sources`` the datasets' rows (their citations and licences).
"""

from __future__ import annotations

import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Parsed, ReadOptions

    Reader = Callable[[Path, ReadOptions], Parsed]
    Writer = Callable[[Iterable[dict], Path, "list[dict] | None"], int]


@dataclass(frozen=True)
class Importer:
    reader: str  # "module:function"
    columns: bool = False  # a table: the import names its columns (--headword-column, --gloss-column…)


IMPORTERS: dict[str, Importer] = {
    "csv": Importer("corpora.tabular:read_table", columns=True),
    "tsv": Importer("corpora.tabular:read_table", columns=True),
    "xlsx": Importer("corpora.tabular:read_table", columns=True),
    "toolbox": Importer("corpora.toolbox:read_toolbox"),
    "cldf": Importer("corpora.cldf:read_cldf"),
    "lift": Importer("corpora.lift:read_lift"),
}

EXPORTERS: dict[str, str] = {
    "lift": "corpora.export:export_lift",
    "cldf": "corpora.export:write_cldf",
    "csv": "corpora.export:export_csv",
    "xlsx": "corpora.export:export_xlsx",
}


def reader(fmt: str) -> Reader:
    """The function that reads files of the importer ``fmt`` (a name of :data:`IMPORTERS`)."""
    found: Reader = pkgutil.resolve_name(IMPORTERS[fmt].reader)
    return found


def writer(fmt: str) -> Writer:
    """The function that writes the exporter ``fmt`` (a name of :data:`EXPORTERS`)."""
    found: Writer = pkgutil.resolve_name(EXPORTERS[fmt])
    return found
