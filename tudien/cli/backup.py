"""``tudien backup DIR`` and ``tudien restore DIR``: the store and the audio files, with a
manifest of digests, and back into an empty data directory (:mod:`tudien.backup`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import backup as backups
from ..settings import Settings
from .shared import Commands, open_services, progress


def add_backup(commands: Commands) -> None:
    p = commands.add_parser("backup", help="back the store (SQLite's online backup, or pg_dump with "
                                           "TUDIEN_DATABASE_URL) and the audio files up into an empty DIR")
    p.add_argument("dir", type=Path)
    p.set_defaults(func=cmd_backup)


def add_restore(commands: Commands) -> None:
    p = commands.add_parser("restore", help="check a backup's digests, restore it into an empty data dir, "
                                            "rebuild the index")
    p.add_argument("dir", type=Path)
    p.add_argument("--no-index", action="store_true", help="do not rebuild the index (run `tudien index` later)")
    p.set_defaults(func=cmd_restore)


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    manifest = backups.backup(settings, args.dir)
    print(f"backup written to {args.dir}: the store ({manifest.kind}), {manifest.audio_files} audio files, "
          f"{backups.MANIFEST} with the SHA-256 of {len(manifest.files)} files")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    manifest = backups.restore(settings, args.dir)
    print(f"restored from {args.dir}: the store ({manifest.kind}) and {manifest.audio_files} audio files, "
          f"every digest checked, into {settings.data_dir}")
    if args.no_index:
        print("the search index is not built yet: run `tudien index`")
        return 0
    services = open_services(settings)
    count = services.follower.rebuild(progress("indexing"))
    print(f"index rebuilt from {services.collection.count()} entries: {count} keys ({services.backend.name})")
    return 0
