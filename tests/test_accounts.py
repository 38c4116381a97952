"""Accounts and roles per language: made on the command line (the token printed once, kept only as
a digest; passwords as Argon2id hashes), used through the API as bearer tokens, refused with 401
or 403 in the one error shape, and every change written to the audit log."""

from __future__ import annotations

import io
import logging

import pytest
from audio_support import encode, espeak_wav, samples_of
from support import Library

from corpora.sample import load_sample
from dictionary.errors import NotSignedIn
from tudien.cli import main


@pytest.fixture
def world(tmp_path):
    lib = Library(tmp_path / "data", api_keys=("khoa-dich-vu",))
    load_sample(lib.services.collection)
    lib.index()
    env = {"TUDIEN_DATA_DIR": str(tmp_path / "data"), "TUDIEN_TTS_ENGINES": "espeak-ng"}

    def tudien(*args, stdin: str = "") -> tuple[int, str, str]:
        import contextlib
        import sys

        out, err = io.StringIO(), io.StringIO()
        saved = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(list(args), env)
        finally:
            sys.stdin = saved
        return code, out.getvalue(), err.getvalue()

    with lib.client() as client:
        yield lib, client, tudien


def _entry(client, headword: str, language: str) -> dict:
    return next(r for r in client.get("/v1/search", params={"q": headword, "from": language}).json()["results"]
                if r["headword"] == headword)


def _upload(client, entry_id: str, token: str | None):
    wav = encode(*samples_of(espeak_wav("nặm")), "wav")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/v1/entries/{entry_id}/audio", headers=headers,
                       files={"file": ("nam.wav", wav, "audio/wav")},
                       data={"speaker": "Hoàng A", "licence": "CC BY 4.0"})


def test_a_contributor_uploads_in_their_language_only(world, caplog):
    lib, client, tudien = world
    caplog.set_level(logging.DEBUG)
    code, out, _ = tudien("users", "add", "hoang.a", "--role", "contributor", "--languages", "tyz")
    token = out.strip().splitlines()[-1]
    assert code == 0 and token.startswith("tdk_") and len(token) > 40
    assert token.encode() not in lib.store.core.path.read_bytes()  # kept as a digest only
    nam = _entry(client, "nặm", "tyz")
    made = _upload(client, nam["id"], token)
    assert made.status_code == 201, made.text
    ntoo = _entry(client, "ntoo", "mww")
    refused = _upload(client, ntoo["id"], token)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert "mww" in refused.json()["error"]["message"] and "hoang.a" in refused.json()["error"]["message"]
    clip = made.json()["clip"]["id"]
    deleted = client.delete(f"/v1/audio/{clip}", headers={"Authorization": f"Bearer {token}"})
    assert deleted.status_code == 403  # deleting is an editor's act
    assert token not in caplog.text  # never written to a log

    _, out, _ = tudien("users", "add", "tran.b", "--role", "editor", "--languages", "tyz,mtq")
    editor = out.strip().splitlines()[-1]
    assert client.delete(f"/v1/audio/{clip}", headers={"Authorization": f"Bearer {editor}"}).status_code == 200
    actions = [(r["actor"], r["action"], r["target"]) for r in lib.store.audit.records()]
    assert ("hoang.a", "audio.upload", clip) in actions and ("tran.b", "audio.delete", clip) in actions
    assert any(a == "account.add" and t == "hoang.a" for _, a, t in actions)
    assert all(token not in str(r) and editor not in str(r) for r in lib.store.audit.records())


def test_no_wrong_or_old_or_disabled_credentials(world):
    lib, client, tudien = world
    nam = _entry(client, "nặm", "tyz")
    for token in (None, "tdk_khong-dung", "khoa-sai"):
        refused = _upload(client, nam["id"], token)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"
        assert "Authorization: Bearer" in refused.json()["error"]["message"]
    _, out, _ = tudien("users", "add", "le.c", "--role", "admin", "--languages", "*")
    old = out.strip().splitlines()[-1]
    code, out, _ = tudien("users", "token", "le.c")
    new = out.strip().splitlines()[-1]
    assert code == 0 and new != old
    assert _upload(client, nam["id"], old).status_code == 401
    assert _upload(client, nam["id"], new).status_code == 201
    assert tudien("users", "disable", "le.c")[0] == 0
    assert _upload(client, nam["id"], new).status_code == 401
    key = client.post(f"/v1/entries/{nam['id']}/audio", headers={"X-API-Key": "khoa-dich-vu"},
                      files={"file": ("a.wav", encode(*samples_of(espeak_wav("a")), "wav"), "audio/wav")},
                      data={"speaker": "B", "licence": "CC BY 4.0"})
    assert key.status_code == 201  # the configured service keys are admin keys


def test_passwords_are_argon2_hashes_and_every_wrong_answer_is_the_same(world):
    lib, _, tudien = world
    code, _, _ = tudien("users", "add", "pham.d", "--role", "editor", "--languages", "bdq",
                        "--password-stdin", stdin="mat-khau-dai-du\n")
    assert code == 0
    stored = lib.store.accounts.account("pham.d")["password_hash"]
    assert stored.startswith("$argon2id$") and "mat-khau" not in stored
    accounts = lib.services.accounts
    assert accounts.by_password("pham.d", "mat-khau-dai-du").role == "editor"
    with pytest.raises(NotSignedIn) as wrong:
        accounts.by_password("pham.d", "sai-mat-khau")
    with pytest.raises(NotSignedIn) as unknown:
        accounts.by_password("khong-co", "sai-mat-khau")
    assert str(wrong.value) == str(unknown.value)
    assert tudien("users", "password", "pham.d", stdin="ngan\n")[0] == 1  # too short: refused
    code, _, err = tudien("users", "password", "pham.d", stdin="mat-khau-11\n")  # 11 characters: one too few
    assert code == 1 and "cần ít nhất 12 ký tự" in err
    code, _, err = tudien("users", "password", "pham.d", stdin="qazwsxedcrfv\n")  # 12, but a common one
    assert code == 1 and "mật khẩu phổ biến" in err
    assert tudien("users", "password", "pham.d", stdin="mat-khau-moi-dai\n")[0] == 0
    assert accounts.by_password("pham.d", "mat-khau-moi-dai").name == "pham.d"
    _, out, _ = tudien("users", "list")
    assert "pham.d" in out and "editor" in out and "bdq" in out


@pytest.mark.parametrize("args, says", [
    (["Hoang A", "--role", "editor", "--languages", "tyz"], "Tên tài khoản"),
    (["hoang", "--role", "editor", "--languages", "xx"], "--languages"),
    (["hoang", "--role", "editor", "--languages", ""], "ngôn ngữ"),
])
def test_bad_accounts_are_refused_with_the_field_named(world, args, says):
    _, _, tudien = world
    code, out, err = tudien("users", "add", *args)
    assert code == 1 and says in err and "tdk_" not in out


def test_the_same_name_twice_is_refused(world):
    _, _, tudien = world
    assert tudien("users", "add", "vo.e", "--role", "editor", "--languages", "tyz")[0] == 0
    code, _, err = tudien("users", "add", "vo.e", "--role", "admin", "--languages", "*")
    assert code == 1 and "vo.e" in err
