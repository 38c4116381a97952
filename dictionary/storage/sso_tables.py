"""The tables of single sign-on (migration 14, SQLite and PostgreSQL alike but for REAL)."""

SINGLE_SIGN_ON = """
    CREATE TABLE IF NOT EXISTS oidc_logins (
        state      TEXT PRIMARY KEY,
        nonce      TEXT NOT NULL,
        verifier   TEXT NOT NULL,
        next       TEXT NOT NULL,
        created_at REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS identities (
        issuer    TEXT NOT NULL,
        subject   TEXT NOT NULL,
        account   TEXT NOT NULL,
        linked_at TEXT NOT NULL,
        PRIMARY KEY (issuer, subject)
    );
    CREATE INDEX IF NOT EXISTS identities_account ON identities(account);
    CREATE TABLE IF NOT EXISTS oidc_sessions (
        digest        TEXT PRIMARY KEY,
        issuer        TEXT NOT NULL,
        subject       TEXT NOT NULL,
        id_token      TEXT NOT NULL,
        refresh_token TEXT,
        expires_at    REAL NOT NULL
    );
    ALTER TABLE accounts ADD COLUMN email TEXT
"""
