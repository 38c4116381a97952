"""Glossaries made in a process of their own, at a lower CPU priority, so that no flood of long
texts can starve the searches of the worker that received them.

A glossary of a long text is seconds of CPU in Python.  Run in a thread of the serving process, it
would hold the interpreter's lock half the time and halve that worker's searches; in a child
process with a higher nice value the operating system gives the cores to the searches first.
Each serving worker has one such child (started on the first translation) and lets a few
translations wait for it; past that a request is refused at once (503 with Retry-After).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from dictionary.errors import Busy
from dictionary.search.translate import Glossary
from dictionary.services import Services, Translating

from .settings import Settings

NICENESS = 10  # the child's nice value above its parent's
WAITING = 4  # translations that may wait for the child, beyond the one it works on
STARTUP_SECONDS = 120  # for the child to open its services

_services: Services | None = None  # in the child


def _start_child(open_services: Callable[[Settings], Services], settings: Settings) -> None:
    global _services
    from .lifetime import die_with_parent

    die_with_parent()
    os.nice(NICENESS)
    _services = open_services(settings)


def _translate_in_child(text: str, targets: list[str]) -> Glossary:
    assert _services is not None, "the child's initializer opens the services"
    return _services.translator.translate(text, targets)


class IsolatedTranslator:
    """A :class:`~dictionary.search.translate.Translator` whose work runs in a child process."""

    def __init__(self, settings: Settings, local: Translating, open_services: Callable[[Settings], Services],
                 waiting: int = WAITING) -> None:
        self.settings = settings
        self.open_services = open_services  # how the child makes its services (a module-level function)
        self.local = local  # validates in this process: errors come back whole, not re-pickled
        self._slots = threading.BoundedSemaphore(1 + waiting)
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._pool_done = threading.Event()  # ends the thread that owns the pool's child

    def validate(self, text: str | None, targets: list[str] | None) -> tuple[str, list[str]]:
        return self.local.validate(text, targets)

    def _executor(self) -> tuple[ProcessPoolExecutor, threading.Event]:
        with self._lock:
            if self._pool is None:
                self._pool_done = threading.Event()
                self._pool = self._start_pool(self._pool_done)
            return self._pool, self._pool_done

    def _start_pool(self, done: threading.Event) -> ProcessPoolExecutor:
        """A pool whose child is started by a thread of its own that lives as long as this
        translator.  Linux sends the child its death signal when the *thread* that started it
        ends, and a request's thread (a worker of the thread pool) ends when it has been idle a
        while: started from one, the child was killed between two translations."""
        pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"), initializer=_start_child,
                                   initargs=(self.open_services, self.settings))
        started = threading.Event()

        def own() -> None:
            try:
                pool.submit(os.getpid).result()  # the pool starts its one child here, in this thread
            except BaseException:  # a child that cannot start: the translation that asked says so
                pass
            started.set()
            done.wait()

        threading.Thread(target=own, name="translation-child-owner", daemon=True).start()
        if not started.wait(timeout=STARTUP_SECONDS):  # a child that hangs starting blocks no one
            done.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise Busy("Bộ tra văn bản chưa khởi động được; xin thử lại sau ít giây.", retry_after=5)
        return pool

    def translate(self, text: str | None, targets: list[str] | None) -> Glossary:
        text, targets = self.validate(text, targets)
        if not self._slots.acquire(blocking=False):
            raise Busy("Đang có nhiều văn bản chờ tra; xin thử lại sau ít giây.", retry_after=5)
        pool, done = None, None
        try:
            pool, done = self._executor()
            return pool.submit(_translate_in_child, text, targets).result()
        except BrokenProcessPool:
            with self._lock:  # the child died (killed, out of memory): the next call starts another
                if self._pool is pool:  # not one a later call has started meanwhile
                    self._pool = None
            if done is not None:
                done.set()
            raise Busy("Bộ tra văn bản vừa gặp sự cố và đang khởi động lại; xin thử lại.", retry_after=1) from None
        finally:
            self._slots.release()

    def close(self) -> None:
        """End the child (a translation under way is abandoned: the server is stopping)."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._pool_done.set()
        if pool is not None:
            for process in list(getattr(pool, "_processes", {}).values()):  # no public way to stop it now
                process.terminate()
            pool.shutdown(wait=True, cancel_futures=True)
