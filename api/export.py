"""A glossary (the terms of a text and their equivalents) as CSV or as a Word document.

Both carry what a communicator hands on: the original text, the languages by name, each
equivalent with its meaning and the address of its entry, the terms still missing, and the
sources (citation and licence) the equivalents come from.  Function words are left out, as on
the page.  No CSV cell is a formula (:mod:`corpora.formulas`): a text or a headword beginning
with ``=`` is written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from corpora.formulas import neutral_row
from dictionary import languages
from dictionary.search.translate import Glossary, Term


@dataclass(frozen=True)
class ExportContext:
    text: str  # the original Vietnamese text
    base: str  # the site's address, without the final slash: entry links are made absolute
    datasets: dict[str, dict]  # name → the store's dataset row (citation, licence)


def _names(targets: list[str]) -> list[str]:
    return [languages.name(code) for code in targets]


def _terms(glossary: Glossary) -> list[Term]:
    return [t for t in glossary.terms if not t.function_word]


def _equivalent(entry: dict, base: str) -> str:
    meaning = f" ({entry['meaning']})" if entry.get("meaning") else ""
    return f"{entry['headword']}{meaning} — {base}/e/{entry['id']}"


def _cell(found: list[dict], base: str) -> str:
    return "\n".join(_equivalent(entry, base) for entry in found)


def _sources(glossary: Glossary, context: ExportContext) -> list[str]:
    used = sorted({name for t in _terms(glossary) for c in glossary.targets
                   for e in t.equivalents[c] if (name := e.get("dataset"))})
    lines = []
    for name in used:
        row = context.datasets.get(name) or {}
        parts = [name]
        if row.get("citation"):
            parts.append(row["citation"])
        parts.append(f"giấy phép: {row.get('licence') or 'chưa ghi'}")
        lines.append(" — ".join(parts))
    return lines


def glossary_csv(glossary: Glossary, context: ExportContext) -> bytes:
    targets = glossary.targets
    out = io.StringIO()
    writer = csv.writer(out)

    def write(row: list[str]) -> None:
        writer.writerow(neutral_row(row))

    write(["Văn bản gốc", context.text])
    write([])
    write(["Tiếng Việt", *_names(targets), "Còn thiếu ở"])
    for term in _terms(glossary):
        write([term.text, *[_cell(term.equivalents[c], context.base) for c in targets],
               ", ".join(languages.name(c) for c in term.gaps)])
    write([])
    for line in _sources(glossary, context):
        write(["Nguồn", line])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheet programs read it as UTF-8


# A4, with the margins of Vietnam's administrative documents (Nghị định 30/2020/NĐ-CP: top and
# bottom 20–25 mm, left 30–35 mm, right 15–20 mm) and their type, Times New Roman 13 pt
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
FONT, FONT_PT = "Times New Roman", 13


def _a4(doc) -> None:
    from docx.shared import Mm, Pt

    for section in doc.sections:
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(FONT_PT)


def glossary_docx(glossary: Glossary, context: ExportContext, title: str = "Bảng thuật ngữ") -> bytes:
    from docx import Document

    targets = glossary.targets
    doc = Document()
    _a4(doc)
    doc.add_heading(title, level=1)
    doc.add_heading("Văn bản gốc", level=2)
    for paragraph in context.text.splitlines():
        if paragraph.strip():
            doc.add_paragraph(paragraph)
    gaps = [t for t in _terms(glossary) if t.gaps]
    if gaps:
        doc.add_heading("Thuật ngữ chưa có từ tương đương", level=2)
        for term in {t.text: t for t in gaps}.values():
            doc.add_paragraph(f"{term.text} — chưa có trong {', '.join(languages.name(c) for c in term.gaps)}",
                              style="List Bullet")
    doc.add_heading("Bảng thuật ngữ", level=2)
    table = doc.add_table(rows=1, cols=len(targets) + 1)
    table.style = "Table Grid"
    header = table.rows[0].cells
    header[0].text = "Tiếng Việt"
    for cell, name in zip(header[1:], _names(targets), strict=True):
        cell.text = name
    for term in _terms(glossary):
        row = table.add_row().cells
        row[0].text = term.text
        for cell, code in zip(row[1:], targets, strict=True):
            cell.text = _cell(term.equivalents[code], context.base) or "—"
    sources = _sources(glossary, context)
    if sources:
        doc.add_heading("Nguồn", level=2)
        for line in sources:
            doc.add_paragraph(line, style="List Bullet")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
