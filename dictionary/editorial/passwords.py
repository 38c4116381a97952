"""The rules a new password must meet (NIST SP 800-63B §5.1.1.2): at least MIN_PASSWORD
characters, and not one of the 10,000 most common passwords (``data/common-passwords.txt``, its
source and licence beside it).  Nothing else: no rules of composition, no forced rotation."""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

from dictionary.errors import InvalidAccount

MIN_PASSWORD = 12
COMMON = Path(__file__).resolve().parent / "data" / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    with COMMON.open(encoding="utf-8") as lines:
        return frozenset(line.strip().casefold() for line in lines if line.strip())


def check_password(password: str) -> str:
    """``password`` in NFC when it meets the rules; InvalidAccount naming the rule otherwise."""
    password = unicodedata.normalize("NFC", password or "")
    if len(password) < MIN_PASSWORD:
        raise InvalidAccount(f"Mật khẩu quá ngắn: cần ít nhất {MIN_PASSWORD} ký tự (mật khẩu này có "
                             f"{len(password)}). Một câu ngắn dễ nhớ là mật khẩu tốt.")
    folded = password.casefold()
    if folded in common_passwords() or _repeats(folded):
        raise InvalidAccount("Mật khẩu này nằm trong danh sách các mật khẩu phổ biến nhất (hoặc chỉ lặp lại "
                             "một mật khẩu như vậy) nên dễ bị đoán; hãy chọn mật khẩu khác.")
    return password


def _repeats(folded: str) -> bool:
    """Whether the password is one common password (or one character) said again and again."""
    for size in range(1, len(folded) // 2 + 1):
        if len(folded) % size == 0 and folded[:size] * (len(folded) // size) == folded:
            return size == 1 or folded[:size] in common_passwords()
    return False
