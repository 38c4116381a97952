"""The store's tables as SQLite migrations: numbered steps, each in its own transaction.

``PRAGMA user_version`` records the last one applied, and opening a store for writing applies the
ones it lacks.  A database made before migrations were numbered (version 0, tables made by
``CREATE TABLE IF NOT EXISTS``) upgrades the same way.  The same tables on PostgreSQL are made
by :mod:`dictionary.storage.schema`.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import orjson

from dictionary.errors import DictionaryError
from dictionary.storage.chain import chain_existing
from dictionary.storage.growth_tables import CLIP_REVIEW, GROWTH
from dictionary.storage.sso_tables import SINGLE_SIGN_ON


class SchemaTooNew(DictionaryError):
    """The database was made by a later release; this one must not write to it."""


# 13, on both kinds of database: the new columns, then the rest
TWO_FACTOR_COLUMNS = (
    ("accounts", "external", "INTEGER NOT NULL DEFAULT 0"), ("accounts", "totp_secret", "TEXT"),
    ("accounts", "totp_pending", "TEXT"), ("accounts", "totp_step", "INTEGER"),
    ("accounts", "totp_enrolled_at", "TEXT"), ("sessions", "last_used", "TEXT"), ("sessions", "agent", "TEXT"),
    ("sessions", "stage", "TEXT NOT NULL DEFAULT 'full'"), ("sessions", "handle", "TEXT"),
)
TWO_FACTOR = """
    UPDATE sessions SET last_used = COALESCE(last_used, created_at), handle = COALESCE(handle, substr(digest, 1, 16));
    CREATE INDEX IF NOT EXISTS sessions_handle ON sessions(handle);
    CREATE TABLE IF NOT EXISTS recovery_codes (
        account TEXT NOT NULL,
        digest  TEXT NOT NULL,
        used_at TEXT,
        PRIMARY KEY (account, digest)
    )
"""


def _two_factor(db: sqlite3.Connection) -> None:
    """13: two-factor sign-in and sessions that end when idle (a column already there is kept)."""
    for table, column, kind in TWO_FACTOR_COLUMNS:
        have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    for statement in statements(TWO_FACTOR):
        db.execute(statement)


def _single_sign_on(db: sqlite3.Connection) -> None:
    """14: single sign-on (:data:`SINGLE_SIGN_ON`; an ``email`` column already there is kept)."""
    have = {row[1] for row in db.execute("PRAGMA table_info(accounts)")}
    for statement in statements(SINGLE_SIGN_ON):
        if not (statement.startswith("ALTER TABLE accounts ADD COLUMN email") and "email" in have):
            db.execute(statement)


def statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _revisions(db: sqlite3.Connection) -> None:
    """4: entries get revisions and a review status.  Every entry already stored was public
    before review existed, so it becomes revision 1, published, written by its import."""
    for statement in statements("""
        ALTER TABLE entries ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE entries ADD COLUMN public BLOB;
        ALTER TABLE entries ADD COLUMN published_revision INTEGER;
        ALTER TABLE entries ADD COLUMN edited_at TEXT;
        ALTER TABLE entries ADD COLUMN authority INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX IF NOT EXISTS entries_status ON entries(status);
        CREATE TABLE IF NOT EXISTS revisions (
            entry_id TEXT NOT NULL,
            revision INTEGER NOT NULL,
            author   TEXT NOT NULL,
            at       TEXT NOT NULL,
            status   TEXT NOT NULL,
            comment  TEXT,
            changes  TEXT NOT NULL,
            body     BLOB NOT NULL,
            PRIMARY KEY (entry_id, revision)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS entry_changes (
            generation INTEGER NOT NULL,
            entry      INTEGER NOT NULL,
            entry_id   TEXT NOT NULL,
            PRIMARY KEY (generation, entry)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS suggestions (
            id          INTEGER PRIMARY KEY,
            entry_id    TEXT NOT NULL,
            language    TEXT NOT NULL,
            text        TEXT NOT NULL,
            contact     TEXT,
            client      TEXT,
            at          TEXT NOT NULL,
            status      TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'dismissed')),
            resolved_by TEXT,
            resolved_at TEXT,
            comment     TEXT
        );
        CREATE INDEX IF NOT EXISTS suggestions_status ON suggestions(status, language);
    """):
        db.execute(statement)
    imported = dict(db.execute("SELECT name, imported_at FROM datasets"))
    last = 0
    while True:
        rows = db.execute("SELECT rowid, id, dataset, body FROM entries WHERE rowid > ? ORDER BY rowid LIMIT 5000",
                          (last,)).fetchall()
        if not rows:
            break
        updates, revisions = [], []
        for rowid, entry_id, dataset, body in rows:
            entry = orjson.loads(body)
            entry["status"] = "published"
            body = orjson.dumps(entry)
            updates.append((body, body, rowid))
            revisions.append((entry_id, f"import:{dataset}", imported.get(dataset) or "", body))
        db.executemany("UPDATE entries SET status = 'published', body = ?, public = ?, published_revision = 1 "
                       "WHERE rowid = ?", updates)
        db.executemany("INSERT INTO revisions VALUES (?, 1, ?, ?, 'published', NULL, '[\"created\"]', ?)",
                       revisions)
        last = rows[-1][0]
    # the change feed starts here: an index built from an older generation needs a full rebuild
    db.execute("INSERT OR REPLACE INTO meta SELECT 'feed_start', value FROM meta WHERE key = 'generation'")


def _meanings(db: sqlite3.Connection) -> None:
    """6: how many meanings each entry's public text gives, kept beside it for the ranking
    (main meanings first)."""
    # here, not at the top: :func:`dictionary.storage.schema.peek` serves a process that must not
    # load the entry models (``tudien serve``'s supervisor)
    from dictionary.model import meanings

    db.execute("ALTER TABLE entries ADD COLUMN meanings INTEGER NOT NULL DEFAULT 0")
    last = 0
    while True:
        rows = db.execute("SELECT rowid, public FROM entries WHERE rowid > ? AND public IS NOT NULL "
                          "ORDER BY rowid LIMIT 5000", (last,)).fetchall()
        if not rows:
            break
        db.executemany("UPDATE entries SET meanings = ? WHERE rowid = ?",
                       [(meanings(orjson.loads(public)), rowid) for rowid, public in rows])
        last = rows[-1][0]
    db.execute("CREATE INDEX IF NOT EXISTS entries_meanings ON entries(meanings)")


def _change_feed(db: sqlite3.Connection) -> None:
    """8: the change feed gets a sequence number per change (an import of many entries makes one
    generation but as many changes, so a reader can page through it), the language whose readers
    a change concerns, and its time; it starts with every public entry, so that a reader starting
    from 0 gets the whole public dictionary; the store gets an identity a reader's cursor belongs to."""
    for statement in statements("""
        CREATE TABLE changes (
            seq        INTEGER PRIMARY KEY AUTOINCREMENT,
            generation INTEGER NOT NULL,
            entry      INTEGER NOT NULL,
            entry_id   TEXT NOT NULL,
            language   TEXT,
            at         TEXT NOT NULL
        );
        CREATE INDEX changes_generation ON changes(generation);
        CREATE INDEX changes_entry ON changes(entry);
        CREATE INDEX changes_language ON changes(language, seq)
    """):
        db.execute(statement)
    start = db.execute("SELECT value FROM meta WHERE key = 'feed_start'").fetchone()
    start = int(start[0]) if start else 0
    now = datetime.now(UTC).isoformat(timespec="seconds")
    # public entries no change since the feed began mentions: as they were when it began
    db.execute("INSERT INTO changes (generation, entry, entry_id, language, at) "
               "SELECT ?, rowid, id, language, ? FROM entries e WHERE public IS NOT NULL "
               "AND NOT EXISTS (SELECT 1 FROM entry_changes c WHERE c.entry = e.rowid) ORDER BY rowid",
               (start, now))
    # an entry that is gone concerns the readers of every language (a deletion of an entry a
    # reader never had is nothing)
    db.execute("INSERT INTO changes (generation, entry, entry_id, language, at) "
               "SELECT c.generation, c.entry, c.entry_id, e.language, ? FROM entry_changes c "
               "LEFT JOIN entries e ON e.rowid = c.entry ORDER BY c.generation, c.entry", (now,))
    db.execute("DROP TABLE entry_changes")
    db.execute("INSERT OR REPLACE INTO meta VALUES ('changes_start', '0')")
    db.execute("INSERT OR REPLACE INTO meta SELECT 'feed_head', CAST(COALESCE(MAX(seq), 0) AS TEXT) FROM changes")
    db.execute("INSERT OR IGNORE INTO meta VALUES ('store_id', ?)", (str(uuid.uuid4()),))


def _feed_head(db: sqlite3.Connection) -> None:
    """9: the feed's head kept in meta, where a store made by the first release of the feed has
    none: the largest number ever given (SQLite's own count of them, the changes kept, where the
    feed starts), so that no number is given twice."""
    given = [0]
    for sql in ("SELECT seq FROM sqlite_sequence WHERE name = 'changes'", "SELECT MAX(seq) FROM changes",
                "SELECT value FROM meta WHERE key IN ('feed_head', 'changes_start')"):
        given += [int(value) for (value,) in db.execute(sql) if value is not None]
    db.execute("INSERT OR REPLACE INTO meta VALUES ('feed_head', ?)", (str(max(given)),))


def _dataset_title(db: sqlite3.Connection) -> None:
    """10: a dataset's title, added once (SQLite's ALTER TABLE has no IF NOT EXISTS)."""
    if "title" not in {row[1] for row in db.execute("PRAGMA table_info(datasets)")}:
        db.execute("ALTER TABLE datasets ADD COLUMN title TEXT")

def _growth(db: sqlite3.Connection) -> None:
    """11: the tables of :data:`GROWTH` and the review columns of recordings (a store whose version
    was set back has them already)."""
    for statement in statements(GROWTH):
        db.execute(statement)
    have = {row[1] for row in db.execute("PRAGMA table_info(audio_clips)")}
    for name, kind in CLIP_REVIEW:
        if name not in have:
            db.execute(f"ALTER TABLE audio_clips ADD COLUMN {name} {kind}")
    db.execute("CREATE INDEX IF NOT EXISTS audio_clips_review ON audio_clips(review)")


def _audit_chain(db: sqlite3.Connection) -> None:
    """12: the audit log's chain (:mod:`dictionary.storage.chain`): each record's digest and the
    one before it, the records already kept chained in order (added once: a store whose version
    was set back has the columns)."""
    have = {row[1] for row in db.execute("PRAGMA table_info(audit_log)")}
    for name in ("prev", "digest"):
        if name not in have:
            db.execute(f"ALTER TABLE audit_log ADD COLUMN {name} TEXT")
    chain_existing(db)


MIGRATIONS: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    # 1: entries, datasets and the generation counter
    """
    CREATE TABLE IF NOT EXISTS datasets (
        name        TEXT PRIMARY KEY,
        format      TEXT NOT NULL,
        citation    TEXT,
        licence     TEXT,
        source_file TEXT,
        sha256      TEXT,
        imported_at TEXT NOT NULL,
        entries     INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS entries (
        rowid    INTEGER PRIMARY KEY,
        id       TEXT NOT NULL UNIQUE,
        language TEXT NOT NULL,
        dataset  TEXT NOT NULL,
        headword TEXT NOT NULL,
        status   TEXT NOT NULL,
        body     BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS entries_dataset ON entries(dataset);
    CREATE INDEX IF NOT EXISTS entries_language ON entries(language);
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT OR IGNORE INTO meta VALUES ('generation', '0');
    """,
    # 2: the pronunciation catalogue (recordings and synthetic clips; the bytes are blobs on disk)
    """
    CREATE TABLE IF NOT EXISTS audio_clips (
        id             TEXT PRIMARY KEY,
        kind           TEXT NOT NULL CHECK (kind IN ('recording', 'synthetic')),
        entry_id       TEXT,
        language       TEXT NOT NULL,
        text           TEXT NOT NULL,
        speaker        TEXT,
        sex            TEXT,
        dialect        TEXT,
        licence        TEXT,
        attribution    TEXT,
        recorded_on    TEXT,
        engine         TEXT,
        voice          TEXT,
        approximate    INTEGER NOT NULL DEFAULT 0,
        original_sha   TEXT NOT NULL,
        original_type  TEXT NOT NULL,
        original_bytes INTEGER NOT NULL,
        playback_sha   TEXT NOT NULL,
        playback_type  TEXT NOT NULL,
        playback_bytes INTEGER NOT NULL,
        duration_ms    INTEGER NOT NULL,
        sample_rate    INTEGER,
        channels       INTEGER,
        source_lufs    REAL,
        source         TEXT NOT NULL,
        created_at     TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS audio_clips_entry ON audio_clips(entry_id);
    """,
    # 3: accounts (tokens and passwords kept only as hashes) and the append-only audit log
    """
    CREATE TABLE IF NOT EXISTS accounts (
        name          TEXT PRIMARY KEY,
        role          TEXT NOT NULL CHECK (role IN ('contributor', 'editor', 'admin')),
        languages     TEXT NOT NULL,
        token_hash    TEXT UNIQUE,
        password_hash TEXT,
        disabled      INTEGER NOT NULL DEFAULT 0,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS audit_log (
        id      INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,
        actor   TEXT NOT NULL,
        client  TEXT,
        action  TEXT NOT NULL,
        target  TEXT,
        detail  TEXT
    );
    CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log(at);
    """,
    # 4: revisions, review status, the published text apart, the change feed, suggestions
    _revisions,
    # 5: sign-in sessions of the pages (kept as digests) and failed sign-ins (for the pause)
    """
    CREATE TABLE IF NOT EXISTS sessions (
        digest     TEXT PRIMARY KEY,
        account    TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        client     TEXT
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS sessions_account ON sessions(account);
    CREATE TABLE IF NOT EXISTS sign_in_failures (
        id     INTEGER PRIMARY KEY,
        name   TEXT NOT NULL,
        client TEXT NOT NULL,
        at     REAL NOT NULL
    );
    CREATE INDEX IF NOT EXISTS sign_in_failures_name ON sign_in_failures(name, at);
    CREATE INDEX IF NOT EXISTS sign_in_failures_client ON sign_in_failures(client, at);
    """,
    # 6: the number of meanings of each entry's public text (the ranking's main-meaning rule)
    _meanings,
    # 7: what a dataset is, in words a reader needs (research data, an approved dictionary…)
    "ALTER TABLE datasets ADD COLUMN description TEXT",
    # 8: the change feed numbered per change, by language, from the whole public dictionary
    _change_feed,
    # 9: the change feed's head kept in meta (stores made before it was)
    _feed_head,
    # 10: a dataset's title as a person writes it, for public pages ("sample-khm" is a file's name)
    _dataset_title,
    # 11: demand and growth: missed searches and entry lookups counted per day (no client kept),
    # term requests, the worklist's decisions, speakers, recording campaigns, recordings' review
    _growth,
    # 12: the audit log made tamper-evident: each record carries the digest of the one before it
    _audit_chain,
    # 13: two-factor sign-in (a TOTP secret, one-time recovery codes kept as digests, an account
    # whose provider checks the second factor) and sessions that end when idle
    _two_factor,
    # 14: single sign-on: sign-ins under way at the provider, the provider's accounts linked to
    # local ones, each provider session's tokens and their expiry, and an account's e-mail (to
    # link by, when an admin allows it)
    _single_sign_on,
)
VERSION = len(MIGRATIONS)


def migrate_sqlite(db: sqlite3.Connection) -> int:
    """Apply the migrations ``db`` lacks; returns the version it is at now."""
    current = db.execute("PRAGMA user_version").fetchone()[0]
    if current > VERSION:
        raise SchemaTooNew(f"the store is at schema version {current}; this release knows {VERSION}")
    for number in range(current + 1, VERSION + 1):
        db.execute("BEGIN IMMEDIATE")
        if db.execute("PRAGMA user_version").fetchone()[0] >= number:  # another process did it meanwhile
            db.execute("COMMIT")
            continue
        try:
            migration = MIGRATIONS[number - 1]
            if callable(migration):
                migration(db)
            else:
                for statement in statements(migration):
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return VERSION
