"""Offline packs made in a process of their own, at a lower CPU priority, for a serving worker.

Making a language's pack reads every one of its entries into memory and computes their keys: at a
million entries, tens of seconds of CPU and hundreds of megabytes.  In a thread of a serving
worker it held the interpreter's lock for much of that time (searches waited behind it: the
HTTP tail), grew the worker's heap for good, and could not be interrupted, so that a worker asked
to stop waited for it (``tudien serve`` took more than 20 seconds to end after SIGTERM).

Here the worker's pack thread only looks at the change feed; when a pack is missing or behind it
starts a child that makes the packs and exits.  Asked to stop, the worker ends the child at once:
a pack half made is never served (a pack is switched in by a rename of its manifest, when whole),
its files are removed by the child on SIGTERM or by the next make, and the next start makes it
again from the store, which holds everything.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from multiprocessing import get_context
from typing import Any

from .settings import Settings

NICENESS = 10  # the child's nice value above its parent's
STOP_SECONDS = 3.0  # a child asked to stop that is still there after this is killed

log = logging.getLogger("tudien.packs")


def _make_packs(settings: Settings, open_services: Callable[[Settings], Any]) -> None:
    """In the child: make the packs that are missing or behind (with the services ``open_services``
    wires from ``settings``), then exit."""
    from .lifetime import die_with_parent

    die_with_parent()
    os.nice(NICENESS)
    # SIGTERM raises: the make in progress removes its files on the way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    services = open_services(settings)
    try:
        services.packs.refresh_all()
    finally:
        services.close()


class PackMaker:
    """The :attr:`~dictionary.packs.pack.PackShelf.elsewhere` of a serving process: one child
    process per round, ended when ``stop`` is set.  ``open_services`` is how the child wires its
    services from the settings (a module-level function: the child is spawned, and gets it by name)."""

    def __init__(self, settings: Settings, open_services: Callable[[Settings], Any]) -> None:
        self.settings = settings
        self.open_services = open_services

    def __call__(self, stop: threading.Event) -> None:
        child = get_context("spawn").Process(target=_make_packs, args=(self.settings, self.open_services), name="tudien-packs",
                                             daemon=True)
        child.start()
        while child.is_alive():
            if stop.wait(0.2):
                child.terminate()
                child.join(STOP_SECONDS)
                if child.is_alive():  # in a long SQLite call, deaf to SIGTERM: its files go with the next make
                    child.kill()
                break
        child.join(STOP_SECONDS)
        if child.exitcode not in (0, None, -signal.SIGTERM, -signal.SIGKILL, 143):
            log.warning("making the offline packs failed (exit code %s); tried again in a while", child.exitcode)
