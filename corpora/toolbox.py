"""SIL Toolbox / Shoebox dictionaries in standard format (SFM), with the MDF markers.

A file is a sequence of fields, each a line starting with a backslash marker (``\\lx hnam``); a
line that does not start with one continues the field above (long values are wrapped so).  A
record starts at each record marker (``\\lx`` by default; ``\\lex`` in some projects) and runs to
the next.  What real files do is handled: a ``\\_sh`` header line (at the top, or anywhere), blank
lines between and inside records, CRLF, a BOM, empty fields (``\\ps`` with no value), a record
marker glued to the end of the previous line (``\\dt 13/Dec/2005\\lx …``), writing-system
suffixes of FieldWorks exports (``\\g_Eng``), backslashes inside values (file paths, notes that
mention markers).  Legacy 8-bit text is refused with its line unless its code page is named.

Each record becomes one entry (entries = records, so a re-import keeps ids and URLs).  The MDF
markers map to the entry model (``MDF_ROLES``); ``--marker gn=vie`` says which language a gloss
marker is in, ``--marker gt=tha`` declares a marker of a project's own; every marker without a
role is kept, with its values, in the entry's or the sense's ``extra`` — never dropped.
Subentries (``\\se``) are kept in the entry's ``extra.subentries`` with their own fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from dictionary import languages
from dictionary.errors import ImportRejected
from dictionary.model import Entry, entry_id, headword_problem
from dictionary.text.normalize import as_written, canonical

from .base import Parsed, Problem, ReadOptions, read_text

# role, and for glosses, definitions and example translations the language (ISO 639-3)
MDF_ROLES: dict[str, tuple[str, str | None]] = {
    "lx": ("headword", None), "hm": ("homonym", None), "ps": ("pos", None), "sn": ("sense", None),
    "ge": ("gloss", "eng"), "gn": ("gloss", "vie"), "de": ("definition", "eng"), "dn": ("definition", "vie"),
    "xv": ("example", None), "xe": ("translation", "eng"), "xn": ("translation", "vie"),
    "rf": ("reference", None), "va": ("variant", None), "se": ("subentry", None),
    "cf": ("crossref", None), "lf": ("crossref", None), "sd": ("domain", None), "dt": ("date", None),
    "nt": ("note", None), "ph": ("ipa", None),
    # FieldWorks' SFM export: the language is the marker's writing-system suffix (\g_Eng, \d_Mal)
    "g": ("gloss", None), "d": ("definition", None), "x": ("translation", None),
}
ROLES = ("headword", "homonym", "pos", "sense", "gloss", "definition", "example", "translation", "reference",
         "variant", "subentry", "crossref", "domain", "date", "note", "ipa", "ignore")
_MARKER_LINE = re.compile(r"^\\([^\s\\]+)(?:[ \t](.*))?$")


@dataclass
class _Field:
    marker: str
    value: str
    line: int


@dataclass
class _Record:
    fields: list[_Field] = field(default_factory=list)


def parse_markers(specs: list[str] | tuple[str, ...]) -> dict[str, tuple[str, str | None]]:
    """``MDF_ROLES`` with ``MARKER=LANG``, ``MARKER=ROLE`` or ``MARKER=ROLE:LANG`` applied
    (a bare language makes the marker a gloss in that language)."""
    roles = dict(MDF_ROLES)
    for spec in specs:
        marker, sep, value = spec.partition("=")
        marker = marker.strip().lstrip("\\")
        if not sep or not marker or not value:
            raise ImportRejected(f"--marker {spec!r}: write MARKER=LANG (gn=vie), MARKER=ROLE (xv=example) "
                                 "or MARKER=ROLE:LANG (d_Mal=definition:msa)")
        role, _, language = value.partition(":")
        if role not in ROLES:
            role, language = "gloss", value
        if language:
            languages.get(language)  # UnknownLanguage says what a code is
        elif role in ("gloss", "definition", "translation"):
            raise ImportRejected(f"--marker {spec!r}: a {role} marker needs its language ({marker}={role}:vie)")
        roles[marker] = (role, language or None)
    return roles


def read_toolbox(path: Path, options: ReadOptions) -> Parsed:
    """The importers' reader of Toolbox/MDF (:mod:`corpora.formats`): the headwords' language is
    needed, and one file."""
    if options.language is None:
        raise ImportRejected(f"{path.name}: a Toolbox import needs --language (the headwords' ISO 639-3 code)")
    if path.is_dir():
        raise ImportRejected(f"{path}: is a folder; a Toolbox import takes one file")
    return parse_toolbox(path, language=options.language, dataset=options.dataset, citation=options.citation,
                         licence=options.licence, markers=options.markers, record_marker=options.record_marker,
                         encoding=options.encoding)


def parse_toolbox(path: Path, *, language: str, dataset: str, citation: str | None = None,
                  licence: str | None = None, markers: tuple[str, ...] = (), record_marker: str = "lx",
                  encoding: str | None = None) -> Parsed:
    name = path.name
    roles = parse_markers(markers)
    roles[record_marker] = ("headword", None)
    text, _ = read_text(path, "Toolbox", "off", encoding)
    records, problems, header = _records(text, name, record_marker)
    entries: list[dict] = []
    seen: dict[str, int] = {}
    for record in records:
        entry = _entry(record, roles, name, language, dataset, problems, seen)
        if entry is not None:
            entries.append(entry)
    provenance = {"dataset": dataset, "citation": citation, "licence": licence, "source_file": name}
    out = []
    for e in entries:
        location = e.pop("location")
        out.append(Entry.model_validate({**e, "provenance": {**provenance, "location": location}}))
    notes = [f"{name}: header {header}"] if header else []
    return Parsed(out, problems, len(records), notes, citation, licence)


def _records(text: str, name: str, record_marker: str) -> tuple[list[_Record], list[Problem], str | None]:
    """The file's records, the problems of its layout, and its ``\\_sh`` header line."""
    glued = re.compile(r"(?<=\S)\\" + re.escape(record_marker) + r"(?=[ \t])")
    records: list[_Record] = []
    problems: list[Problem] = []
    header: str | None = None
    current: _Field | None = None
    stray = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line:
            current = None  # a blank line ends a field: text after it is no continuation
            continue
        if not line.startswith("\\"):
            if current is None:
                stray += 1
                problems.append(Problem(f"{name}:{number}", None, "text outside any field (no marker before it)",
                                        severity="warning"))
            else:  # a wrapped line continues the field above
                current.value = f"{current.value} {line.strip()}".strip()
            continue
        pieces = glued.split(line)  # a record marker glued onto the end of the line before
        for index, piece in enumerate(pieces):
            piece = piece if index == 0 else "\\" + record_marker + piece
            match = _MARKER_LINE.match(piece)
            if match is None:
                problems.append(Problem(f"{name}:{number}", None, f"unreadable marker line {piece[:40]!r}"))
                continue
            marker, value = match.group(1), (match.group(2) or "").strip()
            if marker.startswith("_"):  # \_sh v3.0  400  MDF 4.0, \_DateStampHasFourDigitYear
                header = header or line
                current = None
                continue
            current = _Field(marker, value, number)
            if marker == record_marker:
                records.append(_Record([current]))
            elif records:
                records[-1].fields.append(current)
            else:
                problems.append(Problem(f"{name}:{number}", marker, f"field before the first \\{record_marker} "
                                        "record; it belongs to no entry", severity="warning"))
    if not records:
        problems.append(Problem(f"{name}:1", None, f"no \\{record_marker} record found; is the record marker "
                                "another one (--record-marker lex)?"))
    return records, problems, header


class _Builder:
    """Fields of one entry (or subentry) in order: senses, examples, and what has no role."""

    def __init__(self, headword: str, line: int) -> None:
        self.headword = headword
        self.line = line
        self.homonym: str | None = None
        self.pos: str | None = None
        self.ipa: str | None = None
        self.variants: list[str] = []
        self.extra: dict[str, list[str]] = {}
        self.senses: list[dict] = []
        self.sense: dict | None = None
        self.example: dict | None = None
        self.reference: str | None = None
        self.current_pos: str | None = None  # MDF: a \ps heads the senses that follow it

    def sense_now(self, line: int, name: str) -> dict:
        if self.sense is None:
            self.sense = {"glosses": {}, "definitions": {}, "examples": [], "domains": [], "notes": [],
                          "extra": {}, "location": f"{name}:{line}", "pos": self.current_pos}
            self.senses.append(self.sense)
            self.example = None
        return self.sense

    def body(self) -> dict:
        senses = [s for s in self.senses if any(s[k] for k in ("glosses", "definitions", "examples", "notes",
                                                                "extra", "domains"))]
        return {"headword": self.headword, "pos": self.pos, "ipa": self.ipa, "variants": self.variants,
                "senses": senses, "extra": {k: v[0] if len(v) == 1 else v for k, v in self.extra.items()}}


def _entry(record: _Record, roles: dict, name: str, language: str, dataset: str, problems: list[Problem],
           seen: dict[str, int]) -> dict | None:
    first = record.fields[0]
    headword = canonical(first.value)
    if not headword:
        problems.append(Problem(f"{name}:{first.line}", first.marker, "empty headword"))
        return None
    if (unshown := headword_problem(as_written(first.value))) is not None:
        problems.append(Problem(f"{name}:{first.line}", first.marker, unshown))
        return None
    main = _Builder(as_written(first.value), first.line)
    built, subentries = main, []
    for f in record.fields[1:]:
        value = canonical(f.value)
        if not value:
            continue  # an empty field of the template (\ps with no value)
        role, lang = roles.get(f.marker, (None, None))
        if role is None and "_" in f.marker:  # a FieldWorks export's writing-system suffix: \g_Eng
            base = f.marker.split("_", 1)[0]
            role, lang = roles.get(base, (None, None))
            role = role if role in ("headword", "gloss", "definition", "translation", "example", "pos",
                                    "domain", "note") else None
            if role == "headword":
                role = "ignore" if canonical(f.value) == headword else None  # \lx_Kar repeats \lx
            suffix = f.marker.split("_", 1)[1].lower()
            if role in ("gloss", "definition", "translation"):
                lang = _suffix_language(suffix) or lang
        if role in ("gloss", "definition", "translation") and lang is None:
            role = None  # a language-less \g: kept as it is rather than guessed
        if role == "subentry":
            built = _Builder(as_written(f.value), f.line)
            subentries.append(built)
        elif role == "homonym":
            built.homonym = value
        elif role == "pos":
            sense = built.sense
            if sense is not None and any(sense[k] for k in ("glosses", "definitions", "examples")):
                built.sense = None  # a new part of speech after a sense's content starts the next sense
            elif sense is not None:
                sense["pos"] = value  # \sn then \ps: the part of speech of this sense
            built.current_pos = value
            if built.pos is None:
                built.pos = value
        elif role == "sense":
            built.sense = None
            built.sense_now(f.line, name)["extra"]["sn"] = value
        elif role == "gloss":
            glosses = built.sense_now(f.line, name)["glosses"].setdefault(lang, [])
            glosses.extend(g for g in (canonical(part) for part in value.split(";")) if g and g not in glosses)
        elif role == "definition":
            definitions = built.sense_now(f.line, name)["definitions"]
            definitions[lang] = f"{definitions[lang]} {value}" if lang in definitions else value
        elif role == "example":
            sense = built.sense_now(f.line, name)
            built.example = {"text": value, "translations": {}, "source": built.reference}
            built.reference = None
            sense["examples"].append(built.example)
        elif role == "translation":
            if built.example is None:
                built.sense_now(f.line, name)["extra"].setdefault(f.marker, []).append(value)
            else:
                built.example["translations"][lang] = value
        elif role == "reference":
            built.reference = value
        elif role == "variant":
            if value not in built.variants and value != headword:
                built.variants.append(value)
        elif role == "domain":
            built.sense_now(f.line, name)["domains"].append(value)
        elif role == "note":
            built.sense_now(f.line, name)["notes"].append(value)
        elif role == "ipa":
            built.ipa = built.ipa or value
        elif role == "date":
            built.extra.setdefault("date", []).append(value)
        elif role == "crossref":
            built.extra.setdefault(f.marker, []).append(value)
        elif role == "ignore":
            continue
        else:  # no role: kept where it was, on the sense if one is open, else on the entry
            holder = built.sense["extra"] if built.sense is not None else built.extra
            holder.setdefault(f.marker, []).append(value)
    body = main.body()
    for sense in body["senses"]:
        sense["extra"] = {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in sense["extra"].items()}
        for example in sense["examples"]:
            if example["source"] is None:
                del example["source"]
    if subentries:
        body["extra"]["subentries"] = [s.body() for s in subentries]
    if main.homonym:
        body["extra"]["homonym"] = main.homonym
    # the nth record of a headword (and homonym number) keeps its id on every import
    key = f"{headword}\x1f{main.homonym or ''}"
    seen[key] = seen.get(key, 0) + 1
    return {"id": entry_id(language, dataset, f"{key}\x1f{seen[key]}"), "language": language,
            "location": f"{name}:{first.line}", **body}


_SUFFIXES = {"eng": "eng", "en": "eng", "mal": "msa", "ind": "ind", "vie": "vie", "vi": "vie", "tha": "tha",
             "fra": "fra", "fr": "fra", "dut": "nld", "nld": "nld", "spa": "spa", "zho": "zho", "cmn": "cmn"}


def _suffix_language(suffix: str) -> str | None:
    """The ISO 639-3 code a FieldWorks writing-system suffix names (Eng, Mal…), when known."""
    code = _SUFFIXES.get(suffix)
    if code is None and len(suffix) == 3 and languages.is_known(suffix):
        code = suffix
    return code
