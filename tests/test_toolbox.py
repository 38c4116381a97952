"""SIL Toolbox / MDF dictionaries, read in place from ../shared/data/formats/toolbox (their README
lists each file's quirks): every record an entry, senses, examples and subentries where they
belong, no marker dropped, legacy 8-bit text refused with its line or read from its code page."""

from __future__ import annotations

import pytest

from corpora.importer import import_file
from dictionary.errors import ImportRejected

pytestmark = pytest.mark.shared_data

# file → (language, options, records): records as the README counts them (glued ones included)
FILES = {
    "solid-KamSem4.db": ("sea", {"markers": ("gn=msa", "dn=definition:msa", "xn=translation:msa")}, 1465),
    "solid-dict-s.db": ("sss", {"markers": ("gt=tha", "gn=tha")}, 1301),
    "solid-dict2.txt": ("swi", {"markers": ("gn=cmn", "xn=translation:cmn", "dn=definition:cmn")}, 2313),
    "solid-dict1.txt": ("und", {}, 913),
    "solid-BambaraSolidDemo.db": ("bam", {"markers": ("gn=fra", "gg=deu", "xn=translation:fra",
                                                      "dn=definition:fra")}, 37),
    "dictionaria-kalamang-db.sfm": ("kgv", {}, 3832),
    "dictionaria-teop-db.sfm": ("tio", {}, 6488),
    "dictionaria-chintang-db.sfm": ("ctn", {"record_marker": "lex", "markers": ("gn=npi",)}, 10825),
    "solid-dict-l.db": ("lhu", {"encoding": "latin-1", "markers": ("gn=tha",)}, 162),
}


@pytest.fixture(scope="module")
def imported(tmp_path_factory, shared_data):
    from support import Library

    lib = Library(tmp_path_factory.mktemp("toolbox") / "data")
    reports = {}
    for name, (language, options, _) in FILES.items():
        reports[name] = import_file(lib.services.collection, shared_data / "formats/toolbox" / name, "toolbox",
                                    language=language, **options)
    lib.shared = shared_data
    return lib, reports


def entries_of(lib, dataset):
    import orjson

    return [orjson.loads(b) for (b,) in lib.store.core.db.execute("SELECT body FROM entries WHERE dataset = ?",
                                                              (dataset,))]


@pytest.mark.parametrize("name", FILES)
def test_every_record_is_an_entry(imported, name):
    _, reports = imported
    report = reports[name]
    assert report.records == FILES[name][2] and report.entries == FILES[name][2], name
    assert report.stats.added == FILES[name][2] and not report.problems


def test_senses_examples_and_their_sources(imported):
    lib, _ = imported
    take = next(e for e in entries_of(lib, "solid-BambaraSolidDemo") if e["headword"] == "minɛ")
    assert [s["extra"]["sn"] for s in take["senses"]] == ["1", "2", "3", "4"]
    assert take["senses"][0]["glosses"] == {"eng": ["catch", "capture", "arrest", "seize", "grab", "take"],
                                            "fra": ["attrapper", "saisir", "prendre"]}
    treat = take["senses"][2]["examples"]
    assert treat[2]["source"] == "Bible: Luka 15.2" and treat[2]["translations"]["fra"].startswith("Si tu ne pries")
    assert take["senses"][3]["definitions"] == {"eng": "suit, go well with"}
    # markers with no place in the model are kept, on the sense or the entry
    kept = {k for e in entries_of(lib, "solid-BambaraSolidDemo") for s in e["senses"] for k in s["extra"]}
    kept |= {k for e in entries_of(lib, "solid-BambaraSolidDemo") for k in e["extra"]}
    assert {"lf", "lv", "sy", "bw", "pc", "date"} <= kept, kept


def test_wrapped_lines_join_their_field(imported):
    lib, _ = imported
    examples = [x["text"] for e in entries_of(lib, "dictionaria-teop-db") for s in e["senses"] for x in s["examples"]]
    assert len(examples) >= 13000 and not [x for x in examples if x.startswith("\\")]
    assert max(len(x) for x in examples) > 200  # a wrapped example is read whole


def test_fieldworks_suffixes_subentries_and_the_national_language(imported):
    lib, _ = imported
    kalamang = entries_of(lib, "dictionaria-kalamang-db")
    malay = sum(1 for e in kalamang for s in e["senses"] if "msa" in s["glosses"])
    english = sum(1 for e in kalamang for s in e["senses"] if "eng" in s["glosses"])
    assert malay > 3000 and english > 3000
    assert sum(len(e["extra"].get("subentries", [])) for e in kalamang) == 530
    chintang = entries_of(lib, "dictionaria-chintang-db")
    assert sum(len(e["extra"].get("subentries", [])) for e in chintang) == 102
    assert sum(1 for e in chintang for s in e["senses"] if "npi" in s["glosses"]) > 10000
    # the Thai gloss marker of the So file, declared with --marker gt=tha
    so = entries_of(lib, "solid-dict-s")
    text = (lib.shared / "formats/toolbox/solid-dict-s.db").read_text(encoding="utf-8")
    records = text.split("\\lx ")[1:]
    with_thai = sum(1 for r in records if any(line.startswith("\\gt ") and line[4:].strip() for line in r.splitlines()))
    assert with_thai > 1000
    assert sum(1 for e in so if any("tha" in s["glosses"] for s in e["senses"])) == with_thai


def test_a_legacy_8bit_file_is_refused_with_its_line(library, shared_data):
    path = shared_data / "formats/toolbox/solid-dict-l.db"
    with pytest.raises(ImportRejected) as refused:
        import_file(library.services.collection, path, "toolbox", language="lhu")
    assert str(refused.value).startswith("solid-dict-l.db:9: the file is not UTF-8 (byte 0xE4")
    with pytest.raises(ImportRejected) as refused:
        import_file(library.services.collection, path, "toolbox", language="lhu", encoding="cp1252")
    assert "byte 0x81 is not a character of cp1252" in str(refused.value)
    with pytest.raises(ImportRejected):
        import_file(library.services.collection, path, "toolbox", language="lhu", markers=("gn",))
    assert library.store.entries.count() == 0


def test_a_part_of_speech_heads_the_senses_after_it(tmp_path, library):
    path = tmp_path / "mdf.db"
    path.write_text("\\lx ama\n\\ps n\n\\ge father\n\\ps v\n\\ge to feed\n\n"
                    "\\lx bo\n\\ps n\n\\sn 1\n\\ge cow\n\\sn 2\n\\ge ox\n\\ps v\n\\sn 1\n\\ge to herd\n",
                    encoding="utf-8")
    import_file(library.services.collection, path, "toolbox", language="bam")
    senses = {e["headword"]: [(s["pos"], s["glosses"]["eng"]) for s in e["senses"]]
              for e in entries_of(library, "mdf")}
    assert senses == {"ama": [("n", ["father"]), ("v", ["to feed"])],
                      "bo": [("n", ["cow"]), ("n", ["ox"]), ("v", ["to herd"])]}


def test_an_encoding_named_for_a_utf8_file_is_refused(tmp_path, library):
    path = tmp_path / "utf8.db"
    path.write_text("\\lx đi\n\\ge go\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="already UTF-8"):
        import_file(library.services.collection, path, "toolbox", language="vie", encoding="cp1252")
