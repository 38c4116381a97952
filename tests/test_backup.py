"""Backups that restore: `tudien backup DIR` copies the store (SQLite's online backup API, or
pg_dump) and the audio files with a manifest of their digests; `tudien restore DIR` checks every
digest, restores into an empty data directory only, and rebuilds the index.  What comes back is
compared with what was there: every entry, revision, account, recording and audio file, and the
audit log whose chain still holds."""

from __future__ import annotations

import hashlib

import orjson
import pytest
from audio_support import espeak_wav
from support import CheckedClient, Library

from corpora.sample import load_sample
from dictionary.audio.recording import RecordingInfo
from dictionary.storage.store import Storage
from tudien.cli import main

NEW = {"language": "tyz", "headword": "vài", "pos": "n", "senses": [{"glosses": {"vie": ["trâu"]}}]}
TABLES = {"entries": "id", "revisions": "entry_id, revision", "accounts": "name", "audio_clips": "id",
          "audit_log": "id", "datasets": "name", "changes": "seq"}


def env_of(data_dir, url: str | None) -> dict[str, str]:
    return {"TUDIEN_DATA_DIR": str(data_dir), **({"TUDIEN_DATABASE_URL": url} if url else {})}


def contents(storage: Storage) -> dict[str, list[dict]]:
    return {table: storage.core.rows(f"SELECT * FROM {table} ORDER BY {order}") for table, order in TABLES.items()}


def audio_files(folder) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def filled(tmp_path, store_kind):
    """A store with the sample, an entry with five revisions, accounts with passwords, an audit
    log and a recording."""
    lib = Library(tmp_path / "data", database_url=store_kind)
    load_sample(lib.services.collection)
    lib.index()
    accounts = lib.services.accounts
    tokens = {"contributor": accounts.add("hoang.a", "contributor", "tyz", actor="cli:test"),
              "editor": accounts.add("le.b", "editor", "tyz", "mật-khẩu-dài-đủ", actor="cli:test")}
    who = {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}
    with CheckedClient(lib.app()) as client:
        made = client.post("/v1/entries", headers=who["contributor"], json=NEW).json()["id"]
        client.put(f"/v1/entries/{made}", headers={**who["contributor"], "If-Match": '"r1"'},
                   json={**NEW, "senses": [{"glosses": {"vie": ["trâu", "trâu nước"]}}]})
        client.post(f"/v1/entries/{made}/status", headers=who["contributor"], json={"status": "review"})
        assert client.post(f"/v1/entries/{made}/status", headers=who["editor"],
                           json={"status": "published"}).status_code == 200
    clip, created = lib.audio.add_recording(made, espeak_wav("vài"), RecordingInfo("Người đọc A", "CC BY 4.0"),
                                            actor="le.b")
    assert created
    accounts.sign_in("le.b", "mật-khẩu-dài-đủ", "10.0.0.1")
    yield lib, made, clip["id"]
    lib.close()


def test_backup_then_restore_into_a_new_data_dir_gives_back_everything(filled, tmp_path, request, capsys):
    lib, made, clip = filled
    url = lib.settings.database_url
    before = contents(lib.store)
    assert len(before["revisions"]) >= 4 and len(before["accounts"]) == 2 and len(before["audio_clips"]) == 1
    assert len(before["audit_log"]) >= 8
    sounds = audio_files(lib.settings.audio_dir)
    assert len(sounds) >= 2  # the original and its playback copy

    target = tmp_path / "sao-luu"
    assert main(["backup", str(target)], env_of(lib.settings.data_dir, url)) == 0  # the store is open meanwhile
    assert "audio files" in capsys.readouterr().out
    manifest = orjson.loads((target / "manifest.json").read_bytes())
    assert manifest["kind"] == ("postgresql" if url else "sqlite")
    assert {name for name in manifest["files"] if name.startswith("audio/")} == {f"audio/{n}" for n in sounds}
    lib.close()  # the original goes away; only the backup is left to restore from

    restored_url = None
    if url:
        server = request.getfixturevalue("postgres")
        restored_url = server.database()  # a new, empty database
        request.addfinalizer(lambda: server.drop(restored_url))
    new_dir = tmp_path / "moi" / "data"
    assert main(["restore", str(target)], env_of(new_dir, restored_url)) == 0
    out = capsys.readouterr().out
    assert "every digest checked" in out and "index rebuilt from 41 entries" in out

    again = Library(new_dir, database_url=restored_url)
    try:
        assert contents(again.store) == before
        assert audio_files(again.settings.audio_dir) == sounds
        assert again.services.audio.get(clip)["entry_id"] == made
        assert made in [h.entry["id"] for h in again.search("trâu nước").hits]  # the index was rebuilt
        assert again.services.accounts.sign_in("le.b", "mật-khẩu-dài-đủ", "10.0.0.1")[0].name == "le.b"
    finally:
        again.close()
    assert main(["audit", "verify"], env_of(new_dir, restored_url)) == 0
    assert capsys.readouterr().out.startswith("the chain holds over ")


def test_restore_refuses_a_data_dir_in_use_and_a_backup_that_was_changed(tmp_path, capsys):
    lib = Library(tmp_path / "data")
    load_sample(lib.services.collection)
    env = env_of(lib.settings.data_dir, None)
    target = tmp_path / "sao-luu"
    assert main(["backup", str(target)], env) == 0
    assert main(["backup", str(target)], env) == 1  # a backup folder is new or empty
    assert "đã có tệp" in capsys.readouterr().err
    lib.close()

    assert main(["restore", str(target)], env) == 1  # the data dir holds a store
    assert "không trống" in capsys.readouterr().err

    new_dir = tmp_path / "moi"
    with (target / "tudien.sqlite3").open("r+b") as f:  # one byte changed
        f.seek(200)
        byte = f.read(1)
        f.seek(200)
        f.write(bytes([byte[0] ^ 1]))
    assert main(["restore", str(target)], env_of(new_dir, None)) == 1
    err = capsys.readouterr().err
    assert "tudien.sqlite3: mã băm SHA-256 không khớp" in err and "không khôi phục gì" in err
    assert not new_dir.exists()  # nothing restored

    (target / "tudien.sqlite3").unlink()
    assert main(["restore", str(target)], env_of(new_dir, None)) == 1
    assert "thiếu tệp" in capsys.readouterr().err and not new_dir.exists()
