"""The ``tudien`` command: import, index, search, serve, sample, audio, offline packs, eval.

One module per group of commands, each declaring a command's options beside its handler: an
``add_…`` function adds the command's parser (and its sub-commands) to the table it is given and
names the handler with ``set_defaults(func=…)``.  This module only lists them, in the order
``tudien --help`` shows them, and runs the one chosen.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping

from dictionary.errors import ConfigurationError, DictionaryError

from ..settings import Settings
from . import audio, audit, backup, datasets, evaluate, index, offline, packs, search, serve, transfer, users
from .shared import close_services

COMMANDS = (
    transfer.add_import,
    index.add_index,
    search.add_search,
    serve.add_serve,
    datasets.add_sample,
    audio.add_audio,
    users.add_users,
    audit.add_audit,
    datasets.add_corpora,
    datasets.add_datasets,
    transfer.add_export,
    offline.add_offline,
    packs.add_packs,
    index.add_changes,
    index.add_migrate,
    backup.add_backup,
    backup.add_restore,
    evaluate.add_eval,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tudien", description="Từ điển các ngôn ngữ dân tộc thiểu số Việt Nam")
    commands = parser.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(commands)
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
    finally:
        close_services()

