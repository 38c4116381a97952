"""Accounts and roles, per language.

``contributor`` drafts and proposes in their languages; ``editor`` also reviews, publishes,
rejects, retires and reverts in their languages; ``admin`` may do everything, in every language,
and manages accounts, imports and the audit log.  An API client presents a token (``Authorization:
Bearer …``), shown once when made and kept only as its SHA-256 digest; a person signing in to the
pages presents a password, kept only as an Argon2id hash (:mod:`.passwords` says which are
accepted), then, when the account has one or must have one, a second factor (:mod:`.twofactor`,
:mod:`.signin`).  The service's configured API keys (``TUDIEN_API_KEYS``) act as admin service
accounts.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import unicodedata
from collections.abc import Callable
from functools import cache

from dictionary import languages
from dictionary.errors import (
    AccountNotFound,
    InvalidAccount,
    NotSignedIn,
    UnknownLanguage,
    WrongPassword,
)
from dictionary.storage.accounts import AccountRows
from dictionary.storage.audit import Record

from .passwords import MIN_PASSWORD, check_password
from .roles import ALL_LANGUAGES, Account, Role, account_of
from .signin import CODE_FAILURES, DELAYS, FAILURES_PER_CLIENT, PAUSE, PENDING, TOUCH, SecondStep
from .signin import digest as _digest
from .twofactor import Policy, TwoFactor, iso

TOKEN_PREFIX = "tdk_"
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
SESSION_HOURS = int(Policy.longest // 3600)  # the default longest session, in hours (TUDIEN_SESSION_MAX sets it)
__all__ = ["ALL_LANGUAGES", "CODE_FAILURES", "DELAYS", "FAILURES_PER_CLIENT", "MIN_PASSWORD", "PAUSE", "PENDING",
           "SESSION_HOURS", "TOUCH", "Account", "Accounts", "Policy", "Role"]
MAX_SIGN_IN_NAME = 64  # the longest account name (_NAME): anything longer is no name
UNKNOWN = "?"  # the actor recorded for a sign-in with a name no account has


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


class Accounts(SecondStep):
    """Accounts, their sign-in and sessions.  A change made with an ``actor`` (the command line's
    ``tudien users``) is audited in the same transaction as the change."""

    def __init__(self, rows: AccountRows, service_keys: tuple[str, ...] = (), policy: Policy | None = None,
                 clock=time.time) -> None:
        self.rows = rows
        self.service_keys = tuple(service_keys)
        self._key: bytes | None = None
        self.policy = policy or Policy()
        self.two_factor = TwoFactor(rows, self.policy, clock)
        self.clock = clock

    @property
    def clock(self) -> Callable[[], float]:
        """The time sessions and codes are checked at (seconds since the epoch)."""
        return self._clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self._clock = self.two_factor.clock = clock

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

    def set_external(self, name: str, external: bool = True, *, actor: str | None = None) -> None:
        """Mark an account as one an identity provider signs in (``external``): its provider checks
        its second factor, so no local one is asked for (:meth:`start_session` opens its sessions).
        Audited ``account.external``."""
        self.rows.update_account(name, external=int(external),
                                 audited=_audited(actor, "account.external", name, {"external": external}))

    def list(self) -> list[dict]:
        return [{"name": r["name"], "role": r["role"], "languages": r["languages"].split(","),
                 "disabled": bool(r["disabled"]), "password": r["password_hash"] is not None,
                 "two_factor": bool(r["totp_secret"]), "external": bool(r["external"]),
                 "created_at": r["created_at"]} for r in self.rows.all()]

    @staticmethod
    def _password_hash(password: str) -> str:
        return _hasher().hash(check_password(password))

    # -- authenticating ------------------------------------------------------------------------
    _account = staticmethod(account_of)

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
                replacing: str | None = None, agent: str | None = None) -> tuple[Account, str]:
        """Check a name and password from the sign-in page; returns the account and a new session
        token (kept only as a digest) that replaces the browser's session
        ``replacing`` (which stops working).

        The name is trimmed and checked first (:func:`sign_in_name`); a failure is recorded under
        the account's name, or, for a name no account has, under its keyed digest (never its
        text: it may be a password typed in the wrong field).  Failed tries for a name from one
        address make that address wait before its next try for the name (DELAYS, growing to
        PAUSE); FAILURES_PER_CLIENT from one address within PAUSE seconds pause every sign-in from
        it.  Either way TooManySignIns, whether or not the password is right; but the right
        password from an address with no such failures always goes through, so no one can lock
        an editor out by failing for their name from elsewhere.

        An account with a second factor gets a session that waits for its code (:meth:`pending`,
        :meth:`second_step`); one that must have a second factor and has none, a session that
        waits for its enrolment (:meth:`enrol`).  Neither is signed in (:meth:`by_session`)
        until then."""
        now = self.clock() if now is None else now
        name = sign_in_name(name)
        known = bool(name) and self.rows.account(name) is not None
        key = name if known else f"{UNKNOWN}{self.keyed('sign-in name', name)[:32]}"
        self._pause(key, client, now)
        try:
            account = self.by_password(name, password)
        except NotSignedIn:
            self.rows.sign_in_failed(key, client, now, actor=name if known else UNKNOWN)
            raise WrongPassword() from None
        self.rows.clear_sign_in_failures(name, client)
        row = self.rows.account(account.name) or {}
        if row.get("external"):  # its provider checks who it is, and its second factor: not a password here
            raise InvalidAccount("Tài khoản này đăng nhập bằng tài khoản cơ quan: hãy chọn «Đăng nhập bằng "
                                 "tài khoản cơ quan».")
        stage = self.two_factor.needed_at_sign_in(row)
        return account, self._open(account.name, client, agent, stage, replacing, now)

    def start_session(self, name: str, client: str, agent: str | None = None, replacing: str | None = None) -> str:
        """A full session for an account whose identity was proven elsewhere: the hook of a
        sign-in through an identity provider.  Only an ``external`` account (its provider checks
        its second factor) gets one this way; a local account must pass :meth:`sign_in`."""
        row = self.rows.account(name)
        if row is None or row["disabled"] or not row["external"]:
            raise NotSignedIn()
        return self._open(name, client, agent, "full", replacing, self.clock())

    def _open(self, name: str, client: str, agent: str | None, stage: str, replacing: str | None,
              now: float) -> str:
        token = secrets.token_urlsafe(32)
        longest = self.policy.longest if stage == "full" else PENDING[stage]
        self.rows.add_session(_digest(token), name, iso(now + longest), client, created=iso(now), agent=agent,
                              stage=stage, replacing=_digest(replacing) if replacing else None)
        return token

    def by_session(self, token: str | None) -> Account | None:
        """The account of a live, signed-in session token (None when there is none, it ended,
        went unused for the policy's idle time, still waits for its second factor, or the
        account was disabled or must enrol a second factor first).  Its last use is written at
        most once a minute."""
        row = self._live(token)
        if row is None or row["stage"] != "full" or self._must_enrol(row):
            return None
        now = self.clock()
        if row["last_used"] < iso(now - TOUCH):
            self.rows.touch_session(_digest(token or ""), iso(now))
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
