"""``tudien offline``: the offline client, language packs kept current and searched with no server."""

from __future__ import annotations

import sys
from pathlib import Path

from ..settings import Settings
from .shared import Commands, clip, table


def add_offline(commands: Commands) -> None:
    offline = commands.add_parser("offline", help="the offline client: language packs kept current, searched with "
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


def cmd_offline_sync(args, settings: Settings) -> int:
    from ..offline import SyncError, sync

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

    from ..offline import SyncError, open_search, search

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
        rows.append((str(n), hit["language"], hit["headword"], clip(glosses, 40),
                     f"{hit['match']['field']}/{hit['match']['tier']}", hit["id"]))
    table(rows)
    return 0
