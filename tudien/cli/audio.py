"""``tudien audio``: pronunciation recordings brought in, and the files no entry uses taken out."""

from __future__ import annotations

import sys
from pathlib import Path

from ..settings import Settings
from .shared import Commands, cli_actor, open_services


def add_audio(commands: Commands) -> None:
    audio = commands.add_parser("audio", help="pronunciation recordings").add_subparsers(
        dest="audio_command", required=True)
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
    report = library.import_files(pairs, info, source=source, dry_run=args.dry_run or bool(problems),
                                  actor=cli_actor())
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
    services = open_services(settings)
    report = services.audio.gc(dry_run=args.dry_run, synthetic_budget=budget)
    if report["removed"]:
        services.audit.note(cli_actor(), "audio.gc", None, {k: len(report[k]) for k in (
            "evicted_synthetic", "orphan_clips", "unused_files", "stray_files")})
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
