"""What changed between two revisions of an entry, field by field and sense by sense, as a person
reads it in Vietnamese (the review queue and an entry's history show it)."""

from __future__ import annotations

import re
from typing import Any

import orjson

from dictionary import languages
from dictionary.editorial.editing import STATUS_WORDS as _STATUS_WORDS
from dictionary.storage.entries import changes

STATUS_WORDS = {status.value: words for status, words in _STATUS_WORDS.items()}
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_SENSE = re.compile(r"^senses\[(\d+)\](?:\.(\w+)(?:\.(\w+))?)?$")

# what the desk calls each field of an entry and of a sense
FIELD_WORDS = {
    "headword": "Mục từ", "variants": "Biến thể", "pos": "Từ loại", "ipa": "Phiên âm (IPA)",
    "authority": "Căn cứ thuật ngữ chuẩn", "pronunciations": "Bản ghi âm", "status": "Trạng thái",
    "provenance": "Nguồn", "extra": "Thông tin thêm của nguồn", "language": "Ngôn ngữ", "created": "Tạo mới",
    "senses": "Các nghĩa",
}
SENSE_WORDS = {
    "glosses": "Nghĩa", "definitions": "Giải nghĩa", "examples": "Ví dụ", "domains": "Lĩnh vực",
    "notes": "Ghi chú", "pos": "Từ loại", "source": "Nguồn", "extra": "Thông tin thêm của nguồn",
}


def label(path: str) -> str:
    """A field path of :func:`dictionary.storage.entries.changes` in Vietnamese:
    ``senses[0].glosses.vie`` → ``Nghĩa 1 · Nghĩa (tiếng Việt)``."""
    found = _SENSE.match(path)
    if found is None:
        return FIELD_WORDS.get(path, path)
    number, field, language = int(found.group(1)) + 1, found.group(2), found.group(3)
    if field is None:
        return f"Nghĩa {number}"
    words = SENSE_WORDS.get(field, field)
    return f"Nghĩa {number} · {words}" + (f" ({languages.name(language)})" if language else "")


def sense_of(path: str) -> int | None:
    """The sense (from 0) a field path belongs to, or None for a field of the entry."""
    found = _SENSE.match(path)
    return int(found.group(1)) if found else None


def labels(paths: list[str]) -> list[str]:
    """Field paths in Vietnamese, each said once."""
    return list(dict.fromkeys(label(p) for p in paths))


def _at(entry: dict, path: str) -> Any:
    """The value at a field path of :func:`dictionary.storage.entries.changes` (``senses[0].glosses.vie``)."""
    value: Any = entry
    for name, index in _STEP.findall(path):
        if value is None:
            return None
        if name:
            value = value.get(name) if isinstance(value, dict) else None
        else:
            value = value[int(index)] if isinstance(value, list) and int(index) < len(value) else None
    return value


def _shown(value: Any) -> str:
    if value is None or value == [] or value == {}:
        return ""
    if isinstance(value, list):
        return "; ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_key(k)}: {_shown(v)}" for k, v in value.items() if _shown(v))
    return str(value)


def _key(key: str) -> str:
    """A key of a shown dict: a language code by its name, a field by its Vietnamese word."""
    if key in SENSE_WORDS:
        return SENSE_WORDS[key]
    if len(key) == 3 and key.isascii() and key.isalpha():
        return languages.name(key)
    return key


def compare(before: dict | None, after: dict) -> list[dict]:
    """What differs between two revisions' contents, as text a person reads, the entry's fields
    first, then sense by sense: ``[{"field", "label", "sense", "before", "after"}]``.  The
    status and the source are compared only when no content differs; two revisions that differ
    in anything always give at least one row (as stored, when the words read the same)."""
    before = before or {}
    paths = [p for p in changes(before, after) if p not in ("id", "created")]
    if not before:  # a new entry: its language is no change
        paths = [p for p in paths if p != "language"]
    if "senses" in paths:  # senses added to none, or all removed: compared one by one
        at = paths.index("senses")
        count = max(len(before.get("senses") or []), len(after.get("senses") or []))
        paths[at:at + 1] = [f"senses[{i}]" for i in range(count)] or ["senses"]
    content = [p for p in paths if p not in ("status", "provenance", "extra")]
    for group in (content, [p for p in paths if p not in content]):
        rows = [r for r in (_row(before, after, p) for p in group) if r is not None]
        if rows:
            return sorted(rows, key=lambda r: -1 if r["sense"] is None else r["sense"])
    return [r for r in (_row(before, after, p, raw=True) for p in paths) if r is not None]


def _row(before: dict, after: dict, path: str, raw: bool = False) -> dict | None:
    old_value, new_value = _at(before, path), _at(after, path)
    if old_value == new_value:
        return None
    if path == "status":
        old, new = STATUS_WORDS.get(str(old_value), _shown(old_value)), STATUS_WORDS.get(str(new_value), _shown(new_value))
    else:
        old, new = _shown(old_value), _shown(new_value)
    if old == new:  # the same words, held differently (order, an empty field)
        if not raw:
            return None
        old, new = orjson.dumps(old_value).decode(), orjson.dumps(new_value).decode()
    return {"field": path, "label": label(path), "sense": sense_of(path), "before": old, "after": new}
