"""What the store holds by source: ``tudien sample``, the open word lists (``tudien corpora``) and
the datasets imported (``tudien datasets``)."""

from __future__ import annotations

import sys

from ..settings import Settings
from .shared import Commands, cli_actor, indexed, open_services, progress, table


def add_sample(commands: Commands) -> None:
    p = commands.add_parser("sample", help="load the sample corpus shipped with the project")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_sample)


def cmd_sample(args, settings: Settings) -> int:
    """Load the sample corpus shipped with the project (skipped if it is already loaded)."""
    from corpora.imports import Imports

    services = open_services(settings)
    loaded, _ = Imports.of(services).load_sample(force=args.force, actor=cli_actor())
    print(f"sample corpus {'loaded' if loaded else 'already present'}; {services.collection.count()} entries "
          f"in {settings.data_dir}")
    return 0


# -- the open word lists ---------------------------------------------------------------------------

def add_corpora(commands: Commands) -> None:
    corpora = commands.add_parser("corpora", help="the open word lists shipped with the project").add_subparsers(
        dest="corpora_command", required=True)
    p = corpora.add_parser("list", help="each open dataset, its language, licence and whether it is loaded")
    p.set_defaults(func=cmd_corpora_list)
    p = corpora.add_parser("load", help="import open datasets (all, or those named), published, with their sources")
    p.add_argument("names", nargs="*", help="datasets to load (default: all)")
    p.add_argument("--force", action="store_true", help="import again even when loaded from the same file")
    p.set_defaults(func=cmd_corpora_load)


def _open_datasets(names: list[str] | None):
    """The open datasets named (all when none is), or None when a name is unknown (said so)."""
    from corpora.open import find

    try:
        return find(names)
    except KeyError as exc:
        print(f"error: no open dataset named {exc.args[0]}; `tudien corpora list` names them", file=sys.stderr)
        return None


def cmd_corpora_list(args, settings: Settings) -> int:
    """The open word lists shipped with the project, and whether each is loaded."""
    from dictionary import languages

    chosen = _open_datasets(None)
    if chosen is None:
        return 2
    present = {d["name"]: d for d in open_services(settings).collection.datasets()}
    rows = [("dataset", "language", "variety", "licence", "entries loaded")]
    for item in chosen:
        held = present.get(item.name)
        language = languages.name(item.language) if item.language else "(several, from the CLDF data)"
        rows.append((item.name, language, item.variety or "", item.licence,
                     str(held["entries"]) if held else "not loaded"))
    table(rows)
    print("Research data published under open licences, not officially approved dictionaries; "
          "corpora/open/SOURCES.md says where each comes from.")
    return 0


def cmd_corpora_load(args, settings: Settings) -> int:
    """Load the open word lists named (all when none is), then bring the index up to date."""
    from corpora.imports import Imports

    if _open_datasets(args.names) is None:
        return 2
    done, index = Imports.of(open_services(settings)).load_open(
        args.names, force=args.force, progress=progress("storing"), index_progress=progress("indexing"),
        actor=cli_actor())
    for item, report in done:
        if isinstance(report, str):
            print(f"{item.name}: {report}")
            continue
        stats = report.stats
        assert stats is not None, "an import that wrote says what it changed"
        print(f"{item.name}: {report.entries} entries ({stats.added} new, {stats.updated} updated, "
              f"{stats.unchanged} unchanged, {stats.removed} removed)"
              + (f"; {len(stats.kept)} entries editors changed were left as they are" if stats.kept else ""))
    if index is not None:
        print(indexed(index))
    return 0


# -- the datasets in the store ---------------------------------------------------------------------

def add_datasets(commands: Commands) -> None:
    datasets = commands.add_parser("datasets", help="the datasets in the store").add_subparsers(
        dest="datasets_command", required=True)
    p = datasets.add_parser("list", help="every dataset: format, entries, licence, when imported")
    p.set_defaults(func=cmd_datasets_list)
    p = datasets.add_parser("show", help="one dataset: its source, citation, licence, entries by language")
    p.add_argument("name")
    p.set_defaults(func=cmd_datasets_show)
    p = datasets.add_parser("remove", help="remove a dataset and its entries (says what first; needs --yes)")
    p.add_argument("name")
    p.add_argument("--yes", action="store_true", help="remove without asking again")
    p.set_defaults(func=cmd_datasets_remove)


def cmd_datasets_list(args, settings: Settings) -> int:
    rows = [("dataset", "format", "entries", "licence", "imported")]
    for d in open_services(settings).collection.datasets():
        rows.append((d["name"], d["format"], str(d["entries"]), d["licence"] or "—", d["imported_at"][:10]))
    table(rows)
    return 0


def _dataset(collection, name: str):
    """The dataset called ``name``, or None when there is none (said so)."""
    found = collection.dataset(name)
    if found is None:
        print(f"error: no dataset named {name!r}; `tudien datasets list` names them", file=sys.stderr)
    return found


def cmd_datasets_show(args, settings: Settings) -> int:
    from dictionary import languages

    services = open_services(settings)
    found = _dataset(services.collection, args.name)
    if found is None:
        return 2
    for key in ("name", "title", "format", "source_file", "sha256", "imported_at", "entries", "citation", "licence",
                "description"):
        print(f"{key}: {found[key] if found[key] is not None else '—'}")
    print("public entries by language: " + ", ".join(
        f"{languages.name(code)} ({code}) {count}" for code, count in found["languages"].items()))
    print(f"entries editors changed since the import: {found['edited']}")
    return 0


def cmd_datasets_remove(args, settings: Settings) -> int:
    collection = open_services(settings).collection
    found = _dataset(collection, args.name)
    if found is None:
        return 2
    print(f"dataset {found['name']!r}: {found['entries']} entries "
          f"({', '.join(f'{code} {count}' for code, count in found['languages'].items()) or 'none public'}), "
          f"{found['edited']} of them changed by editors, their revisions, from {found['source_file']}")
    if not args.yes:
        print("nothing removed: run again with --yes to remove all of this", file=sys.stderr)
        return 1
    removed = collection.remove_dataset(found["name"], actor=cli_actor(), progress=progress("indexing"))
    print(f"removed {removed.entries} entries; search index {removed.index}")
    return 0
