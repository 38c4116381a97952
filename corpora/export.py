"""Entries out of the store in the formats dictionary makers use: LIFT, a CLDF Wordlist, CSV and
Excel.

- **LIFT 0.13**, for FieldWorks: headword, variants, pronunciation (IPA and media), senses with
  part of speech, glosses and definitions per language, examples with translations and source,
  semantic domains, notes, and what a LIFT import kept aside (traits, fields, relations,
  reversals, etymologies, dates).  Importing the export gives the same entries.
- **CLDF Wordlist** (written with pycldf, which also validates it): one form per entry and
  concept (a concept per distinct first gloss of a sense), Vietnamese as a doculect whose form of
  each concept is that gloss, languages by ISO 639-3 code, the datasets' citations as sources.
- **CSV / XLSX** in the import's column layout (``headword, vie, eng, pos, variants, ipa``, one
  row per sense, then a ``gloss.<code>`` column for each other language the senses are glossed
  in and a ``definition.<code>`` column for each language of their definitions, which the
  importer reads as such, so an entry defined only in Malay imports); importing it back with those
  columns gives the same headwords, senses, glosses, definitions, parts of speech, variants and
  IPA (homographs, which the layout cannot tell apart, become one entry).  No CSV
  cell is a formula (:mod:`corpora.formulas`: a leading apostrophe, which the importer takes
  off again); an XLSX cell is typed as text.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import iso639
from lxml import etree

from .formats import EXPORTERS, writer
from .formulas import neutral_row
from .tabular import DEFINITION_COLUMN, GLOSS_COLUMN

COLUMNS = ("headword", "vie", "eng", "pos", "variants", "ipa")
SEPARATOR = "; "  # what the CSV importer splits glosses and variants on


@lru_cache(maxsize=512)
def lift_lang(code: str) -> str:
    """A writing-system tag for LIFT: the two-letter code where the language has one (vi, en),
    else the ISO 639-3 code."""
    try:
        part1 = iso639.Language.from_part3(code).part1
    except iso639.LanguageNotFoundError:
        return code
    return part1 or code


# -- CSV and Excel -------------------------------------------------------------------------------

def rows(entries: Iterable[dict]) -> Iterator[tuple[str, ...]]:
    """One row per sense (an entry with no sense: one row), in the import's column layout; the
    glosses in other languages than Vietnamese and English in a ``gloss.<code>`` column each, and
    the definitions in a ``definition.<code>`` column each, when any sense has some (the rows are
    gathered first, without the rest of the entries, to know those columns)."""
    body: list[tuple[tuple[str, ...], dict[str, str]]] = []
    more_columns: set[str] = set()
    for entry in entries:
        variants = SEPARATOR.join(entry.get("variants") or ())
        for sense in entry.get("senses") or [{}]:
            glosses = sense.get("glosses") or {}
            more = {GLOSS_COLUMN + code: SEPARATOR.join(texts) for code, texts in glosses.items()
                    if code not in COLUMNS and texts}
            more.update((DEFINITION_COLUMN + code, text) for code, text in (sense.get("definitions") or {}).items()
                        if text)
            more_columns.update(more)
            body.append(((entry["headword"], SEPARATOR.join(glosses.get("vie", ())),
                          SEPARATOR.join(glosses.get("eng", ())), sense.get("pos") or entry.get("pos") or "",
                          variants, entry.get("ipa") or ""), more))
    more_header = tuple(sorted(more_columns, key=lambda c: (c.startswith(DEFINITION_COLUMN), c)))
    yield COLUMNS + more_header
    for row, more in body:
        yield row + tuple(more.get(column, "") for column in more_header)


def write_csv(entries: Iterable[dict], out: Path) -> int:
    count = 0
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        for row in rows(entries):
            writer.writerow(neutral_row(row))
            count += 1
    return count - 1


def write_xlsx(entries: Iterable[dict], out: Path, sources: list[dict] | None = None) -> int:
    """The rows on a first sheet; the datasets' citations and licences on a second."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Từ điển")
    count = -1
    for row in rows(entries):
        sheet.append([_text_cell(sheet, value) for value in row])
        count += 1
    if sources:
        about = book.create_sheet("Nguồn")
        about.append(["dataset", "citation", "licence"])
        for source in sources:
            about.append([_text_cell(about, v) for v in (source["name"], source.get("citation") or "",
                                                          source.get("licence") or "")])
    book.save(out)
    return count


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text_cell(sheet, value: str):
    """A cell that holds ``value`` as text: never a formula (a gloss "= cây" stays a gloss), and
    without the control characters a workbook cannot hold."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=_CONTROL.sub("", value))
    cell.data_type = "s"
    return cell


# -- LIFT ----------------------------------------------------------------------------------------

def _multitext(parent, tag: str, forms: Iterable[tuple[str, str]], **attrs):
    node = etree.SubElement(parent, tag, **{k: v for k, v in attrs.items() if v})
    for lang, text in forms:
        form = etree.SubElement(node, "form", lang=lift_lang(lang) if len(lang) == 3 else lang)
        etree.SubElement(form, "text").text = _CONTROL.sub("", text)  # XML holds no control characters
    return node


def _mapping(value) -> dict:
    """``extra`` is free-form (a CSV column may be called "traits"): only a mapping is one."""
    return value if isinstance(value, dict) else {}


def _listed(value) -> list:
    return value if isinstance(value, list) else ([] if value is None else [value])


def lift_entry(entry: dict) -> etree._Element:
    language = entry["language"]
    extra = entry.get("extra") or {}
    attrs = {"id": entry["id"], "guid": None}
    attrs.update({k: extra[k] for k in ("dateCreated", "dateModified", "order") if isinstance(extra.get(k), str)})
    node = etree.Element("entry", **{k: v for k, v in attrs.items() if v})
    _multitext(node, "lexical-unit", [(language, entry["headword"])])
    for variant in entry.get("variants") or ():
        _multitext(node, "variant", [(language, variant)])
    if entry.get("ipa") or entry.get("pronunciations"):
        pron = etree.SubElement(node, "pronunciation")
        if entry.get("ipa"):
            form = etree.SubElement(pron, "form", lang=f"{lift_lang(language)}-fonipa")
            etree.SubElement(form, "text").text = _CONTROL.sub("", entry["ipa"])
        for media in entry.get("pronunciations") or ():
            m = etree.SubElement(pron, "media", href=media["href"])
            if media.get("label"):
                _multitext(m, "label", [(language, media["label"])])
    for name, values in _mapping(extra.get("traits")).items():
        for value in _listed(values):
            etree.SubElement(node, "trait", name=name, value=str(value))
    for note in _listed(extra.get("notes")):
        if isinstance(note, dict) and note.get("text"):
            _multitext(node, "note", [("vie", note["text"])], type=note.get("type"))
    for name, texts in _mapping(extra.get("fields")).items():
        _multitext(node, "field", [("vie", str(t)) for t in _listed(texts)], type=name)
    for relation in _listed(extra.get("relations")):
        if isinstance(relation, dict) and relation.get("ref"):
            etree.SubElement(node, "relation", type=relation.get("type") or "", ref=relation["ref"])
    for ety in _listed(extra.get("etymology")):
        if isinstance(ety, dict):
            _multitext(node, "etymology", [(language, t) for t in ety.get("forms") or ()],
                       type=ety.get("type") or "", source=ety.get("source") or "")
    for number, sense in enumerate(entry.get("senses") or (), start=1):
        node.append(_lift_sense(sense, language, f"{entry['id']}-{number}"))
    return node


def _lift_sense(sense: dict, language: str, ident: str) -> etree._Element:
    node = etree.Element("sense", id=ident)
    if sense.get("pos"):
        etree.SubElement(node, "grammatical-info", value=sense["pos"])
    for lang, glosses in (sense.get("glosses") or {}).items():
        for gloss in glosses:
            g = etree.SubElement(node, "gloss", lang=lift_lang(lang))
            etree.SubElement(g, "text").text = _CONTROL.sub("", gloss)
    if sense.get("definitions"):
        _multitext(node, "definition", list(sense["definitions"].items()))
    for example in sense.get("examples") or ():
        ex = _multitext(node, "example", [(language, example["text"])], source=example.get("source"))
        if example.get("translations"):
            _multitext(ex, "translation", list(example["translations"].items()))
    for note in sense.get("notes") or ():
        _multitext(node, "note", [("vie", note)])
    for domain in sense.get("domains") or ():
        etree.SubElement(node, "trait", name="semantic-domain-ddp4", value=domain)
    extra = sense.get("extra") or {}
    for name, values in _mapping(extra.get("traits")).items():
        for value in _listed(values):
            etree.SubElement(node, "trait", name=name, value=str(value))
    for lang, texts in _mapping(extra.get("reversals")).items():
        for text in _listed(texts):
            _multitext(node, "reversal", [(lang, str(text))])
    for relation in _listed(extra.get("relations")):
        if isinstance(relation, dict) and relation.get("ref"):
            etree.SubElement(node, "relation", type=relation.get("type") or "", ref=relation["ref"])
    return node


def write_lift(entries: Iterable[dict], out: Path) -> int:
    """A LIFT 0.13 file, written entry by entry (a large dictionary is never held whole)."""
    count = 0
    with etree.xmlfile(str(out), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("lift", version="0.13", producer="Từ điển DTTS"):
            for entry in entries:
                xf.write(lift_entry(entry), pretty_print=True)
                count += 1
    return count


# -- CLDF ----------------------------------------------------------------------------------------

def write_cldf(entries: Iterable[dict], out: Path, sources: list[dict] | None = None) -> int:
    """A CLDF Wordlist in the folder ``out``: FormTable (one form per entry and concept),
    LanguageTable, ParameterTable (the concepts: a sense's first gloss, Vietnamese first), and the
    datasets as sources; validated by pycldf before it is kept."""
    from pycldf import Source, Wordlist

    from dictionary import languages as registry

    out.mkdir(parents=True, exist_ok=True)
    dataset = Wordlist.in_dir(out)
    dataset.add_component("LanguageTable")
    dataset.add_component("ParameterTable")
    if "value" not in {c.propertyUrl.uri.split("#")[-1] for c in dataset["FormTable"].tableSchema.columns
                       if c.propertyUrl}:
        dataset.add_columns("FormTable", {"name": "Value", "propertyUrl": "http://cldf.clld.org/v1.0/terms.rdf#value"})
    dataset.add_columns("FormTable", "Gloss_Language", "Entry_ID", "Part_Of_Speech", "Variants", "IPA")
    forms: list[dict] = []
    languages_seen: dict[str, dict] = {}
    parameters: dict[tuple[str, str], dict] = {}  # by (gloss language, concept)
    count = 0
    for entry in entries:
        count += 1
        code = entry["language"]
        languages_seen.setdefault(code, {"ID": code, "Name": registry.name(code), "ISO639P3code": code})
        dataset_name = (entry.get("provenance") or {}).get("dataset") or ""
        for number, sense in enumerate(entry.get("senses") or (), start=1):
            glosses = sense.get("glosses") or {}
            lang = "vie" if glosses.get("vie") else next(iter(glosses), None)
            if lang is None:
                continue
            concept = glosses[lang][0]
            parameter = parameters.get((lang, concept))
            if parameter is None:
                parameter = parameters[(lang, concept)] = {
                    "ID": f"p{len(parameters) + 1}", "Name": concept, "Description": "; ".join(glosses[lang])}
                if lang == "vie":  # Vietnamese is a doculect of the list: its word for the concept
                    languages_seen.setdefault("vie", {"ID": "vie", "Name": "Tiếng Việt", "ISO639P3code": "vie"})
                    forms.append({"ID": f"vie-{parameter['ID']}", "Language_ID": "vie",
                                  "Parameter_ID": parameter["ID"], "Value": concept, "Form": concept,
                                  "Source": []})
            forms.append({
                "ID": f"{entry['id']}-{number}", "Language_ID": code, "Parameter_ID": parameter["ID"],
                "Value": entry["headword"], "Form": entry["headword"], "Gloss_Language": lang,
                "Entry_ID": entry["id"], "Part_Of_Speech": sense.get("pos") or entry.get("pos"),
                "Variants": SEPARATOR.join(entry.get("variants") or ()), "IPA": entry.get("ipa"),
                "Source": [dataset_name] if dataset_name else [],
            })
    # every dataset a form cites is a source: those of the store's dataset table with their
    # citation and licence, others (entries written through the API) by name
    known = {s["name"]: s for s in sources or ()}
    keys = _bibtex_keys({name for form in forms for name in form.get("Source") or ()})
    for form in forms:
        form["Source"] = [keys[name] for name in form.get("Source") or ()]
    bib = [Source("misc", key, title=(known.get(name) or {}).get("citation") or name, note=f"dataset {name}",
                  howpublished=(known.get(name) or {}).get("licence") or "") for name, key in sorted(keys.items())]
    dataset.write(FormTable=forms, LanguageTable=list(languages_seen.values()),
                  ParameterTable=list(parameters.values()))
    dataset.add_sources(*bib)
    dataset.write_sources()
    dataset.validate()
    return count


def _bibtex_keys(names: set[str]) -> dict[str, str]:
    """A BibTeX key for each dataset name (letters, digits, _ and - only: ``Từ điển Ba Na`` →
    ``Tu_dien_Ba_Na``), unique."""
    keys: dict[str, str] = {}
    for name in sorted(names):
        ascii_ = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
        key = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_.encode("ascii", "ignore").decode()).strip("_") or "dataset"
        while key in keys.values():
            key += "_"
        keys[name] = key
    return keys


def export(fmt: str, entries: Iterable[dict], out: Path, sources: list[dict] | None = None) -> int:
    """Write ``entries`` as ``fmt`` (:data:`corpora.formats.EXPORTERS`) to ``out`` (a folder for
    CLDF); returns how many entries."""
    if fmt not in EXPORTERS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORTERS)}")
    return writer(fmt)(entries, out, sources)


# the exporters' writers (corpora.formats), each of the one signature; CLDF's is write_cldf itself

def export_lift(entries: Iterable[dict], out: Path, sources: list[dict] | None = None) -> int:
    return write_lift(entries, out)


def export_csv(entries: Iterable[dict], out: Path, sources: list[dict] | None = None) -> int:
    return _count_entries(entries, lambda tracked: write_csv(tracked, out))


def export_xlsx(entries: Iterable[dict], out: Path, sources: list[dict] | None = None) -> int:
    return _count_entries(entries, lambda tracked: write_xlsx(tracked, out, sources))


def _count_entries(entries: Iterable[dict], write) -> int:
    seen = [0]

    def tracked():
        for entry in entries:
            seen[0] += 1
            yield entry

    write(tracked())
    return seen[0]

