"""The one rule for the free-text fields of the growth part (a request's context and contact, a
speaker's name and place, a campaign's name, a reason): text, in canonical form, within a limit."""

from __future__ import annotations

from dictionary.errors import InvalidGrowth
from dictionary.text.normalize import canonical


def cleaned(value: object, name: str, limit: int = 200) -> str | None:
    """``value`` canonical (NFC, whitespace collapsed); None when absent or blank; InvalidGrowth
    when it is no text or longer than ``limit``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidGrowth(f"Trường {name} phải là chuỗi ký tự.")
    value = canonical(value)
    if len(value) > limit:
        raise InvalidGrowth(f"Trường {name} dài quá {limit} ký tự.")
    return value or None
