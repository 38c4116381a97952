"""Exports: LIFT, CLDF, CSV and XLSX written from the store and read back by the importers give
the same entries; the command line and the editors' download."""

from __future__ import annotations

import pytest
from support import Library

from corpora.export import export
from corpora.importer import import_file
from corpora.sample import load_sample
from corpora.tabular import Columns
from tudien.cli import main

CONTENT = ("headword", "variants", "ipa", "pos")
SENSE = ("glosses", "definitions", "examples", "domains", "notes", "pos")


def content(entry: dict, sense_fields=SENSE, extra=True) -> tuple:
    """What an exchange must keep of an entry (not its id, provenance or source locations)."""
    senses = tuple(tuple(repr(s.get(k) or None) for k in sense_fields) for s in entry["senses"])
    media = tuple(m["href"] for m in entry.get("pronunciations") or ())
    kept = {k: v for k, v in (entry.get("extra") or {}).items()} if extra else {}
    return (entry["language"], *(repr(entry.get(k) or None) for k in CONTENT), senses, media, repr(kept))


def entries(lib: Library, dataset: str) -> list[dict]:
    return list(lib.store.entries.export_entries(dataset=dataset))


@pytest.mark.shared_data
@pytest.mark.parametrize("source", ["formats/lift/Lotud.zip"])  # a real FieldWorks export
def test_lift_round_trip(tmp_path, shared_data, source):
    lib = Library(tmp_path / "data")
    first = import_file(lib.services.collection, shared_data / source, "lift", dataset="first")
    out = tmp_path / "out.lift"
    assert export("lift", entries(lib, "first"), out) == first.entries
    second = import_file(lib.services.collection, out, "lift", dataset="second")
    assert second.entries == first.entries and not second.problems
    before = sorted(content(e) for e in entries(lib, "first"))
    after = sorted(content(e) for e in entries(lib, "second"))
    assert before == after


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_csv_and_xlsx_round_trip_in_the_import_layout(tmp_path, fmt):
    lib = Library(tmp_path / "data")
    load_sample(lib.services.collection)
    original = [e for e in entries(lib, "sample-tyz")]
    out = tmp_path / f"out.{fmt}"
    assert export(fmt, original, out, lib.store.datasets.all()) == len(original)
    columns = Columns("headword", "vie", english="eng", pos="pos", variants="variants", ipa="ipa")
    back = import_file(lib.services.collection, out, fmt, language="tyz", columns=columns, dataset="back")
    assert back.entries == len(original) and not back.problems
    fields = ("glosses", "pos")
    assert sorted(content(e, fields, extra=False) for e in original) == \
        sorted(content(e, fields, extra=False) for e in entries(lib, "back"))


@pytest.mark.shared_data
def test_cldf_export_validates_and_reads_back(tmp_path, shared_data):
    lib = Library(tmp_path / "data")
    import_file(lib.services.collection, shared_data / "pairs/mww-vie.tsv", "tsv", language="mww",
                columns=Columns("mww_form", "vie_form", english="english_meaning"), dataset="wold")
    out = tmp_path / "cldf"
    count = export("cldf", entries(lib, "wold"), out, lib.store.datasets.all())  # pycldf validates it
    assert count == 1240 and (out / "Wordlist-metadata.json").exists()
    from pycldf import Dataset

    forms = list(Dataset.from_metadata(out / "Wordlist-metadata.json")["FormTable"])
    hmong = [f for f in forms if f["Language_ID"] == "mww"]
    assert len(hmong) == sum(len(e["senses"]) for e in entries(lib, "wold"))
    assert {f["Language_ID"] for f in forms} == {"mww", "vie"}  # Vietnamese gives each concept its word
    back = import_file(lib.services.collection, out / "Wordlist-metadata.json", "cldf", dataset="back")
    assert not back.problems
    original = {(e["headword"], g) for e in entries(lib, "wold") for s in e["senses"] for g in s["glosses"]["vie"][:1]}
    returned = {(e["headword"], g) for e in entries(lib, "back") for s in e["senses"] for g in s["glosses"].get("vie", ())}
    assert original <= returned


def test_the_command_line_exports_by_language_dataset_and_status(tmp_path):
    env = {"TUDIEN_DATA_DIR": str(tmp_path / "data"), "TUDIEN_TTS_ENGINES": "espeak-ng"}
    lib = Library(tmp_path / "data")
    load_sample(lib.services.collection)
    out = tmp_path / "tay.csv"
    assert main(["export", str(out), "--format", "csv", "--language", "tyz"], env) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "headword,vie,eng,pos,variants,ipa" and any(line.startswith("rườn,nhà") for line in lines)
    assert main(["export", str(out), "--format", "csv"], env) == 2  # no overwriting without --force
    assert main(["export", str(out), "--format", "csv", "--dataset", "no-such"], env) == 2
    assert main(["export", str(tmp_path / "all.lift"), "--format", "lift", "--status", "all"], env) == 0
    assert (tmp_path / "all.lift").read_text(encoding="utf-8").count("<entry ") == lib.store.entries.count()


def test_awkward_names_and_values_do_not_break_an_export(tmp_path):
    """A dataset named with spaces and Vietnamese letters (the default is the file's name), a
    gloss that starts with "=" (a synonym notation, not a formula), a stray control character."""
    from openpyxl import load_workbook

    from dictionary.model import Entry, Provenance
    from dictionary.storage.datasets import Dataset

    lib = Library(tmp_path / "data")
    entry = Entry(id="tyz-aaaaaaaaaaaa", language="tyz", headword="mạ\x07", provenance=Provenance(dataset="Từ điển Tày, 2024"),
                  senses=[{"glosses": {"vie": ["= ngựa", "ngựa"]}}])
    lib.store.datasets.replace(Dataset("Từ điển Tày, 2024", "tsv", citation="Tác giả, 2024"), [entry])
    cldf = tmp_path / "cldf"
    assert export("cldf", entries(lib, "Từ điển Tày, 2024"), cldf, lib.store.datasets.all()) == 1
    assert "Tu_dien_Tay_2024" in (cldf / "sources.bib").read_text(encoding="utf-8")
    book = tmp_path / "out.xlsx"
    export("xlsx", entries(lib, "Từ điển Tày, 2024"), book, lib.store.datasets.all())
    row = [c.value for c in list(load_workbook(book).worksheets[0].iter_rows())[1]]
    assert row[0] == "mạ" and row[1] == "= ngựa; ngựa"
    lift = tmp_path / "out.lift"
    weird = {**entries(lib, "Từ điển Tày, 2024")[0], "extra": {"traits": "a CSV column", "reversals": ["x"]}}
    assert export("lift", [weird], lift) == 1  # free-form extra of another shape is not LIFT's to write
