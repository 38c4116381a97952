"""The audit log kept and reviewable: every record carries the digest of the one before it, so an
edit, a removal or an insertion shows where it was made (`tudien audit verify`), and the log is
exported as JSON lines or formula-neutral CSV (`tudien audit export`).  Sign-ins, failed sign-ins
and role changes are in it."""

from __future__ import annotations

import csv
import io
import sqlite3

import orjson
import pytest
from support import Library

from corpora.sample import load_sample
from dictionary.errors import WrongPassword
from dictionary.storage import chain
from dictionary.storage.schema import VERSION
from dictionary.storage.store import Storage
from tudien.cli import main

PASSWORD = "mật-khẩu-dài-đủ"


@pytest.fixture
def lib(tmp_path):
    library = Library(tmp_path / "data")
    load_sample(library.services.collection)
    accounts = library.services.accounts
    accounts.add("le.b", "editor", "tyz", PASSWORD, actor="cli:test")
    accounts.sign_in("le.b", PASSWORD, "10.0.0.1")
    with pytest.raises(WrongPassword):
        accounts.sign_in("le.b", "không phải mật khẩu", "10.0.0.2")
    accounts.set_role("le.b", "admin", "*", actor="cli:test")
    yield library
    library.close()


def env_of(lib) -> dict[str, str]:
    return {"TUDIEN_DATA_DIR": str(lib.settings.data_dir)}


def stored(lib) -> list[dict]:
    return lib.store.core.rows("SELECT * FROM audit_log ORDER BY id")


def test_each_record_carries_the_digest_of_the_one_before(lib, capsys):
    rows = stored(lib)
    assert [r["action"] for r in rows] == ["import", "import", "import", "account.add", "session.open",
                                           "session.failed", "account.role"]
    assert rows[0]["prev"] == chain.ORIGIN
    for before, row in zip(rows, rows[1:], strict=False):
        assert row["prev"] == before["digest"] and row["digest"] == chain.digest(row, before["digest"])
    assert orjson.loads(rows[-1]["detail"]) == {"from": {"role": "editor", "languages": "tyz"},
                                                "to": {"role": "admin", "languages": "*"}}
    assert (rows[4]["actor"], rows[4]["client"]) == ("le.b", "10.0.0.1")  # the sign-in
    assert (rows[5]["target"], rows[5]["client"]) == ("le.b", "10.0.0.2")  # the failed one
    assert main(["audit", "verify"], env_of(lib)) == 0
    assert capsys.readouterr().out.strip() == "the chain holds over 7 records"
    # the records the API shows keep their shape: the chain's columns are not in them
    assert set(lib.services.editing.audit_log.records()[0]) == {"id", "at", "actor", "client", "action",
                                                                 "target", "detail"}


@pytest.mark.parametrize("tamper, broken, held", [
    ("UPDATE audit_log SET actor = 'ai-do' WHERE id = 5", 5, 4),  # an edit: that record's digest is wrong
    ("DELETE FROM audit_log WHERE id = 4", 5, 3),  # a removal: the next one names a digest that is gone
    ("UPDATE audit_log SET detail = NULL WHERE id = 7", 7, 6),  # the last record too
])
def test_verify_names_the_first_record_where_the_chain_breaks(lib, capsys, tamper, broken, held):
    path = lib.settings.store_path
    lib.close()
    with sqlite3.connect(path) as db:  # what someone with the file in hand could do
        db.execute(tamper)
    assert main(["audit", "verify"], env_of(lib)) == 1
    err = capsys.readouterr().err
    assert f"the chain breaks at record {broken} (after {held} records that hold)" in err


def test_the_migration_chains_the_records_kept_before_it(tmp_path, capsys):
    library = Library(tmp_path / "data")
    load_sample(library.services.collection)
    path = library.settings.store_path
    library.close()
    with sqlite3.connect(path) as db:  # the store as release 11 left it: records with no digests
        db.execute("ALTER TABLE audit_log DROP COLUMN prev")
        db.execute("ALTER TABLE audit_log DROP COLUMN digest")
        db.execute("PRAGMA user_version = 11")
    Storage(path).close()  # opening it for writing migrates it
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == VERSION
        assert db.execute("SELECT COUNT(*) FROM audit_log WHERE digest IS NULL").fetchone()[0] == 0
    assert main(["audit", "verify"], {"TUDIEN_DATA_DIR": str(tmp_path / "data")}) == 0
    assert capsys.readouterr().out.strip() == "the chain holds over 3 records"


def test_export_as_json_lines_and_as_csv_with_no_formula(lib, tmp_path, capsys):
    lib.store.audit.record("=HYPERLINK(\"http://x\")", "note", "-1+1")
    rows = stored(lib)
    since = rows[4]["at"]
    assert main(["audit", "export", "--since", since], env_of(lib)) == 0
    out, err = capsys.readouterr()
    lines = [orjson.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in lines] == [r["id"] for r in rows if r["at"] >= since] and len(lines) >= 4
    assert lines[-1] == {**{k: rows[-1][k] for k in ("id", "at", "actor", "client", "action", "target",
                                                     "prev", "digest")}, "detail": None}
    assert err.strip() == f"{len(lines)} audit records exported"
    assert main(["audit", "export", "--since", "2000-01-01T07:00+07:00"], env_of(lib)) == 0  # a zone is honoured
    assert len(capsys.readouterr().out.splitlines()) == len(rows)
    assert main(["audit", "export", "--since", "hôm qua"], env_of(lib)) == 1
    assert "không phải thời điểm ISO 8601" in capsys.readouterr().err
    target = tmp_path / "audit.csv"
    assert main(["audit", "export", "--format", "csv", "--output", str(target)], env_of(lib)) == 0
    table = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert table[0] == ["id", "at", "actor", "client", "action", "target", "detail", "prev", "digest"]
    assert len(table) == len(rows) + 1 and table[-1][2] == "'=HYPERLINK(\"http://x\")" and table[-1][5] == "'-1+1"
    assert table[-1][8] == rows[-1]["digest"]
