"""Language teams' review rules: whether a team publishes under four eyes.

A team's rule is held in the store's ``meta`` table (key ``four_eyes.<language>``, value ``1`` or
``0``) on either kind of store, so every node reads the same rule; a language no admin has set
follows the deployment's default (``TUDIEN_FOUR_EYES``).  Setting a rule writes its audit record
in the same transaction."""

from __future__ import annotations

from dictionary.storage import audit
from dictionary.storage.core import Connections

PREFIX = "four_eyes."


class Teams:
    """The language teams' rules kept in ``meta``."""

    def __init__(self, core: Connections) -> None:
        self.core = core

    def four_eyes(self, language: str) -> bool | None:
        """The rule an admin set for ``language``'s team, or None where none was set."""
        row = self.core.db.execute("SELECT value FROM meta WHERE key = ?", (PREFIX + language,)).fetchone()
        return None if row is None else row[0] == "1"

    def rules(self) -> dict[str, bool]:
        """Every team's rule that an admin set, by language."""
        rows = self.core.rows("SELECT key, value FROM meta WHERE key LIKE ? ORDER BY key", (PREFIX + "%",))
        return {r["key"].removeprefix(PREFIX): r["value"] == "1" for r in rows}

    def set_four_eyes(self, language: str, on: bool, *, actor: str, comment: str | None,
                      client: str | None) -> None:
        """Set ``language``'s rule, with its audit record (who, why, what it was before)."""
        with self.core.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (PREFIX + language,)).fetchone()
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (PREFIX + language, "1" if on else "0"))
            audit.write(db, actor, "team.four_eyes", language, client=client,
                        detail={"four_eyes": on, "before": None if row is None else row[0] == "1",
                                "comment": comment})
