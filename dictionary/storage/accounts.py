"""Accounts (tokens and passwords kept only as hashes), sign-in sessions of the pages (kept as
digests) and failed sign-ins (for the pause)."""

from __future__ import annotations

import secrets
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
        """End the session with this digest (a sign-out), audited (``session.close``) when there was one."""
        with self.core.transaction() as db:
            row = db.execute("SELECT account, client FROM sessions WHERE digest = ?", (digest,)).fetchone()
            db.execute("DELETE FROM sessions WHERE digest = ?", (digest,))
            if row is not None:
                audit.write(db, row[0], "session.close", row[0], client=row[1])

    def delete_sessions(self, account: str) -> None:
        with self.core.transaction() as db:
            db.execute("DELETE FROM sessions WHERE account = ?", (account,))

    def sign_in_failed(self, name: str, client: str, at: float, actor: str | None = None) -> None:
        """Record a failed sign-in for ``name`` (an account's name, or what stands for an unknown
        one) from ``client``; the audit log names ``actor`` (by default ``name``)."""
        with self.core.transaction() as db:
            db.execute("INSERT INTO sign_in_failures (name, client, at) VALUES (?, ?, ?)", (name, client, at))
            db.execute("DELETE FROM sign_in_failures WHERE at < ?", (at - 86400,))
            audit.write(db, actor or name or "?", "session.failed", name, client=client)

    def sign_in_failures_from(self, name: str, client: str, since: float) -> tuple[int, float, int, float]:
        """(failures of ``name`` from ``client``, the latest of them, failures from ``client`` for
        any name, the latest of them) since ``since``."""
        by_pair, last_pair = self.core.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(at), 0) FROM sign_in_failures WHERE name = ? AND client = ? AND at >= ?",
            (name, client, since)).fetchone()
        by_client, last_client = self.core.db.execute(
            "SELECT COUNT(*), COALESCE(MAX(at), 0) FROM sign_in_failures WHERE client = ? AND at >= ?",
            (client, since)).fetchone()
        return by_pair, last_pair, by_client, last_client

    def clear_sign_in_failures(self, name: str, client: str | None = None) -> None:
        """Forget the failed sign-ins of ``name`` (from ``client`` only, when given)."""
        with self.core.transaction() as db:
            if client is None:
                db.execute("DELETE FROM sign_in_failures WHERE name = ?", (name,))
            else:
                db.execute("DELETE FROM sign_in_failures WHERE name = ? AND client = ?", (name, client))

    def secret_key(self, name: str) -> bytes:
        """The store's secret key ``name`` (32 random bytes), made on first use and the same for
        every node of the store; never shown, exported or sent."""
        key = f"secret.{name}"
        row = self.core.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:  # the first use: one node makes it, every other reads that one
            with self.core.transaction() as db:
                db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, secrets.token_hex(32)))
                row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return bytes.fromhex(row[0])
