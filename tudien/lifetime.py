"""A child process that ends when its parent does.

``tudien serve --workers N`` runs its workers, and each worker its translation process, as
children.  Killed with SIGKILL, a parent cannot stop them, and they would go on serving, holding
the port, so that a restart failed with "Address already in use".  Linux delivers a signal to a
child whose parent dies when the child asks for it (``prctl(PR_SET_PDEATHSIG)``); this asks for
SIGTERM, which ends a worker cleanly.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> bool:
    """In a child started by :mod:`multiprocessing`: be sent SIGTERM when the parent dies.  Returns
    whether it was arranged (not in a process of its own, nor where the system cannot)."""
    parent = multiprocessing.parent_process()
    if parent is None or not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        return False
    if os.getppid() != parent.pid:  # the parent died before the request was made
        os.kill(os.getpid(), signal.SIGTERM)
    return True
