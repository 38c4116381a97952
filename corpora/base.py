"""What every importer shares: located problems, reading text safely, the result of a parse."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dictionary.errors import ImportRejected
from dictionary.model import Entry
from dictionary.text import legacy


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


@dataclass(frozen=True)
class Columns:
    """Which columns of a table (CSV, TSV, XLSX) hold what."""

    headword: str
    gloss: str | None  # the Vietnamese gloss; a list glossed in English only has none
    english: str | None = None
    pos: str | None = None
    variants: str | None = None
    ipa: str | None = None

    def mapped(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


@dataclass(frozen=True)
class ReadOptions:
    """What an import is told besides its file: the format, the dataset, and the options of the
    formats that have some (each reader takes those it knows)."""

    format: str
    dataset: str
    language: str | None = None
    citation: str | None = None
    licence: str | None = None
    legacy: str = "auto"
    columns: Columns | None = None  # CSV, TSV, XLSX
    variety: str | None = None
    sheet: str | None = None
    skip_empty: bool = False
    markers: tuple[str, ...] = ()  # Toolbox
    record_marker: str = "lx"
    encoding: str | None = None


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




_BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive (an .xlsx or .docx file, or a zipped export)",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document (.xls/.doc)",
    b"SQLite format 3": "an SQLite database",
}


def read_text(path: Path, expected: str, legacy_mode: str = "auto",
              encoding: str | None = None) -> tuple[str, legacy.Conversion | None]:
    """The file's text and the legacy conversion applied to it, or :class:`ImportRejected` with
    a sentence saying what the file is instead.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are read.  Text in a legacy Vietnamese
    encoding (TCVN3, VNI-Windows), whether saved as Unicode or as the fonts' own bytes, is
    converted when ``legacy_mode`` is ``auto`` and reads as one, or when it names the encoding.
    Anything else is refused with the line of the first byte that is not UTF-8, unless
    ``encoding`` names the 8-bit code page the file is in (``cp874``, ``cp1252``…): then it is
    converted from that, and refused with the line of a byte the code page does not have.
    """
    name = path.name
    data = path.read_bytes()
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise ImportRejected(
                f"{name}: this is {what}, not {expected} text; export it as UTF-8 {expected} "
                "and import that file."
            )
    if encoding is not None:
        if not data.isascii() and _is_utf8(data):
            raise ImportRejected(f"{name}: the file is already UTF-8; import it without --encoding "
                                 f"(read as {encoding}, its letters would be garbled).")
        try:
            return data.decode(encoding).removeprefix("\ufeff"), None
        except LookupError:
            raise ImportRejected(f"{name}: unknown encoding {encoding!r}; name a Python codec such as "
                                 "cp874, cp1252 or latin-1.") from None
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise ImportRejected(f"{name}:{line}: byte 0x{data[exc.start]:02X} is not a character of "
                                 f"{encoding}; is the file in another encoding?") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _convert(data.decode("utf-16"), legacy_mode, name)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:8192]:
        raise ImportRejected(
            f"{name}: this is a binary file, not {expected} text; export it as UTF-8 {expected}."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if legacy_mode != "off":
            # The fonts' own bytes: each is one Latin-1 character, the form detection reads.
            text, conversion = _convert(data.decode("latin-1"), legacy_mode, name)
            if conversion is not None:
                return text, conversion
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportRejected(
            f"{name}:{line}: the file is not UTF-8 (byte 0x{data[exc.start]:02X} cannot start a "
            "UTF-8 character); save it as UTF-8 (in LibreOffice: Save As → Text CSV → "
            "Character set: Unicode (UTF-8)) and import it again."
        ) from None
    return _convert(text, legacy_mode, name)


def _convert(text: str, mode: str, name: str) -> tuple[str, legacy.Conversion | None]:
    try:
        return legacy.convert(text, mode)
    except ValueError as exc:
        raise ImportRejected(f"{name}: {exc}.") from None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
