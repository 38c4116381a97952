"""Text that cannot be shown is refused, by one content model: a headword or text of nothing but
invisible or format characters (U+061C, U+FFFE, U+10FFFF), a line break in a field of one line,
bidirectional controls that do not pair up, more than four combining marks on one letter.  The
API (through a real server), the editor's service and the importers refuse the same things, each
naming the field; real Vietnamese and Bahnar letters pass; pages isolate the text a user wrote."""

from __future__ import annotations

import os
import re

import pytest
from support import Library, checked_http, start_server

from corpora.importer import import_file
from corpora.sample import load_sample
from corpora.tabular import Columns
from dictionary.errors import ImportRejected, InvalidEntry
from dictionary.model import EntryContent, headword_problem
from dictionary.text.normalize import unshowable

NEW = {"language": "tyz", "headword": "vài", "senses": [{"glosses": {"vie": ["trâu"]}}]}
ZALGO = "a\u0300\u0301\u0302\u0303\u0304"  # five marks on one letter

# (what is wrong, the body, the field the refusal names)
REFUSED = [
    ("arabic letter mark alone", {**NEW, "headword": "\u061c"}, "headword"),
    ("noncharacter U+FFFE alone", {**NEW, "headword": "\ufffe"}, "headword"),
    ("noncharacter U+10FFFF alone", {**NEW, "headword": "\U0010ffff"}, "headword"),
    ("noncharacter inside a word", {**NEW, "headword": "va\U0010ffffi"}, "headword"),
    ("a tag character alone", {**NEW, "headword": "\U000e0041"}, "headword"),
    ("zero-width space alone", {**NEW, "headword": "\u200b"}, "headword"),
    ("right-to-left override alone", {**NEW, "headword": "\u202e"}, "headword"),
    ("newline in a headword", {**NEW, "headword": "vài\ntrâu"}, "headword"),
    ("carriage return in a headword", {**NEW, "headword": "vài\rtrâu"}, "headword"),
    ("newline in a variant", {**NEW, "variants": ["va\ni"]}, "variants[0]"),
    ("newline in a gloss", {**NEW, "senses": [{"glosses": {"vie": ["trâu\nnước"]}}]}, "senses[0].glosses.vie[0]"),
    ("newline in an example", {**NEW, "senses": [{"glosses": {"vie": ["trâu"]}, "examples": [{"text": "a\nb"}]}]},
     "senses[0].examples[0].text"),
    ("override left open", {**NEW, "headword": "vài\u202e"}, "headword"),
    ("isolate closed but never opened", {**NEW, "headword": "vài\u2069"}, "headword"),
    ("embedding closed by the wrong control", {**NEW, "headword": "\u202bvài\u2069"}, "headword"),
    ("override left open in a definition",
     {**NEW, "senses": [{"glosses": {"vie": ["trâu"]}, "definitions": {"vie": "con \u202etrâu"}}]},
     "senses[0].definitions.vie"),
    ("five combining marks on a letter", {**NEW, "headword": ZALGO}, "headword"),
    ("five combining marks in a note", {**NEW, "senses": [{"glosses": {"vie": ["trâu"]}, "notes": [ZALGO]}]},
     "senses[0].notes[0]"),
    ("override left open in the comment", {**NEW, "comment": "xem \u202ekỹ"}, "comment"),
]
# Real letters, and controls used as they should be, that must pass.
ACCEPTED = ["ơ̆", "ờ̆", "hơ̆m", "kơ̆p", "nước", "Nguyễn", "chô̆", "ស្ត្រី", "\u202bשלום\u202c", "\u2067عربي\u2069 x"]


def _error(answer) -> dict:
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["status"] == 422 and re.search("[ăâđêôơư]", error["message"]), error  # Vietnamese
    return error


@pytest.mark.server
def test_the_api_refuses_text_that_cannot_be_shown_and_names_the_field(tmp_path):
    folder = tmp_path / "data"
    lib = Library(folder)
    load_sample(lib.services.collection)
    lib.index()
    token = lib.services.accounts.add("le.b", "editor", "tyz")
    second = lib.services.accounts.add("tran.c", "editor", "tyz")  # four eyes: another editor publishes
    lib.close()
    env = {**os.environ, "TUDIEN_DATA_DIR": str(folder), "TUDIEN_TTS_ENGINES": "espeak-ng"}
    server, port = start_server(env)
    site, http = f"http://127.0.0.1:{port}", checked_http(timeout=30)
    auth = {"Authorization": f"Bearer {token}"}
    try:
        for what, body, field in REFUSED:
            error = _error(http.post(site + "/v1/entries", json=body, headers=auth))
            assert error["field"] == field and error["code"] == "invalid_parameter", (what, error)
        made = {}
        for word in ACCEPTED:
            answer = http.post(site + "/v1/entries", json={**NEW, "headword": word}, headers=auth)
            assert answer.status_code == 201, (word, answer.text)
            made[word] = answer.json()
            assert made[word]["headword"] == word
        # paragraphs stay allowed where a field holds paragraphs
        long = {**NEW, "senses": [{"glosses": {"vie": ["trâu"]}, "definitions": {"vie": "một.\nhai."},
                                   "notes": ["dòng một\r\ndòng hai"]}], "comment": "lý do:\nthứ nhất"}
        answer = http.post(site + "/v1/entries", json=long, headers=auth)
        assert answer.status_code == 201 and answer.json()["senses"][0]["definitions"] == {"vie": "một.\nhai."}
        # the same rules on every other text a writer sends
        entry = made["nước"]
        etag = http.get(site + f"/v1/entries/{entry['id']}", headers=auth).headers["ETag"]
        error = _error(http.put(site + f"/v1/entries/{entry['id']}", json={**NEW, "headword": "a\u2066b"},
                                headers={**auth, "If-Match": etag}))
        assert error["field"] == "headword"
        error = _error(http.post(site + f"/v1/entries/{entry['id']}/status",
                                 json={"status": "review", "comment": "\U0010ffff"}, headers=auth))
        assert error["field"] == "comment"
        published = next(r["id"] for r in http.get(site + "/v1/search", params={"q": "nước", "from": "vie"})
                         .json()["results"])
        for body, field in (({"text": "\u061c\u200b"}, "text"), ({"text": ZALGO}, "text"),
                            ({"text": "sai", "contact": "a\nb"}, "contact")):
            error = _error(http.post(site + f"/v1/entries/{published}/suggestions", json=body))
            assert error["field"] == field, (body, error)
        # pages isolate what a user wrote from the text around it
        rtl = made["\u202bשלום\u202c"]
        for status, who in (("review", auth), ("published", {"Authorization": f"Bearer {second}"})):
            assert http.post(site + f"/v1/entries/{rtl['id']}/status", json={"status": status},
                             headers=who).status_code == 200
        page = http.get(site + f"/e/{rtl['id']}")
        assert page.status_code == 200 and f'<h1 lang="tyz" dir="auto">{rtl["headword"]}</h1>' in page.text
        assert "<li id=\"nghia-1\"><bdi>trâu</bdi>" in page.text
        found = http.get(site + "/", params={"q": "\u202bשלום\u202c"})
        assert "«<bdi>" in found.text
    finally:
        server.terminate()
        server.wait(timeout=20)
        http.close()


@pytest.mark.parametrize(("what", "body", "field"), REFUSED)
def test_the_editing_service_refuses_the_same_through_the_same_model(library, what, body, field):
    accounts, editing = library.services.accounts, library.services.editing
    actor = accounts.by_token(accounts.add("hoang.a", "contributor", "tyz"))
    data = {k: v for k, v in body.items() if k != "comment"}
    with pytest.raises(InvalidEntry) as refused:
        if field == "comment":
            editing.create(actor, data, body["comment"])
        else:
            editing.create(actor, data)
    assert refused.value.field == field, what
    assert library.store.entries.count() == 0


def test_accepted_letters_pass_every_rule():
    for word in ACCEPTED:
        assert unshowable(word) is None and headword_problem(word) is None, word
    assert EntryContent.of({**NEW, "headword": " ơ̆ "}).headword == "ơ̆"


def test_importers_refuse_the_same_headwords_with_their_line(tmp_path, library):
    rows = ["headword,vie", "vài,trâu", "\u061c,trâu", f"{ZALGO},trâu", "a\u202e,trâu", '"va\ni",trâu', "ơ̆,trâu"]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="nothing was imported"):
        import_file(library.services.collection, path, "csv", language="tyz", columns=Columns("headword", "vie"))
    report = import_file(library.services.collection, path, "csv", language="tyz", columns=Columns("headword", "vie"), dry_run=True)
    problems = {str(p) for p in report.problems}
    assert report.entries == 2 and problems == {
        "t.csv:3: headword: the headword has no visible character (only spaces or invisible ones such as U+200B)",
        "t.csv:4: headword: the headword has more than 4 combining marks on one letter",
        "t.csv:5: headword: the headword's bidirectional controls (U+202A–U+202E, U+2066–U+2069) do not pair up",
        "t.csv:7: headword: the headword holds a line break",
    }, problems
