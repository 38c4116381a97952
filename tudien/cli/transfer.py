"""Word lists in and out: ``tudien import`` (CSV/TSV/XLSX, Toolbox, CLDF, LIFT) and ``tudien export``."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from corpora.formats import EXPORTERS, IMPORTERS
from dictionary.errors import ImportRejected

from ..settings import Settings
from .shared import Commands, cli_actor, indexed, open_services, progress


def add_import(commands: Commands) -> None:
    p = commands.add_parser("import", help="import a word list (CSV/TSV, CLDF, LIFT)")
    p.add_argument("file")
    p.add_argument("--format", required=True, choices=list(IMPORTERS))
    p.add_argument("--language", help="ISO 639-3 code of the headwords (e.g. bdq)")
    p.add_argument("--headword-column")
    p.add_argument("--gloss-column", help="column of Vietnamese glosses")
    p.add_argument("--english-column")
    p.add_argument("--pos-column")
    p.add_argument("--variants-column")
    p.add_argument("--ipa-column")
    p.add_argument("--dataset", help="dataset name (default: the file name); importing the same dataset again replaces it")
    p.add_argument("--citation", help="how to cite the word list (shown with every entry; URLs become links)")
    p.add_argument("--licence", help="its licence: an SPDX identifier (CC-BY-4.0, Apache-2.0) or a URL")
    p.add_argument("--description", help="what the dataset is, for its readers (e.g. research data, not approved)")
    p.add_argument("--title", help="the dataset's name as public pages show it (default: its name)")
    p.add_argument("--variety", help="the dialect or survey point the whole list records (CSV/TSV/XLSX)")
    p.add_argument("--sheet", help="XLSX: the sheet to read (default: the first)")
    p.add_argument("--marker", action="append", default=[], metavar="MARKER=LANG|ROLE[:LANG]",
                   help="Toolbox: the language of a gloss marker (gn=vie, gt=tha) or the role of a marker "
                        "(xvt=example, d_Mal=definition:msa); repeat as needed")
    p.add_argument("--record-marker", default="lx", help="Toolbox: the marker that starts a record (default lx)")
    p.add_argument("--encoding", help="Toolbox: the 8-bit code page of a file that is not UTF-8 (cp874, cp1252)")
    p.add_argument("--skip-empty", action="store_true",
                   help="CSV/TSV/XLSX: skip rows with no headword (empty, or a missing-data sign such as ∅) "
                        "instead of refusing the file; a concept list leaves unrecorded meanings so")
    p.add_argument("--dry-run", action="store_true", help="report every problem, write nothing")
    p.add_argument("--legacy", choices=["auto", "tcvn3", "vni", "off"], default="auto",
                   help="text in TCVN3 (ABC) or VNI-Windows: detect and convert (auto), force one, or off")
    p.add_argument("--no-index", action="store_true", help="do not rebuild the search index afterwards")
    p.add_argument("--status", choices=["published", "draft"], default="published",
                   help="status of the new entries: published (the public reads them at once) or draft "
                        "(they wait for review); entries imported before keep theirs")
    p.set_defaults(func=cmd_import)


def cmd_import(args, settings: Settings) -> int:
    from corpora.imports import Imports
    from corpora.tabular import Columns
    from dictionary.model import Status

    columns = None
    if IMPORTERS[args.format].columns:
        if not (args.headword_column and (args.gloss_column or args.english_column)):
            print("error: a CSV/TSV/XLSX import needs --headword-column and --gloss-column (or, for a list "
                  "glossed in English only, --english-column)", file=sys.stderr)
            return 2
        columns = Columns(args.headword_column, args.gloss_column, args.english_column,
                          args.pos_column, args.variants_column, args.ipa_column)
    imports = Imports.of(open_services(settings))
    try:
        report = imports.import_file(
            Path(args.file), args.format, index=not args.no_index, index_progress=progress("indexing"),
            language=args.language, columns=columns,
            dataset=args.dataset, citation=args.citation, licence=args.licence,
            dry_run=args.dry_run, progress=progress("storing"), legacy=args.legacy,
            status=Status(args.status), actor=cli_actor(), variety=args.variety, description=args.description,
            title=args.title,
            sheet=args.sheet, skip_empty=args.skip_empty, markers=tuple(args.marker),
            record_marker=args.record_marker, encoding=args.encoding,
        )
    except ImportRejected as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for note in report.notes:
        print(f"note: {note}")
    for warning in report.warnings:
        print(f"warning: {warning}")
    if report.dry_run:
        for problem in report.problems:
            print(problem)
        verdict = "would be refused" if report.problems else "would import"
        print(f"dry run: {report.file}: {report.records} records, {report.entries} entries, "
              f"{report.senses} senses, {len(report.problems)} problems; {verdict}; nothing written.")
        return 1 if report.problems else 0
    stats = report.stats
    assert stats is not None, "an import that wrote says what it changed"
    print(f"imported {report.file} as dataset {report.dataset!r}: {report.entries} entries, "
          f"{report.senses} senses from {report.records} records "
          f"({stats.added} new, {stats.updated} updated, {stats.unchanged} unchanged, "
          f"{stats.removed} removed)" + ("; new entries are drafts, waiting for review" if args.status == "draft" else ""))
    if stats.kept:
        print(f"kept {len(stats.kept)} entries that editors changed since the last import "
              f"(their text stands; review them against the file): {', '.join(stats.kept[:20])}"
              + (" …" if len(stats.kept) > 20 else ""))
    if report.index is not None:
        print(indexed(report.index))
    return 0


def add_export(commands: Commands) -> None:
    p = commands.add_parser("export", help="export entries as LIFT, CLDF, CSV or XLSX")
    p.add_argument("out", help="the file to write (a folder for CLDF)")
    p.add_argument("--format", required=True, choices=list(EXPORTERS))
    p.add_argument("--language", help="only this language (ISO 639-3)")
    p.add_argument("--dataset", help="only this dataset")
    p.add_argument("--status", choices=["published", "all"], default="published",
                   help="published: the public text (default); all: every entry's latest revision, drafts too")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    p.set_defaults(func=cmd_export)


def cmd_export(args, settings: Settings) -> int:
    """Entries out of the store as LIFT, CLDF, CSV or XLSX."""
    from corpora.export import export

    collection = open_services(settings).collection
    if args.dataset and collection.dataset(args.dataset) is None:
        print(f"error: no dataset named {args.dataset!r}; `tudien datasets list` names them", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.exists() and not args.force and (out.is_file() or any(out.iterdir())):
        print(f"error: {out} exists; choose another name or pass --force to replace it", file=sys.stderr)
        return 2
    entries = collection.export_entries(language=args.language, dataset=args.dataset, latest=args.status == "all")
    sources = [d for d in collection.datasets() if not args.dataset or d["name"] == args.dataset]
    # written beside OUT and moved into place whole: a failure leaves the previous export as it was
    partial = out.with_name(f".{out.name}.partial")
    _remove(partial)
    try:
        count = export(args.format, progress("exporting")(entries), partial, sources)
    except BaseException:
        _remove(partial)
        raise
    _remove(out)
    os.replace(partial, out)
    print(f"exported {count} entries as {args.format.upper()} to {out}")
    return 0


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
