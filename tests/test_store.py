"""The store's schema and its migrations: a database made before migrations were numbered (the
tables the previous release created, entries and clips in them) upgrades in place, row for row."""

from __future__ import annotations

import sqlite3

import pytest

from dictionary.model import Entry, Provenance, Status
from dictionary.storage.datasets import Dataset
from dictionary.storage.schema import VERSION, SchemaTooNew, peek
from dictionary.storage.store import Storage

# The tables exactly as the release before numbered migrations created them.
PREVIOUS_RELEASE = """
CREATE TABLE datasets (name TEXT PRIMARY KEY, format TEXT NOT NULL, citation TEXT, licence TEXT,
    source_file TEXT, sha256 TEXT, imported_at TEXT NOT NULL, entries INTEGER NOT NULL);
CREATE TABLE entries (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, language TEXT NOT NULL,
    dataset TEXT NOT NULL, headword TEXT NOT NULL, status TEXT NOT NULL, body BLOB NOT NULL);
CREATE INDEX entries_dataset ON entries(dataset);
CREATE INDEX entries_language ON entries(language);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('generation', '7');
CREATE TABLE audio_clips (id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('recording', 'synthetic')),
    entry_id TEXT, language TEXT NOT NULL, text TEXT NOT NULL, speaker TEXT, sex TEXT, dialect TEXT,
    licence TEXT, attribution TEXT, recorded_on TEXT, engine TEXT, voice TEXT,
    approximate INTEGER NOT NULL DEFAULT 0, original_sha TEXT NOT NULL, original_type TEXT NOT NULL,
    original_bytes INTEGER NOT NULL, playback_sha TEXT NOT NULL, playback_type TEXT NOT NULL,
    playback_bytes INTEGER NOT NULL, duration_ms INTEGER NOT NULL, sample_rate INTEGER, channels INTEGER,
    source_lufs REAL, source TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX audio_clips_entry ON audio_clips(entry_id);
"""
ENTRY = ('{"id": "tyz-0123456789ab", "language": "tyz", "headword": "nặm", "variants": [], "senses": '
         '[{"glosses": {"vie": ["nước"]}}], "pronunciations": [], "provenance": {"dataset": "sample-tyz"}, '
         '"status": "draft", "extra": {}}')


def test_a_store_of_the_previous_release_upgrades_in_place(tmp_path):
    path = tmp_path / "tudien.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(PREVIOUS_RELEASE)
    db.execute("INSERT INTO datasets VALUES ('sample-tyz', 'tsv', NULL, 'CC-BY-4.0', NULL, NULL, '2026-01-01', 1)")
    db.execute("INSERT INTO entries (id, language, dataset, headword, status, body) VALUES "
               "('tyz-0123456789ab', 'tyz', 'sample-tyz', 'nặm', 'draft', ?)", (ENTRY,))
    db.execute("INSERT INTO audio_clips (id, kind, entry_id, language, text, original_sha, original_type, "
               "original_bytes, playback_sha, playback_type, playback_bytes, duration_ms, source, created_at) "
               "VALUES ('r1', 'recording', 'tyz-0123456789ab', 'tyz', 'nặm', 'a', 'audio/wav', 10, 'b', "
               "'audio/mpeg', 5, 400, 'upload', '2026-01-01')")
    db.commit()
    db.close()

    store = Storage(path)
    assert store.core.db.execute("PRAGMA user_version").fetchone()[0] == VERSION
    assert store.feed.generation == 7 and store.entries.count() == 1
    assert store.entries.get("tyz-0123456789ab").headword == "nặm"
    assert [c["id"] for c in store.clips.recordings(["tyz-0123456789ab"])["tyz-0123456789ab"]] == ["r1"]
    assert peek(path).generation == 7 and peek(path).has_entries
    store.close()
    Storage(path).close()  # opening again applies nothing twice


def test_a_store_of_a_later_release_is_not_written_to(tmp_path):
    path = tmp_path / "tudien.sqlite3"
    Storage(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {VERSION + 1}")
    db.close()
    with pytest.raises(SchemaTooNew):
        Storage(path)


def test_peek_at_no_store(tmp_path):
    assert peek(tmp_path / "none.sqlite3") is None


def test_the_meanings_of_the_public_text_are_kept_for_the_ranking(tmp_path):
    """An entry's count of meanings follows its published text: a draft does not move it."""
    store = Storage(tmp_path / "s.sqlite")
    many = Entry(id="bdq-aaaaaaaaaaaa", language="bdq", headword="hnam", provenance=Provenance(dataset="d"),
                 senses=[{"glosses": {"vie": ["nhà", "gia đình", "buồng"]}}, {"glosses": {"vie": ["chỗ ở"]}},
                         {"glosses": {"vie": ["nhà"]}}, {"glosses": {"vie": ["hộ"]}}])
    store.datasets.replace(Dataset("d", "csv"), [many])
    assert list(store.entries.broad(5).values()) == [6] and store.entries.broad(6) == {}
    fewer = many.model_copy(update={"senses": many.senses[:1]})
    store.entries.write_revision(fewer, author="ed", comment=None, status=Status.draft, action="edit")
    assert list(store.entries.broad(0).values()) == [6]  # the public still reads six meanings
    store.entries.write_revision(fewer, author="ed", comment=None, status=Status.published, action="publish")
    assert list(store.entries.broad(0).values()) == [3]
    store.entries.write_revision(fewer, author="ed", comment=None, status=Status.retired, action="retire")
    assert store.entries.broad(0) == {}


def test_removing_a_dataset_closes_the_suggestions_on_its_entries(tmp_path):
    """Open suggestions on removed entries are closed with the reason, kept, never left pointing
    at an entry that is gone (the editors' queue would fail on them)."""
    store = Storage(tmp_path / "s.sqlite")
    entry = Entry(id="tyz-aaaaaaaaaaaa", language="tyz", headword="mạ", provenance=Provenance(dataset="d"),
                  senses=[{"glosses": {"vie": ["ngựa"]}}])
    store.datasets.replace(Dataset("d", "tsv"), [entry])
    number = store.suggestions.add(entry.id, "tyz", "Nghĩa khác: con ngựa", None, None)
    assert store.datasets.remove("d", actor="quan.tri") == 1
    closed = store.suggestions.get(number)
    assert closed["status"] == "dismissed" and closed["resolved_by"] == "quan.tri" and "xoá" in closed["comment"]
    assert store.suggestions.select("open", None) == []
