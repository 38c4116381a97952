"""Importers on tiny inline files: every quirk, every refusal, transactions, re-imports."""

import zipfile

import pytest

from corpora.importer import import_file
from corpora.tabular import Columns
from dictionary.errors import ImportRejected

COLS = Columns("hw", "vi", "en")


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_rows_group_into_entries_and_senses_keeping_unmapped_columns(tmp_path, library):
    path = write(tmp_path, "w.tsv", "hw\tvi\ten\tnote\nroob\tnúi\tmountain\tWOLD 1-22\n"
                 "roob\tđồi\thill\t\nroob \tnúi\tmountain\tWOLD 1-22\ndej\tnước (1)\twater\t\n")
    report = import_file(library.services.collection, path, "tsv", language="mww", columns=COLS)
    assert (report.entries, report.senses, report.records) == (2, 3, 4)
    assert report.notes == ["1 repeated rows merged into the senses they repeat"]
    library.index()
    entry = library.search("roob").hits[0].entry
    assert entry["headword"] == "roob"
    assert [s["glosses"] for s in entry["senses"]] == [
        {"vie": ["núi"], "eng": ["mountain"]}, {"vie": ["đồi"], "eng": ["hill"]}]
    assert entry["senses"][0]["extra"] == {"note": "WOLD 1-22"}
    assert entry["senses"][0]["location"] == "w.tsv:2"
    water = library.search("dej").hits[0].entry
    assert water["senses"][0]["notes"] == ["1"]


def test_headword_is_kept_as_written(tmp_path, library):
    path = write(tmp_path, "b.csv", "hw,vi\n\ufeffabe ̆n,kiến\nKơ’bông,cây\n")
    import_file(library.services.collection, path, "csv", language="bdq", columns=Columns("hw", "vi"))
    library.index()
    assert library.headwords("aben") == ["abe ̆n"]  # NFC of the source, repaired only in keys
    assert library.headwords("kơ'bông") == ["Kơ’bông"]


def test_empty_headword_is_located_and_nothing_is_written(tmp_path, library):
    good = write(tmp_path, "ok.csv", "hw,vi\nhơbo,ngô\n")
    import_file(library.services.collection, good, "csv", language="bdq", columns=Columns("hw", "vi"), dataset="d")
    bad = write(tmp_path, "bahnaric.csv", "hw,vi\nhơbo,ngô\nanah,cây\n  ,trống\nbơ,\n")
    with pytest.raises(ImportRejected) as info:
        import_file(library.services.collection, bad, "csv", language="bdq", columns=Columns("hw", "vi"), dataset="d")
    assert str(info.value).startswith("bahnaric.csv:4: hw: empty headword")
    assert info.value.problems == ["bahnaric.csv:4: hw: empty headword", "bahnaric.csv:5: vi: empty gloss"]
    assert library.store.entries.count() == 1  # the earlier import is untouched


def test_dry_run_reports_every_problem_and_writes_nothing(tmp_path, library):
    bad = write(tmp_path, "x.tsv", "hw\tvi\n\tnước\na\tb\tc\nok\tđược\n")
    report = import_file(library.services.collection, bad, "tsv", language="mww", columns=Columns("hw", "vi"), dry_run=True)
    assert report.problems == ["x.tsv:2: hw: empty headword", "x.tsv:3: expected 2 columns, found 3"]
    assert library.store.entries.count() == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("hw,vi\nho\u00e0,x\n".encode("cp1258"), "x.csv:2: the file is not UTF-8"),
        (b"PK\x03\x04rest-of-a-zip", "x.csv: this is a ZIP archive"),
        (b"%PDF-1.4 ...", "x.csv: this is a PDF document"),
        (b"hw,vi\x00\x00\x01", "x.csv: this is a binary file"),
        ("hw;vi\nhơbo;ngô\n".encode(), "x.csv:1: no column named 'hw', 'vi'"),
    ],
)
def test_wrong_encoding_or_format_is_refused_with_a_sentence(tmp_path, library, content, expected):
    path = write(tmp_path, "x.csv", content)
    with pytest.raises(ImportRejected, match=expected.replace("(", r"\(")):
        import_file(library.services.collection, path, "csv", language="bdq", columns=Columns("hw", "vi"))
    assert library.store.entries.count() == 0


def test_utf16_with_bom_is_read(tmp_path, library):
    path = write(tmp_path, "u.csv", "\ufeffhw,vi\nhơbo,ngô\n", encoding="utf-16")
    report = import_file(library.services.collection, path, "csv", language="bdq", columns=Columns("hw", "vi"))
    assert report.entries == 1


def test_unknown_language_is_refused(tmp_path, library):
    path = write(tmp_path, "x.csv", "hw,vi\na,b\n")
    with pytest.raises(Exception, match="ISO 639-3"):
        import_file(library.services.collection, path, "csv", language="xyz", columns=Columns("hw", "vi"))


def test_importing_again_keeps_ids_status_and_does_not_duplicate(tmp_path, library):
    path = write(tmp_path, "w.tsv", "hw\tvi\nroob\tnúi\ndej\tnước\n")
    import_file(library.services.collection, path, "tsv", language="mww", columns=Columns("hw", "vi"))
    first = {row[0]: row[1] for row in library.store.core.db.execute("SELECT id, rowid FROM entries")}
    library.store.core.db.execute("UPDATE entries SET status = 'review'")
    library.store.core.db.commit()
    stats = import_file(library.services.collection, path, "tsv", language="mww", columns=Columns("hw", "vi")).stats
    assert (stats.added, stats.removed) == (0, 0)
    again = {row[0]: row[1] for row in library.store.core.db.execute("SELECT id, rowid FROM entries")}
    assert again == first
    assert {e for (e,) in library.store.core.db.execute("SELECT status FROM entries")} == {"review"}
    # a row gone from the file is gone from the dataset
    write(tmp_path, "w.tsv", "hw\tvi\nroob\tnúi\n")
    stats = import_file(library.services.collection, path, "tsv", language="mww", columns=Columns("hw", "vi")).stats
    assert (stats.removed, library.store.entries.count()) == (1, 1)


LIFT = """<?xml version="1.0" encoding="UTF-8"?>
<lift version="0.13">
 <entry id="a_1" guid="g-1">
  <lexical-unit><form lang="bdq"><text>hơbo</text></form></lexical-unit>
  <trait name="morph-type" value="stem"/>
  <pronunciation><form lang="bdq-fonipa"><text>həbo</text></form><media href="hobo.wav"/></pronunciation>
  <variant><form lang="bdq"><text>hơ'bo</text></form></variant>
  <sense id="s1"><grammatical-info value="Noun"/>
   <gloss lang="vi"><text>ngô; bắp</text></gloss><gloss lang="en"><text>maize</text></gloss>
   <definition><form lang="vi"><text>cây lương thực</text></form></definition>
   <example><form lang="bdq"><text>hơbo lơ̆m</text></form>
     <translation type="Free translation"><form lang="vi"><text>ngô ngon</text></form></translation></example>
   <trait name="semantic-domain-ddp4" value="5.2 Food"/><trait name="status" value="checked"/>
  </sense>
 </entry>
 <entry id="b_2" guid="g-2"><citation><form lang="bdq"><text>đak</text></form></citation>
  <sense><gloss lang="vi"><text>nước</text></gloss></sense></entry>
 <entry id="c_3" guid="g-3"><sense><gloss lang="vi"><text>mồ côi</text></gloss></sense></entry>
</lift>"""


def test_lift_fields_and_located_problem(tmp_path, library):
    path = write(tmp_path, "t.lift", LIFT)
    report = import_file(library.services.collection, path, "lift", dry_run=True)
    assert report.problems == [
        "t.lift:18: entry[@id='c_3']/lexical-unit: no headword: neither lexical-unit nor citation has a form"]
    path = write(tmp_path, "t.lift", LIFT.replace('<entry id="c_3"', '<entry dateDeleted="2020" id="c_3"'))
    report = import_file(library.services.collection, path, "lift")
    assert report.entries == 2 and report.notes == ["1 entries marked deleted (dateDeleted) skipped"]
    library.index()
    entry = library.search("hobo", "bdq").hits[0].entry
    assert entry["language"] == "bdq" and entry["variants"] == ["hơ'bo"] and entry["ipa"] == "həbo"
    sense = entry["senses"][0]
    assert sense["glosses"] == {"vie": ["ngô", "bắp"], "eng": ["maize"]}
    assert sense["definitions"] == {"vie": "cây lương thực"} and sense["domains"] == ["5.2 Food"]
    assert sense["examples"][0]["translations"] == {"vie": "ngô ngon"}
    assert sense["extra"]["traits"] == {"status": ["checked"]}
    assert entry["pronunciations"][0]["href"] == "hobo.wav"
    assert library.headwords("bắp", "vie") == ["hơbo"]


def test_lift_zip_and_broken_xml(tmp_path, library):
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Proj/x.lift", LIFT.replace("<entry id=\"c_3\"", "<entry dateDeleted='1' id=\"c_3\""))
    assert import_file(library.services.collection, archive, "lift").entries == 2
    broken = write(tmp_path, "y.lift", LIFT[:400])
    with pytest.raises(ImportRejected, match=r"y.lift:\d+: this is not well-formed XML"):
        import_file(library.services.collection, broken, "lift")
    with pytest.raises(ImportRejected, match="not a LIFT file"):
        import_file(library.services.collection, write(tmp_path, "z.lift", "<html></html>"), "lift")


@pytest.mark.shared_data
def test_an_excel_word_list_imports_with_its_counts(library, shared_data):
    """The Kalamang IDS workbook: 1,634 data rows; 454 meanings with no Kalamang word and one
    "∅" are skipped when asked (refused, with their rows, when not); numeric cells read as whole
    numbers; a meaning with two words gives two entries."""
    path = shared_data / "formats/xlsx/ids_cl_Kalamang_EV_revised_BC.xlsx"
    columns = Columns("Kalamang", None, english="english_meaning")
    with pytest.raises(ImportRejected) as refused:
        import_file(library.services.collection, path, "xlsx", language="kgv", columns=columns)
    assert len(refused.value.problems) == 455
    assert refused.value.problems[0].startswith("ids_cl_Kalamang_EV_revised_BC.xlsx:")
    assert sum(p.endswith("Kalamang: empty headword") for p in refused.value.problems) == 454
    assert [p for p in refused.value.problems if "∅" in p][0].endswith("missing-data sign (∅); --skip-empty skips such rows")
    report = import_file(library.services.collection, path, "xlsx", language="kgv", columns=columns, skip_empty=True)
    assert report.records == 1634 and report.senses + 13 == 1634 - 455  # 13 rows repeat a sense
    assert report.entries == 975 and "455 rows with no Kalamang" in " ".join(report.notes)
    library.index()
    mountain = {h.entry["headword"]: h.entry for h in library.search("mountain", "eng", limit=20).hits}
    assert {"turing", "kolak"} <= set(mountain)
    sense = next(s for s in mountain["turing"]["senses"] if "mountain" in s["glosses"]["eng"])
    assert sense["extra"]["chapter"] == "1" and sense["extra"]["entry"] == "220"
    assert not library.store.core.db.execute("SELECT 1 FROM entries WHERE headword = '∅'").fetchone()


def test_an_excel_workbook_is_refused_with_a_sentence(tmp_path, library):
    from openpyxl import Workbook

    path = tmp_path / "tu.xlsx"
    book = Workbook()
    book.active.title = "Từ"
    book.active.append(["tyz", "vie"])
    book.active.append(["mạ", "ngựa"])
    book.active.append(["mu", None])
    book.save(path)
    columns = Columns("tyz", "vie")
    with pytest.raises(ImportRejected) as refused:
        import_file(library.services.collection, path, "xlsx", language="tyz", columns=columns, sheet="Sheet9")
    assert refused.value.problems == ["tu.xlsx:1: no sheet named 'Sheet9'; the workbook has 'Từ'"]
    with pytest.raises(ImportRejected) as refused:
        import_file(library.services.collection, path, "xlsx", language="tyz", columns=columns)
    assert refused.value.problems == ["tu.xlsx:3: vie: empty gloss"]
    (tmp_path / "not.xlsx").write_text("tyz,vie\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        import_file(library.services.collection, tmp_path / "not.xlsx", "xlsx", language="tyz", columns=columns)
    assert "not readable as an Excel .xlsx workbook" in refused.value.problems[0]
    (tmp_path / "list.xls").write_bytes(path.read_bytes())  # openpyxl refuses by the file's extension
    with pytest.raises(ImportRejected) as refused:
        import_file(library.services.collection, tmp_path / "list.xls", "xlsx", language="tyz", columns=columns)
    assert "not readable as an Excel .xlsx workbook" in refused.value.problems[0]
    assert library.store.entries.count() == 0
