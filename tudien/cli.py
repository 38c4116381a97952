"""The ``tudien`` command: import, index, search, serve, sample, audio, offline packs, eval."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from dictionary.errors import ConfigurationError, DictionaryError, ImportRejected

from .settings import Settings


def open_services(settings: Settings):
    # loaded on use: `tudien serve`'s supervising process lives as long as its workers and must
    # stay small, so it loads neither the engines nor the entry models
    from .wiring import open_services

    return open_services(settings)


def _progress(desc: str):
    from tqdm import tqdm

    def wrap(iterable, total=None):
        return tqdm(iterable, total=total, desc=desc, unit=" entries", disable=None, leave=False)

    return wrap


def cmd_import(args, settings: Settings) -> int:
    from corpora.importer import import_file
    from corpora.tabular import Columns
    from dictionary.model import Status
    from dictionary.search.indexing import rebuild

    columns = None
    if args.format in ("csv", "tsv", "xlsx"):
        if not (args.headword_column and (args.gloss_column or args.english_column)):
            print("error: a CSV/TSV/XLSX import needs --headword-column and --gloss-column (or, for a list "
                  "glossed in English only, --english-column)", file=sys.stderr)
            return 2
        columns = Columns(args.headword_column, args.gloss_column, args.english_column,
                          args.pos_column, args.variants_column, args.ipa_column)
    services = open_services(settings)
    store, backend = services.store, services.backend
    try:
        report = import_file(
            store, Path(args.file), args.format, language=args.language, columns=columns,
            dataset=args.dataset, citation=args.citation, licence=args.licence,
            dry_run=args.dry_run, progress=_progress("storing"), legacy=args.legacy,
            status=Status(args.status), actor=_cli_actor(), variety=args.variety, description=args.description,
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
    print(f"imported {report.file} as dataset {report.dataset!r}: {report.entries} entries, "
          f"{report.senses} senses from {report.records} records "
          f"({stats.added} new, {stats.updated} updated, {stats.unchanged} unchanged, "
          f"{stats.removed} removed)" + ("; new entries are drafts, waiting for review" if args.status == "draft" else ""))
    if stats.kept:
        print(f"kept {len(stats.kept)} entries that editors changed since the last import "
              f"(their text stands; review them against the file): {', '.join(stats.kept[:20])}"
              + (" …" if len(stats.kept) > 20 else ""))
    if not args.no_index:
        count = rebuild(store, backend, _progress("indexing"))
        print(f"index rebuilt: {count} keys")
    return 0


def cmd_index(args, settings: Settings) -> int:
    from dictionary.search.indexing import rebuild

    services = open_services(settings)
    store, backend = services.store, services.backend
    count = rebuild(store, backend, _progress("indexing"))
    print(f"index rebuilt from {store.count()} entries: {count} keys ({backend.name})")
    return 0


def cmd_search(args, settings: Settings) -> int:
    services = open_services(settings)
    result = services.search.search(args.query, args.source, args.target, args.limit)
    if result.stale and _offer_rebuild(services):
        result = services.search.search(args.query, args.source, args.target, args.limit)
    print(f"{result.total} entries match {result.query['q']!r}")
    rows = [("#", "lang", "headword", "Vietnamese", "match", "id")]
    for n, hit in enumerate(result.hits, start=1):
        entry = hit.entry
        glosses = "; ".join(
            dict.fromkeys(g for s in entry["senses"] for g in s["glosses"].get("vie", []))
        )
        match = f"{hit.match.field}/{hit.match.tier}"
        rows.append((str(n), entry["language"], entry["headword"], _clip(glosses, 40), match, entry["id"]))
    _table(rows)
    return 0


def _offer_rebuild(services) -> bool:
    """Say that the index is behind the store; at a terminal, offer to rebuild it now.  Returns
    whether it was rebuilt."""
    behind = services.search.index_behind()
    built, current = behind if behind else ("?", "?")
    print(f"warning: the search index is behind the store (built from generation {built}, the store is "
          f"at {current}): recent imports or changes may be missing. `tudien index` rebuilds it.",
          file=sys.stderr)
    if not sys.stdin.isatty():
        return False
    if input("Rebuild the index now? [y/N] ").strip().lower() not in ("y", "yes", "c", "có"):
        return False
    from dictionary.search.indexing import rebuild

    count = rebuild(services.store, services.backend, _progress("indexing"))
    print(f"index rebuilt: {count} keys", file=sys.stderr)
    return True


def _table(rows: list[tuple[str, ...]]) -> None:
    """Rows as columns aligned on their widest cell, the first row a heading."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_serve(args, settings: Settings) -> int:
    import uvicorn

    if settings.backend == "embedded":
        # An index that is missing, behind the store, or of an earlier version's layout (after an
        # upgrade) is rebuilt before the workers start, so a restart never serves 503s for it.
        # Elasticsearch indexes are left to `tudien index`: the cluster may be shared or down.
        from dictionary.storage.schema import peek
        from indexer.current import why_rebuild

        reason = why_rebuild(settings.index_dir, peek(settings.store_path, settings.database_url))
        if reason:
            print(f"bringing the search index up to date: {reason}")
            # In a process of its own: a build's memory (a gigabyte at a million entries) would
            # otherwise stay with this process, which supervises the workers for as long as they run.
            import multiprocessing

            builder = multiprocessing.get_context("spawn").Process(target=_rebuild, args=(settings,))
            builder.start()
            builder.join()
            if builder.exitcode != 0:
                print("error: the search index could not be rebuilt; see above", file=sys.stderr)
                return 1

    from .server import PROTOCOL

    if settings.public_url is None:  # links name where this server listens (the workers read it)
        host = "localhost" if args.host in ("0.0.0.0", "::", "") else args.host
        host = f"[{host}]" if ":" in host else host
        os.environ["TUDIEN_PUBLIC_URL"] = f"http://{host}:{args.port}"
        if host == "localhost":
            print(f"TUDIEN_PUBLIC_URL is not set: links in citations name {os.environ['TUDIEN_PUBLIC_URL']}; "
                  "set it to the address readers use", file=sys.stderr)

    uvicorn.run(
        "tudien.wiring:app_from_env", factory=True, host=args.host, port=args.port,
        workers=args.workers, log_level=args.log_level, access_log=False, http=PROTOCOL,
        timeout_keep_alive=5, timeout_graceful_shutdown=10,
    )
    return 0


def _rebuild(settings: Settings) -> None:
    from dictionary.search.indexing import catch_up

    services = open_services(settings)
    # an index behind the store follows the change feed when it can (seconds); else it is rebuilt
    print(f"search index {catch_up(services.store, services.backend, _progress('indexing'))}")


def cmd_sample(args, settings: Settings) -> int:
    """Load the sample corpus shipped with the project (skipped if it is already loaded)."""
    from corpora.sample import load_sample
    from dictionary.search.indexing import rebuild

    services = open_services(settings)
    store, backend = services.store, services.backend
    loaded = load_sample(store, force=args.force)
    if loaded or _index_behind(store, backend):
        rebuild(store, backend)
    print(f"sample corpus {'loaded' if loaded else 'already present'}; {store.count()} entries in {settings.data_dir}")
    return 0


def cmd_corpora(args, settings: Settings) -> int:
    """The open word lists shipped with the project: list them, or load them."""
    from corpora.open import find, load_open
    from dictionary import languages
    from dictionary.search.indexing import rebuild

    try:
        chosen = find(getattr(args, "names", None))
    except KeyError as exc:
        print(f"error: no open dataset named {exc.args[0]}; `tudien corpora list` names them", file=sys.stderr)
        return 2
    services = open_services(settings)
    store, backend = services.store, services.backend
    if args.corpora_command == "list":
        present = {d["name"]: d for d in store.datasets()}
        rows = [("dataset", "language", "variety", "licence", "entries loaded")]
        for item in chosen:
            held = present.get(item.name)
            language = languages.name(item.language) if item.language else "(several, from the CLDF data)"
            rows.append((item.name, language, item.variety or "", item.licence,
                         str(held["entries"]) if held else "not loaded"))
        _table(rows)
        print("Research data published under open licences, not officially approved dictionaries; "
              "corpora/open/SOURCES.md says where each comes from.")
        return 0
    loaded = False
    for item, report in load_open(store, args.names, force=args.force, progress=_progress("storing")):
        if isinstance(report, str):
            print(f"{item.name}: {report}")
            continue
        loaded = True
        stats = report.stats
        print(f"{item.name}: {report.entries} entries ({stats.added} new, {stats.updated} updated, "
              f"{stats.unchanged} unchanged, {stats.removed} removed)"
              + (f"; {len(stats.kept)} entries editors changed were left as they are" if stats.kept else ""))
    if loaded or _index_behind(store, backend):
        print(f"index rebuilt: {rebuild(store, backend, _progress('indexing'))} keys")
    return 0


def cmd_datasets(args, settings: Settings) -> int:
    """The datasets in the store: list, show one, remove one."""
    from dictionary import languages

    services = open_services(settings)
    store = services.store
    if args.datasets_command == "list":
        rows = [("dataset", "format", "entries", "licence", "imported")]
        for d in store.datasets():
            rows.append((d["name"], d["format"], str(d["entries"]), d["licence"] or "—", d["imported_at"][:10]))
        _table(rows)
        return 0
    found = store.dataset(args.name)
    if found is None:
        print(f"error: no dataset named {args.name!r}; `tudien datasets list` names them", file=sys.stderr)
        return 2
    if args.datasets_command == "show":
        for key in ("name", "format", "source_file", "sha256", "imported_at", "entries", "citation", "licence",
                    "description"):
            print(f"{key}: {found[key] if found[key] is not None else '—'}")
        print("public entries by language: " + ", ".join(
            f"{languages.name(code)} ({code}) {count}" for code, count in found["languages"].items()))
        print(f"entries editors changed since the import: {found['edited']}")
        return 0
    # remove
    print(f"dataset {found['name']!r}: {found['entries']} entries "
          f"({', '.join(f'{code} {count}' for code, count in found['languages'].items()) or 'none public'}), "
          f"{found['edited']} of them changed by editors, their revisions, from {found['source_file']}")
    if not args.yes:
        print("nothing removed: run again with --yes to remove all of this", file=sys.stderr)
        return 1
    count = store.remove_dataset(found["name"], actor=_cli_actor())
    from dictionary.search.indexing import catch_up

    print(f"removed {count} entries; search index {catch_up(store, services.backend, _progress('indexing'))}")
    return 0


def cmd_export(args, settings: Settings) -> int:
    """Entries out of the store as LIFT, CLDF, CSV or XLSX."""
    from corpora.export import export

    services = open_services(settings)
    store = services.store
    if args.dataset and store.dataset(args.dataset) is None:
        print(f"error: no dataset named {args.dataset!r}; `tudien datasets list` names them", file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.exists() and not args.force and (out.is_file() or any(out.iterdir())):
        print(f"error: {out} exists; choose another name or pass --force to replace it", file=sys.stderr)
        return 2
    entries = store.export_entries(language=args.language, dataset=args.dataset, latest=args.status == "all")
    sources = [d for d in store.datasets() if not args.dataset or d["name"] == args.dataset]
    # written beside OUT and moved into place whole: a failure leaves the previous export as it was
    partial = out.with_name(f".{out.name}.partial")
    _remove(partial)
    try:
        count = export(args.format, _progress("exporting")(entries), partial, sources)
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


def _index_behind(store, backend) -> bool:
    """Whether the index is missing or follows an older store than this one."""
    status = backend.status()
    return not status["ok"] or status["generation"] != store.generation


def cmd_offline_sync(args, settings: Settings) -> int:
    from .offline import SyncError, sync

    failed = 0
    for language in args.language:
        try:
            report = sync(args.url, language, Path(args.dir), audio=args.audio)
        except SyncError as exc:
            print(f"error: {language}: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(report.describe())
    return 1 if failed else 0


def cmd_offline_search(args, settings: Settings) -> int:
    import orjson

    from .offline import SyncError, open_search, search

    try:
        service = open_search(Path(args.dir))
    except SyncError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    answer = search(service, args.query, args.source, args.target, args.limit)
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(answer, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    print(f"{answer['total']} entries match {answer['query']['q']!r} (offline)")
    if not answer["exact_matches"] and answer["did_you_mean"]:
        print("did you mean: " + ", ".join(answer["did_you_mean"]))
    rows = [("#", "lang", "headword", "Vietnamese", "match", "id")]
    for n, hit in enumerate(answer["results"], start=1):
        glosses = "; ".join(dict.fromkeys(g for s in hit["senses"] for g in s["glosses"].get("vie", [])))
        rows.append((str(n), hit["language"], hit["headword"], _clip(glosses, 40),
                     f"{hit['match']['field']}/{hit['match']['tier']}", hit["id"]))
    _table(rows)
    return 0


def cmd_packs(args, settings: Settings) -> int:
    services = open_services(settings)
    shelf = services.packs
    languages = args.language or shelf.languages()
    rows = [("language", "entries", "version", "SQLite", "gzip", "seconds")]
    for language in languages:
        info = shelf.refresh(language) if args.packs_command == "build" else shelf.info(language)
        if info is None:
            rows.append((language, "-", "-", "-", "-", "-"))
            continue
        rows.append((language, str(info.entries), str(info.version), str(info.bytes), str(info.gzip_bytes),
                     f"{info.seconds:.2f}"))
    _table(rows)
    return 0


def cmd_changes_compact(args, settings: Settings) -> int:
    services = open_services(settings)
    done = services.store.compact_changes(args.keep_days)
    print(f"change feed compacted: {done['superseded']} superseded changes dropped, "
          f"{done['deletions_expired']} deletions older than {args.keep_days:g} days dropped")
    return 0


def cmd_migrate(args, settings: Settings) -> int:
    """Bring the store's schema to this release's version (opening it for writing does)."""
    from dictionary.storage.schema import VERSION
    from dictionary.storage.store import Store

    store = Store(settings.store_path, url=settings.database_url)
    where = "PostgreSQL" if settings.database_url else str(settings.store_path)
    print(f"store ({where}) at schema version {VERSION}; {store.count()} published entries")
    store.close()
    return 0


def cmd_eval(args, settings: Settings) -> int:
    from .evaluation import run_manifest

    return run_manifest(Path(args.manifest_dir), settings, show_misses=args.show_misses)


def cmd_audio_import(args, settings: Settings) -> int:
    from dictionary.audio.library import RecordingInfo

    library = open_services(settings).audio
    info = RecordingInfo.checked(speaker=args.speaker, licence=args.licence, sex=args.sex,
                                 dialect=args.dialect, attribution=args.attribution,
                                 recorded_on=args.recorded_on)
    if args.lift_dataset:
        pairs, problems = library.match_lift_media(Path(args.folder), args.lift_dataset)
        source = "lift"
    else:
        if not args.language:
            print("error: a folder of files named by headword needs --language (e.g. --language mtq)",
                  file=sys.stderr)
            return 2
        pairs, problems = library.match_folder(Path(args.folder), args.language)
        source = "folder"
    # one pass: every file is checked before any is stored, and nothing is stored if any
    # problem was found here or there
    report = library.import_files(pairs, info, source=source, dry_run=args.dry_run or bool(problems))
    problems += report.problems
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"error: {len(problems)} problems; nothing was imported", file=sys.stderr)
        return 1
    if args.dry_run:
        print(f"dry run: {len(pairs)} recordings would be imported")
        return 0
    print(f"{report.added} recordings added, {report.unchanged} already there")
    return 0


def cmd_audio_gc(args, settings: Settings) -> int:
    budget = None if args.synthetic_budget_mb is None else int(args.synthetic_budget_mb * 1e6)
    report = open_services(settings).audio.gc(dry_run=args.dry_run, synthetic_budget=budget)
    verb = "removed" if report["removed"] else "would remove"
    if report["evicted_synthetic"]:
        print(f"{verb} {len(report['evicted_synthetic'])} oldest synthetic clips (over the budget)")
    for clip in report["orphan_clips"]:
        print(f"{verb} clip {clip}: its entry no longer exists")
    for sha in report["unused_files"]:
        print(f"{verb} file {sha}: no clip uses it")
    for path in report["stray_files"]:
        print(f"{verb} stray file {path}")
    for clip in report["missing_files"]:
        print(f"warning: clip {clip} has lost its file; upload it again", file=sys.stderr)
    print(f"{len(report['orphan_clips'])} orphan clips, {len(report['unused_files'])} unused files, "
          f"{len(report['stray_files'])} stray files, {len(report['missing_files'])} clips missing a file")
    return 1 if report["missing_files"] else 0


def _password_from_stdin() -> str:
    """One line of standard input, without its line end: passwords are never arguments."""
    return sys.stdin.readline().rstrip("\r\n")


def _cli_actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def cmd_users(args, settings: Settings) -> int:
    """Accounts: add, list, disable, a new token, a password.  Tokens are printed once, alone on
    the last line; passwords are read from standard input and never printed."""
    services = open_services(settings)
    accounts, store = services.accounts, services.store
    actor = _cli_actor()
    if args.users_command == "add":
        password = _password_from_stdin() if args.password_stdin else None
        token = accounts.add(args.name, args.role, args.languages, password)
        store.audit(actor, "account.add", args.name, detail={"role": args.role, "languages": args.languages})
        print(f"account {args.name!r} added ({args.role}; languages {args.languages}). Its API token, shown "
              "once (send it as 'Authorization: Bearer <token>'):")
        print(token)
    elif args.users_command == "list":
        rows = [("name", "role", "languages", "password", "state")]
        for a in accounts.list():
            rows.append((a["name"], a["role"], ",".join(a["languages"]), "yes" if a["password"] else "no",
                         "disabled" if a["disabled"] else "active"))
        _table(rows)
    elif args.users_command == "disable":
        accounts.disable(args.name)
        store.audit(actor, "account.disable", args.name)
        print(f"account {args.name!r} disabled: its token and password no longer work")
    elif args.users_command == "token":
        token = accounts.new_token(args.name)
        store.audit(actor, "account.token", args.name)
        print(f"a new API token for {args.name!r} (the old one no longer works), shown once:")
        print(token)
    elif args.users_command == "password":
        accounts.set_password(args.name, _password_from_stdin())
        store.audit(actor, "account.password", args.name)
        print(f"password of {args.name!r} set")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tudien", description="Từ điển các ngôn ngữ dân tộc thiểu số Việt Nam")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", help="import a word list (CSV/TSV, CLDF, LIFT)")
    p.add_argument("file")
    p.add_argument("--format", required=True, choices=["csv", "tsv", "xlsx", "toolbox", "cldf", "lift"])
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

    p = sub.add_parser("index", help="rebuild the search index from the store")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="search from the command line")
    p.add_argument("query")
    p.add_argument("--from", dest="source")
    p.add_argument("--to", dest="target")
    p.add_argument("--limit", type=int, default=10)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("serve", help="serve the HTTP API")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--log-level", default="info")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("sample", help="load the sample corpus shipped with the project")
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_sample)

    audio = sub.add_parser("audio", help="pronunciation recordings").add_subparsers(dest="audio_command", required=True)
    p = audio.add_parser("import", help="import recordings: files named by headword, or a LIFT file's media")
    p.add_argument("folder", help="folder of files named by headword (ntoo.wav, ntoo__2.wav), or the LIFT file's folder")
    p.add_argument("--language", help="ISO 639-3 code of the headwords the files are named by")
    p.add_argument("--lift-dataset", help="import the <media href> files named by this imported LIFT dataset")
    p.add_argument("--speaker", required=True)
    p.add_argument("--licence", required=True)
    p.add_argument("--sex", help="nam, nữ or khác")
    p.add_argument("--dialect")
    p.add_argument("--attribution")
    p.add_argument("--recorded-on", help="date, YYYY-MM-DD")
    p.add_argument("--dry-run", action="store_true", help="check every file, store nothing")
    p.set_defaults(func=cmd_audio_import)
    p = audio.add_parser("gc", help="report and remove recordings of deleted entries and unused files")
    p.add_argument("--dry-run", action="store_true", help="report only")
    p.add_argument("--synthetic-budget-mb", type=float,
                   help="keep at most this many MB of synthetic clips (the newest); they are made again on demand")
    p.set_defaults(func=cmd_audio_gc)

    users = sub.add_parser("users", help="accounts of contributors, editors and admins").add_subparsers(
        dest="users_command", required=True)
    p = users.add_parser("add", help="add an account; prints its API token alone on the last line")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=["contributor", "editor", "admin"])
    p.add_argument("--languages", required=True, help="ISO 639-3 codes, comma-separated (tyz,mtq), or '*'")
    p.add_argument("--password-stdin", action="store_true", help="read a password for the web sign-in from stdin")
    p.set_defaults(func=cmd_users)
    p = users.add_parser("list", help="every account, its role, languages and state")
    p.set_defaults(func=cmd_users)
    p = users.add_parser("disable", help="disable an account (its token and password stop working)")
    p.add_argument("name")
    p.set_defaults(func=cmd_users)
    p = users.add_parser("token", help="a new API token for an account (the old one stops working)")
    p.add_argument("name")
    p.set_defaults(func=cmd_users)
    p = users.add_parser("password", help="set an account's password, read from stdin")
    p.add_argument("name")
    p.set_defaults(func=cmd_users)

    corpora = sub.add_parser("corpora", help="the open word lists shipped with the project").add_subparsers(
        dest="corpora_command", required=True)
    p = corpora.add_parser("list", help="each open dataset, its language, licence and whether it is loaded")
    p.set_defaults(func=cmd_corpora)
    p = corpora.add_parser("load", help="import open datasets (all, or those named), published, with their sources")
    p.add_argument("names", nargs="*", help="datasets to load (default: all)")
    p.add_argument("--force", action="store_true", help="import again even when loaded from the same file")
    p.set_defaults(func=cmd_corpora)

    datasets = sub.add_parser("datasets", help="the datasets in the store").add_subparsers(
        dest="datasets_command", required=True)
    p = datasets.add_parser("list", help="every dataset: format, entries, licence, when imported")
    p.set_defaults(func=cmd_datasets)
    p = datasets.add_parser("show", help="one dataset: its source, citation, licence, entries by language")
    p.add_argument("name")
    p.set_defaults(func=cmd_datasets)
    p = datasets.add_parser("remove", help="remove a dataset and its entries (says what first; needs --yes)")
    p.add_argument("name")
    p.add_argument("--yes", action="store_true", help="remove without asking again")
    p.set_defaults(func=cmd_datasets)

    p = sub.add_parser("export", help="export entries as LIFT, CLDF, CSV or XLSX")
    p.add_argument("out", help="the file to write (a folder for CLDF)")
    p.add_argument("--format", required=True, choices=["lift", "cldf", "csv", "xlsx"])
    p.add_argument("--language", help="only this language (ISO 639-3)")
    p.add_argument("--dataset", help="only this dataset")
    p.add_argument("--status", choices=["published", "all"], default="published",
                   help="published: the public text (default); all: every entry's latest revision, drafts too")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    p.set_defaults(func=cmd_export)

    offline = sub.add_parser("offline", help="the offline client: language packs kept current, searched with "
                                             "no server").add_subparsers(dest="offline_command", required=True)
    p = offline.add_parser("sync", help="download a language's pack, or bring it up to date by the change feed")
    p.add_argument("url", help="the server, e.g. http://127.0.0.1:8000")
    p.add_argument("--language", action="append", required=True, help="ISO 639-3 code (repeat for several)")
    p.add_argument("--dir", required=True, help="the folder of the packs")
    p.add_argument("--audio", action="store_true", help="the recordings too (mono Opus)")
    p.set_defaults(func=cmd_offline_sync)
    p = offline.add_parser("search", help="search the packs of a folder, as the server would")
    p.add_argument("dir")
    p.add_argument("query")
    p.add_argument("--from", dest="source")
    p.add_argument("--to", dest="target")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true", help="print /v1/search's JSON")
    p.set_defaults(func=cmd_offline_search)

    packs = sub.add_parser("packs", help="the server's offline packs").add_subparsers(
        dest="packs_command", required=True)
    p = packs.add_parser("build", help="bring packs up to the change feed now (every language, or those named)")
    p.add_argument("language", nargs="*")
    p.set_defaults(func=cmd_packs)
    p = packs.add_parser("list", help="each language's pack: entries, version, size")
    p.add_argument("language", nargs="*")
    p.set_defaults(func=cmd_packs)

    changes = sub.add_parser("changes", help="the change feed").add_subparsers(dest="changes_command", required=True)
    p = changes.add_parser("compact", help="drop superseded changes, and deletions older than --keep-days "
                                           "(clients older than that download their pack again)")
    p.add_argument("--keep-days", type=float, default=365)
    p.set_defaults(func=cmd_changes_compact)

    p = sub.add_parser("migrate", help="bring the store's schema up to this release (TUDIEN_DATABASE_URL: PostgreSQL)")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("eval", help="run a relevance query set (manifest.json + queries.jsonl)")
    p.add_argument("manifest_dir")
    p.add_argument("--show-misses", action="store_true")
    p.set_defaults(func=cmd_eval)
    return parser


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    """Run the command line ``argv`` with the settings of ``env`` (the process environment by
    default); returns the exit status.  The one place that turns an error into an exit."""
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env(env)
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        return args.func(args, settings)
    except DictionaryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
