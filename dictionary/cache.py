"""Values read once per generation of the public text.

Every change of what the public reads bumps the store's generation (one indexed row to read), so
what is derived from the public text alone — the language menus, the counts on every page and on
/health, a language's datasets — is computed on the first request of a generation and kept until
the next change, instead of scanning the store on every request.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class PerGeneration:
    """``held(name, make)``: ``make()``, computed once per generation that ``generation()`` gives."""

    def __init__(self, generation: Callable[[], Hashable]) -> None:
        self.generation = generation  # an int, or a tuple of them (the store's and the index's)
        self._held: tuple[Hashable, dict[str, Any]] = (object(), {})

    def __call__(self, name: str, make: Callable[[], Any]) -> Any:
        generation = self.generation()
        known, values = self._held
        if known != generation:  # a new dict per generation: a reader of the old one keeps it whole
            values = {}
            self._held = (generation, values)
        if name not in values:
            values[name] = make()
        return values[name]
