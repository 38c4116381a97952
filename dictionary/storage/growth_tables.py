"""Migration 11's tables: demand (missed look-ups and entry look-ups per day, no client kept),
term requests and the worklist's decisions, speakers, recording campaigns and their takes, and
the review columns of recordings, as data.  :mod:`dictionary.storage.migrations` applies them on SQLite,
:mod:`dictionary.storage.schema` on PostgreSQL (the same text, with PostgreSQL's numbered keys)."""

from __future__ import annotations

GROWTH = """
CREATE TABLE IF NOT EXISTS misses (
    day    TEXT NOT NULL,
    term   TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('search', 'translate')),
    text   TEXT NOT NULL,
    count  INTEGER NOT NULL,
    PRIMARY KEY (day, term, source, target, origin)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS misses_term ON misses(term);
CREATE TABLE IF NOT EXISTS lookups (
    day      TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    count    INTEGER NOT NULL,
    PRIMARY KEY (day, entry_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS lookups_entry ON lookups(entry_id);
CREATE TABLE IF NOT EXISTS term_requests (
    id        INTEGER PRIMARY KEY,
    term      TEXT NOT NULL,
    language  TEXT NOT NULL,
    text      TEXT NOT NULL,
    context   TEXT,
    contact   TEXT,
    count     INTEGER NOT NULL,
    at        TEXT NOT NULL,
    last_at   TEXT NOT NULL,
    UNIQUE (term, language)
);
CREATE TABLE IF NOT EXISTS worklist (
    language TEXT NOT NULL,
    term     TEXT NOT NULL,
    status   TEXT NOT NULL CHECK (status IN ('done', 'dismissed')),
    entry_id TEXT,
    reason   TEXT,
    actor    TEXT NOT NULL,
    at       TEXT NOT NULL,
    PRIMARY KEY (language, term)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS speakers (
    id           INTEGER PRIMARY KEY,
    language     TEXT NOT NULL,
    account      TEXT,
    name         TEXT NOT NULL,
    sex          TEXT,
    decade       INTEGER,
    commune      TEXT,
    district     TEXT,
    province     TEXT,
    variety      TEXT,
    licence      TEXT NOT NULL,
    consent      TEXT NOT NULL,
    consented_on TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    withdrawn_at TEXT,
    withdrawn_by TEXT
);
CREATE INDEX IF NOT EXISTS speakers_account ON speakers(account);
CREATE TABLE IF NOT EXISTS campaigns (
    id         INTEGER PRIMARY KEY,
    language   TEXT NOT NULL,
    name       TEXT NOT NULL,
    dataset    TEXT,
    ordering   TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS campaign_items (
    campaign INTEGER NOT NULL,
    position INTEGER NOT NULL,
    entry_id TEXT NOT NULL,
    PRIMARY KEY (campaign, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS campaign_takes (
    take     TEXT PRIMARY KEY,
    campaign INTEGER NOT NULL,
    entry_id TEXT NOT NULL,
    speaker  INTEGER NOT NULL,
    clip_id  TEXT NOT NULL,
    at       TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS campaign_takes_campaign ON campaign_takes(campaign);
"""
# a recording's review: accepted unless it came from a campaign (pending until accepted or rejected)
# or its speaker withdrew (withdrawn); the speaker's profile and consent; who reviewed it and why
CLIP_REVIEW = (("review", "TEXT NOT NULL DEFAULT 'accepted'"), ("speaker_id", "INTEGER"), ("reviewed_by", "TEXT"),
               ("review_reason", "TEXT"))
