"""Backups that restore: the store, the audio files and a manifest of their digests.

A program-level operation over the settings rather than a domain service: it works on what the
settings place (the data directory, the audio folder, the PostgreSQL database) and runs the
database's own tools, below the rooms.  ``tudien backup DIR`` writes

- ``tudien.sqlite3``, a copy made with SQLite's online backup API (writers may go on meanwhile),
  or with ``TUDIEN_DATABASE_URL`` ``tudien.pgdump``, made by ``pg_dump -Fc``;
- ``audio/``, the audio folder as it is (files named by their SHA-256, so a copy is exact);
- ``manifest.json``, last: the SHA-256 and size of every other file.

``tudien restore DIR`` checks every digest first and restores nothing if one is wrong or a file
is missing, and then only into an empty data directory (and an empty database).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from dictionary.errors import DictionaryError
from dictionary.storage.schema import VERSION, peek

from .settings import Settings

MANIFEST = "manifest.json"
SQLITE_FILE = "tudien.sqlite3"
PG_FILE = "tudien.pgdump"
AUDIO = "audio"
FORMAT = 1


class BackupError(DictionaryError):
    """A backup that cannot be made, or restored."""


@dataclass(frozen=True)
class Manifest:
    kind: str  # "sqlite" or "postgresql"
    files: dict[str, dict]  # path inside the backup → {"sha256", "bytes"}

    @property
    def audio_files(self) -> int:
        return sum(1 for name in self.files if name.startswith(AUDIO + "/"))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _empty(folder: Path) -> bool:
    return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))


def postgres_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: beside the server scripts/postgres runs (the newest
    /usr/lib/postgresql/*/bin), else on PATH; BackupError when neither has it."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if found and os.access(found[-1], os.X_OK):
        return str(found[-1])
    on_path = shutil.which(name)
    if on_path is None:
        raise BackupError(f"Không tìm thấy {name} (trong /usr/lib/postgresql/*/bin hay trên PATH): hãy cài gói "
                          "postgresql-client cùng phiên bản với máy chủ, rồi chạy lại.")
    return on_path


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what} thất bại (mã {done.returncode}): {done.stderr.strip()[-800:]}")


def backup(settings: Settings, target: Path) -> Manifest:
    """Back the store and the audio files of ``settings`` up into the empty (or new) folder ``target``."""
    target = Path(target)
    if not _empty(target):
        raise BackupError(f"Thư mục {target} đã có tệp: hãy chọn một thư mục trống hoặc chưa có cho bản sao lưu.")
    target.mkdir(parents=True, exist_ok=True)
    if settings.database_url:
        kind = "postgresql"
        _run([postgres_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(target / PG_FILE), settings.database_url],
             "pg_dump")
    else:
        kind = "sqlite"
        if not settings.store_path.exists():
            raise BackupError(f"Không có kho dữ liệu tại {settings.store_path}: không có gì để sao lưu.")
        source = sqlite3.connect(f"file:{settings.store_path}?mode=ro", uri=True)
        copy = sqlite3.connect(target / SQLITE_FILE)
        try:
            source.backup(copy)  # a consistent copy, page by page, while others may write
        finally:
            copy.close()
            source.close()
    # the audio after the store: a recording the copied store names was written before it
    if settings.audio_dir.is_dir():
        shutil.copytree(settings.audio_dir, target / AUDIO, copy_function=shutil.copy2)
    files = {path.relative_to(target).as_posix(): {"sha256": sha256_of(path), "bytes": path.stat().st_size}
             for path in sorted(target.rglob("*")) if path.is_file()}
    (target / MANIFEST).write_bytes(orjson.dumps({
        "format": FORMAT, "kind": kind, "schema": VERSION, "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files}, option=orjson.OPT_INDENT_2))
    return Manifest(kind, files)


def check(source: Path) -> Manifest:
    """The manifest of the backup in ``source``, every file's digest checked: BackupError naming
    the first file missing or changed."""
    source = Path(source)
    try:
        manifest = orjson.loads((source / MANIFEST).read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise BackupError(f"{source / MANIFEST}: không đọc được bản kê của bản sao lưu ({exc}).") from None
    if manifest.get("format") != FORMAT or manifest.get("kind") not in ("sqlite", "postgresql"):
        raise BackupError(f"{source / MANIFEST}: không phải bản kê của một bản sao lưu Từ điển (định dạng {FORMAT}).")
    if manifest.get("schema", 0) > VERSION:
        raise BackupError(f"Bản sao lưu ở phiên bản lược đồ {manifest['schema']}; bản phát hành này chỉ biết "
                          f"đến {VERSION}: hãy khôi phục bằng bản phát hành mới hơn.")
    files: dict[str, dict] = manifest["files"]
    main = PG_FILE if manifest["kind"] == "postgresql" else SQLITE_FILE
    if main not in files:
        raise BackupError(f"{source / MANIFEST}: bản kê không có tệp {main}.")
    for name, info in files.items():
        path = source / name
        if ".." in Path(name).parts or not path.is_file():
            raise BackupError(f"{path}: thiếu tệp có trong bản kê; không khôi phục gì.")
        if sha256_of(path) != info["sha256"]:
            raise BackupError(f"{path}: mã băm SHA-256 không khớp bản kê (tệp đã bị sửa hoặc hỏng); "
                              "không khôi phục gì.")
    return Manifest(manifest["kind"], files)


def restore(settings: Settings, source: Path) -> Manifest:
    """Restore the backup in ``source`` into the empty data directory (and database) of ``settings``."""
    source = Path(source)
    manifest = check(source)
    wants_pg = manifest.kind == "postgresql"
    if wants_pg != bool(settings.database_url):
        raise BackupError("Bản sao lưu là của PostgreSQL: hãy đặt TUDIEN_DATABASE_URL tới một cơ sở dữ liệu trống."
                          if wants_pg else "Bản sao lưu là của SQLite: hãy bỏ TUDIEN_DATABASE_URL để khôi phục "
                          "vào thư mục dữ liệu.")
    for folder in {settings.data_dir, settings.audio_dir}:
        if not _empty(folder):
            raise BackupError(f"Thư mục {folder} không trống: chỉ khôi phục vào một thư mục dữ liệu trống "
                              "(hãy đặt TUDIEN_DATA_DIR tới một thư mục mới).")
    if wants_pg and peek(settings.store_path, settings.database_url) is not None:
        raise BackupError("Cơ sở dữ liệu ở TUDIEN_DATABASE_URL đã có kho dữ liệu: chỉ khôi phục vào một cơ sở "
                          "dữ liệu trống.")
    made = [folder for folder in (settings.data_dir, settings.audio_dir) if not folder.exists()]
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        if wants_pg:
            _run([postgres_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction", "-d", settings.database_url or "",
                  str(source / PG_FILE)], "pg_restore")
        else:
            shutil.copy2(source / SQLITE_FILE, settings.store_path)
        for name in manifest.files:
            if name.startswith(AUDIO + "/"):
                to = settings.audio_dir / name.removeprefix(AUDIO + "/")
                to.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / name, to)
    except BaseException:
        for folder in (settings.data_dir, settings.audio_dir):  # empty before: left as found
            if folder.exists():
                shutil.rmtree(folder)
                if folder not in made:
                    folder.mkdir(parents=True)
        raise
    return manifest
