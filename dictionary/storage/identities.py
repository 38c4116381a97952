"""Single sign-on's tables: sign-ins under way at the provider (``oidc_logins``, each used once),
the provider's accounts linked to local ones (``identities``), and what a session signed in through
the provider keeps of it (``oidc_sessions``: its tokens and when they expire)."""

from __future__ import annotations

from dictionary.storage import audit
from dictionary.storage.core import Connections, now

LOGIN_SECONDS = 600  # a sign-in left at the provider's page longer than this starts again


class IdentityRows:
    """The ``oidc_logins``, ``identities`` and ``oidc_sessions`` tables, and accounts' e-mail."""

    def __init__(self, core: Connections) -> None:
        self.core = core

    # -- sign-ins under way --------------------------------------------------------------------
    def begin(self, state: str, nonce: str, verifier: str, next_path: str, at: float) -> None:
        with self.core.transaction() as db:
            db.execute("DELETE FROM oidc_logins WHERE created_at < ?", (at - LOGIN_SECONDS,))
            db.execute("INSERT INTO oidc_logins (state, nonce, verifier, next, created_at) VALUES (?, ?, ?, ?, ?)",
                       (state, nonce, verifier, next_path, at))

    def take(self, state: str, at: float) -> dict | None:
        """The sign-in of ``state`` (a digest), removed: a state is good once, and for LOGIN_SECONDS."""
        with self.core.transaction() as db:
            row = db.execute("SELECT nonce, verifier, next, created_at FROM oidc_logins WHERE state = ?",
                             (state,)).fetchone()
            db.execute("DELETE FROM oidc_logins WHERE state = ?", (state,))
        if row is None or row[3] < at - LOGIN_SECONDS:
            return None
        return {"nonce": row[0], "verifier": row[1], "next": row[2]}

    # -- linked identities ---------------------------------------------------------------------
    def identity(self, issuer: str, subject: str) -> str | None:
        """The local account the provider's ``subject`` is linked to."""
        rows = self.core.rows("SELECT account FROM identities WHERE issuer = ? AND subject = ?", (issuer, subject))
        return rows[0]["account"] if rows else None

    def link(self, issuer: str, subject: str, account: str, *, audited: audit.Record) -> None:
        with self.core.transaction() as db:
            db.execute("INSERT INTO identities (issuer, subject, account, linked_at) VALUES (?, ?, ?, ?)",
                       (issuer, subject, account, now()))
            audited.write(db)

    def linked(self, account: str) -> bool:
        """Whether a provider's account is linked to ``account``."""
        return bool(self.core.rows("SELECT 1 FROM identities WHERE account = ?", (account,)))

    def by_email(self, email: str) -> list[dict]:
        """The accounts whose e-mail is ``email`` (compared without case)."""
        return self.core.rows("SELECT * FROM accounts WHERE lower(email) = lower(?)", (email,))

    def set_email(self, account: str, email: str | None, *, audited: audit.Record | None = None) -> int:
        with self.core.transaction() as db:
            changed = db.execute("UPDATE accounts SET email = ? WHERE name = ?", (email, account)).rowcount
            if changed and audited is not None:
                audited.write(db)
        return changed

    # -- sessions signed in through the provider -----------------------------------------------
    def keep_tokens(self, digest: str, issuer: str, subject: str, id_token: str, refresh_token: str | None,
                    expires_at: float) -> None:
        with self.core.transaction() as db:
            # and those of sessions ended otherwise (expired, their account disabled)
            db.execute("DELETE FROM oidc_sessions WHERE digest = ? OR digest NOT IN (SELECT digest FROM sessions)",
                       (digest,))
            db.execute("INSERT INTO oidc_sessions (digest, issuer, subject, id_token, refresh_token, expires_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (digest, issuer, subject, id_token, refresh_token, expires_at))

    def tokens(self, digest: str) -> dict | None:
        rows = self.core.rows("SELECT * FROM oidc_sessions WHERE digest = ?", (digest,))
        return rows[0] if rows else None

    def renewed(self, digest: str, id_token: str | None, refresh_token: str | None, expires_at: float) -> None:
        with self.core.transaction() as db:
            db.execute("UPDATE oidc_sessions SET id_token = COALESCE(?, id_token), "
                       "refresh_token = COALESCE(?, refresh_token), expires_at = ? WHERE digest = ?",
                       (id_token, refresh_token, expires_at, digest))

    def forget_tokens(self, digest: str) -> None:
        with self.core.transaction() as db:
            db.execute("DELETE FROM oidc_sessions WHERE digest = ?", (digest,))
            db.execute("DELETE FROM oidc_sessions WHERE digest NOT IN (SELECT digest FROM sessions)")
