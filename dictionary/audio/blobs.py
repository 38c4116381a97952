"""Audio bytes stored by their SHA-256 under the data directory.

A path is only ever built from a hash this module computed or checked, never from user input.
Writes go to a temporary file in the same folder and are renamed into place, so a crash or a
failed synthesis never leaves a partial or empty file under a real name.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

_SHA = re.compile(r"[0-9a-f]{64}")


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha: str) -> Path:
        if not _SHA.fullmatch(sha):
            raise ValueError(f"not a SHA-256: {sha!r}")
        return self.root / sha[:2] / sha

    def put(self, data: bytes) -> str:
        if not data:
            raise ValueError("refusing to store an empty file")
        sha = hashlib.sha256(data).hexdigest()
        target = self.path(sha)
        if target.exists() and target.stat().st_size == len(data):
            return sha
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def exists(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def delete(self, sha: str) -> bool:
        try:
            self.path(sha).unlink()
        except FileNotFoundError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        """Every stored hash (temporary files left by a crash are listed as stray by ``strays``)."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir():
                for file in sorted(folder.iterdir()):
                    if _SHA.fullmatch(file.name):
                        yield file.name

    def strays(self) -> list[Path]:
        """Files that are not blobs: temporary files of an interrupted write, anything else."""
        if not self.root.is_dir():
            return []
        out = []
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir():
                out.append(folder)
                continue
            out += [f for f in sorted(folder.iterdir()) if not _SHA.fullmatch(f.name)]
        return out
