"""Accounts and roles, per language.

``contributor`` drafts and proposes in their languages; ``editor`` also reviews, publishes,
rejects, retires and reverts in their languages; ``admin`` may do everything, in every language,
and manages accounts, imports and the audit log.  An API client presents a token (``Authorization:
Bearer …``), shown once when made and kept only as its SHA-256 digest; a person signing in to the
pages presents a password, kept only as an Argon2id hash.  The service's configured API keys
(``TUDIEN_API_KEYS``) act as admin service accounts.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache

from dictionary import languages
from dictionary.errors import (
    AccountNotFound,
    Forbidden,
    InvalidAccount,
    NotSignedIn,
    TooManySignIns,
    UnknownLanguage,
    WrongPassword,
)
from dictionary.storage.accounts import AccountRows
from dictionary.storage.audit import Record

TOKEN_PREFIX = "tdk_"
ALL_LANGUAGES = "*"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD = 10
SESSION_HOURS = 12  # a page session lasts a working day
PAUSE = 15 * 60  # seconds failed sign-ins are counted over, and the longest pause they lead to
# Failed tries for one name from one address: the wait before the next try after the 1st, 2nd, …
# (the last one for every further failure).  Typos cost nothing; a guesser soon waits the pause.
DELAYS = (0, 0, 30, 120, PAUSE)
FAILURES_PER_CLIENT = 20  # failures from one address, for any names, that pause its every sign-in
MAX_SIGN_IN_NAME = 64  # the longest account name (_NAME): anything longer is no name
UNKNOWN = "?"  # the actor recorded for a sign-in with a name no account has


class Role(StrEnum):
    contributor = "contributor"
    editor = "editor"
    admin = "admin"


_RANK = {Role.contributor: 0, Role.editor: 1, Role.admin: 2}


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    languages: tuple[str, ...]  # ("*",) for every language
    service: bool = False  # a configured API key rather than a person's account

    def may(self, role: Role, language: str | None = None) -> bool:
        """Whether this account holds ``role`` (or a higher one) for ``language``."""
        if _RANK[self.role] < _RANK[role]:
            return False
        return language is None or self.role == Role.admin or ALL_LANGUAGES in self.languages \
            or language in self.languages

    def require(self, role: Role, language: str | None = None) -> None:
        if not self.may(role, language):
            where = f" cho ngôn ngữ {language!r}" if language else ""
            raise Forbidden(
                f"Tài khoản {self.name!r} ({self.role.value}; ngôn ngữ: {', '.join(self.languages)}) "
                f"không có quyền này{where}: cần vai trò {role.value} trở lên{where}."
            )

    def public(self) -> dict:
        return {"name": self.name, "role": self.role.value, "languages": list(self.languages)}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in_name(name: str | None) -> str:
    """A name typed on the sign-in page, trimmed; InvalidAccount (nothing recorded) when it is
    longer than any account name or holds a control or format character (a newline, ESC)."""
    name = (name or "").strip()
    if len(name) > MAX_SIGN_IN_NAME:
        raise InvalidAccount(f"Tên đăng nhập dài quá {MAX_SIGN_IN_NAME} ký tự; hãy nhập tên tài khoản của bạn.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for ch in name):
        raise InvalidAccount("Tên đăng nhập chứa ký tự điều khiển hoặc ký tự ẩn; hãy nhập lại tên tài khoản.")
    return name


def _hasher():
    from argon2 import PasswordHasher  # Argon2id, the library's recommended parameters

    return PasswordHasher()


class Accounts:
    """Accounts, their sign-in and sessions.  A change made with an ``actor`` (the command line's
    ``tudien users``) is audited in the same transaction as the change."""

    def __init__(self, rows: AccountRows, service_keys: tuple[str, ...] = ()) -> None:
        self.rows = rows
        self.service_keys = tuple(service_keys)
        self._key: bytes | None = None

    def keyed(self, purpose: str, text: str) -> str:
        """A keyed digest of ``text`` for ``purpose`` (HMAC-SHA256 under the store's own secret
        key, the same on every node): what stands for a text that must not be kept (an unknown
        sign-in name) or that only this service can make (a form's CSRF token)."""
        if self._key is None:
            self._key = self.rows.secret_key("accounts")
        mac = hmac.new(self._key, f"{purpose}\x00{text}".encode("utf-8", "surrogatepass"), hashlib.sha256)
        return mac.hexdigest()

    # -- managing ------------------------------------------------------------------------------
    @staticmethod
    def check(name: str, role: str, language_list: str) -> tuple[str, Role, tuple[str, ...]]:
        if not _NAME.fullmatch(name or ""):
            raise InvalidAccount(
                f"Tên tài khoản {name!r} không hợp lệ: 2–64 ký tự, chữ thường không dấu, số, '.', '_' hoặc '-', "
                "bắt đầu bằng chữ hay số (ví dụ hoang.a)."
            )
        try:
            role_ = Role(role)
        except ValueError:
            raise InvalidAccount(f"Vai trò {role!r} không có; chọn contributor, editor hoặc admin.") from None
        codes = tuple(dict.fromkeys(c.strip() for c in (language_list or "").split(",") if c.strip()))
        if not codes:
            raise InvalidAccount("Hãy nêu các ngôn ngữ của tài khoản (--languages tyz,mtq), hoặc '*' cho mọi ngôn ngữ.")
        if codes != (ALL_LANGUAGES,):
            for code in codes:
                try:
                    languages.get(code)
                except UnknownLanguage as exc:
                    raise InvalidAccount(f"--languages: {exc}") from None
        return name, role_, codes

    def add(self, name: str, role: str, language_list: str, password: str | None = None, *,
            actor: str | None = None) -> str:
        """Make an account; returns its API token (shown once: only its digest is kept)."""
        name, role_, codes = self.check(name, role, language_list)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.rows.add_account({
            "name": name, "role": role_.value, "languages": ",".join(codes), "token_hash": _digest(token),
            "password_hash": self._password_hash(password) if password is not None else None, "disabled": 0,
        }, audited=_audited(actor, "account.add", name, {"role": role, "languages": language_list}))
        return token

    def new_token(self, name: str, *, actor: str | None = None) -> str:
        """A new token for ``name``; the old one stops working."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.rows.update_account(name, token_hash=_digest(token), audited=_audited(actor, "account.token", name))
        return token

    def set_password(self, name: str, password: str, *, actor: str | None = None) -> None:
        """A new password; the account's page sessions end."""
        self.rows.update_account(name, password_hash=self._password_hash(password),
                                 audited=_audited(actor, "account.password", name))
        self.rows.delete_sessions(name)

    def disable(self, name: str, *, actor: str | None = None) -> None:
        self.rows.update_account(name, disabled=1, token_hash=None, audited=_audited(actor, "account.disable", name))
        self.rows.delete_sessions(name)

    def set_role(self, name: str, role: str, language_list: str, *, actor: str | None = None) -> None:
        """Give an account a new role and languages; audited (``account.role``) with the ones it
        had, in the same transaction.  Its sessions and token go on, with the new rights."""
        _, role_, codes = self.check(name, role, language_list)
        row = self.rows.account(name)
        if row is None:
            raise AccountNotFound(name)
        self.rows.update_account(name, role=role_.value, languages=",".join(codes), audited=_audited(
            actor, "account.role", name, {"from": {"role": row["role"], "languages": row["languages"]},
                                          "to": {"role": role_.value, "languages": ",".join(codes)}}))

    def list(self) -> list[dict]:
        return [{"name": r["name"], "role": r["role"], "languages": r["languages"].split(","),
                 "disabled": bool(r["disabled"]), "password": r["password_hash"] is not None,
                 "created_at": r["created_at"]} for r in self.rows.all()]

    @staticmethod
    def _password_hash(password: str) -> str:
        if len(password) < MIN_PASSWORD:
            raise InvalidAccount(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
        return _hasher().hash(password)

    # -- authenticating ------------------------------------------------------------------------
    @staticmethod
    def _account(row: dict) -> Account:
        return Account(row["name"], Role(row["role"]), tuple(row["languages"].split(",")))

    def by_token(self, token: str | None) -> Account:
        """The account a bearer token or a configured API key belongs to; NotSignedIn otherwise."""
        if not token:
            raise NotSignedIn()
        for key in self.service_keys:  # every key is compared, in constant time
            if hmac.compare_digest(token.encode(), key.encode()):
                return Account("api-key", Role.admin, (ALL_LANGUAGES,), service=True)
        digest = _digest(token)
        row = self.rows.account_by_token(digest)
        if row is None or row["disabled"] or not hmac.compare_digest(row["token_hash"] or "", digest):
            raise NotSignedIn()
        return self._account(row)

    def by_password(self, name: str, password: str) -> Account:
        """The account whose name and password these are; NotSignedIn otherwise (the same answer
        for an unknown name and a wrong password, in about the same time)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        row = self.rows.account(name or "")
        stored = row["password_hash"] if row and not row["disabled"] and row["password_hash"] else None
        try:
            _hasher().verify(stored or _dummy_hash(), password or "")
        except (VerificationError, InvalidHashError):
            raise NotSignedIn() from None
        if row is None or stored is None:
            raise NotSignedIn()
        return self._account(row)

    # -- the pages' sign-in ----------------------------------------------------------------------
    def sign_in(self, name: str, password: str, client: str, now: float | None = None,
                replacing: str | None = None) -> tuple[Account, str]:
        """Check a name and password from the sign-in page; returns the account and a new session
        token (kept only as a digest, for SESSION_HOURS) that replaces the browser's session
        ``replacing`` (which stops working).

        The name is trimmed and checked first (:func:`sign_in_name`); a failure is recorded under
        the account's name, or, for a name no account has, under its keyed digest (never its
        text: it may be a password typed in the wrong field).  Failed tries for a name from one
        address make that address wait before its next try for the name (DELAYS, growing to
        PAUSE); FAILURES_PER_CLIENT from one address within PAUSE seconds pause every sign-in from
        it.  Either way TooManySignIns, whether or not the password is right; but the right
        password from an address with no such failures always goes through, so no one can lock
        an editor out by failing for their name from elsewhere."""
        now = time.time() if now is None else now
        name = sign_in_name(name)
        known = bool(name) and self.rows.account(name) is not None
        key = name if known else f"{UNKNOWN}{self.keyed('sign-in name', name)[:32]}"
        by_pair, last_pair, by_client, last_client = self.rows.sign_in_failures_from(key, client, now - PAUSE)
        wait = 0.0
        if by_client >= FAILURES_PER_CLIENT:
            wait = last_client + PAUSE - now
        if by_pair:
            wait = max(wait, last_pair + DELAYS[min(by_pair, len(DELAYS)) - 1] - now)
        if wait > 0:
            raise TooManySignIns(max(1, math.ceil(wait)))
        try:
            account = self.by_password(name, password)
        except NotSignedIn:
            self.rows.sign_in_failed(key, client, now, actor=name if known else UNKNOWN)
            raise WrongPassword() from None
        self.rows.clear_sign_in_failures(name, client)
        token = secrets.token_urlsafe(32)
        expires = datetime.fromtimestamp(now + SESSION_HOURS * 3600, UTC).isoformat(timespec="seconds")
        if replacing:
            self.rows.delete_session(_digest(replacing))
        self.rows.add_session(_digest(token), account.name, expires, client)
        return account, token

    def by_session(self, token: str | None) -> Account | None:
        """The account of a live session token (None when there is none, it expired, or the
        account was disabled)."""
        if not token:
            return None
        row = self.rows.session(_digest(token))
        if row is None or row["disabled"]:
            return None
        return self._account(row)

    def sign_out(self, token: str | None) -> None:
        if token:
            self.rows.delete_session(_digest(token))

    def get(self, name: str) -> Account:
        row = self.rows.account(name)
        if row is None:
            raise AccountNotFound(name)
        return self._account(row)


def _audited(actor: str | None, action: str, name: str, detail: dict | None = None) -> Record | None:
    return None if actor is None else Record(actor, action, name, detail=detail)


@cache
def _dummy_hash() -> str:
    """Verified when the name is unknown, so that an unknown name costs what a wrong password costs."""
    return _hasher().hash(secrets.token_urlsafe(16))
