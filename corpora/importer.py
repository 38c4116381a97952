"""Importing one file into the store: parse, check, write in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dictionary import languages
from dictionary.bulk import paused_gc
from dictionary.collection import Collection
from dictionary.errors import ImportRejected
from dictionary.files import file_sha256 as sha256
from dictionary.model import Status
from dictionary.search.indexing import CaughtUp
from dictionary.storage.datasets import Dataset, ReplaceStats

from .base import Columns, Parsed, ReadOptions
from .formats import IMPORTERS, reader


@dataclass
class ImportReport:
    file: str
    dataset: str
    format: str
    records: int
    entries: int
    senses: int
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stats: ReplaceStats | None = None
    dry_run: bool = False
    index: CaughtUp | None = None  # how the search index caught up (corpora.imports), when it did


def dataset_name(path: Path) -> str:
    return (path.name if path.is_dir() else path.stem).split(".")[0] or "dataset"


def parse(
    path: Path,
    fmt: str,
    *,
    language: str | None,
    columns: Columns | None = None,
    dataset: str,
    citation: str | None = None,
    licence: str | None = None,
    legacy: str = "auto",
    variety: str | None = None,
    sheet: str | None = None,
    skip_empty: bool = False,
    markers: tuple[str, ...] = (),
    record_marker: str = "lx",
    encoding: str | None = None,
) -> Parsed:
    """The entries of ``path`` read by the importer of ``fmt`` (:data:`corpora.formats.IMPORTERS`)."""
    if fmt not in IMPORTERS:
        raise ImportRejected(f"unknown format {fmt!r}; choose one of {', '.join(IMPORTERS)}")
    if not path.exists():
        raise ImportRejected(f"{path}: no such file or folder")
    if language is not None:
        languages.get(language)
    options = ReadOptions(format=fmt, dataset=dataset, language=language, citation=citation, licence=licence,
                          legacy=legacy, columns=columns, variety=variety, sheet=sheet, skip_empty=skip_empty,
                          markers=markers, record_marker=record_marker, encoding=encoding)
    return reader(fmt)(path, options)


@paused_gc()
def import_file(
    collection: Collection,
    path: Path,
    fmt: str,
    *,
    language: str | None = None,
    columns: Columns | None = None,
    dataset: str | None = None,
    citation: str | None = None,
    licence: str | None = None,
    dry_run: bool = False,
    progress=None,
    legacy: str = "auto",
    status: Status = Status.published,
    actor: str = "import",
    variety: str | None = None,
    description: str | None = None,
    title: str | None = None,
    sheet: str | None = None,
    skip_empty: bool = False,
    markers: tuple[str, ...] = (),
    record_marker: str = "lx",
    encoding: str | None = None,
) -> ImportReport:
    """Parse ``path`` and, unless ``dry_run`` or a problem was found, make its dataset hold
    exactly what the file holds — all in one transaction.  Raises :class:`ImportRejected`
    listing every problem when there is any."""
    path = Path(path)
    dataset = dataset or dataset_name(path)
    parsed = parse(path, fmt, language=language, columns=columns, dataset=dataset,
                   citation=citation, licence=licence, legacy=legacy, variety=variety, sheet=sheet,
                   skip_empty=skip_empty, markers=markers, record_marker=record_marker, encoding=encoding)
    report = ImportReport(
        file=str(path),
        dataset=dataset,
        format=fmt,
        records=parsed.records,
        entries=len(parsed.entries),
        senses=sum(len(e.senses) for e in parsed.entries),
        problems=[str(p) for p in parsed.errors],
        warnings=[str(p) for p in parsed.warnings],
        notes=parsed.notes,
        dry_run=dry_run,
    )
    if dry_run:
        return report
    if parsed.errors:
        first = report.problems[0]
        more = len(report.problems) - 1
        raise ImportRejected(
            f"{first}" + (f" (and {more} more problems; run with --dry-run to list them all)" if more else "")
            + "; nothing was imported.",
            report.problems,
        )
    if not parsed.entries:
        raise ImportRejected(f"{path.name}: no entries found; nothing was imported.")
    meta = Dataset(
        name=dataset,
        format=fmt,
        citation=parsed.citation,
        licence=parsed.licence,
        source_file=path.name,
        sha256=sha256(path) if path.is_file() else None,
        description=description,
        title=title,
    )
    entries = parsed.entries if progress is None else progress(parsed.entries)
    report.stats = collection.replace_dataset(meta, entries, status=status, actor=actor)
    return report
