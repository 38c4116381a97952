"""OpenID Connect with the organisation's identity provider: the authorization-code flow with
PKCE (S256), ``state`` and ``nonce`` (Authlib's OAuth 2 client), the ID token checked here
(joserfc, Authlib's JOSE library): signature by a key of the provider's JWKS, issuer, audience
(and ``azp``), expiry, nonce and, when configured, ``acr``/``amr``.

The discovery document and the JWKS are fetched from the issuer and kept; a token signed with a
key id the kept JWKS lacks makes it fetched again (at most every MIN_REFETCH seconds), so the
provider rotates keys without a restart here.

A session signed in through the provider keeps its tokens' expiry; at the first request after it,
the provider is asked again with the refresh token: refused (the person disabled there, their
session ended there) ends the session here; the provider unreachable leaves the request without a
signed-in reader until it answers.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx
import httpx2
import orjson
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from dictionary.editorial.federated import Federation, SignInRefused, Tokens

log = logging.getLogger(__name__)

DISCOVERY_SECONDS = 3600  # the discovery document is fetched again after an hour
MIN_REFETCH = 10.0  # seconds between fetches of the JWKS for an unknown key id
TIMEOUT = 5.0
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY = 30  # seconds of clock difference allowed with the provider
# Authlib's client speaks httpx2 (httpx's successor), the documents are fetched with httpx
UNREACHABLE = (httpx.HTTPError, httpx2.HTTPError)
DOWN = ("Không kết nối được với hệ thống đăng nhập của cơ quan; hãy thử lại sau ít phút. "
        "Người đã đăng nhập bằng mật khẩu của Từ điển DTTS vẫn làm việc bình thường.")


class ProviderDown(SignInRefused):
    """The provider did not answer (or answered nonsense): a 503 page."""

    def __init__(self, message: str = DOWN) -> None:
        super().__init__(message, 503)


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    role_claim: str = "groups"
    link_email: bool = False  # TUDIEN_OIDC_LINK_EMAIL: a first sign-in may link a local account by e-mail
    acr: tuple[str, ...] = ()  # TUDIEN_OIDC_ACR: one of these must be the token's acr or among its amr
    scope: str = "openid email profile"
    extra: dict = field(default_factory=dict)


def _header(token: str) -> dict:
    try:
        head = token.split(".", 1)[0]
        return orjson.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, orjson.JSONDecodeError):
        raise SignInRefused("Mã định danh (ID token) không đọc được.") from None


class Provider:
    """The identity provider as this service sees it: its documents, kept, and its endpoints."""

    def __init__(self, settings: OidcSettings, clock: Callable[[], float] = time.time,
                 http: httpx.Client | None = None) -> None:
        self.settings = settings
        self.issuer = settings.issuer.rstrip("/")
        self.clock = clock  # the tests shift it to make the provider's tokens expire
        self.http = http or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
        self._lock = threading.Lock()
        self._discovery: dict | None = None
        self._discovered_at = 0.0
        self._keys: KeySet | None = None
        self._keys_at = 0.0
        self._missed_at = -MIN_REFETCH

    def close(self) -> None:
        self.http.close()

    # -- documents ------------------------------------------------------------------------------
    def _get(self, url: str) -> dict:
        try:
            answer = self.http.get(url)
            answer.raise_for_status()
            document = answer.json()
        except (*UNREACHABLE, ValueError) as exc:
            log.warning("identity provider: %s: %s", url, exc)
            raise ProviderDown() from None
        if not isinstance(document, dict):
            raise ProviderDown()
        return document

    def discovery(self, fresh: bool = False) -> dict:
        """The provider's discovery document, kept for DISCOVERY_SECONDS (``fresh``: fetched now)."""
        with self._lock:
            if fresh or self._discovery is None or time.monotonic() - self._discovered_at > DISCOVERY_SECONDS:
                document = self._get(self.issuer + "/.well-known/openid-configuration")
                if str(document.get("issuer", "")).rstrip("/") != self.issuer:
                    log.warning("identity provider: discovery names issuer %r", document.get("issuer"))
                    raise ProviderDown()
                self._discovery, self._discovered_at = document, time.monotonic()
            return self._discovery

    def _endpoint(self, name: str) -> str:
        url = self.discovery().get(name)
        if not isinstance(url, str) or not url:
            raise ProviderDown(f"Hệ thống đăng nhập của cơ quan không công bố {name}.")
        return url

    def key(self, kid: str | None):
        """The provider's signing key ``kid``; the JWKS is fetched again when it lacks that key
        (a key id unknown again within MIN_REFETCH seconds of such a fetch is refused unfetched)."""
        for attempt in range(2):
            with self._lock:
                stale = self._keys is None or (attempt and time.monotonic() - self._missed_at >= MIN_REFETCH)
                if attempt and stale:
                    self._missed_at = time.monotonic()
            if stale:
                document = self._get(self._endpoint("jwks_uri"))
                signing = [k for k in document.get("keys", []) if isinstance(k, dict) and k.get("use", "sig") == "sig"]
                try:
                    keys = KeySet.import_key_set({"keys": signing})
                except (JoseError, ValueError, TypeError):
                    raise ProviderDown() from None
                with self._lock:
                    self._keys, self._keys_at = keys, time.monotonic()
            try:
                assert self._keys is not None
                return self._keys.get_by_kid(kid)
            except (JoseError, ValueError, KeyError):
                continue
        raise SignInRefused("Mã định danh được ký bằng một khoá mà hệ thống đăng nhập của cơ quan không công bố.")

    # -- the flow --------------------------------------------------------------------------------
    def _client(self, redirect_uri: str | None = None) -> OAuth2Client:
        s = self.settings
        return OAuth2Client(s.client_id, s.client_secret, scope=s.scope, redirect_uri=redirect_uri,
                            code_challenge_method="S256", timeout=TIMEOUT,
                            token_endpoint_auth_method="client_secret_basic")

    def authorization_url(self, state: str, nonce: str, verifier: str, redirect_uri: str) -> str:
        extra = {"acr_values": " ".join(self.settings.acr)} if self.settings.acr else {}
        with self._client(redirect_uri) as client:
            url, _ = client.create_authorization_url(self._endpoint("authorization_endpoint"), state=state,
                                                     nonce=nonce, code_verifier=verifier, **extra)
        return url

    def exchange(self, code: str, verifier: str, redirect_uri: str) -> dict:
        """The provider's tokens for an authorization code (SignInRefused when it refuses it)."""
        endpoint = self._endpoint("token_endpoint")
        with self._client(redirect_uri) as client:
            try:
                return dict(client.fetch_token(endpoint, grant_type="authorization_code", code=code,
                                               code_verifier=verifier))
            except OAuthError as exc:
                raise SignInRefused(f"Hệ thống đăng nhập của cơ quan từ chối mã đăng nhập ({exc.error}); "
                                    "hãy đăng nhập lại từ đầu.") from None
            except UNREACHABLE:
                raise ProviderDown() from None

    def refresh(self, refresh_token: str) -> dict | None:
        """New tokens, or None when the provider refuses (ProviderDown when it does not answer)."""
        endpoint = self._endpoint("token_endpoint")
        with self._client() as client:
            try:
                return dict(client.refresh_token(endpoint, refresh_token=refresh_token))
            except OAuthError:
                return None
            except UNREACHABLE:
                raise ProviderDown() from None

    def check(self, id_token: str, nonce: str | None) -> dict:
        """The claims of ``id_token`` once its signature, issuer, audience, expiry and nonce hold
        (SignInRefused, saying which does not, otherwise)."""
        header = _header(id_token)
        allowed = [a for a in self.discovery().get("id_token_signing_alg_values_supported", ["RS256"])
                   if a in ALGORITHMS]
        if header.get("alg") not in allowed:
            raise SignInRefused(f"Mã định danh dùng thuật toán ký {header.get('alg')!r} không được chấp nhận.")
        key = self.key(header.get("kid"))
        try:
            token = jwt.decode(id_token, key, algorithms=[header["alg"]])
        except JoseError:
            raise SignInRefused("Chữ ký của mã định danh (ID token) không đúng.") from None
        claims = token.claims
        options: dict = {"iss": {"essential": True, "value": self.issuer},
                         "aud": {"essential": True, "value": self.settings.client_id},
                         "exp": {"essential": True}, "sub": {"essential": True}}
        if nonce is not None:
            options["nonce"] = {"essential": True, "value": nonce}
        registry = jwt.JWTClaimsRegistry(now=lambda: int(self.clock()), leeway=LEEWAY, **options)
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise SignInRefused(_said(exc)) from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.settings.client_id:
            raise SignInRefused("Mã định danh được cấp cho một ứng dụng khác (azp).")
        if self.settings.acr and claims.get("acr") not in self.settings.acr \
                and not set(claims.get("amr") or ()) & set(self.settings.acr):
            raise SignInRefused("Cần đăng nhập với mức xác thực mạnh hơn (acr/amr) tại hệ thống của cơ quan.", 403)
        return claims

    def end_session_url(self, id_token: str, after: str) -> str | None:
        """The provider's sign-out address (RP-initiated logout), when its discovery has one."""
        try:
            endpoint = self.discovery().get("end_session_endpoint")
        except ProviderDown:
            return None
        if not endpoint:
            return None
        query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": after,
                           "client_id": self.settings.client_id})
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def _said(exc: JoseError) -> str:
    name = getattr(exc, "claim", "") or str(exc)
    if type(exc).__name__ == "ExpiredTokenError" or "exp" == name:
        return "Mã định danh (ID token) đã hết hạn; hãy đăng nhập lại."
    if "aud" in str(exc):
        return "Mã định danh (ID token) được cấp cho một ứng dụng khác (aud), không phải Từ điển DTTS."
    if "iss" in str(exc):
        return "Mã định danh (ID token) không do hệ thống đăng nhập của cơ quan cấp (iss)."
    if "nonce" in str(exc):
        return "Mã định danh (ID token) không thuộc lần đăng nhập này (nonce)."
    return f"Mã định danh (ID token) không hợp lệ: {exc}."


def expiry(token: dict, claims: dict, now: float) -> float:
    """When a session's tokens expire: the earlier of the ID token's and the access token's."""
    ends = [float(claims["exp"])]
    if token.get("expires_in"):
        ends.append(now + float(token["expires_in"]))
    return min(ends)


class SingleSignOn:
    """Sign-in through the provider, over the domain's :class:`Federation`."""

    def __init__(self, settings: OidcSettings, federation: Federation, clock: Callable[[], float] = time.time,
                 provider: Provider | None = None) -> None:
        self.settings = settings
        self.federation = federation
        self.provider = provider or Provider(settings, clock)

    def close(self) -> None:
        self.provider.close()

    @property
    def issuer(self) -> str:
        return self.provider.issuer

    def begin(self, next_path: str, redirect_uri: str) -> tuple[str, str]:
        """The provider's sign-in address and the state the browser keeps in a cookie."""
        self.provider.discovery(fresh=True)  # a sign-in starts only while the provider answers
        state, nonce, verifier = self.federation.begin(next_path, self.provider.clock())
        url = self.provider.authorization_url(state, nonce, verifier, redirect_uri)
        return url, state

    def finish(self, state: str, code: str, redirect_uri: str, client: str,
               replacing: str | None, agent: str | None = None) -> tuple[str, str]:
        """Finish a sign-in: the new session token and where to go."""
        started = self.federation.resume(state, self.provider.clock())
        if started is None:
            self.federation.failed(self.issuer, "unknown or used state", client)
            raise SignInRefused("Lần đăng nhập này không hợp lệ hoặc đã được dùng (state); "
                                "hãy đăng nhập lại từ đầu.")
        try:
            token = self.provider.exchange(code, started["verifier"], redirect_uri)
            id_token = token.get("id_token")
            if not id_token:
                raise SignInRefused("Hệ thống đăng nhập của cơ quan không gửi mã định danh (ID token).")
            claims = self.provider.check(id_token, started["nonce"])
        except SignInRefused as exc:
            self.federation.failed(self.issuer, str(exc), client)
            raise
        tokens = Tokens(id_token, token.get("refresh_token"), expiry(token, claims, self.provider.clock()))
        _, session = self.federation.sign_in(self.issuer, claims, self.settings.role_claim, tokens, client,
                                             link_email=self.settings.link_email, replacing=replacing,
                                             agent=agent)
        return session, started["next"]

    def alive(self, session: str | None) -> bool:
        """Whether a signed-in session may go on: a local one always; one through the provider
        while its tokens last, then as long as the provider renews them."""
        row = self.federation.tokens(session)
        if row is None or session is None:
            return True
        now = self.provider.clock()
        if now < row["expires_at"]:
            return True
        try:
            token = self.provider.refresh(row["refresh_token"]) if row["refresh_token"] else None
        except ProviderDown:
            return False  # not ended: it goes on once the provider answers again
        if token is None:
            self.federation.end(session, self.issuer, "the provider refused to renew the tokens")
            return False
        ends = [now + float(token.get("expires_in") or 60)]
        id_token = token.get("id_token")
        if id_token:
            try:
                ends.append(float(self.provider.check(id_token, None)["exp"]))
            except SignInRefused:
                self.federation.end(session, self.issuer, "the renewed ID token did not hold")
                return False
        self.federation.renewed(session, Tokens(id_token or "", token.get("refresh_token"), min(ends)))
        return True

    def sign_out_url(self, session: str | None, after: str) -> str | None:
        """Where to send the browser to sign out at the provider too (before the session ends)."""
        row = self.federation.tokens(session)
        if row is None:
            return None
        return self.provider.end_session_url(row["id_token"], after)
