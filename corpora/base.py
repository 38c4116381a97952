"""What every importer shares: located problems, reading text safely, the result of a parse."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from dictionary.errors import ImportRejected
from dictionary.model import Entry


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a source file, located first: ``bahnaric.csv:4812: Bahnaric: empty headword``."""

    location: str
    field: str | None
    message: str
    severity: str = "error"  # or "warning": reported, not blocking

    def __str__(self) -> str:
        where = f"{self.location}: {self.field}" if self.field else self.location
        return f"{where}: {self.message}"


@dataclass
class Parsed:
    """The entries a file yields, and everything found wrong with it."""

    entries: list[Entry]
    problems: list[Problem] = field(default_factory=list)
    records: int = 0  # rows or elements read
    notes: list[str] = field(default_factory=list)  # facts worth reporting (merged duplicates…)
    citation: str | None = None
    licence: str | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive (an .xlsx or .docx file, or a zipped export)",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document (.xls/.doc)",
    b"SQLite format 3": "an SQLite database",
}


def read_text(path: Path, expected: str) -> str:
    """The file's text, or :class:`ImportRejected` with a sentence saying what it is instead.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are read; anything else is refused with
    the line of the first byte that is not UTF-8.
    """
    name = path.name
    data = path.read_bytes()
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ImportRejected(
                f"{name}: this is {what}, not {expected} text; export it as UTF-8 {expected} "
                "and import that file."
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:8192]:
        raise ImportRejected(
            f"{name}: this is a binary file, not {expected} text; export it as UTF-8 {expected}."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportRejected(
            f"{name}:{line}: the file is not UTF-8 (byte 0x{data[exc.start]:02X} cannot start a "
            "UTF-8 character); save it as UTF-8 (in LibreOffice: Save As → Text CSV → "
            "Character set: Unicode (UTF-8)) and import it again."
        ) from None
