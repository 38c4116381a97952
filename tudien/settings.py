"""The program's settings, read from the environment once, in one place, and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dictionary.audio.settings import SpeechSettings
from dictionary.editorial.policy import Policy
from dictionary.errors import ConfigurationError
from indexer.config import ElasticSettings
from indexer.engines import BACKENDS

if TYPE_CHECKING:
    from api.oidc import OidcSettings


def default_data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "tudien"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    backend: str = "embedded"
    elastic: ElasticSettings = field(default_factory=ElasticSettings)
    api_keys: tuple[str, ...] = ()  # admin service keys (TUDIEN_API_KEYS)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    # per-client limits overriding the defaults: kind -> (requests per minute, burst); 0 turns one off
    rate_limits: dict[str, tuple[float, int]] = field(default_factory=dict)
    synthetic_budget: int = 200_000_000  # bytes of synthetic clips kept; the oldest go first
    pack_interval: float = 10.0  # seconds between looks for offline packs to patch (0: on request only)
    database_url: str | None = None  # postgresql://… (TUDIEN_DATABASE_URL): the store several nodes share
    audio_root: Path | None = None  # TUDIEN_AUDIO_DIR: the audio files, in a folder every node mounts
    # TUDIEN_PUBLIC_URL: the address readers reach the service at, for the absolute links of
    # citations and downloads (never the request's Host); None: links are paths
    public_url: str | None = None
    four_eyes: bool = True  # TUDIEN_FOUR_EYES: an editor never publishes content they wrote last
    timezone: str = "Asia/Ho_Chi_Minh"  # TUDIEN_TIMEZONE: the time zone the desk shows times in
    record_misses: bool = True  # TUDIEN_RECORD_MISSES=0: no missed search or look-up is counted
    misses_days: int = 180  # TUDIEN_MISSES_DAYS: days of counts kept
    # TUDIEN_SESSION_IDLE, TUDIEN_SESSION_MAX, TUDIEN_2FA: how the pages' sessions end, who needs two factors
    sign_in: Policy = field(default_factory=Policy)
    # TUDIEN_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _ROLE_CLAIM, _LINK_EMAIL, _ACR: sign-in through
    # the organisation's identity provider (None: none)
    oidc: OidcSettings | None = None
    local_passwords: bool = True  # TUDIEN_LOCAL_PASSWORDS=0: no sign-in with a password kept here

    @property
    def store_path(self) -> Path:
        return self.data_dir / "tudien.sqlite3"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def audio_dir(self) -> Path:
        return self.audio_root or self.data_dir / "audio"

    @property
    def packs_dir(self) -> Path:
        return self.data_dir / "packs"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from ``env`` (the process environment by default)."""
        env = os.environ if env is None else env
        data_dir = env.get("TUDIEN_DATA_DIR")
        backend = env.get("TUDIEN_BACKEND", "embedded").strip().lower() or "embedded"
        if backend not in BACKENDS:
            raise ConfigurationError(
                f"TUDIEN_BACKEND={backend!r} is not a backend; choose one of {', '.join(BACKENDS)}"
            )
        return cls(
            data_dir=Path(data_dir).expanduser() if data_dir else default_data_dir(env),
            backend=backend,
            elastic=_elastic(env),
            api_keys=tuple(k.strip() for k in env.get("TUDIEN_API_KEYS", "").split(",") if k.strip()),
            speech=_speech(env),
            rate_limits=_rate_limits(env),
            synthetic_budget=int(_number(env, "TUDIEN_SYNTHETIC_BUDGET_MB", "200") * 1_000_000),
            pack_interval=_number(env, "TUDIEN_PACK_INTERVAL", "10"),
            database_url=_database_url(env),
            audio_root=Path(env["TUDIEN_AUDIO_DIR"]).expanduser() if env.get("TUDIEN_AUDIO_DIR") else None,
            public_url=_public_url(env),
            four_eyes=_switch(env, "TUDIEN_FOUR_EYES", True),
            timezone=_timezone(env),
            record_misses=_switch(env, "TUDIEN_RECORD_MISSES", True),
            misses_days=_number(env, "TUDIEN_MISSES_DAYS", "180", int),
            sign_in=_sign_in(env),
            **_single_sign_on(env),
        )


def _sign_in(env: Mapping[str, str]) -> Policy:
    """TUDIEN_SESSION_IDLE (minutes, or with a unit: 90s, 30m, 2h; default 30 min),
    TUDIEN_SESSION_MAX (hours, or with a unit; default 12 h) and TUDIEN_2FA (``admins``, the
    default, or ``editors``: who must sign in with a second factor)."""
    idle = _duration(env, "TUDIEN_SESSION_IDLE", 60)
    longest = _duration(env, "TUDIEN_SESSION_MAX", 3600)
    who = env.get("TUDIEN_2FA", "").strip().lower() or "admins"
    if who not in ("admins", "editors"):
        raise ConfigurationError(f"TUDIEN_2FA={who!r}: choose admins (admins need two factors, the default) or "
                                 "editors (editors and admins do)")
    return Policy(idle=idle or Policy.idle, longest=longest or Policy.longest, second_factor=who)


def _duration(env: Mapping[str, str], name: str, unit: int) -> float | None:
    value = env.get(name, "").strip().lower()
    if not value:
        return None
    units = {"s": 1, "m": 60, "h": 3600}
    scale = units.get(value[-1], unit)
    number = value[:-1] if value[-1] in units else value
    try:
        seconds = float(number) * scale
    except ValueError:
        raise ConfigurationError(f"{name}={value!r} is not a duration such as 30m, 12h or 90s") from None
    if not 60 <= seconds <= 7 * 86400:
        raise ConfigurationError(f"{name}={value!r} must be between one minute and seven days")
    return seconds


def _single_sign_on(env: Mapping[str, str]) -> dict:
    issuer = env.get("TUDIEN_OIDC_ISSUER", "").strip().rstrip("/")
    local = _switch(env, "TUDIEN_LOCAL_PASSWORDS", True)
    if not issuer:
        if not local:
            raise ConfigurationError("TUDIEN_LOCAL_PASSWORDS=0 needs TUDIEN_OIDC_ISSUER: with neither, no one "
                                     "could sign in")
        return {"oidc": None, "local_passwords": True}
    scheme, _, rest = issuer.partition("://")
    if scheme not in ("http", "https") or not rest or any(c in rest for c in "?# \\"):
        raise ConfigurationError(f"TUDIEN_OIDC_ISSUER={issuer!r} is not an http(s):// issuer such as "
                                 "https://sso.example.gov.vn/realms/bo")
    client_id = env.get("TUDIEN_OIDC_CLIENT_ID", "").strip()
    secret = env.get("TUDIEN_OIDC_CLIENT_SECRET", "").strip()
    for name, value in (("TUDIEN_OIDC_CLIENT_ID", client_id), ("TUDIEN_OIDC_CLIENT_SECRET", secret)):
        if not value:
            raise ConfigurationError(f"{name} is needed with TUDIEN_OIDC_ISSUER")
    from api.oidc import OidcSettings

    return {"oidc": OidcSettings(
        issuer=issuer, client_id=client_id, client_secret=secret,
        role_claim=env.get("TUDIEN_OIDC_ROLE_CLAIM", "").strip() or "groups",
        link_email=_switch(env, "TUDIEN_OIDC_LINK_EMAIL", False),
        acr=tuple(v.strip() for v in env.get("TUDIEN_OIDC_ACR", "").split(",") if v.strip()),
    ), "local_passwords": local}


def _public_url(env: Mapping[str, str]) -> str | None:
    url = env.get("TUDIEN_PUBLIC_URL", "").strip().rstrip("/")
    if not url:
        return None
    scheme, _, rest = url.partition("://")
    if scheme not in ("http", "https") or not rest or any(c in rest for c in "?#@ \\"):
        raise ConfigurationError(f"TUDIEN_PUBLIC_URL={url!r} is not an http(s):// address such as "
                                 "https://tudien.example.vn (a path after the host is allowed)")
    return url


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name}={value!r} is neither 1 nor 0")


def _timezone(env: Mapping[str, str]) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = env.get("TUDIEN_TIMEZONE", "").strip() or "Asia/Ho_Chi_Minh"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(f"TUDIEN_TIMEZONE={name!r} is not an IANA time zone (e.g. Asia/Ho_Chi_Minh)") from None
    return name


def _database_url(env: Mapping[str, str]) -> str | None:
    url = env.get("TUDIEN_DATABASE_URL", "").strip()
    if not url:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        raise ConfigurationError(f"TUDIEN_DATABASE_URL={url!r} is not a postgresql:// URL; leave it unset for "
                                 "the SQLite file in the data directory")
    return url


def _number(env: Mapping[str, str], name: str, default: str, kind=float):
    value = env.get(name, default)
    try:
        return kind(value)
    except ValueError:
        raise ConfigurationError(f"{name}={value!r} is not a number") from None


def _elastic(env: Mapping[str, str]) -> ElasticSettings:
    hosts = tuple(
        h.strip() for h in env.get("TUDIEN_ELASTICSEARCH_URL", "http://127.0.0.1:9200").split(",") if h.strip()
    )
    return ElasticSettings(
        hosts=hosts,
        index=env.get("TUDIEN_ELASTICSEARCH_INDEX", "tudien"),
        api_key=env.get("TUDIEN_ELASTICSEARCH_API_KEY") or None,
        username=env.get("TUDIEN_ELASTICSEARCH_USER") or None,
        password=env.get("TUDIEN_ELASTICSEARCH_PASSWORD") or None,
        ca_certs=env.get("TUDIEN_ELASTICSEARCH_CA") or None,
        shards=_number(env, "TUDIEN_ELASTICSEARCH_SHARDS", "1", int),
        replicas=_number(env, "TUDIEN_ELASTICSEARCH_REPLICAS", "0", int),
        refresh_interval=env.get("TUDIEN_ELASTICSEARCH_REFRESH", "1s"),
        timeout=_number(env, "TUDIEN_ELASTICSEARCH_TIMEOUT", "2"),
        retries=_number(env, "TUDIEN_ELASTICSEARCH_RETRIES", "2", int),
    )


def _speech(env: Mapping[str, str]) -> SpeechSettings:
    engines = tuple(e.strip() for e in env.get("TUDIEN_TTS_ENGINES", "gtts,espeak-ng").split(",") if e.strip())
    return SpeechSettings(
        chains=env.get("TUDIEN_TTS", ""),
        engines=engines,
        timeout=_number(env, "TUDIEN_TTS_TIMEOUT", "5"),
        cooldown=_number(env, "TUDIEN_TTS_COOLDOWN", "60"),
    )


RATE_KINDS = ("translate", "speak", "suggest", "report", "pronounce", "changes", "missing")


def _rate_limits(env: Mapping[str, str]) -> dict[str, tuple[float, int]]:
    """``TUDIEN_RATE_LIMITS=translate=12/4,speak=30`` (per minute, then the burst)."""
    out: dict[str, tuple[float, int]] = {}
    for item in filter(None, (i.strip() for i in env.get("TUDIEN_RATE_LIMITS", "").split(","))):
        kind, _, value = item.partition("=")
        rate, _, burst = value.partition("/")
        kind = kind.strip()
        try:
            if kind not in RATE_KINDS:
                raise ValueError(kind)
            per_minute = float(rate)
            out[kind] = (per_minute, int(burst) if burst else max(1, int(per_minute // 3)))
        except ValueError:
            raise ConfigurationError(
                f"TUDIEN_RATE_LIMITS: {item!r} is not KIND=PER_MINUTE[/BURST] with KIND one of "
                f"{', '.join(RATE_KINDS)}"
            ) from None
    return out
