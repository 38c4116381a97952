"""What changed between two revisions of an entry, field by field, as a person reads it (the
review queue and an entry's history show it)."""

from __future__ import annotations

import re

from dictionary.storage.entries import changes

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _at(entry: dict, path: str):
    """The value at a field path of :func:`dictionary.storage.entries.changes` (``senses[0].glosses.vie``)."""
    value = entry
    for name, index in _STEP.findall(path):
        if value is None:
            return None
        if name:
            value = value.get(name) if isinstance(value, dict) else None
        else:
            value = value[int(index)] if isinstance(value, list) and int(index) < len(value) else None
    return value


def _shown(value) -> str:
    if value is None or value == [] or value == {}:
        return ""
    if isinstance(value, list):
        return "; ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v)}" for k, v in value.items() if _shown(v))
    return str(value)


def compare(before: dict | None, after: dict) -> list[dict]:
    """What differs between two revisions' contents, field by field, as text a person reads:
    ``[{"field", "before", "after"}]`` (the status and the source left out)."""
    rows = []
    for path in changes(before or {}, after):
        if path in ("status", "provenance", "extra", "id"):
            continue
        old, new = _shown(_at(before or {}, path)), _shown(_at(after, path))
        if old != new:
            rows.append({"field": path, "before": old, "after": new})
    return rows
