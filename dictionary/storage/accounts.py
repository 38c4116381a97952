"""Accounts (tokens and passwords kept only as hashes), sign-in sessions of the pages (kept as
digests) and failed sign-ins (for the pause)."""

from __future__ import annotations

from datetime import UTC, datetime

from dictionary.errors import AccountExists, AccountNotFound
from dictionary.storage import audit
from dictionary.storage.core import Connections, now


class AccountRows:
    """The ``accounts``, ``sessions`` and ``sign_in_failures`` tables."""

    def __init__(self, core: Connections) -> None:
        self.core = core

    def add_account(self, row: dict, *, audited: audit.Record | None = None) -> None:
        """A new account (with ``audited``, in one transaction with that audit record);
        AccountExists when the name is taken."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        row = {**row, "created_at": now, "updated_at": now}
        try:
            with self.core.transaction() as db:
                db.execute(f"INSERT INTO accounts ({','.join(row)}) VALUES ({','.join('?' * len(row))})",
                           tuple(row.values()))
                if audited is not None:
                    audited.write(db)
        except self.core.integrity:
            raise AccountExists(row["name"]) from None

    def update_account(self, name: str, *, audited: audit.Record | None = None, **fields) -> None:
        """Change an account's columns (with ``audited``, in one transaction with that audit
        record); AccountNotFound when there is none of that name."""
        fields["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        with self.core.transaction() as db:
            changed = db.execute(
                f"UPDATE accounts SET {', '.join(f'{k} = ?' for k in fields)} WHERE name = ?",
                (*fields.values(), name),
            ).rowcount
            if not changed:
                raise AccountNotFound(name)  # nothing written, the audit record neither
            if audited is not None:
                audited.write(db)

    def account(self, name: str) -> dict | None:
        rows = self.core.rows("SELECT * FROM accounts WHERE name = ?", (name,))
        return rows[0] if rows else None

    def account_by_token(self, token_hash: str) -> dict | None:
        rows = self.core.rows("SELECT * FROM accounts WHERE token_hash = ?", (token_hash,))
        return rows[0] if rows else None

    def all(self) -> list[dict]:
        return self.core.rows("SELECT * FROM accounts ORDER BY name")

    # -- sign-in sessions and failed sign-ins ------------------------------------------------
    def add_session(self, digest: str, account: str, expires_at: str, client: str | None) -> None:
        with self.core.transaction() as db:
            db.execute("DELETE FROM sessions WHERE expires_at < ?", (now(),))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", (digest, account, now(), expires_at, client))
            audit.write(db, account, "session.open", account, client=client)

    def session(self, digest: str) -> dict | None:
        """The session with this digest, unexpired, with its account's row (``account``)."""
        rows = self.core.rows("SELECT s.expires_at, a.* FROM sessions s JOIN accounts a ON a.name = s.account "
                          "WHERE s.digest = ? AND s.expires_at > ?", (digest, now()))
        return rows[0] if rows else None

    def delete_session(self, digest: str) -> None:
        with self.core.transaction() as db:
            db.execute("DELETE FROM sessions WHERE digest = ?", (digest,))

    def delete_sessions(self, account: str) -> None:
        with self.core.transaction() as db:
            db.execute("DELETE FROM sessions WHERE account = ?", (account,))

    def sign_in_failed(self, name: str, client: str, at: float) -> None:
        with self.core.transaction() as db:
            db.execute("INSERT INTO sign_in_failures (name, client, at) VALUES (?, ?, ?)", (name, client, at))
            db.execute("DELETE FROM sign_in_failures WHERE at < ?", (at - 86400,))
            audit.write(db, name or "?", "session.failed", name, client=client)

    def sign_in_failures(self, name: str, client: str, since: float) -> tuple[int, int, float]:
        """(failures of ``name``, failures from ``client``, the latest of them) since ``since``."""
        by_name, last_name = self.core.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(at), 0) FROM sign_in_failures WHERE name = ? AND at >= ?",
            (name, since)).fetchone()
        by_client, last_client = self.core.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(at), 0) FROM sign_in_failures WHERE client = ? AND at >= ?",
            (client, since)).fetchone()
        return by_name, by_client, max(last_name, last_client)

    def clear_sign_in_failures(self, name: str) -> None:
        with self.core.transaction() as db:
            db.execute("DELETE FROM sign_in_failures WHERE name = ?", (name,))
