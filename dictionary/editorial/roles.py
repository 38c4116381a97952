"""Roles, per language, and the account a request acts as."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dictionary.errors import Forbidden

ALL_LANGUAGES = "*"


class Role(StrEnum):
    contributor = "contributor"
    editor = "editor"
    admin = "admin"


_RANK = {Role.contributor: 0, Role.editor: 1, Role.admin: 2}


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    languages: tuple[str, ...]  # ("*",) for every language
    service: bool = False  # a configured API key rather than a person's account
    external: bool = False  # signed in by an identity provider, which checks the second factor

    def may(self, role: Role, language: str | None = None) -> bool:
        """Whether this account holds ``role`` (or a higher one) for ``language``."""
        if _RANK[self.role] < _RANK[role]:
            return False
        return language is None or self.role == Role.admin or ALL_LANGUAGES in self.languages \
            or language in self.languages

    def require(self, role: Role, language: str | None = None) -> None:
        if not self.may(role, language):
            where = f" cho ngôn ngữ {language!r}" if language else ""
            raise Forbidden(
                f"Tài khoản {self.name!r} ({self.role.value}; ngôn ngữ: {', '.join(self.languages)}) "
                f"không có quyền này{where}: cần vai trò {role.value} trở lên{where}."
            )

    def public(self) -> dict:
        return {"name": self.name, "role": self.role.value, "languages": list(self.languages)}


def account_of(row: dict) -> Account:
    """The account of a row of the ``accounts`` table."""
    return Account(row["name"], Role(row["role"]), tuple(row["languages"].split(",")),
                   external=bool(row.get("external")))
