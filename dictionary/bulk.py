"""Bulk work without the cyclic garbage collector.

An import or an index build creates millions of small containers that all stay alive until the
end.  CPython's collector is triggered by allocations and each full pass walks every live object,
so on the Bahnar list it took more than half of the parse time and kept growing with the
dictionary.  Nothing built in bulk here forms reference cycles, so the collector is paused for the
duration and re-enabled afterwards (it was never needed to free what the work built).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
