"""Accounts signed in through the organisation's identity provider (OpenID Connect).

The provider says who a person is (its ``sub``, under its issuer) and, in one claim
(``TUDIEN_OIDC_ROLE_CLAIM``, ``groups`` by default), what they may do here: values
``tudien:<role>[:<language>]`` such as ``tudien:editor:bdq`` or ``tudien:admin``.  The highest role
named wins, with the languages named for it (none named: every language).

A first sign-in makes the account (or, when an admin allows it, links the local account whose
e-mail is the provider's verified one); the role and languages then follow the provider at every
sign-in, each change audited (``account.role``) with the provider as actor.  A local disable
still wins.  Nothing here speaks HTTP: :mod:`api.oidc` talks to the provider and hands this module
the claims of an ID token it has checked.
"""

from __future__ import annotations

import base64
import re
import secrets
import unicodedata
from dataclasses import dataclass

from dictionary import languages
from dictionary.editorial.accounts import ALL_LANGUAGES, Account, Accounts, Role, _digest
from dictionary.errors import AccountExists, AccountNotFound, DictionaryError, InvalidAccount, UnknownLanguage
from dictionary.storage.audit import AuditLog, Record
from dictionary.storage.identities import IdentityRows

PREFIX = "tudien"
_RANK = {Role.contributor: 0, Role.editor: 1, Role.admin: 2}


class SignInRefused(DictionaryError):
    """A sign-in through the provider that cannot go on; ``status`` is the page's HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def grants(values: object) -> tuple[Role, tuple[str, ...]] | None:
    """The role and languages that a claim's values give (None: no role here).  Values that are
    not ``tudien:…``, name no role, or name a language this dictionary does not know are ignored."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple):
        return None
    found: dict[Role, set[str]] = {}
    for value in values:
        if not isinstance(value, str):
            continue
        parts = value.strip().split(":")
        if len(parts) not in (2, 3) or parts[0] != PREFIX:
            continue
        try:
            role = Role(parts[1])
        except ValueError:
            continue
        codes = found.setdefault(role, set())
        if len(parts) == 2:
            codes.add(ALL_LANGUAGES)
            continue
        try:
            languages.get(parts[2])
        except UnknownLanguage:
            continue
        codes.add(parts[2])
    found = {role: codes for role, codes in found.items() if codes}
    if not found:
        return None
    role = max(found, key=_RANK.__getitem__)
    codes = found[role]
    if role == Role.admin or ALL_LANGUAGES in codes:
        return role, (ALL_LANGUAGES,)
    return role, tuple(sorted(codes))


@dataclass(frozen=True)
class Tokens:
    """What a session signed in through the provider keeps: its ID token (for the sign-out at the
    provider), the refresh token (to ask the provider whether the person may still sign in) and
    when the tokens expire (epoch seconds)."""

    id_token: str
    refresh_token: str | None
    expires_at: float


_NAME_CHARS = re.compile(r"[^a-z0-9._-]+")


def _name_from(claims: dict) -> str:
    """An account name (as :meth:`Accounts.check` wants it) from the provider's user name or e-mail."""
    raw = str(claims.get("preferred_username") or str(claims.get("email") or "").split("@")[0] or "sso")
    plain = unicodedata.normalize("NFKD", raw.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    name = _NAME_CHARS.sub("-", plain).strip("-._")[:56]
    return name if len(name) >= 2 else f"sso-{name}".strip("-")


class Federation:
    """Accounts and sessions of people who sign in through the provider."""

    def __init__(self, rows: IdentityRows, accounts: Accounts, audit: AuditLog) -> None:
        self.rows = rows
        self.accounts = accounts
        self.audit = audit
        self._key: bytes | None = None

    # -- refresh tokens, kept sealed -------------------------------------------------------------
    def _aead(self):
        """AES-256-GCM under the store's own secret key for provider tokens: a copy of the
        database alone gives no one a refresh token to sign in with."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if self._key is None:
            self._key = self.accounts.rows.secret_key("oidc tokens")
        return AESGCM(self._key)

    def _seal(self, token: str | None) -> str | None:
        if token is None:
            return None
        nonce = secrets.token_bytes(12)
        return base64.urlsafe_b64encode(nonce + self._aead().encrypt(nonce, token.encode(), b"refresh")).decode()

    def _unseal(self, sealed: str | None) -> str | None:
        from cryptography.exceptions import InvalidTag

        if not sealed:
            return None
        raw = base64.urlsafe_b64decode(sealed)
        try:
            return self._aead().decrypt(raw[:12], raw[12:], b"refresh").decode()
        except InvalidTag:
            return None  # sealed under another key: the provider is asked for a new sign-in

    # -- a sign-in under way ---------------------------------------------------------------------
    def begin(self, next_path: str, at: float) -> tuple[str, str, str]:
        """A new sign-in at the provider: its ``state``, ``nonce`` and PKCE code verifier.  The
        state is kept only as a keyed digest, and is good once."""
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        self.rows.begin(self.accounts.keyed("oidc state", state), nonce, verifier, next_path, at)
        return state, nonce, verifier

    def resume(self, state: str, at: float) -> dict | None:
        """The sign-in ``state`` began (its nonce, verifier and where to go after), used up; None
        when there is none: unknown, already used or too old."""
        return self.rows.take(self.accounts.keyed("oidc state", state), at)

    def failed(self, issuer: str, reason: str, client: str | None, actor: str = "?") -> None:
        """A refused sign-in through the provider, in the audit log."""
        self.audit.record(actor, "session.failed", actor, client=client, detail={"via": issuer, "reason": reason})

    # -- signing in -------------------------------------------------------------------------------
    def sign_in(self, issuer: str, claims: dict, role_claim: str, tokens: Tokens, client: str, *,
                link_email: bool = False, replacing: str | None = None,
                agent: str | None = None) -> tuple[Account, str]:
        """Sign in the person of the checked ID token ``claims``: their account (made or linked on
        the first sign-in; role and languages as the provider says now) and a new session token."""
        subject = str(claims.get("sub") or "")
        if not subject:
            raise SignInRefused("Hệ thống đăng nhập của cơ quan không cho biết bạn là ai (thiếu 'sub').")
        provider = f"oidc:{issuer}"
        grant = grants(claims.get(role_claim))
        name = self.rows.identity(issuer, subject)
        if name is None:
            if grant is None:
                self.failed(issuer, f"no {PREFIX}: value in claim {role_claim!r}", client,
                            str(claims.get("preferred_username") or subject))
                raise SignInRefused("Tài khoản cơ quan của bạn chưa được cấp quyền dùng Từ điển DTTS; "
                                    "hãy nhờ người quản trị thêm bạn vào nhóm phù hợp.", 403)
            name = self._first(issuer, subject, claims, grant, provider, link_email)
        row = self.accounts.rows.account(name)
        if row is None or row["disabled"]:
            self.failed(issuer, "account disabled here", client, name)
            raise SignInRefused(f"Tài khoản {name!r} đã bị khoá tại Từ điển DTTS.", 403)
        if grant is None:
            self.failed(issuer, f"no {PREFIX}: value in claim {role_claim!r} any more", client, name)
            self.accounts.rows.delete_sessions(name)
            raise SignInRefused("Tài khoản cơ quan của bạn không còn quyền dùng Từ điển DTTS.", 403)
        role, codes = grant
        if (row["role"], row["languages"]) != (role.value, ",".join(codes)):
            self.accounts.set_role(name, role.value, ",".join(codes), actor=provider)
        if not row["external"]:  # the provider checks its second factor (TUDIEN_OIDC_ACR says how)
            self.accounts.set_external(name, actor=provider)
        return self._open(name, issuer, subject, tokens, client, replacing, agent)

    def _first(self, issuer: str, subject: str, claims: dict, grant: tuple[Role, tuple[str, ...]],
               provider: str, link_email: bool) -> str:
        """The account of a first sign-in: a local one linked by its verified e-mail (when allowed
        and exactly one account has it), else a new one."""
        email = claims.get("email")
        if link_email and email and claims.get("email_verified") is True:
            matches = [r for r in self.rows.by_email(str(email)) if not self._linked(r["name"])]
            if len(matches) == 1:
                name = matches[0]["name"]
                self.rows.link(issuer, subject, name, audited=Record(
                    provider, "account.link", name, detail={"subject": subject, "by": "email"}))
                return name
        role, codes = grant
        base = _name_from(claims)
        for attempt in range(20):
            name = base if attempt == 0 else f"{base[:52]}-{attempt + 1}"
            try:
                self.accounts.add(name, role.value, ",".join(codes), actor=provider)
            except AccountExists:
                continue
            self.accounts.rows.update_account(name, token_hash=None)  # signs in only through the provider
            if email and claims.get("email_verified") is True:
                self.rows.set_email(name, str(email))
            self.rows.link(issuer, subject, name, audited=Record(
                provider, "account.link", name, detail={"subject": subject, "by": "new account"}))
            return name
        raise SignInRefused("Không tạo được tài khoản: tên đăng nhập đã có người dùng.", 409)

    def _linked(self, name: str) -> bool:
        return self.rows.linked(name)

    def _open(self, name: str, issuer: str, subject: str, tokens: Tokens, client: str,
              replacing: str | None, agent: str | None = None) -> tuple[Account, str]:
        # the session lasts and idles as local ones do (the sign-in policy); the provider's tokens
        # beside it say when to ask the provider again
        token = self.accounts.start_session(name, client, agent, replacing=replacing)
        self.rows.keep_tokens(_digest(token), issuer, subject, tokens.id_token, self._seal(tokens.refresh_token),
                              tokens.expires_at)
        return self.accounts.get(name), token

    # -- the session's life ---------------------------------------------------------------------
    def tokens(self, session: str | None) -> dict | None:
        """What the session ``session`` keeps of the provider (None: a local session), its refresh
        token unsealed."""
        row = self.rows.tokens(_digest(session)) if session else None
        return None if row is None else {**row, "refresh_token": self._unseal(row["refresh_token"])}

    def signed_out(self, session: str | None) -> None:
        """Forget what a session that ended kept of the provider (its refresh token above all)."""
        if session:
            self.rows.forget_tokens(_digest(session))

    def renewed(self, session: str, tokens: Tokens) -> None:
        self.rows.renewed(_digest(session), tokens.id_token or None, self._seal(tokens.refresh_token),
                          tokens.expires_at)

    def end(self, session: str, issuer: str, reason: str) -> None:
        """End a session the provider no longer vouches for, audited."""
        row = self.rows.tokens(_digest(session))
        account = self.accounts.by_session(session)
        if account is not None:
            self.audit.record(f"oidc:{issuer}", "session.refused", account.name, detail={"reason": reason})
        self.accounts.sign_out(session)
        if row is not None:
            self.rows.forget_tokens(_digest(session))

    def set_email(self, name: str, email: str | None, *, actor: str) -> None:
        """The e-mail a first sign-in through the provider may link the account by."""
        if email is not None and ("@" not in email or any(c.isspace() for c in email)):
            raise InvalidAccount(f"{email!r} không phải địa chỉ e-mail.")
        if not self.rows.set_email(name, email, audited=Record(actor, "account.email", name,
                                                               detail={"email": email})):
            raise AccountNotFound(name)
