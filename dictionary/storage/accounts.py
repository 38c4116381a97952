"""Accounts (tokens and passwords kept only as hashes), sign-in sessions of the pages (kept as
digests) and failed sign-ins (for the pause)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from dictionary.errors import AccountExists, AccountNotFound
from dictionary.storage import audit
from dictionary.storage.core import Connections, now


class AccountRows:
    """The ``accounts``, ``sessions``, ``recovery_codes`` and ``sign_in_failures`` tables."""

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

    # -- sign-in sessions ---------------------------------------------------------------------
    # A session's ``stage``: ``full`` (signed in), ``code`` (the password was right, the second
    # factor is still to give) or ``enrol`` (the password was right and the account must enrol a
    # second factor before anything else).  ``expires_at`` is its hard end (created + the longest
    # session, or a few minutes for a stage before ``full``); ``last_used`` its idle clock.
    def add_session(self, digest: str, account: str, expires_at: str, client: str | None, *,
                    created: str | None = None, agent: str | None = None, stage: str = "full",
                    replacing: str | None = None) -> None:
        """A new session, from ``created`` (now by default) to ``expires_at`` (the one with digest
        ``replacing`` ends in the same transaction)."""
        created = created or now()
        with self.core.transaction() as db:
            db.execute("DELETE FROM sessions WHERE expires_at < ?", (created,))
            if replacing:
                _close(db, replacing)
            db.execute("INSERT INTO sessions (digest, account, created_at, expires_at, client, last_used, agent, "
                       "stage, handle) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (digest, account, created, expires_at, client, created, agent, stage, secrets.token_hex(8)))
            audit.write(db, account, "session.open" if stage == "full" else f"session.{stage}", account,
                        client=client)

    def session(self, digest: str, at: str, idle_since: str) -> dict | None:
        """The live session with this digest (not past its end, used since ``idle_since``), with
        its account's row; its own columns as ``stage``, ``last_used``, ``handle``, ``session_created``."""
        rows = self.core.rows(
            "SELECT s.expires_at, s.stage, s.last_used, s.handle, s.created_at AS session_created, a.* "
            "FROM sessions s JOIN accounts a ON a.name = s.account "
            "WHERE s.digest = ? AND s.expires_at > ? AND s.last_used >= ?", (digest, at, idle_since))
        return rows[0] if rows else None

    def touch_session(self, digest: str, at: str) -> None:
        """The session was used at ``at`` (the caller does this at most once a minute per session)."""
        with self.core.transaction() as db:
            db.execute("UPDATE sessions SET last_used = ? WHERE digest = ?", (at, digest))

    def promote_session(self, digest: str, new_digest: str, *, created: str, expires_at: str,
                        audited: audit.Record) -> bool:
        """A pending session becomes a full one under a new digest (its old token stops); False
        when it was gone."""
        with self.core.transaction() as db:
            changed = db.execute("UPDATE sessions SET digest = ?, stage = 'full', created_at = ?, last_used = ?, "
                                 "expires_at = ? WHERE digest = ? AND stage <> 'full'",
                                 (new_digest, created, created, expires_at, digest)).rowcount
            if changed:
                audited.write(db)
            return bool(changed)

    def sessions_of(self, account: str | None, at: str, idle_since: str) -> list[dict]:
        """The live full sessions of ``account`` (of everyone when None), newest use first."""
        where, params = ("AND account = ?", (account,)) if account is not None else ("", ())
        return self.core.rows(
            "SELECT handle, account, created_at, last_used, agent, expires_at FROM sessions "
            f"WHERE stage = 'full' AND expires_at > ? AND last_used >= ? {where} ORDER BY last_used DESC, handle",
            (at, idle_since, *params))

    def end_session(self, handle: str, account: str | None, *, actor: str, client: str | None = None) -> bool:
        """End the session ``handle`` (of ``account`` only, when given), audited with ``actor``
        (``session.end``); False when there was none."""
        with self.core.transaction() as db:
            where, params = ("AND account = ?", (account,)) if account is not None else ("", ())
            row = db.execute(f"SELECT digest, account FROM sessions WHERE handle = ? {where}",
                             (handle, *params)).fetchone()
            if row is None:
                return False
            db.execute("DELETE FROM sessions WHERE digest = ?", (row[0],))
            audit.write(db, actor, "session.end", row[1], client=client, detail={"session": handle})
            return True

    def delete_session(self, digest: str) -> None:
        """End the session with this digest (a sign-out), audited (``session.close``) when there was one."""
        with self.core.transaction() as db:
            _close(db, digest)

    def delete_sessions(self, account: str) -> None:
        with self.core.transaction() as db:
            db.execute("DELETE FROM sessions WHERE account = ?", (account,))

    # -- the second factor -------------------------------------------------------------------
    def set_recovery_codes(self, account: str, digests: list[str], *, audited: audit.Record | None = None,
                           **fields) -> None:
        """Replace the account's recovery codes with ``digests`` and set its ``fields``, in one transaction."""
        with self.core.transaction() as db:
            db.execute("DELETE FROM recovery_codes WHERE account = ?", (account,))
            for digest in digests:
                db.execute("INSERT INTO recovery_codes (account, digest) VALUES (?, ?)", (account, digest))
            if fields:
                db.execute(f"UPDATE accounts SET {', '.join(f'{k} = ?' for k in fields)} WHERE name = ?",
                           (*fields.values(), account))
            if audited is not None:
                audited.write(db)

    def use_recovery_code(self, account: str, digest: str, at: str) -> bool:
        """Spend one unused recovery code; False when there is no such unused code (a used one never
        works again: two requests at once cannot both spend it)."""
        with self.core.transaction() as db:
            return bool(db.execute("UPDATE recovery_codes SET used_at = ? WHERE account = ? AND digest = ? "
                                   "AND used_at IS NULL", (at, account, digest)).rowcount)

    def recovery_codes_left(self, account: str) -> int:
        return self.core.db.execute("SELECT COUNT(*) FROM recovery_codes WHERE account = ? AND used_at IS NULL",
                                    (account,)).fetchone()[0]

    def take_totp_step(self, account: str, step: int) -> bool:
        """Record ``step`` as the account's last accepted TOTP time step, unless it (or a later
        one) was already accepted: a code works once."""
        with self.core.transaction() as db:
            return bool(db.execute("UPDATE accounts SET totp_step = ? WHERE name = ? AND "
                                   "(totp_step IS NULL OR totp_step < ?)", (step, account, step)).rowcount)

    # -- failed sign-ins -------------------------------------------------------------------------
    def sign_in_failed(self, name: str, client: str, at: float, actor: str | None = None,
                       action: str = "session.failed", target: str | None = None) -> None:
        """Record a failed sign-in for ``name`` (an account's name, or what stands for an unknown
        one) from ``client``; the audit log names ``actor`` (by default ``name``)."""
        with self.core.transaction() as db:
            db.execute("INSERT INTO sign_in_failures (name, client, at) VALUES (?, ?, ?)", (name, client, at))
            db.execute("DELETE FROM sign_in_failures WHERE at < ?", (at - 86400,))
            audit.write(db, actor or name or "?", action, target or name, client=client)

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

    def failures_of(self, name: str, since: float) -> int:
        """Failures recorded for ``name`` from any address since ``since``."""
        return self.core.db.execute("SELECT COUNT(*) FROM sign_in_failures WHERE name = ? AND at >= ?",
                                    (name, since)).fetchone()[0]

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


def _close(db, digest: str) -> None:
    row = db.execute("SELECT account, client FROM sessions WHERE digest = ?", (digest,)).fetchone()
    db.execute("DELETE FROM sessions WHERE digest = ?", (digest,))
    if row is not None:
        audit.write(db, row[0], "session.close", row[0], client=row[1])
