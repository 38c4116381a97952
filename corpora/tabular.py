"""CSV and TSV word lists with a column mapping.

Rows that share a headword (after canonicalisation) become one entry; each row is a sense, and a
row that repeats an earlier sense of its entry is merged into it.  A column named
``gloss.<code>`` (an ISO 639-3 code, as the CSV export writes them) holds glosses in that
language, and ``definition.<code>`` the definition in it, so a sense glossed or defined in neither
Vietnamese nor English but in Malay still is one; other columns that are not mapped are kept on the sense, under their own names.  In a CSV or TSV file,
a cell that a spreadsheet-safe export wrote with a leading apostrophe (``'=x``, ``'-ka``) reads
as its text (:mod:`corpora.formulas`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from dictionary import languages
from dictionary.errors import ImportRejected, UnknownLanguage
from dictionary.model import Entry, entry_id, headword_problem
from dictionary.text.normalize import as_written, canonical

from .base import Columns as Columns  # a table's column mapping, declared with every reader's options
from .base import Parsed, Problem, ReadOptions, read_text
from .formulas import restored
from .glosses import split_glosses

GLOSS_COLUMN = "gloss."  # + a language code: glosses in that language
DEFINITION_COLUMN = "definition."  # + a language code: the sense's definition in that language


# What word lists write in a cell for "no form recorded" (with --skip-empty, such rows are skipped).
MISSING_SIGNS = frozenset({"∅", "Ø", "-", "—", "–", "?"})


def read_table(path: Path, options: ReadOptions) -> Parsed:
    """The importers' reader of CSV, TSV and XLSX (:mod:`corpora.formats`): the language and the
    columns are needed, and one file."""
    fmt, language, columns = options.format, options.language, options.columns
    if language is None or columns is None or not (columns.gloss or columns.english):
        raise ImportRejected(
            f"{path.name}: a {fmt.upper()} import needs --language, --headword-column and "
            "--gloss-column (or, for a list glossed in English only, --english-column)"
        )
    if path.is_dir():
        raise ImportRejected(f"{path}: is a folder; a {fmt.upper()} import takes one file")
    return parse_tabular(path, fmt=fmt, language=language, columns=columns, dataset=options.dataset,
                         citation=options.citation, licence=options.licence, legacy=options.legacy,
                         variety=options.variety, sheet=options.sheet, skip_empty=options.skip_empty)


def parse_tabular(
    path: Path,
    *,
    fmt: str,
    language: str,
    columns: Columns,
    dataset: str,
    citation: str | None = None,
    licence: str | None = None,
    legacy: str = "auto",
    variety: str | None = None,
    sheet: str | None = None,
    skip_empty: bool = False,
) -> Parsed:
    """The entries of a CSV, TSV or Excel (.xlsx) word list; ``variety`` names the dialect or
    survey point the whole list records (kept on each entry, shown beside its headword).  With
    ``skip_empty``, a row whose headword cell is empty or holds a missing-data sign (∅) is
    counted and skipped rather than refused: a concept list leaves unrecorded meanings so."""
    name = path.name
    conversion = None
    if fmt == "xlsx":
        header, rows, problem = _sheet_rows(path, sheet)
        if problem is not None:
            return Parsed([], [problem])
    else:
        text, conversion = read_text(path, fmt.upper(), legacy)
        delimiter = "\t" if fmt == "tsv" else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            header = [canonical(restored(h)) for h in next(reader)]
        except StopIteration:
            return Parsed([], [Problem(f"{name}:1", None, "the file is empty")])
        except csv.Error as exc:
            return Parsed([], [Problem(f"{name}:1", None, f"not readable as {fmt.upper()}: {exc}")])
        rows = _csv_rows(reader)
    problems: list[Problem] = []

    missing = [col for col in columns.mapped().values() if col not in header]
    if missing:
        hint = ", ".join(repr(h) for h in header) or "(none)"
        problem = Problem(
            f"{name}:1",
            None,
            f"no column named {', '.join(repr(m) for m in missing)}; the header has {hint}"
            + (" (is this a CSV file read as TSV, or the other way round?)" if len(header) == 1 else ""),
        )
        return Parsed([], [problem])
    index = {col: header.index(col) for col in header}
    mapped = set(columns.mapped().values())
    gloss_cols = _language_columns(header, GLOSS_COLUMN, mapped)
    definition_cols = _language_columns(header, DEFINITION_COLUMN, mapped)
    extra_cols = [col for col in header if col not in mapped and col and col not in gloss_cols
                  and col not in definition_cols]

    groups: dict[str, dict] = {}
    duplicates = 0
    records = 0
    width = len(header)
    at = index.__getitem__
    headword_at = at(columns.headword)
    gloss_at = at(columns.gloss) if columns.gloss else None
    english_at = at(columns.english) if columns.english else None
    pos_at = at(columns.pos) if columns.pos else None
    variants_at = at(columns.variants) if columns.variants else None
    ipa_at = at(columns.ipa) if columns.ipa else None
    extra_at = [(col, at(col)) for col in extra_cols]
    other_glosses_at = [(code, at(col)) for col, code in gloss_cols.items()]
    definitions_at = [(code, at(col)) for col, code in definition_cols.items()]
    skipped = 0
    for line, row, error in rows:
        if error is not None:
            problems.append(Problem(f"{name}:{line}", None, f"unreadable row: {error}"))
            continue
        if not any(cell.strip() for cell in row):
            continue
        records += 1
        where = f"{name}:{line}"
        if len(row) != width:
            problems.append(Problem(where, None, f"expected {width} columns, found {len(row)}"))
            continue

        raw_headword = row[headword_at]
        headword_key = canonical(raw_headword)
        glosses, notes = split_glosses(row[gloss_at]) if gloss_at is not None else ([], [])
        if skip_empty and (not headword_key or headword_key in MISSING_SIGNS):
            skipped += 1
            continue
        if not headword_key:
            problems.append(Problem(where, columns.headword, "empty headword"))
            continue
        if (unshown := headword_problem(as_written(raw_headword))) is not None:
            problems.append(Problem(where, columns.headword, unshown))
            continue
        if headword_key in MISSING_SIGNS:
            problems.append(Problem(where, columns.headword, f"the headword is a missing-data sign "
                                    f"({headword_key}); --skip-empty skips such rows"))
            continue
        sense_glosses = {"vie": glosses} if glosses else {}
        if english_at is not None:
            english, english_notes = split_glosses(row[english_at])
            if english:
                sense_glosses["eng"] = english
            notes += [n for n in english_notes if n not in notes]
        for code, i in other_glosses_at:
            more, more_notes = split_glosses(row[i])
            if more:
                sense_glosses.setdefault(code, more)
            notes += [n for n in more_notes if n not in notes]
        definitions = {code: text for code, i in definitions_at if (text := canonical(row[i]))}
        if not sense_glosses and not definitions:  # a word with an English (or Malay…) meaning only is still a word
            problems.append(Problem(where, columns.gloss or columns.english, "empty gloss"))
            continue
        # Senses and entries are plain data until the whole entry is validated once, below.
        sense = {
            "glosses": sense_glosses,
            "pos": (canonical(row[pos_at]) or None) if pos_at is not None else None,
            "notes": notes,
            **({"definitions": definitions} if definitions else {}),
            "location": where,
            "extra": {col: row[i] for col, i in extra_at if row[i].strip()},
        }
        group = groups.get(headword_key)
        if group is None:
            group = groups[headword_key] = {
                "headword": as_written(raw_headword),
                "location": where,
                "senses": [],
                "variants": [],
                "ipa": (canonical(row[ipa_at]) or None) if ipa_at is not None else None,
            }
        if any(s["glosses"] == sense_glosses and s["pos"] == sense["pos"]
               and s.get("definitions") == sense.get("definitions") for s in group["senses"]):
            duplicates += 1
        else:
            group["senses"].append(sense)
        if variants_at is not None:
            for variant in split_glosses(row[variants_at])[0]:
                if variant != headword_key and variant not in group["variants"]:
                    group["variants"].append(variant)

    provenance = {"dataset": dataset, "citation": citation, "licence": licence, "source_file": name}
    entries = [
        Entry.model_validate({
            "id": entry_id(language, dataset, key),
            "language": language,
            "headword": group["headword"],
            "variants": group["variants"],
            "pos": next((s["pos"] for s in group["senses"] if s["pos"]), None),
            "ipa": group["ipa"],
            "senses": group["senses"],
            "provenance": {**provenance, "location": group["location"]},
            "extra": {"variety": variety} if variety else {},
        })
        for key, group in groups.items()
    ]
    notes_out = [f"{duplicates} repeated rows merged into the senses they repeat"] if duplicates else []
    if skipped:
        notes_out.append(f"{skipped} rows with no {columns.headword} (empty or a missing-data sign) skipped")
    if conversion is not None:
        notes_out.insert(0, f"{name}: {conversion}")
    return Parsed(entries, problems, records, notes_out, citation, licence)


def _csv_rows(reader) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """(line, cells, None) for each row of a CSV reader, or (line, None, error) for one it cannot
    read (the reader goes on after it)."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, None, str(exc)
            continue
        yield reader.line_num, [restored(cell) for cell in row], None


def _language_columns(header: list[str], prefix: str, mapped: set[str]) -> dict[str, str]:
    """The columns of ``header`` named ``prefix`` + a language's code (not mapped otherwise), each
    with its code."""
    found = {}
    for col in header:
        if col in mapped or not col.startswith(prefix):
            continue
        code = col[len(prefix):]
        try:
            languages.get(code)
        except UnknownLanguage:
            continue
        found[col] = code
    return found


def _sheet_rows(path: Path, sheet: str | None):
    """The header and the rows of a sheet of an Excel workbook (the first one unless named), each
    cell as text: a whole number is written without ".0", a date as YYYY-MM-DD.  Read with
    openpyxl, in read-only mode (a workbook of many thousand rows is streamed)."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    name = path.name
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, OSError, KeyError, ValueError) as exc:
        return [], iter(()), Problem(f"{name}:1", None, f"not readable as an Excel .xlsx workbook: {exc}")
    if sheet is not None and sheet not in book.sheetnames:
        return [], iter(()), Problem(f"{name}:1", None, f"no sheet named {sheet!r}; the workbook has "
                                     + ", ".join(repr(n) for n in book.sheetnames))
    rows = (book[sheet] if sheet is not None else book.worksheets[0]).iter_rows(values_only=True)
    try:
        header = [canonical(_cell_text(c)) for c in next(rows)]
    except StopIteration:
        return [], iter(()), Problem(f"{name}:1", None, "the sheet is empty")
    while header and not header[-1]:  # columns Excel keeps after the last one used
        header.pop()
    width = len(header)

    def cells() -> Iterator[tuple[int, list[str] | None, str | None]]:
        line = 1
        try:
            for line, row in enumerate(rows, start=2):
                texts = [_cell_text(c) for c in row]
                if any(texts[width:]):
                    yield line, texts, None  # refused with the column count, like a CSV row
                else:
                    yield line, (texts + [""] * width)[:width], None
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:  # a damaged sheet
            yield line + 1, None, f"the sheet cannot be read past here: {exc}"
        finally:
            book.close()

    return header, cells(), None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
