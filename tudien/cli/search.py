"""``tudien search``: the search service from the command line."""

from __future__ import annotations

import sys

from ..settings import Settings
from .shared import Commands, clip, open_services, progress, table


def add_search(commands: Commands) -> None:
    p = commands.add_parser("search", help="search from the command line")
    p.add_argument("query")
    p.add_argument("--from", dest="source")
    p.add_argument("--to", dest="target")
    p.add_argument("--limit", type=int, default=10)
    p.set_defaults(func=cmd_search)


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
        rows.append((str(n), entry["language"], entry["headword"], clip(glosses, 40), match, entry["id"]))
    table(rows)
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
    count = services.follower.rebuild(progress("indexing"))
    print(f"index rebuilt: {count} keys", file=sys.stderr)
    return True
