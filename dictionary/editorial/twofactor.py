"""The second factor of the pages' sign-in: TOTP (RFC 6238: six digits, 30-second steps, SHA-1,
what every authenticator app reads from an ``otpauth://`` QR code) and ten one-time recovery codes.

Who must have it (:class:`Policy`): every admin, and with ``TUDIEN_2FA=editors`` every editor
too; anyone else may enrol.  An account marked ``external`` (signed in by an identity provider,
which checks its own second factor) is never asked for the local one.

At rest: the TOTP secret is kept as is (base32, in ``accounts.totp_secret``): the service has no
key setting to encrypt it with that would not sit beside it, so the store itself is what must be
protected (and its backups).  A recovery code (80 random bits) is kept only as its SHA-256 digest
and works once; a TOTP code works once too (the last accepted time step is kept).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import pyotp

from dictionary.errors import AccountNotFound, InvalidAccount, WrongCode
from dictionary.storage.accounts import AccountRows
from dictionary.storage.audit import Record

from .policy import Policy

ISSUER = "Từ điển DTTS"
RECOVERY_CODES = 10
STEP = 30  # seconds of one TOTP code
DRIFT = 1  # steps either side accepted: a phone's clock a little off, a code typed slowly


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")


def _code_digest(code: str) -> str:
    return hashlib.sha256(normal_code(code).encode()).hexdigest()


def normal_code(code: str | None) -> str:
    """A code as typed, without spaces or dashes, in capitals."""
    return "".join(ch for ch in (code or "") if ch.isalnum()).upper()


def is_totp(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def new_recovery_codes() -> list[str]:
    """Ten codes of 80 random bits each, as 16 base32 letters in groups of four."""
    out = []
    for _ in range(RECOVERY_CODES):
        text = base64.b32encode(secrets.token_bytes(10)).decode()
        out.append("-".join(text[i:i + 4] for i in range(0, 16, 4)))
    return out


class TwoFactor:
    """Enrolment, checking and reset of an account's second factor."""

    def __init__(self, rows: AccountRows, policy: Policy, clock) -> None:
        self.rows = rows
        self.policy = policy
        self.clock = clock

    def _row(self, name: str) -> dict:
        row = self.rows.account(name)
        if row is None:
            raise AccountNotFound(name)
        return row

    def status(self, name: str) -> dict:
        """Whether the account has a second factor, must have one, and its unused recovery codes."""
        row = self._row(name)
        return {"enrolled": bool(row["totp_secret"]), "required": self.required(row),
                "external": bool(row["external"]), "enrolled_at": row["totp_enrolled_at"],
                "recovery_left": self.rows.recovery_codes_left(name) if row["totp_secret"] else 0}

    def required(self, row: dict) -> bool:
        return not row["external"] and self.policy.requires(row["role"])

    def needed_at_sign_in(self, row: dict) -> str:
        """The stage a right password leads to: ``code``, ``enrol`` or ``full``."""
        if row["external"]:
            return "full"
        if row["totp_secret"]:
            return "code"
        return "enrol" if self.required(row) else "full"

    # -- enrolment -----------------------------------------------------------------------------
    def begin(self, name: str) -> tuple[str, str]:
        """The secret being enrolled (made now unless one is pending) and its ``otpauth://`` URI."""
        row = self._row(name)
        if row["external"]:
            raise InvalidAccount("Tài khoản này đăng nhập qua nhà cung cấp định danh, nơi kiểm tra xác thực hai lớp.")
        secret = row["totp_pending"]
        if not secret:
            secret = pyotp.random_base32()  # 160 bits, as RFC 4226 recommends
            self.rows.update_account(name, totp_pending=secret)
        return secret, pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=ISSUER)

    def confirm(self, name: str, code: str, client: str | None) -> list[str]:
        """Enrol the pending secret when ``code`` is its current code; the ten recovery codes
        (shown once: only their digests are kept).  Audited ``2fa.enrol``."""
        row = self._row(name)
        secret = row["totp_pending"]
        step = self._step(secret, normal_code(code)) if secret else None
        if step is None:
            raise WrongCode()
        codes = new_recovery_codes()
        self.rows.set_recovery_codes(name, [_code_digest(c) for c in codes],
                                     audited=Record(name, "2fa.enrol", name, client=client),
                                     totp_secret=secret, totp_pending=None, totp_step=step,
                                     totp_enrolled_at=iso(self.clock()))
        return codes

    # -- the second step of a sign-in -----------------------------------------------------------
    def check(self, name: str, code: str, client: str | None) -> str:
        """Whether ``code`` is the account's current TOTP code (not used before) or one of its
        unused recovery codes (then spent): ``totp`` or ``recovery``; WrongCode otherwise.
        Audited (``2fa.success``, ``2fa.recovery``); the caller records failures."""
        row = self._row(name)
        typed = normal_code(code)
        if not row["totp_secret"]:
            raise WrongCode()
        if is_totp(typed):
            step = self._step(row["totp_secret"], typed)
            if step is None or not self.rows.take_totp_step(name, step):
                raise WrongCode()
            self._audit(name, "2fa.success", client)
            return "totp"
        if len(typed) == 16 and self.rows.use_recovery_code(name, _code_digest(typed), iso(self.clock())):
            self._audit(name, "2fa.recovery", client, {"left": self.rows.recovery_codes_left(name)})
            return "recovery"
        raise WrongCode()

    def reset(self, name: str, *, actor: str, client: str | None = None) -> None:
        """Remove the account's second factor (a lost phone): it enrols again at its next sign-in
        when it must have one.  Its sessions end.  Audited ``2fa.reset`` with ``actor``."""
        self._row(name)
        self.rows.set_recovery_codes(name, [], audited=Record(actor, "2fa.reset", name, client=client),
                                     totp_secret=None, totp_pending=None, totp_step=None, totp_enrolled_at=None)
        self.rows.delete_sessions(name)

    def _step(self, secret: str, code: str) -> int | None:
        """The time step whose code ``code`` is, within DRIFT of now; None when none."""
        if not is_totp(code):
            return None
        totp, now = pyotp.TOTP(secret), int(self.clock() // STEP)
        found = None
        for step in range(now - DRIFT, now + DRIFT + 1):  # every step compared, in constant time
            if hmac.compare_digest(totp.generate_otp(step), code):
                found = step
        return found

    def _audit(self, name: str, action: str, client: str | None, detail: dict | None = None) -> None:
        from dictionary.storage import audit

        with self.rows.core.transaction() as db:
            audit.write(db, name, action, name, client=client, detail=detail)
