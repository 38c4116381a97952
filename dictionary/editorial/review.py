"""Review rules: four eyes on every publication, per language team.

An editor does not publish content they wrote last themselves (``TUDIEN_FOUR_EYES=1``, the
default): another editor of the language does.  A status move (draft → review → published) is no
new content: the author of the last revision that changed the content answers for it.  An admin
may switch the rule off for one language's team (a one-person team), saying why; the switch is
kept in the store and audited, with its reason.  Admins are not held to it: they answer for the switches.
"""

from __future__ import annotations

from dictionary.editorial.accounts import Account, Role
from dictionary.errors import Forbidden
from dictionary.model import Comment, checked, language_code
from dictionary.storage.teams import Teams

OWN_CONTENT = ("Nguyên tắc hai người duyệt: bạn là người sửa nội dung lần cuối của mục từ này, nên một biên "
               "tập viên khác của ngôn ngữ phải công bố nó.")


def is_move(revision: dict) -> bool:
    """Whether a revision only moved the status of the content before it (no new version)."""
    return bool(revision["changes"]) and set(revision["changes"]) <= {"status"}


def versions(revisions: list[dict]) -> dict[int, tuple[int, bool]]:
    """For each revision (of ``revisions``, every one of an entry, oldest first) the content
    version it shows and whether it was a move: an edit makes a new version, a status move shows
    the version it moved."""
    out, version = {}, 0
    for r in revisions:
        move = is_move(r)
        version += 0 if move else 1
        out[r["revision"]] = (version, move)
    return out


def content_author(revisions: list[dict]) -> str | None:
    """Who wrote the last revision (of ``revisions``, oldest first) that changed the content."""
    for r in reversed(revisions):
        if not is_move(r):
            return str(r["author"])
    return None


class TeamRules:
    """The four-eyes rule of each language team: the team's own where an admin set one, else the
    deployment's."""

    def __init__(self, teams: Teams, four_eyes: bool = True) -> None:
        self.teams = teams
        self.default = four_eyes

    def four_eyes(self, language: str) -> bool:
        rule = self.teams.four_eyes(language)
        return self.default if rule is None else rule

    def rules(self, reader: Account) -> dict[str, bool]:
        """The rules admins set, by language (the others follow the deployment's)."""
        reader.require(Role.editor)
        return self.teams.rules()

    def set_four_eyes(self, actor: Account, language: str, on: bool, comment: str | None = None,
                      client: str | None = None) -> dict[str, str | bool]:
        """An admin's switch of ``language``'s rule, audited with its reason; the rule now."""
        actor.require(Role.admin)
        code = language_code(language, "language")
        reason = checked(Comment, comment, "comment")
        self.teams.set_four_eyes(code, on, actor=actor.name, comment=reason, client=client)
        return {"language": code, "four_eyes": on}

    def blocks(self, actor: Account, language: str, revisions: list[dict]) -> bool:
        """Whether the rule keeps ``actor`` from publishing the content of ``revisions``."""
        return actor.role == Role.editor and self.four_eyes(language) and content_author(revisions) == actor.name

    def check_publisher(self, actor: Account, language: str, revisions: list[dict]) -> None:
        """Forbidden when ``actor`` may not publish the content of ``revisions``."""
        if self.blocks(actor, language, revisions):
            raise Forbidden(OWN_CONTENT)
