"""The sign-in's second step, enrolment from a session, and the sessions a person sees and ends
(part of :class:`dictionary.editorial.accounts.Accounts`)."""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable

from dictionary.errors import NotSignedIn, SessionNotFound, TooManySignIns, WrongCode
from dictionary.storage.accounts import AccountRows
from dictionary.storage.audit import Record

from .roles import Account, Role, account_of
from .twofactor import Policy, TwoFactor, iso

PAUSE = 15 * 60  # seconds failed sign-ins are counted over, and the longest pause they lead to
# Failed tries for one name from one address: the wait before the next try after the 1st, 2nd, …
# (the last one for every further failure).  Typos cost nothing; a guesser soon waits the pause.
DELAYS = (0, 0, 30, 120, PAUSE)
FAILURES_PER_CLIENT = 20  # failures from one address, for any names, that pause its every sign-in
CODE_FAILURES = 10  # wrong second-factor codes for one account, from any address, that pause its second step
PENDING = {"code": 10 * 60, "enrol": 30 * 60}  # seconds a session may stay before its second factor
TOUCH = 60  # a session's last use is written at most once a minute


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SecondStep:
    rows: AccountRows
    policy: Policy
    clock: Callable[[], float]  # a property of Accounts
    two_factor: TwoFactor

    def _pause(self, key: str, client: str, now: float, per_key: int | None = None) -> None:
        """TooManySignIns when ``client`` must wait before its next try for ``key`` (DELAYS by
        the pair's failures, PAUSE after FAILURES_PER_CLIENT from the client; with ``per_key``,
        PAUSE after that many failures for ``key`` from anywhere)."""
        by_pair, last_pair, by_client, last_client = self.rows.sign_in_failures_from(key, client, now - PAUSE)
        wait = 0.0
        if by_client >= FAILURES_PER_CLIENT:
            wait = last_client + PAUSE - now
        if by_pair:
            wait = max(wait, last_pair + DELAYS[min(by_pair, len(DELAYS)) - 1] - now)
        if per_key is not None and self.rows.failures_of(key, now - PAUSE) >= per_key:
            wait = max(wait, PAUSE)
        if wait > 0:
            raise TooManySignIns(max(1, math.ceil(wait)))

    # -- the second step and enrolment ------------------------------------------------------------
    def pending(self, token: str | None) -> tuple[Account, str] | None:
        """The account of a session still waiting for its second factor and what it waits for
        (``code`` or ``enrol``); None for any other token."""
        row = self._live(token)
        if row is None:
            return None
        stage = row["stage"]
        if stage == "full" and self._must_enrol(row):
            stage = "enrol"
        return (account_of(row), stage) if stage != "full" else None

    def second_step(self, token: str | None, code: str, client: str, now: float | None = None) -> str:
        """Finish a sign-in waiting for its code: a TOTP code or a recovery code.  Returns the
        session's new token (the pending one stops).  Wrong codes are limited as passwords are
        (per address, DELAYS and PAUSE), and CODE_FAILURES for the account from anywhere pause
        its second step (its password is known to whoever tries): TooManySignIns."""
        now = self.clock() if now is None else now
        row = self._live(token)
        if row is None or row["stage"] != "code":
            raise NotSignedIn()
        name, key = row["name"], f"2fa:{row['name']}"
        self._pause(key, client, now, per_key=CODE_FAILURES)
        try:
            used = self.two_factor.check(name, code, client)
        except WrongCode:
            self.rows.sign_in_failed(key, client, now, actor=name, action="2fa.failed", target=name)
            raise
        self.rows.clear_sign_in_failures(key, client)
        return self._promote(token or "", name, client, now, {"factor": used})

    def enrol(self, token: str | None, code: str, client: str) -> tuple[list[str], str | None]:
        """Confirm the enrolment of the account of ``token`` (a full session, or one sent to enrol)
        with the first code: its recovery codes, and the session's new token when it was a
        session waiting to enrol (None when it was full already)."""
        row = self._live(token)
        if row is None or row["stage"] == "code":
            raise NotSignedIn()
        codes = self.two_factor.confirm(row["name"], code, client)
        if row["stage"] == "full":
            return codes, None
        return codes, self._promote(token or "", row["name"], client, self.clock(), {"factor": "enrol"})

    def _promote(self, token: str, name: str, client: str, now: float, detail: dict) -> str:
        new = secrets.token_urlsafe(32)
        if not self.rows.promote_session(digest(token), digest(new), created=iso(now),
                                         expires_at=iso(now + self.policy.longest),
                                         audited=Record(name, "session.open", name, client=client, detail=detail)):
            raise NotSignedIn()
        return new

    def _must_enrol(self, row: dict) -> bool:
        return self.two_factor.required(row) and not row["totp_secret"]

    def _live(self, token: str | None) -> dict | None:
        if not token:
            return None
        now = self.clock()
        row = self.rows.session(digest(token), iso(now), iso(now - self.policy.idle))
        if row is None or row["disabled"]:
            return None
        return row

    def handle_of(self, token: str | None) -> str | None:
        """The handle (shown, never the token) of the live session of ``token``."""
        row = self._live(token)
        return row["handle"] if row else None

    # -- sessions, seen and ended ---------------------------------------------------------------
    def sessions(self, name: str | None) -> list[dict]:
        """The live sessions of account ``name`` (everyone's when None), the most recently used first."""
        now = self.clock()
        return self.rows.sessions_of(name, iso(now), iso(now - self.policy.idle))

    def end_session(self, handle: str, *, actor: Account | str, owner: str | None = None,
                    client: str | None = None) -> None:
        """End session ``handle``: one of ``owner``'s own (None: anyone's, for an admin or the
        command line); AccountNotFound when there is none such.  Audited with ``actor``."""
        who = actor.name if isinstance(actor, Account) else actor
        if isinstance(actor, Account) and owner is None:
            actor.require(Role.admin)
        if not self.rows.end_session(handle, owner, actor=who, client=client):
            raise SessionNotFound(handle)

