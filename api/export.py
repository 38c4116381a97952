"""A glossary (the terms of a text and their equivalents) as CSV or as a Word document."""

from __future__ import annotations

import csv
import io

from dictionary import languages
from dictionary.translate import Glossary


def _names(targets: list[str]) -> list[str]:
    return [languages.get(code).name_vi or code for code in targets]


def _cell(found: list[dict]) -> str:
    return "; ".join(entry["headword"] for entry in found)


def glossary_csv(glossary: Glossary) -> bytes:
    terms, targets = glossary.terms, glossary.targets
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Tiếng Việt", *[f"{name} ({code})" for name, code in zip(_names(targets), targets, strict=True)],
                     "Còn thiếu"])
    for term in terms:
        writer.writerow([term.text, *[_cell(term.equivalents[c]) for c in targets], ", ".join(term.gaps)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheet programs read it as UTF-8


def glossary_docx(glossary: Glossary, title: str = "Bảng thuật ngữ") -> bytes:
    from docx import Document

    terms, targets = glossary.terms, glossary.targets
    doc = Document()
    doc.add_heading(title, level=1)
    table = doc.add_table(rows=1, cols=len(targets) + 1)
    table.style = "Table Grid"
    header = table.rows[0].cells
    header[0].text = "Tiếng Việt"
    for cell, name, code in zip(header[1:], _names(targets), targets, strict=True):
        cell.text = f"{name} ({code})"
    for term in terms:
        row = table.add_row().cells
        row[0].text = term.text
        for cell, code in zip(row[1:], targets, strict=True):
            cell.text = _cell(term.equivalents[code]) or "—"
    if glossary.gaps:
        doc.add_heading("Thuật ngữ chưa có từ tương đương", level=2)
        for text in glossary.gaps:
            doc.add_paragraph(text, style="List Bullet")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
