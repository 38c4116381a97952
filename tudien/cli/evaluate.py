"""``tudien eval``: a relevance query set run through the API in process."""

from __future__ import annotations

from pathlib import Path

from ..settings import Settings
from .shared import Commands


def add_eval(commands: Commands) -> None:
    p = commands.add_parser("eval", help="run a relevance query set (manifest.json + queries.jsonl)")
    p.add_argument("manifest_dir")
    p.add_argument("--show-misses", action="store_true")
    p.set_defaults(func=cmd_eval)


def cmd_eval(args, settings: Settings) -> int:
    from ..evaluation import run_manifest

    return run_manifest(Path(args.manifest_dir), settings, show_misses=args.show_misses)
