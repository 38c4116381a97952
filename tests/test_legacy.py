"""TCVN3 and VNI-Windows text: detection, conversion, import, and pasted queries.

TCVN3 test text is made by glibc's own TCVN 5712 encoder (``iconv -t TCVN5712-1``), an
implementation independent of ours; VNI-Windows examples are as the VNI fonts spell them.
"""

import shutil
import subprocess

import pytest

from corpora.importer import import_file
from corpora.tabular import Columns
from dictionary.errors import ImportRejected
from dictionary.text import legacy

SENTENCES = [
    "tiếng việt là ngôn ngữ của người việt",
    "cây lúa nước mọc trên đồng ruộng",
    "ủy ban dân tộc và miền núi",
    "đường đi khó không khó vì ngăn sông cách núi",
]

needs_iconv = pytest.mark.skipif(shutil.which("iconv") is None, reason="glibc iconv not found")


def tcvn3_bytes(text: str) -> bytes:
    return subprocess.run(
        ["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"], input=text.encode(), capture_output=True, check=True
    ).stdout


@needs_iconv
@pytest.mark.parametrize("sentence", SENTENCES)
def test_tcvn3_from_glibc_encoder_converts_back(sentence):
    raw = tcvn3_bytes(sentence).decode("latin-1")
    assert raw != sentence
    found = legacy.detect(raw)
    assert found is not None and found.encoding == "tcvn3"
    assert legacy.convert(raw)[0] == sentence


@needs_iconv
def test_tcvn3_table_agrees_with_glibc_for_every_lower_case_letter():
    letters = "àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
    letters += "ĂÂÊÔƠƯĐ"
    raw = tcvn3_bytes(letters).decode("latin-1")
    assert legacy.from_tcvn3(raw) == letters


@pytest.mark.parametrize(
    ("vni", "unicode"),
    [
        ("Xin chaøo caùc baïn", "Xin chào các bạn"),
        ("Vieät Nam", "Việt Nam"),
        ("ngöôøi Möôøng", "người Mường"),
        ("Ñaék Laék", "Đắk Lắk"),
        ("UÛY BAN DAÂN TOÄC", "ỦY BAN DÂN TỘC"),
        ("tieáng vieät laø ngoân ngöõ", "tiếng việt là ngôn ngữ"),
    ],
)
def test_vni_windows_converts(vni, unicode):
    assert legacy.from_vni(vni) == unicode


def test_vni_detected_in_a_paragraph():
    text = "Xin chaøo caùc baïn. Tieáng Vieät laø ngoân ngöõ cuûa ngöôøi Vieät."
    found = legacy.detect(text)
    assert found is not None and found.encoding == "vni"


@pytest.mark.parametrize(
    "text",
    [
        "tiếng việt là ngôn ngữ của người việt",  # Unicode Vietnamese
        "cá mà là cà phê",  # Unicode, and only Latin-1 letters
        "ntawv tsev txiv",  # Hmong RPA, ASCII
        "bơ̆ngai ĕm",  # Bahnar
        "ទឹក ខ្មែរ",  # Khmer
        "café déjà vu à la française",  # French in Latin-1
    ],
)
def test_unicode_is_never_converted(text):
    assert legacy.detect(text) is None
    assert legacy.convert(text) == (text, None)


def test_forcing_a_conversion_on_unicode_is_refused():
    with pytest.raises(ValueError, match="line 2"):
        legacy.convert("a\nngười", "tcvn3")


def _tsv(path, body: bytes):
    path.write_bytes(b"vie_form\tmww_form\n" + body)
    return path


@needs_iconv
def test_import_tcvn3_bytes_file(tmp_path, library):
    lines = [("nước", "dej"), ("cây", "ntoo"), ("người", "neeg"), ("tiếng", "lus")]
    body = b"".join(tcvn3_bytes(vi) + b"\t" + hm.encode() + b"\n" for vi, hm in lines)
    path = _tsv(tmp_path / "old.tsv", body)
    report = import_file(library.services.collection, path, "tsv", language="mww",
                         columns=Columns("mww_form", "vie_form"))
    assert any("TCVN3" in note for note in report.notes)
    glosses = {e["headword"]: e["senses"][0]["glosses"]["vie"] for _, e in library.store.entries.iter_entries()}
    assert glosses == {hm: [vi] for vi, hm in lines}


@needs_iconv
def test_import_tcvn3_saved_as_unicode_and_legacy_off(tmp_path, library):
    lines = [("nước", "dej"), ("cây", "ntoo"), ("người", "neeg")]
    body = "".join(tcvn3_bytes(vi).decode("latin-1") + f"\t{hm}\n" for vi, hm in lines).encode()
    path = _tsv(tmp_path / "saved.tsv", body)
    cols = Columns("mww_form", "vie_form")
    report = import_file(library.services.collection, path, "tsv", language="mww", columns=cols, dry_run=True)
    assert any("TCVN3" in n for n in report.notes)
    report = import_file(library.services.collection, path, "tsv", language="mww", columns=cols, legacy="off",
                         dry_run=True)
    assert not any("TCVN3" in n for n in report.notes)


def test_unicode_file_is_not_converted_and_forcing_is_refused(tmp_path, library):
    path = _tsv(tmp_path / "u.tsv", "nước\tdej\ncá\tntses\n".encode())
    cols = Columns("mww_form", "vie_form")
    report = import_file(library.services.collection, path, "tsv", language="mww", columns=cols)
    assert not any("convert" in n for n in report.notes)
    with pytest.raises(ImportRejected, match=r"u\.tsv: line 2: 'ư'"):
        import_file(library.services.collection, path, "tsv", language="mww", columns=cols, legacy="tcvn3")


def test_non_utf8_bytes_that_are_not_vietnamese_are_still_refused(tmp_path, library):
    path = _tsv(tmp_path / "latin.tsv", "caf\xe9\tdej\n".encode("latin-1"))
    with pytest.raises(ImportRejected, match="not UTF-8"):
        import_file(library.services.collection, path, "tsv", language="mww", columns=Columns("mww_form", "vie_form"))


@needs_iconv
def test_pasted_tcvn3_query_finds_the_entry(tmp_path, library):
    from dictionary.search.service import SearchService

    raw = tcvn3_bytes("người").decode("latin-1")  # "ng\xadêi": ư is a soft hyphen in TCVN3
    assert SearchService.readings(raw, "ngêi") == ["người"]
