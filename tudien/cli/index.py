"""The index and the store themselves: ``tudien index``, ``tudien changes compact``, ``tudien migrate``."""

from __future__ import annotations

from ..settings import Settings
from .shared import Commands, open_services, progress


def add_index(commands: Commands) -> None:
    p = commands.add_parser("index", help="rebuild the search index from the store")
    p.set_defaults(func=cmd_index)


def cmd_index(args, settings: Settings) -> int:
    services = open_services(settings)
    count = services.follower.rebuild(progress("indexing"))
    print(f"index rebuilt from {services.collection.count()} entries: {count} keys ({services.backend.name})")
    return 0


def add_changes(commands: Commands) -> None:
    changes = commands.add_parser("changes", help="the change feed").add_subparsers(
        dest="changes_command", required=True)
    p = changes.add_parser("compact", help="drop superseded changes, and deletions older than --keep-days "
                                           "(clients older than that download their pack again)")
    p.add_argument("--keep-days", type=float, default=365)
    p.set_defaults(func=cmd_changes_compact)


def cmd_changes_compact(args, settings: Settings) -> int:
    services = open_services(settings)
    done = services.packs.compact_feed(args.keep_days)
    print(f"change feed compacted: {done['superseded']} superseded changes dropped, "
          f"{done['deletions_expired']} deletions older than {args.keep_days:g} days dropped")
    return 0


def add_migrate(commands: Commands) -> None:
    p = commands.add_parser("migrate", help="bring the store's schema up to this release (TUDIEN_DATABASE_URL: "
                                            "PostgreSQL)")
    p.set_defaults(func=cmd_migrate)


def cmd_migrate(args, settings: Settings) -> int:
    """Bring the store's schema to this release's version (opening it for writing does)."""
    from ..wiring import migrate

    version, count = migrate(settings)
    where = "PostgreSQL" if settings.database_url else str(settings.store_path)
    print(f"store ({where}) at schema version {version}; {count} published entries")
    return 0
