"""CLDF Wordlist datasets, read with pycldf.

A form becomes a bilingual entry when its parameter (concept) also has a Vietnamese form: the
Vietnamese forms are its glosses, the concept's name its English gloss.  The language of an entry
is its variety's ISO 639-3 code; the variety itself (a dialect, a survey point) is kept on the
entry.  Varieties without an ISO 639-3 code (reconstructions, unclassified lects) are reported
and left out.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from dictionary.errors import ImportRejected
from dictionary.languages import VIETNAMESE
from dictionary.model import Entry, Provenance, Sense, entry_id, headword_problem
from dictionary.text.normalize import as_written, canonical

from .base import Parsed, Problem, ReadOptions
from .glosses import split_glosses


def _metadata(path: Path) -> Path:
    if path.is_dir():
        found = sorted(path.glob("*metadata.json"))
        if not found:
            raise ImportRejected(f"{path}: no CLDF metadata file (*-metadata.json) in this folder.")
        return found[0]
    return path


def read_cldf(path: Path, options: ReadOptions) -> Parsed:
    """The importers' reader of CLDF (:mod:`corpora.formats`)."""
    return parse_cldf(path, language=options.language, dataset=options.dataset, citation=options.citation,
                      licence=options.licence)


def parse_cldf(
    path: Path,
    *,
    language: str | None,
    dataset: str,
    citation: str | None = None,
    licence: str | None = None,
) -> Parsed:
    from pycldf import Dataset  # imported here: pycldf is slow to import and only CLDF needs it

    metadata = _metadata(path)
    try:
        ds = Dataset.from_metadata(metadata)
        forms = list(ds.iter_rows("FormTable", "id", "languageReference", "parameterReference", "form", "value"))
        varieties = {
            row["id"]: row for row in ds.iter_rows("LanguageTable", "id", "name", "iso639P3code", "glottocode")
        }
        concepts = {row["id"]: row for row in ds.iter_rows("ParameterTable", "id", "name")}
    except ImportRejected:
        raise
    except Exception as exc:  # pycldf raises many kinds; each means "not a readable CLDF dataset"
        raise ImportRejected(f"{metadata.name}: not a readable CLDF Wordlist: {exc}") from None
    citation = citation or _first(ds.properties.get("dc:bibliographicCitation"))
    licence = licence or _first(ds.properties.get("dc:license"))
    form_file = ds["FormTable"].url.string if "FormTable" in ds else "forms.csv"

    problems: list[Problem] = []
    vietnamese: dict[str, list[str]] = defaultdict(list)
    for row in forms:
        variety = varieties.get(row["languageReference"], {})
        if variety.get("iso639P3code") == VIETNAMESE:
            for gloss in split_glosses(row["value"] or row["form"] or "")[0]:
                if gloss not in vietnamese[row["parameterReference"]]:
                    vietnamese[row["parameterReference"]].append(gloss)

    groups: dict[tuple[str, str], dict[str, Any]] = {}
    no_iso: set[str] = set()
    unmatched = 0
    for number, row in enumerate(forms, start=2):
        where = f"{form_file}:{number}"
        variety_id = row["languageReference"]
        variety = varieties.get(variety_id)
        if variety is None:
            problems.append(Problem(where, "Language_ID", f"unknown language {variety_id!r}"))
            continue
        code = language or variety.get("iso639P3code")
        if code == VIETNAMESE:
            continue
        if not code:
            no_iso.add(variety_id)
            continue
        form = as_written(row["form"] or "")
        if not canonical(form):
            problems.append(Problem(where, "Form", "empty form"))
            continue
        if (unshown := headword_problem(form)) is not None:
            problems.append(Problem(where, "Form", unshown))
            continue
        glosses = vietnamese.get(row["parameterReference"])
        if not glosses:
            unmatched += 1
            continue
        concept = concepts.get(row["parameterReference"], {})
        key = (variety_id, canonical(form))
        group = groups.setdefault(
            key,
            {"language": code, "headword": form, "location": where, "senses": [], "variety": variety},
        )
        sense = Sense(
            glosses={"vie": glosses, **({"eng": [concept["name"]]} if concept.get("name") else {})},
            location=where,
            extra={"parameter": row["parameterReference"], "form_id": row["id"],
                   **({"value": row["value"]} if row["value"] and row["value"] != form else {})},
        )
        group["senses"].append(sense)

    entries = [
        Entry(
            id=entry_id(g["language"], dataset, f"{variety_id}\x1f{key}"),
            language=g["language"],
            headword=g["headword"],
            senses=g["senses"],
            provenance=Provenance(dataset=dataset, citation=citation, licence=licence,
                                  source_file=form_file, location=g["location"]),
            extra={"variety": g["variety"].get("name"), "variety_id": variety_id,
                   "glottocode": g["variety"].get("glottocode")},
        )
        for (variety_id, key), g in groups.items()
    ]
    notes = []
    if no_iso:
        notes.append(
            f"{len(no_iso)} varieties without an ISO 639-3 code left out: {', '.join(sorted(no_iso))}"
        )
    if unmatched:
        notes.append(f"{unmatched} forms of concepts with no Vietnamese form left out")
    return Parsed(entries, problems, len(forms), notes, citation, licence)


def _first(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None
