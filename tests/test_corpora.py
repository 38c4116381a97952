"""The open word lists shipped in corpora/open: their files, licences and sources, loading them
(published, each entry naming its source), listing and removing datasets from the command line,
and the dataset's page.  They are in the repository, so these tests run on any clone."""

from __future__ import annotations

import contextlib
import io
import unicodedata

import pytest
from support import Library

from corpora.open import CATALOGUE, FOLDER, load_open
from dictionary import languages
from dictionary.model import Status
from tudien.cli import main


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    lib = Library(tmp_path_factory.mktemp("open") / "data")
    reports = load_open(lib.services.collection)
    lib.index()
    return lib, reports


def run(env: dict, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args), env)
    return code, out.getvalue(), err.getvalue()


def test_every_shipped_file_is_named_licensed_and_nfc():
    sources = (FOLDER / "SOURCES.md").read_text(encoding="utf-8")
    assert (FOLDER / "LICENSES/Apache-2.0.txt").read_text().count("Apache License") >= 1
    assert "Attribution 4.0 International" in (FOLDER / "LICENSES/CC-BY-4.0.txt").read_text()
    assert "Attribution 4.0 International" in (FOLDER / "sidwellvietic/LICENSE").read_text()
    assert "Attribution-ShareAlike 3.0 Unported" in (FOLDER / "LICENSES/CC-BY-SA-3.0.txt").read_text()
    assert "Creative Commons Attribution-ShareAlike 3.0" in (FOLDER / "omw-wikt/LICENSE").read_text()
    for item in CATALOGUE:
        assert item.file.exists(), item.path
        assert item.path.split("/")[0] in sources, item.name
        assert item.licence in ("Apache-2.0", "CC-BY-4.0", "CC-BY-SA-3.0")
        assert (FOLDER / "LICENSES" / f"{item.licence}.txt").exists(), item.licence
        assert f"`LICENSES/{item.licence}.txt`" in sources, item.licence
        assert "không phải từ điển" in item.description
    for path in FOLDER.rglob("*"):
        if path.is_file() and path.suffix in (".csv", ".tsv", ".json", ".md", ".bib", ".txt", ""):
            text = path.read_text(encoding="utf-8")
            assert unicodedata.is_normalized("NFC", text), path
    # never the lists the project may not ship
    names = {p.name for p in FOLDER.rglob("*")}
    assert not {"Viet74K.txt", "Viet11K.txt", "khmer_words_no_duplicate.txt", "Lotud.zip"} & names


def test_loading_serves_real_lookups_in_a_dozen_languages_of_vietnam(loaded):
    lib, reports = loaded
    assert all(not isinstance(report, str) and not report.problems for _, report in reports)
    counts = lib.store.entries.language_counts()
    vietnam = {code for code in counts if code != "vie" and languages.get(code).in_vietnam}
    assert len(vietnam) >= 12, sorted(vietnam)
    client = lib.client()
    listed = {entry["code"]: entry for entry in client.get("/v1/languages").json()["languages"]}
    assert all(listed[code]["entries"] > 0 for code in vietnam)
    # a real look-up in each, every result naming its citation and licence
    for code in sorted(vietnam):
        body = client.get("/v1/search", params={"q": "nước", "from": "vie", "to": code, "limit": 5}).json()
        body = body if body["results"] else client.get(
            "/v1/search", params={"q": "mắt", "from": "vie", "to": code, "limit": 5}).json()
        assert body["results"], code
        for result in body["results"]:
            assert result["source"]["citation"] and result["source"]["licence"], result["id"]
    # the dialect a list records is shown with its words
    golar = client.get("/v1/search", params={"q": "nước", "from": "vie", "to": "bdq", "limit": 100}).json()
    assert "Golar" in {r.get("variety") for r in golar["results"]}
    # a concept with no Vietnamese counterpart keeps its English meaning rather than failing the list
    english_only = lib.store.core.db.execute(
        "SELECT COUNT(*) FROM entries WHERE dataset = 'peiros-hre' AND body NOT LIKE '%\"vie\"%'").fetchone()[0]
    assert english_only > 0


def test_loading_again_skips_what_is_loaded_and_force_changes_nothing(loaded):
    lib, _ = loaded
    again = load_open(lib.services.collection, ["wold-mww", "sidwellbahnaric-sed"])
    assert [report for _, report in again] == ["already loaded from the same file"] * 2
    forced = load_open(lib.services.collection, ["wold-mww"], force=True)[0][1]
    assert (forced.stats.added, forced.stats.updated, forced.stats.removed) == (0, 0, 0)
    with pytest.raises(KeyError):
        load_open(lib.services.collection, ["no-such-list"])


def test_the_dataset_page_says_what_the_data_is(loaded):
    lib, _ = loaded
    client = lib.client()
    page = client.get("/nguon/bahnaric")
    assert page.status_code == 200
    assert "không phải từ điển được cơ quan có thẩm quyền phê duyệt" in page.text
    assert 'href="https://www.apache.org/licenses/LICENSE-2.0"' in page.text
    assert 'href="https://github.com/IAmSkyDra/BARTBahnar"' in page.text and "Ba Na: 20686" in page.text
    missing = client.get("/nguon/khong-co")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    result_page = client.get("/", params={"q": "hnam", "from": "bdq"}).text
    assert 'href="/nguon/bahnaric"' in result_page


def test_corpora_and_datasets_from_the_command_line(tmp_path):
    env = {"TUDIEN_DATA_DIR": str(tmp_path / "data"), "TUDIEN_TTS_ENGINES": "espeak-ng"}
    code, out, _ = run(env, "corpora", "list")
    assert code == 0 and "bahnaric" in out and "Apache-2.0" in out and "not loaded" in out
    assert "not officially approved" in out
    code, out, err = run(env, "corpora", "load", "no-such-list")
    assert code == 2 and "no-such-list" in err
    code, out, _ = run(env, "corpora", "load", "peiros-hre", "sidwellbahnaric-sed")
    assert code == 0 and "peiros-hre: 102 entries (102 new" in out and "index rebuilt" in out
    code, out, _ = run(env, "corpora", "load", "peiros-hre")
    assert code == 0 and "already loaded" in out
    code, out, _ = run(env, "datasets", "show", "peiros-hre")
    assert code == 0 and "licence: CC-BY-4.0" in out and "Hrê (hre) 102" in out
    code, out, _ = run(env, "search", "nước", "--from", "vie", "--to", "hre")
    assert code == 0 and "hre" in out
    # removing says what it will delete and waits for --yes
    code, out, err = run(env, "datasets", "remove", "peiros-hre")
    assert code == 1 and "102 entries" in out and "--yes" in err
    code, out, _ = run(env, "datasets", "list")
    assert "peiros-hre" in out
    code, out, _ = run(env, "datasets", "remove", "peiros-hre", "--yes")
    assert code == 0 and "removed 102 entries" in out
    code, out, _ = run(env, "datasets", "list")
    assert "peiros-hre" not in out and "sidwellbahnaric-sed" in out
    code, out, _ = run(env, "search", "nước", "--from", "vie", "--to", "hre")
    assert "0 entries" in out  # the index followed the removal
    code, _, err = run(env, "datasets", "show", "peiros-hre")
    assert code == 2 and "no dataset named" in err
    lib = Library(tmp_path / "data")
    rows = lib.store.core.db.execute("SELECT action, actor FROM audit_log WHERE target = 'peiros-hre'").fetchall()
    assert [row[0] for row in rows] == ["import", "dataset.remove"]
    assert all(row[1].startswith("cli") for row in rows)  # both with who ran the command


def test_an_admins_own_dataset_of_the_same_name_is_never_replaced(tmp_path):
    """An admin imported their own copy of the Bahnar list under the name the shipped one uses:
    loading the open lists (which ./scripts/serve does at every start) leaves it alone."""
    lib = Library(tmp_path / "data")
    own = tmp_path / "bahnaric.tsv"
    own.write_text("Bahnaric\tVietnamese\nhnam\tnhà\n", encoding="utf-8")
    from corpora.importer import import_file
    from corpora.tabular import Columns

    import_file(lib.services.collection, own, "tsv", language="bdq", columns=Columns("Bahnaric", "Vietnamese"), dataset="bahnaric")
    result = dict((item.name, report) for item, report in load_open(lib.services.collection, ["bahnaric"]))
    assert "imported from elsewhere" in result["bahnaric"] and lib.store.entries.count() == 1
    client = lib.client()
    assert client.get("/nguon/bahnaric").status_code == 200
    # a dataset nothing of which is public has no public page
    import_file(lib.services.collection, own, "tsv", language="bdq", columns=Columns("Bahnaric", "Vietnamese"), dataset="nhap",
                status=Status.draft)
    assert client.get("/nguon/nhap").status_code == 404
