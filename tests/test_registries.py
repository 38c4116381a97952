"""Formats and engines are chosen from tables: a new one joins by one entry, and the command line
offers what the tables hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import Library

from corpora import formats
from corpora.base import Parsed, Problem, ReadOptions
from corpora.export import export
from corpora.importer import import_file
from dictionary.errors import ConfigurationError, ImportRejected
from dictionary.model import Entry, entry_id
from indexer import engines
from indexer.embedded import EmbeddedBackend
from tudien.cli import build_parser, main
from tudien.settings import Settings
from tudien.wiring import open_backend


def read_pairs(path: Path, options: ReadOptions) -> Parsed:
    """A word list of ``headword = gloss`` lines, the Vietnamese gloss after the sign."""
    if options.language is None:
        raise ImportRejected(f"{path.name}: a pairs import needs --language")
    entries, problems = [], []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        headword, sign, gloss = (part.strip() for part in line.partition("="))
        if not (headword and sign and gloss):
            problems.append(Problem(f"{path.name}:{number}", None, "not headword = gloss"))
            continue
        entries.append(Entry.model_validate({
            "id": entry_id(options.language, options.dataset, headword), "language": options.language,
            "headword": headword, "senses": [{"glosses": {"vie": [gloss]}}],
            "provenance": {"dataset": options.dataset, "source_file": path.name, "location": f"{path.name}:{number}"},
        }))
    return Parsed(entries, problems, len(lines))


def write_headwords(entries, out: Path, sources=None) -> int:
    """One headword a line."""
    headwords = [entry["headword"] for entry in entries]
    out.write_text("".join(f"{h}\n" for h in headwords), encoding="utf-8")
    return len(headwords)


@pytest.fixture
def pairs(monkeypatch):
    monkeypatch.setitem(formats.IMPORTERS, "pairs", formats.Importer(f"{__name__}:read_pairs"))
    monkeypatch.setitem(formats.EXPORTERS, "headwords", f"{__name__}:write_headwords")


def format_choices(command: str) -> list[str]:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    return next(a for a in commands.choices[command]._actions if a.dest == "format").choices


def test_the_command_line_offers_the_formats_of_the_tables_in_their_order():
    assert format_choices("import") == ["csv", "tsv", "xlsx", "toolbox", "cldf", "lift"] == list(formats.IMPORTERS)
    assert format_choices("export") == ["lift", "cldf", "csv", "xlsx"] == list(formats.EXPORTERS)


def test_an_importer_and_an_exporter_join_by_one_entry(tmp_path, pairs, library):
    assert "pairs" in format_choices("import") and "headwords" in format_choices("export")
    words = tmp_path / "tay.txt"
    words.write_text("rườn = nhà\nnặm = nước\n", encoding="utf-8")
    env = {"TUDIEN_DATA_DIR": str(tmp_path / "data"), "TUDIEN_TTS_ENGINES": "espeak-ng"}
    assert main(["import", str(words), "--format", "pairs", "--language", "tyz"], env) == 0
    lib = Library(tmp_path / "data")
    try:
        assert lib.headwords("nước") == ["nặm"]  # imported, and the index rebuilt after it
        assert lib.store.datasets.get("tay")["format"] == "pairs"
        out = tmp_path / "headwords.txt"
        assert main(["export", str(out), "--format", "headwords"], env) == 0
        assert sorted(out.read_text(encoding="utf-8").split()) == ["nặm", "rườn"]
        assert export("headwords", lib.store.entries.export_entries(), tmp_path / "again.txt") == 2
    finally:
        lib.close()
    bad = tmp_path / "bad.txt"
    bad.write_text("rườn nhà\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match=r"bad\.txt:1: not headword = gloss"):
        import_file(library.services.collection, bad, "pairs", language="tyz")
    with pytest.raises(ImportRejected, match=r"bad\.txt: a pairs import needs --language"):
        import_file(library.services.collection, bad, "pairs")


def test_a_format_not_in_the_tables_is_refused_naming_those_that_are(tmp_path, library):
    path = tmp_path / "w.txt"
    path.write_text("x\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="unknown format 'pairs'; choose one of csv, tsv, xlsx, toolbox, cldf, lift"):
        import_file(library.services.collection, path, "pairs")
    with pytest.raises(ValueError, match="unknown export format 'headwords'; choose one of lift, cldf, csv, xlsx"):
        export("headwords", [], tmp_path / "out.txt")


def test_an_engine_joins_by_one_entry(tmp_path, monkeypatch):
    with pytest.raises(ConfigurationError, match="choose one of embedded, elasticsearch"):
        Settings.from_env({"TUDIEN_DATA_DIR": str(tmp_path), "TUDIEN_BACKEND": "tantivy-beside"})
    monkeypatch.setitem(engines.BACKENDS, "tantivy-beside",
                        lambda settings: EmbeddedBackend(settings.index_dir.with_name("beside")))
    settings = Settings.from_env({"TUDIEN_DATA_DIR": str(tmp_path), "TUDIEN_BACKEND": "tantivy-beside"})
    backend = open_backend(settings)
    try:
        assert isinstance(backend, EmbeddedBackend) and backend.root == tmp_path / "beside"
    finally:
        backend.close()
