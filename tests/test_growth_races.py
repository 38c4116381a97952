"""The growth loop when two acts cross: a speaker withdrawn while their take is on its way or
waiting for review, and two uploads of one take at once."""

from __future__ import annotations

import pytest
from audio_support import encode, espeak_wav, samples_of
from support import CheckedClient, Library

from corpora.sample import load_sample
from dictionary.audio.recording import RecordingInfo
from dictionary.errors import Forbidden


@pytest.fixture
def world(tmp_path):
    lib = Library(tmp_path)
    load_sample(lib.services.collection)
    lib.index()
    accounts = lib.services.accounts
    tokens = {"speaker": accounts.add("y.nie", "contributor", "tyz"), "editor": accounts.add("le.b", "editor", "tyz")}
    app = CheckedClient(lib.app(), client=("203.0.113.7", 50000))
    entry_id = lib.store.core.rows("SELECT id FROM entries WHERE language = 'tyz' AND public IS NOT NULL "
                                   "ORDER BY id LIMIT 1")[0]["id"]
    editor = {"Authorization": f"Bearer {tokens['editor']}"}
    speaker = {"Authorization": f"Bearer {tokens['speaker']}"}
    campaign = app.post("/v1/campaigns", json={"language": "tyz", "name": "đợt", "entries": [entry_id]},
                        headers=editor).json()
    profile = app.post("/v1/speakers", json={"language": "tyz", "name": "Y Niê", "consent": True},
                       headers=speaker).json()
    yield lib, app, {"editor": editor, "speaker": speaker}, campaign["id"], entry_id, profile["id"]
    lib.services.close()


def _wav(text: str) -> bytes:
    return encode(*samples_of(espeak_wav(text)), "wav")


def _withdrawn_behind_our_back(lib, speaker: int) -> None:
    """The withdrawal lands between the upload's (or the review's) check and its write."""
    lib.store.core.db.execute("UPDATE speakers SET withdrawn_at = '2026-01-01T00:00:00Z' WHERE id = ?", (speaker,))
    lib.store.core.db.commit()


def _files(lib) -> int:
    return sum(1 for p in lib.audio.blobs.root.rglob("*") if p.is_file())


def test_a_take_of_a_speaker_withdrawn_meanwhile_is_not_kept(world):
    lib, _, _, _, entry_id, speaker = world
    _withdrawn_behind_our_back(lib, speaker)
    before = _files(lib)
    with pytest.raises(Forbidden):
        lib.audio.add_recording(entry_id, _wav("một"), RecordingInfo.checked(speaker="Y Niê", licence="CC BY 4.0"),
                                review="pending", speaker_id=speaker)
    assert lib.store.core.rows("SELECT COUNT(*) AS n FROM audio_clips WHERE speaker_id = ?", (speaker,))[0]["n"] == 0
    assert _files(lib) == before  # nor its files


def test_a_pending_take_of_a_speaker_withdrawn_meanwhile_cannot_be_accepted(world):
    lib, app, auth, number, entry_id, speaker = world
    sent = app.post(f"/v1/entries/{entry_id}/audio", data={"campaign": str(number), "take": "k1"},
                    files={"file": ("t.wav", _wav("hai"))}, headers=auth["speaker"])
    assert sent.status_code == 201, sent.text
    clip = sent.json()["clip"]["id"]
    _withdrawn_behind_our_back(lib, speaker)
    refused = app.post(f"/v1/recordings/{clip}/review", json={"verdict": "accept"}, headers=auth["editor"])
    assert refused.status_code == 403 and "rút lại" in refused.json()["error"]["message"]
    assert lib.store.core.rows("SELECT review FROM audio_clips WHERE id = ?", (clip,))[0]["review"] == "pending"
    assert lib.audio.recordings([entry_id]).get(entry_id) is None


def test_two_uploads_of_one_take_at_once_keep_one_clip(world, monkeypatch):
    lib, app, auth, number, entry_id, _ = world
    form = {"campaign": str(number), "take": "k1"}
    first = app.post(f"/v1/entries/{entry_id}/audio", data=form, files={"file": ("t.wav", _wav("ba"))},
                     headers=auth["speaker"])
    assert first.status_code == 201, first.text
    files = _files(lib)
    # the second upload checked the key before the first one kept it, and sends other bytes
    rooms = lib.services.campaigns.rooms
    looked, take = [], rooms.take
    monkeypatch.setattr(rooms, "take", lambda key: None if not looked.append(key) and len(looked) == 1 else take(key))
    second = app.post(f"/v1/entries/{entry_id}/audio", data=form, files={"file": ("t.wav", _wav("bốn"))},
                      headers=auth["speaker"])
    assert second.status_code == 200 and second.json()["clip"]["id"] == first.json()["clip"]["id"]
    assert lib.store.core.rows("SELECT COUNT(*) AS n FROM audio_clips WHERE entry_id = ?", (entry_id,))[0]["n"] == 1
    assert _files(lib) == files


def test_reading_the_worklist_searches_once_per_item_and_generation(world, monkeypatch):
    lib, app, auth, _, _, _ = world
    for n in range(5):
        app.post("/v1/requests", json={"text": f"từ mới {n}", "language": "tyz"})
    searches = []
    search = lib.services.worklist.search.search
    monkeypatch.setattr(lib.services.worklist.search, "search", lambda *a, **k: searches.append(a) or search(*a, **k))
    for _ in range(3):
        assert len(app.get("/v1/worklist", params={"language": "tyz"}, headers=auth["editor"]).json()["items"]) == 5
        app.get("/v1/worklist.csv", params={"language": "tyz"}, headers=auth["editor"])
    assert len(searches) == 5


def test_an_export_holds_at_most_two_thousand_items(world, monkeypatch):
    lib, app, auth, _, _, _ = world
    asked = []
    items = lib.services.worklist.items
    monkeypatch.setattr(lib.services.worklist, "items",
                        lambda a, lang, limit=100: asked.append(limit) or items(a, lang, limit))
    assert app.get("/v1/worklist.csv", params={"language": "tyz"}, headers=auth["editor"]).status_code == 200
    assert asked == [2_000]


def test_a_contact_goes_once_the_request_is_settled_or_old(world):
    lib, app, auth, _, _, _ = world

    def contact(number: int) -> str | None:
        return lib.store.core.rows("SELECT contact FROM term_requests WHERE id = ?", (number,))[0]["contact"]

    def ask(text: str) -> int:
        return app.post("/v1/requests", json={"text": text, "language": "tyz", "contact": "0912 345 678"}).json()["number"]

    dismissed, answered, old, kept = ask("ô tô điện"), ask("rườn"), ask("máy cày"), ask("điện thoại")
    assert app.post("/v1/worklist/decisions", headers=auth["editor"], json={
        "language": "tyz", "text": "ô tô điện", "status": "dismissed", "reason": "Từ mượn."}).status_code == 200
    assert contact(dismissed) is None
    lib.store.core.db.execute("UPDATE term_requests SET at = '2001-01-01T00:00:00Z' WHERE id = ?", (old,))
    lib.store.core.db.commit()
    lib.services.demand.flush()  # the daily clean-up
    assert (contact(answered), contact(old), contact(kept)) == (None, None, "0912 345 678")


@pytest.mark.parametrize("path", ["/de-nghi/100000000000000000000", "/v1/requests/100000000000000000000",
                                  "/v1/campaigns/100000000000000000000"])
def test_a_number_past_what_the_store_holds_is_refused_not_a_crash(world, path):
    _, app, auth, _, _, _ = world
    assert app.get(path, headers=auth["editor"]).status_code == 422


def test_a_number_past_what_the_store_holds_on_a_page_form_is_refused(world):
    _, app, _, _, _, _ = world
    assert app.post("/gop-y/100000000000000000000", data={"status": "accepted"}).status_code == 422


@pytest.mark.parametrize("campaign", ["²", "100000000000000000000", "0"])
def test_a_campaign_number_that_is_no_number_is_refused(world, campaign):
    _, app, auth, _, entry_id, _ = world
    sent = app.post(f"/v1/entries/{entry_id}/audio", data={"campaign": campaign, "take": "k9"},
                    files={"file": ("t.wav", _wav("năm"))}, headers=auth["speaker"])
    assert sent.status_code == 422 and sent.json()["error"]["code"] == "invalid_recording"


def test_the_campaign_page_is_for_contributors_of_its_language(world):
    lib, app, _, number, _, _ = world
    accounts = lib.services.accounts
    accounts.add("vang.a", "contributor", "mww", password="mat-khau-hmong")
    accounts.add("hoang.b", "contributor", "tyz", password="mat-khau-tay")
    for name, password, status in (("vang.a", "mat-khau-hmong", 403), ("hoang.b", "mat-khau-tay", 200)):
        _, token = accounts.sign_in(name, password, "203.0.113.7")
        app.cookies.set("tudien_session", token)
        page = app.get(f"/ghi-am/{number}")
        assert page.status_code == status, (name, page.text[:200])


def test_reviewers_list_a_campaign_s_pending_takes(world):
    lib, app, auth, number, entry_id, speaker = world
    clip = app.post(f"/v1/entries/{entry_id}/audio", data={"campaign": str(number), "take": "k1"},
                    files={"file": ("t.wav", _wav("sáu"))}, headers=auth["speaker"]).json()["clip"]["id"]
    path = f"/v1/campaigns/{number}/pending"
    listed = app.get(path, headers=auth["editor"]).json()
    assert [(p["clip"], p["entry"], p["take"], p["speaker"], p["speaker_name"]) for p in listed["pending"]] \
        == [(clip, entry_id, "k1", speaker, "Y Niê")]
    assert app.get(path, headers=auth["speaker"]).json()["pending"] == []  # never one's own
    outsider = {"Authorization": f"Bearer {lib.services.accounts.add('vang.a', 'contributor', 'mww')}"}
    assert app.get(path, headers=outsider).status_code == 403
    assert app.get(path).status_code == 401
    assert app.get("/v1/campaigns/999/pending", headers=auth["editor"]).status_code == 404
    app.post(f"/v1/recordings/{clip}/review", json={"verdict": "accept"}, headers=auth["editor"])
    assert app.get(path, headers=auth["editor"]).json()["pending"] == []
