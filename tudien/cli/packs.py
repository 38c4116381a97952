"""``tudien packs``: the server's offline packs, built now or listed."""

from __future__ import annotations

from ..settings import Settings
from .shared import Commands, open_services, table


def add_packs(commands: Commands) -> None:
    packs = commands.add_parser("packs", help="the server's offline packs").add_subparsers(
        dest="packs_command", required=True)
    p = packs.add_parser("build", help="bring packs up to the change feed now (every language, or those named)")
    p.add_argument("language", nargs="*")
    p.set_defaults(func=cmd_packs_build)
    p = packs.add_parser("list", help="each language's pack: entries, version, size")
    p.add_argument("language", nargs="*")
    p.set_defaults(func=cmd_packs_list)


def cmd_packs_build(args, settings: Settings) -> int:
    return _packs(args, settings, build=True)


def cmd_packs_list(args, settings: Settings) -> int:
    return _packs(args, settings, build=False)


def _packs(args, settings: Settings, *, build: bool) -> int:
    """A row per language's pack, each brought up to the change feed first when ``build``."""
    services = open_services(settings)
    shelf = services.packs
    languages = args.language or shelf.languages()
    rows = [("language", "entries", "version", "SQLite", "gzip", "seconds")]
    for language in languages:
        info = shelf.refresh(language) if build else shelf.info(language)
        if info is None:
            rows.append((language, "-", "-", "-", "-", "-"))
            continue
        rows.append((language, str(info.entries), str(info.version), str(info.bytes), str(info.gzip_bytes),
                     f"{info.seconds:.2f}"))
    table(rows)
    return 0
