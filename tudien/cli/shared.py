"""What several commands use: the services, a progress bar, a table, who is at the keyboard."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dictionary.search.indexing import CaughtUp
    from dictionary.services import Services

    from ..settings import Settings

# what each group's `add_…` function receives: the sub-command table of `tudien` or of a group
Commands = argparse._SubParsersAction


_OPENED: list[Services] = []  # closed when the command ends (main), in the process or a test


def open_services(settings: Settings) -> Services:
    # loaded on use: `tudien serve`'s supervising process lives as long as its workers and must
    # stay small, so it loads neither the engines nor the entry models
    from ..wiring import open_services

    services = open_services(settings)
    _OPENED.append(services)
    return services


def close_services() -> None:
    """Close what the command opened: its store's connections, its index and its threads."""
    while _OPENED:
        _OPENED.pop().close()


def progress(desc: str):
    from tqdm import tqdm

    def wrap(iterable, total=None):
        return tqdm(iterable, total=total, desc=desc, unit=" entries", disable=None, leave=False)

    return wrap


def table(rows: Sequence[Sequence[str]]) -> None:
    """Rows as columns aligned on their widest cell, the first row a heading."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def indexed(caught: CaughtUp) -> str:
    """What bringing the index up to date did, in a line."""
    return f"index rebuilt: {caught.count} keys" if caught.rebuilt else f"index updated: {caught.count} entries"


def password_from_stdin() -> str:
    """One line of standard input, without its line end: passwords are never arguments."""
    return sys.stdin.readline().rstrip("\r\n")


def cli_actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
