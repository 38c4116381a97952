"""The store's schema: its tables on PostgreSQL, the migration of a database of either kind, and
a light look at a store file.

Every table of the canonical store is defined here and in :mod:`dictionary.storage.migrations`
(the numbered SQLite steps) and nowhere else.

:func:`peek` reads the generation without loading the entry models: ``tudien serve``'s
supervising process uses it and lives as long as the workers do.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dictionary.storage.chain import chain_existing
from dictionary.storage.growth_tables import CLIP_REVIEW, GROWTH
from dictionary.storage.migrations import (
    MIGRATIONS,
    TWO_FACTOR,
    TWO_FACTOR_COLUMNS,
    VERSION,
    SchemaTooNew,
    migrate_sqlite,
    statements,
)
from dictionary.storage.sso_tables import SINGLE_SIGN_ON

__all__ = ["MIGRATIONS", "VERSION", "SchemaTooNew", "StoreState", "migrate", "peek"]

# The same tables on PostgreSQL, as of version 8 (the first with PostgreSQL): a database there is
# made whole at that version; a later version adds its step to both MIGRATIONS and PG_MIGRATIONS.
PG_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS datasets (
    name TEXT PRIMARY KEY, format TEXT NOT NULL, citation TEXT, licence TEXT, source_file TEXT, sha256 TEXT,
    imported_at TEXT NOT NULL, entries INTEGER NOT NULL, description TEXT);
CREATE TABLE IF NOT EXISTS entries (
    rowid BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, language TEXT NOT NULL, dataset TEXT NOT NULL,
    headword TEXT NOT NULL, status TEXT NOT NULL, body BYTEA NOT NULL, revision INTEGER NOT NULL DEFAULT 1,
    public BYTEA, published_revision INTEGER, edited_at TEXT, authority INTEGER NOT NULL DEFAULT 0,
    meanings INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS entries_dataset ON entries(dataset);
CREATE INDEX IF NOT EXISTS entries_language ON entries(language);
CREATE INDEX IF NOT EXISTS entries_status ON entries(status);
CREATE INDEX IF NOT EXISTS entries_meanings ON entries(meanings);
CREATE TABLE IF NOT EXISTS audio_clips (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('recording', 'synthetic')), entry_id TEXT,
    language TEXT NOT NULL, text TEXT NOT NULL, speaker TEXT, sex TEXT, dialect TEXT, licence TEXT,
    attribution TEXT, recorded_on TEXT, engine TEXT, voice TEXT, approximate INTEGER NOT NULL DEFAULT 0,
    original_sha TEXT NOT NULL, original_type TEXT NOT NULL, original_bytes INTEGER NOT NULL,
    playback_sha TEXT NOT NULL, playback_type TEXT NOT NULL, playback_bytes INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL, sample_rate INTEGER, channels INTEGER, source_lufs DOUBLE PRECISION,
    source TEXT NOT NULL, created_at TEXT NOT NULL, rowid BIGSERIAL UNIQUE);
CREATE INDEX IF NOT EXISTS audio_clips_entry ON audio_clips(entry_id);
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('contributor', 'editor', 'admin')),
    languages TEXT NOT NULL, token_hash TEXT UNIQUE, password_hash TEXT, disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_log (
    id BIGSERIAL PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, client TEXT, action TEXT NOT NULL,
    target TEXT, detail TEXT);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log(at);
CREATE TABLE IF NOT EXISTS revisions (
    entry_id TEXT NOT NULL, revision INTEGER NOT NULL, author TEXT NOT NULL, at TEXT NOT NULL,
    status TEXT NOT NULL, comment TEXT, changes TEXT NOT NULL, body BYTEA NOT NULL,
    PRIMARY KEY (entry_id, revision));
CREATE TABLE IF NOT EXISTS suggestions (
    id BIGSERIAL PRIMARY KEY, entry_id TEXT NOT NULL, language TEXT NOT NULL, text TEXT NOT NULL, contact TEXT,
    client TEXT, at TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'dismissed')),
    resolved_by TEXT, resolved_at TEXT, comment TEXT);
CREATE INDEX IF NOT EXISTS suggestions_status ON suggestions(status, language);
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY, account TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
    client TEXT);
CREATE INDEX IF NOT EXISTS sessions_account ON sessions(account);
CREATE TABLE IF NOT EXISTS sign_in_failures (
    id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, client TEXT NOT NULL, at DOUBLE PRECISION NOT NULL);
CREATE INDEX IF NOT EXISTS sign_in_failures_name ON sign_in_failures(name, at);
CREATE INDEX IF NOT EXISTS sign_in_failures_client ON sign_in_failures(client, at);
CREATE TABLE IF NOT EXISTS changes (
    seq BIGINT PRIMARY KEY, generation BIGINT NOT NULL, entry BIGINT NOT NULL, entry_id TEXT NOT NULL,
    language TEXT, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS changes_generation ON changes(generation);
CREATE INDEX IF NOT EXISTS changes_entry ON changes(entry);
CREATE INDEX IF NOT EXISTS changes_language ON changes(language, seq)
"""
PG_FIRST = 8  # the version PG_SCHEMA makes


def _audit_chain_pg(db) -> None:
    """12: the audit log's chain, as on SQLite (:func:`dictionary.storage.migrations._audit_chain`)."""
    for name in ("prev", "digest"):
        db.execute(f"ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS {name} TEXT")
    chain_existing(db)


def _two_factor_pg(db) -> None:
    """13: two-factor sign-in and idle sessions, as on SQLite (:func:`dictionary.storage.migrations._two_factor`)."""
    for table, column, kind in TWO_FACTOR_COLUMNS:
        db.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")
    for statement in statements(TWO_FACTOR):
        db.execute(statement)


# the steps of later versions, on PostgreSQL
PG_MIGRATIONS: dict[int, str | Callable] = {
    9: "SELECT 1",  # PG_SCHEMA keeps the feed's head in meta from the start
    10: "ALTER TABLE datasets ADD COLUMN IF NOT EXISTS title TEXT",
    # the SQLite step's tables, with PostgreSQL's numbered keys
    11: GROWTH.replace("INTEGER PRIMARY KEY", "BIGSERIAL PRIMARY KEY").replace(") WITHOUT ROWID", ")")
    + "".join(f";ALTER TABLE audio_clips ADD COLUMN IF NOT EXISTS {name} {kind}" for name, kind in CLIP_REVIEW)
    + ";CREATE INDEX IF NOT EXISTS audio_clips_review ON audio_clips(review)",
    12: _audit_chain_pg,
    13: _two_factor_pg,
    14: SINGLE_SIGN_ON.replace("REAL", "DOUBLE PRECISION").replace("ADD COLUMN email", "ADD COLUMN IF NOT EXISTS email"),
}


def migrate_postgres(db) -> int:
    """Bring a PostgreSQL database to this release's version, under the write lock (several
    nodes may start at once: one migrates, the others then find it done)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        current = int(row[0]) if row else 0
        if current > VERSION:
            raise SchemaTooNew(f"the database is at schema version {current}; this release knows {VERSION}")
        if current < PG_FIRST:
            for statement in statements(PG_SCHEMA):
                db.execute(statement)
            for key, value in (("generation", "0"), ("feed_start", "0"), ("changes_start", "0"),
                               ("feed_head", "0"), ("store_id", str(uuid.uuid4()))):
                db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))
            current = PG_FIRST
        for number in range(current + 1, VERSION + 1):
            step = PG_MIGRATIONS[number]
            if callable(step):
                step(db)
            else:
                for statement in statements(step):
                    db.execute(statement)
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", (str(VERSION),))
        db.execute("COMMIT")
    except BaseException:
        if not getattr(db, "broken", False):
            db.execute("ROLLBACK")
        raise
    return VERSION



def migrate(db: sqlite3.Connection, *, postgres: bool = False) -> int:
    """Apply the migrations ``db`` lacks; returns the version it is at now."""
    if postgres:
        return migrate_postgres(db)
    return migrate_sqlite(db)


@dataclass(frozen=True)
class StoreState:
    generation: int
    has_entries: bool


def peek(path: Path, url: str | None = None) -> StoreState | None:
    """The generation of the store at ``path`` (or, with ``url``, of that PostgreSQL database) and
    whether it holds entries, or None when there is no readable store there."""
    if url:
        import psycopg

        try:
            with psycopg.connect(url, connect_timeout=5) as pg:
                row = pg.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
                has_entries = pg.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is not None
        except psycopg.Error:
            return None
        return StoreState(int(row[0]) if row else 0, has_entries)
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        has_entries = db.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is not None
    except sqlite3.Error:
        return None
    finally:
        db.close()
    return StoreState(int(row[0]) if row else 0, has_entries)
