"""Single sign-on through a real Keycloak (scripts/keycloak, started once for the session): people
sign in on Keycloak's own login page in Chromium, or through its login form over HTTP where a test
needs the callback's address in hand; the realm's users, groups and clients are those of
tests/keycloak/tudien-realm.json, changed through Keycloak's admin REST API.

The ID token's checks are also tested on keys made here, served by a small HTTP server of the
test's own (a provider whose keys rotate)."""

from __future__ import annotations

import html
import http.server
import json
import re
import threading
import time
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from support import Library, free_port

from api.app import create_app
from api.oidc import OidcSettings, Provider, SingleSignOn
from corpora.sample import load_sample
from dictionary.editorial.accounts import Role
from dictionary.editorial.federated import SignInRefused, grants
from dictionary.errors import ConfigurationError
from tudien.settings import Settings

# -- settings and the claim's mapping (no provider needed) -----------------------------------------


def test_settings_from_the_environment():
    env = {"TUDIEN_OIDC_ISSUER": "https://sso.example.gov.vn/realms/bo/", "TUDIEN_OIDC_CLIENT_ID": "tudien",
           "TUDIEN_OIDC_CLIENT_SECRET": "s", "TUDIEN_OIDC_LINK_EMAIL": "1", "TUDIEN_LOCAL_PASSWORDS": "0",
           "TUDIEN_OIDC_ACR": "mfa, gold"}
    settings = Settings.from_env(env)
    assert settings.oidc == OidcSettings("https://sso.example.gov.vn/realms/bo", "tudien", "s", "groups", True,
                                         ("mfa", "gold"))
    assert settings.local_passwords is False
    assert Settings.from_env({}).oidc is None and Settings.from_env({}).local_passwords
    for broken, named in (({**env, "TUDIEN_OIDC_CLIENT_SECRET": ""}, "TUDIEN_OIDC_CLIENT_SECRET"),
                          ({**env, "TUDIEN_OIDC_ISSUER": "sso.example.gov.vn"}, "TUDIEN_OIDC_ISSUER"),
                          ({"TUDIEN_LOCAL_PASSWORDS": "0"}, "TUDIEN_LOCAL_PASSWORDS"),
                          ({**env, "TUDIEN_OIDC_LINK_EMAIL": "maybe"}, "TUDIEN_OIDC_LINK_EMAIL")):
        with pytest.raises(ConfigurationError, match=named):
            Settings.from_env(broken)


def test_roles_and_languages_from_the_claim():
    assert grants(["tudien:editor:bdq", "tudien:editor:mtq", "offline_access"]) == (Role.editor, ("bdq", "mtq"))
    assert grants(["tudien:contributor:mww", "tudien:editor:bdq"]) == (Role.editor, ("bdq",))
    assert grants(["tudien:admin", "tudien:contributor:mww"]) == (Role.admin, ("*",))
    assert grants(["tudien:editor"]) == (Role.editor, ("*",))
    assert grants("tudien:contributor:tyz") == (Role.contributor, ("tyz",))
    for nothing in (None, [], ["ngoai-tudien"], ["tudien:owner:bdq"], ["tudien:editor:zzz"], [3], {"a": 1}):
        assert grants(nothing) is None


def test_the_settings_wire_the_sign_in_page(tmp_path):
    """From the environment to the pages: the button, local passwords off, a provider that does not
    answer (nothing listens on its port) a clear 503 page, never a 500."""
    from fastapi.testclient import TestClient

    from tudien.wiring import create_app as wire

    env = {"TUDIEN_DATA_DIR": str(tmp_path / "data"), "TUDIEN_OIDC_ISSUER": f"http://127.0.0.1:{free_port()}/realms/x",
           "TUDIEN_OIDC_CLIENT_ID": "tudien", "TUDIEN_OIDC_CLIENT_SECRET": "s", "TUDIEN_LOCAL_PASSWORDS": "0"}
    lib = Library(tmp_path / "data")
    try:
        app = wire(Settings.from_env(env), lib.services)
        with TestClient(app) as http:
            page = http.get("/dang-nhap")
            assert "Đăng nhập bằng tài khoản cơ quan" in page.text and 'name="password"' not in page.text
            down = http.get("/dang-nhap/oidc", follow_redirects=False)
            assert down.status_code == 503 and "Không kết nối được với hệ thống đăng nhập" in down.text
            assert "Tạm thời chưa phục vụ được" in down.text
            forged = http.get("/dang-nhap/oidc/ve", params={"state": "x", "code": "y"})
            assert forged.status_code == 400 and "state" in forged.text
        plain = wire(Settings.from_env({"TUDIEN_DATA_DIR": str(tmp_path / "data")}), lib.services)
        with TestClient(plain) as http:
            assert "tài khoản cơ quan" not in http.get("/dang-nhap").text
            assert http.get("/dang-nhap/oidc").status_code == 404
    finally:
        lib.close()


def test_an_admin_sets_the_email_to_link_by(tmp_path, capsys):
    from tudien.cli import main

    env = {"TUDIEN_DATA_DIR": str(tmp_path / "data")}
    lib = Library(tmp_path / "data")
    lib.services.accounts.add("dung.local", "contributor", "tyz")
    lib.close()
    assert main(["users", "email", "dung.local", "dung@bo.example.vn"], env) == 0
    assert main(["users", "email", "dung.local", "khong co a cong"], env) == 1
    assert "không phải địa chỉ e-mail" in capsys.readouterr().err
    assert main(["users", "email", "ai-do", "x@bo.example.vn"], env) == 1
    lib = Library(tmp_path / "data")
    assert [r["name"] for r in lib.store.identities.by_email("DUNG@bo.example.vn")] == ["dung.local"]
    assert [r["action"] for r in lib.services.audit.records()][-1] == "account.email"
    lib.close()


def test_federated_accounts_on_each_store(tmp_path, store_kind):
    """A first sign-in, a second with a changed role, the state used once, a session's tokens
    renewed and forgotten: the same on SQLite and PostgreSQL (migration 13's tables)."""
    from dictionary.editorial.federated import Tokens

    lib = Library(tmp_path / "data", database_url=store_kind)
    try:
        federation, issuer = lib.services.federation, "https://sso.bo.gov.vn/realms/bo"
        state, nonce, verifier = federation.begin("/duyet", time.time())
        assert federation.resume("khac", time.time()) is None
        assert federation.resume(state, time.time()) == {"nonce": nonce, "verifier": verifier, "next": "/duyet"}
        assert federation.resume(state, time.time()) is None  # good once
        claims = {"sub": "s-1", "preferred_username": "Nguyễn.Đức", "email": "duc@bo.gov.vn",
                  "email_verified": True, "groups": ["tudien:editor:bdq"]}
        account, session = federation.sign_in(issuer, claims, "groups", Tokens("id", "r1", time.time() + 60), "1.2.3.4")
        assert (account.name, account.role, account.languages) == ("nguyen.duc", Role.editor, ("bdq",))
        assert lib.services.accounts.by_session(session) == account
        assert federation.tokens(session)["refresh_token"] == "r1"
        stored = lib.store.identities.tokens(lib.store.core.rows("SELECT digest FROM oidc_sessions")[0]["digest"])
        assert "r1" not in stored["refresh_token"]  # kept sealed
        federation.renewed(session, Tokens("", "r2", time.time() + 120))
        assert federation.tokens(session)["refresh_token"] == "r2" and federation.tokens(session)["id_token"] == "id"
        again, _ = federation.sign_in(issuer, {**claims, "groups": ["tudien:contributor:mww"]}, "groups",
                                      Tokens("id", None, time.time() + 60), "1.2.3.4", replacing=session)
        assert (again.name, again.role, again.languages) == ("nguyen.duc", Role.contributor, ("mww",))
        assert lib.services.accounts.by_session(session) is None  # replaced
        assert federation.tokens(session) is None
        assert [r["name"] for r in lib.store.identities.by_email("Duc@bo.gov.vn")] == ["nguyen.duc"]
        actions = [(r["actor"], r["action"]) for r in lib.services.audit.records() if r["target"] == "nguyen.duc"]
        assert (f"oidc:{issuer}", "account.add") in actions and (f"oidc:{issuer}", "account.role") in actions
    finally:
        lib.close()


# -- the ID token's checks, on keys made here --------------------------------------------------------

class Documents(http.server.BaseHTTPRequestHandler):
    served: dict[str, dict] = {}
    fetched: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        Documents.fetched.append(self.path)
        body = json.dumps(self.served.get(self.path, {})).encode()
        self.send_response(200 if self.path in self.served else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def own_provider():
    port = free_port()
    issuer = f"http://127.0.0.1:{port}/realms/own"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Documents)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
    Documents.served = {
        "/realms/own/.well-known/openid-configuration": {
            "issuer": issuer, "jwks_uri": issuer + "/certs", "authorization_endpoint": issuer + "/auth",
            "token_endpoint": issuer + "/token", "id_token_signing_alg_values_supported": ["RS256"]},
        "/realms/own/certs": {"keys": [key.as_dict(private=False)]},
    }
    Documents.fetched = []
    yield issuer, key
    server.shutdown()
    server.server_close()


def _signed(key: RSAKey, claims: dict, alg: str = "RS256") -> str:
    return jwt.encode({"alg": alg, "kid": key.kid}, claims, key)


def test_id_token_signature_issuer_audience_expiry_and_nonce(own_provider):
    issuer, key = own_provider
    provider = Provider(OidcSettings(issuer, "tudien", "secret"))
    now = int(time.time())
    good = {"iss": issuer, "aud": "tudien", "sub": "u1", "exp": now + 60, "iat": now, "nonce": "n1"}
    assert provider.check(_signed(key, good), "n1")["sub"] == "u1"
    other = RSAKey.generate_key(2048, parameters={"kid": "k1"})  # the same key id, another key
    refusals = {
        "Chữ ký": _signed(other, good),
        "(aud)": _signed(key, {**good, "aud": "other-app"}),
        "(iss)": _signed(key, {**good, "iss": "http://127.0.0.1:1/realms/own"}),
        "hết hạn": _signed(key, {**good, "exp": now - 120}),
        "(nonce)": _signed(key, {**good, "nonce": "n2"}),
        "(azp)": _signed(key, {**good, "aud": ["tudien", "other-app"], "azp": "other-app"}),
    }
    for said, token in refusals.items():
        with pytest.raises(SignInRefused, match=re.escape(said)):
            provider.check(token, "n1")
    # a token signed with a shared secret (HS256) or none is never one of the provider's
    head = "eyJhbGciOiJub25lIn0"  # {"alg":"none"}
    with pytest.raises(SignInRefused, match="thuật toán"):
        provider.check(head + "." + _signed(key, good).split(".")[1] + ".", "n1")
    # the provider's clock moved on: the same good token is expired for a clock an hour ahead
    later = Provider(OidcSettings(issuer, "tudien", "secret"), clock=lambda: time.time() + 3600)
    with pytest.raises(SignInRefused, match="hết hạn"):
        later.check(_signed(key, good), "n1")
    # the acr asked for
    strict = Provider(OidcSettings(issuer, "tudien", "secret", acr=("mfa",)))
    with pytest.raises(SignInRefused, match="acr"):
        strict.check(_signed(key, {**good, "acr": "1"}), "n1")
    assert strict.check(_signed(key, {**good, "acr": "1", "amr": ["pwd", "mfa"]}), "n1")


def test_keys_rotate_without_a_restart(own_provider):
    issuer, key = own_provider
    provider = Provider(OidcSettings(issuer, "tudien", "secret"))
    now = int(time.time())
    claims = {"iss": issuer, "aud": "tudien", "sub": "u1", "exp": now + 60, "nonce": "n"}
    provider.check(_signed(key, claims), "n")
    provider.check(_signed(key, claims), "n")
    assert Documents.fetched.count("/realms/own/certs") == 1  # kept
    rotated = RSAKey.generate_key(2048, parameters={"kid": "k2", "use": "sig", "alg": "RS256"})
    Documents.served["/realms/own/certs"] = {"keys": [rotated.as_dict(private=False)]}
    assert provider.check(_signed(rotated, claims), "n")["sub"] == "u1"  # fetched again for kid k2
    assert Documents.fetched.count("/realms/own/certs") == 2
    unknown = RSAKey.generate_key(2048, parameters={"kid": "k3"})
    with pytest.raises(SignInRefused, match="khoá"):
        provider.check(_signed(unknown, claims), "n")  # asked again only after MIN_REFETCH seconds
    assert Documents.fetched.count("/realms/own/certs") == 2


# -- against the real Keycloak -----------------------------------------------------------------------

class Clock:
    """The site's clock, which a test may move ahead of Keycloak's."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def __call__(self) -> float:
        return time.time() + self.ahead


class Site:
    def __init__(self, lib: Library, url: str, clock: Clock, app, keycloak) -> None:
        self.lib, self.url, self.clock, self.app, self.keycloak = lib, url, clock, app, keycloak
        self.issuer = keycloak.settings["TUDIEN_OIDC_ISSUER"]

    def audit(self, action: str | None = None) -> list[dict]:
        rows = list(self.lib.services.audit.records())
        return [r for r in rows if action is None or r["action"] == action]

    # Keycloak's admin REST API
    def admin(self) -> httpx.Client:
        token = httpx.post(f"{self.keycloak.url}/realms/master/protocol/openid-connect/token", data={
            "grant_type": "password", "client_id": "admin-cli", "username": "admin",
            "password": "admin-dev-password"}).json()["access_token"]
        return httpx.Client(base_url=f"{self.keycloak.url}/admin/realms/tudien",
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)

    def user_id(self, admin: httpx.Client, username: str) -> str:
        return admin.get("/users", params={"username": username, "exact": "true"}).json()[0]["id"]

    def leave_group(self, username: str, group: str) -> None:
        with self.admin() as admin:
            gid = next(g["id"] for g in admin.get("/groups", params={"search": group}).json() if g["name"] == group)
            admin.delete(f"/users/{self.user_id(admin, username)}/groups/{gid}").raise_for_status()

    def set_enabled(self, username: str, enabled: bool) -> None:
        with self.admin() as admin:
            uid = self.user_id(admin, username)
            admin.put(f"/users/{uid}", json={"enabled": enabled}).raise_for_status()


@pytest.fixture(scope="module")
def site(keycloak, tmp_path_factory):
    import uvicorn

    lib = Library(tmp_path_factory.mktemp("sso") / "data")
    load_sample(lib.services.collection)
    lib.index()
    lib.services.accounts.add("le.b", "editor", "tyz", password="mat-khau-bien-tap")
    lib.services.accounts.add("dung.local", "contributor", "tyz", password="mat-khau-cua-dung")
    lib.services.federation.set_email("dung.local", "dung@bo.example.vn", actor="admin")
    k = keycloak.settings
    clock = Clock()
    settings = OidcSettings(k["TUDIEN_OIDC_ISSUER"], k["TUDIEN_OIDC_CLIENT_ID"], k["TUDIEN_OIDC_CLIENT_SECRET"],
                            link_email=True)
    app = create_app(lib.services, sso=SingleSignOn(settings, lib.services.federation, clock=clock))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the site did not start"
        time.sleep(0.05)
    yield Site(lib, f"http://127.0.0.1:{port}", clock, app, keycloak)
    server.should_exit = True
    thread.join(timeout=15)
    lib.close()


def provider_login(http: httpx.Client, site: Site, username: str, password: str, start: str | None = None) -> str:
    """Sign in on Keycloak's login form over HTTP; the callback address Keycloak sends back to
    (not followed).  ``start``: Keycloak's authorization address to begin at (default: the site's)."""
    if start is None:
        began = http.get(f"{site.url}/dang-nhap/oidc")
        assert began.status_code == 303, began.text
        start = began.headers["location"]
    page = http.get(start)
    assert page.status_code == 200, page.text
    action = html.unescape(re.search(r'<form[^>]+id="kc-form-login"[^>]+action="([^"]+)"', page.text).group(1))
    answer = http.post(urljoin(start, action), data={"username": username, "password": password})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def client() -> httpx.Client:
    """A browser over HTTP: like Chromium, it sends Keycloak's Secure cookies to loopback (a
    trustworthy origin), which Python's cookie jar keeps for HTTPS only."""
    def loopback_is_trustworthy(response: httpx.Response) -> None:
        for cookie in http.cookies.jar:
            cookie.secure = False

    http = httpx.Client(timeout=30, follow_redirects=False, event_hooks={"response": [loopback_is_trustworthy]})
    return http


def signed_in_as(http: httpx.Client, site: Site) -> str | None:
    page = http.get(f"{site.url}/duyet")
    if page.status_code != 200:
        return None
    found = re.search(r"<bdi>([^<]+)</bdi> · Đăng xuất", page.text)
    return found.group(1) if found else None


@pytest.fixture(scope="module")
def chrome():
    from test_browser import chromium

    driver = chromium()
    yield driver
    driver.quit()


def browser_sign_in(driver, site: Site, username: str, password: str) -> None:
    """Through the site's sign-in page and Keycloak's own login page, in Chromium."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.get(f"{site.url}/dang-nhap")
    driver.find_element(By.LINK_TEXT, "Đăng nhập bằng tài khoản cơ quan").click()
    WebDriverWait(driver, 15).until(lambda d: d.current_url.startswith(site.keycloak.url))
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "kc-login").click()
    WebDriverWait(driver, 15).until(lambda d: d.current_url.startswith(site.url))


@pytest.mark.keycloak
def test_first_sign_in_makes_the_account_from_groups_and_roles_follow_the_provider(site, chrome):
    from selenium.webdriver.common.by import By

    browser_sign_in(chrome, site, "an.editor", "an-dev-password")
    assert chrome.current_url == f"{site.url}/duyet"
    assert "an.editor" in chrome.find_element(By.TAG_NAME, "header").text
    account = site.lib.services.accounts.get("an.editor")
    assert (account.role, account.languages) == (Role.editor, ("bdq", "mtq"))
    provider = f"oidc:{site.issuer}"
    made = [r for r in site.audit("account.add") if r["target"] == "an.editor"]
    assert made and made[0]["actor"] == provider
    assert any(r["target"] == "an.editor" for r in site.audit("session.open"))
    # a group taken away at the provider: the next sign-in has the languages it leaves
    site.leave_group("an.editor", "tudien:editor:mtq")
    browser_sign_in(chrome, site, "an.editor", "an-dev-password")
    assert site.lib.services.accounts.get("an.editor").languages == ("bdq",)
    change = [r for r in site.audit("account.role") if r["target"] == "an.editor"][-1]
    assert change["actor"] == provider
    assert json.loads(change["detail"]) == {"from": {"role": "editor", "languages": "bdq,mtq"},
                                            "to": {"role": "editor", "languages": "bdq"}}


@pytest.mark.keycloak
def test_sign_out_ends_the_session_here_and_at_the_provider(site, chrome):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser_sign_in(chrome, site, "binh.admin", "binh-dev-password")
    assert site.lib.services.accounts.get("binh.admin").role == Role.admin
    chrome.find_element(By.CSS_SELECTOR, "form[action='/dang-xuat'] button").click()
    WebDriverWait(chrome, 15).until(lambda d: d.current_url == f"{site.url}/")
    assert "Đăng nhập" in chrome.find_element(By.TAG_NAME, "header").text
    kept = site.lib.store.core.rows("SELECT COUNT(*) AS n FROM oidc_sessions WHERE digest NOT IN "
                                    "(SELECT digest FROM sessions)")
    assert kept[0]["n"] == 0  # the ended session's refresh token is not kept
    # Keycloak's session ended too: signing in again asks for the password on its page
    chrome.get(f"{site.url}/dang-nhap/oidc")
    WebDriverWait(chrome, 15).until(lambda d: d.current_url.startswith(site.keycloak.url))
    assert chrome.find_element(By.ID, "kc-login")
    # a local disable wins over the provider
    site.lib.services.accounts.disable("binh.admin", actor="le.b")
    with client() as http:
        callback = provider_login(http, site, "binh.admin", "binh-dev-password")
        page = http.get(callback)
        assert page.status_code == 403 and "đã bị khoá" in page.text


@pytest.mark.keycloak
def test_a_verified_email_links_the_local_account_and_no_group_no_entry(site):
    with client() as http:
        assert http.get(provider_login(http, site, "dung.linked", "dung-dev-password")).status_code == 303
        assert signed_in_as(http, site) == "dung.local"
    account = site.lib.services.accounts.get("dung.local")
    assert (account.role, account.languages) == (Role.editor, ("bdq",))
    assert "dung.linked" not in [a["name"] for a in site.lib.services.accounts.list()]
    with client() as http:
        page = http.get(provider_login(http, site, "em.outsider", "em-dev-password"))
        assert page.status_code == 403 and "chưa được cấp quyền" in page.text
        assert signed_in_as(http, site) is None
    assert "em.outsider" not in [a["name"] for a in site.lib.services.accounts.list()]


@pytest.mark.keycloak
def test_keys_rotated_at_keycloak_are_fetched_without_a_restart(site):
    provider = site.app.state.sso.provider
    with client() as http:  # signed with the realm's first key: the JWKS is kept
        assert http.get(provider_login(http, site, "an.editor", "an-dev-password")).status_code == 303
    known = {k.kid for k in provider._keys.keys}
    with site.admin() as admin:
        realm = admin.get("").json()["id"]
        admin.post("/components", json={
            "name": "rotated", "providerId": "rsa-generated", "providerType": "org.keycloak.keys.KeyProvider",
            "parentId": realm, "config": {"priority": ["500"], "keySize": ["2048"], "algorithm": ["RS256"]},
        }).raise_for_status()
    with client() as http:  # signed with the new key, which the kept JWKS lacks
        assert http.get(provider_login(http, site, "an.editor", "an-dev-password")).status_code == 303
        assert signed_in_as(http, site) == "an.editor"
    assert {k.kid for k in provider._keys.keys} - known


@pytest.mark.keycloak
def test_wrong_state_and_replayed_code_are_refused(site):
    with client() as http:
        callback = provider_login(http, site, "an.editor", "an-dev-password")
        query = parse_qs(urlparse(callback).query)
        forged = callback.replace(query["state"][0], "khong-phai-cua-ban")
        page = http.get(forged)
        assert page.status_code == 400 and "state" in page.text
        assert http.get(callback).status_code == 303  # the real one still goes through, once
        again = http.get(callback)
        assert again.status_code == 400 and "state" in again.text
        # the same code with a new sign-in's state: Keycloak refuses a code used already
        began = http.get(f"{site.url}/dang-nhap/oidc")
        state = parse_qs(urlparse(began.headers["location"]).query)["state"][0]
        replayed = http.get(f"{site.url}/dang-nhap/oidc/ve", params={"state": state, "code": query["code"][0]})
        assert replayed.status_code == 400 and "từ chối mã đăng nhập" in replayed.text
        assert signed_in_as(http, site) == "an.editor"  # the session of before is untouched
    reasons = [json.loads(r["detail"])["reason"] for r in site.audit("session.failed") if r["detail"]]
    assert "state not this browser's" in reasons and any("invalid_grant" in r for r in reasons)


@pytest.mark.keycloak
def test_a_token_for_another_application_is_refused(site):
    # a code Keycloak issued to another client of the realm, brought to this site's callback
    with client() as http:
        began = http.get(f"{site.url}/dang-nhap/oidc")
        ours = parse_qs(urlparse(began.headers["location"]).query)
        other = {k: v[0] for k, v in ours.items()} | {"client_id": "other-app"}
        start = began.headers["location"].split("?")[0] + "?" + urlencode(other)
        page = http.get(provider_login(http, site, "an.editor", "an-dev-password", start=start))
        assert page.status_code == 400 and "từ chối mã đăng nhập" in page.text
        assert signed_in_as(http, site) is None
    # an ID token Keycloak really signed, for the other client: its audience is not this site
    token = httpx.post(f"{site.issuer}/protocol/openid-connect/token", data={
        "grant_type": "password", "client_id": "other-app", "client_secret": "other-dev-secret",
        "username": "an.editor", "password": "an-dev-password", "scope": "openid"}).json()["id_token"]
    with pytest.raises(SignInRefused, match=re.escape("(aud)")):
        site.app.state.sso.provider.check(token, None)


@pytest.mark.keycloak
def test_an_expired_id_token_is_refused(site):
    with client() as http:
        callback = provider_login(http, site, "an.editor", "an-dev-password")
        site.clock.ahead = 300  # the site five minutes ahead: Keycloak's 15-second token has expired
        try:
            page = http.get(callback)
        finally:
            site.clock.ahead = 0
        assert page.status_code == 400 and "hết hạn" in page.text
        assert signed_in_as(http, site) is None


@pytest.mark.keycloak
def test_disabled_at_the_provider_loses_access_after_the_token_expires(site):
    with client() as http, client() as colleague:
        assert http.get(provider_login(http, site, "chi.contributor", "chi-dev-password")).status_code == 303
        assert colleague.get(provider_login(colleague, site, "an.editor", "an-dev-password")).status_code == 303
        assert signed_in_as(http, site) == "chi.contributor"
        site.set_enabled("chi.contributor", False)
        assert signed_in_as(http, site) == "chi.contributor"  # its token has not expired yet
        site.clock.ahead = 20  # past the tokens' 15 seconds (within the checks' 30 s leeway)
        try:
            assert signed_in_as(http, site) is None  # Keycloak refused to renew: the session ended
            assert signed_in_as(colleague, site) == "an.editor"  # renewed by Keycloak, goes on
        finally:
            site.clock.ahead = 0
        assert signed_in_as(http, site) is None
    assert [r for r in site.audit("session.refused") if r["target"] == "chi.contributor"]


@pytest.mark.keycloak
def test_local_passwords_switched_off(site):
    with client() as http:
        page = http.get(f"{site.url}/dang-nhap")
        assert "Đăng nhập bằng tài khoản cơ quan" in page.text and 'name="password"' in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        site.app.state.local_passwords = False
        try:
            page = http.get(f"{site.url}/dang-nhap")
            assert "Đăng nhập bằng tài khoản cơ quan" in page.text and 'name="password"' not in page.text
            refused = http.post(f"{site.url}/dang-nhap", data={"name": "le.b", "password": "mat-khau-bien-tap",
                                                               "csrf": csrf})
            assert refused.status_code == 403 and "đã tắt" in refused.text
        finally:
            site.app.state.local_passwords = True


@pytest.mark.keycloak
def test_keycloak_down_a_clear_page_and_local_sessions_go_on(site):
    """Last: stops the session's Keycloak."""
    with client() as local, client() as federated, client() as pending:
        csrf = re.search(r'name="csrf" value="([^"]+)"', local.get(f"{site.url}/dang-nhap").text).group(1)
        assert local.post(f"{site.url}/dang-nhap", data={"name": "le.b", "password": "mat-khau-bien-tap",
                                                          "csrf": csrf}).status_code == 303
        assert federated.get(provider_login(federated, site, "an.editor", "an-dev-password")).status_code == 303
        callback = provider_login(pending, site, "an.editor", "an-dev-password")  # a sign-in under way
        site.keycloak.stop()
        page = federated.get(f"{site.url}/dang-nhap/oidc")
        assert page.status_code == 503 and "Không kết nối được với hệ thống đăng nhập" in page.text
        page = pending.get(callback)
        assert page.status_code == 503 and "Không kết nối được với hệ thống đăng nhập" in page.text
        assert signed_in_as(local, site) == "le.b"
        assert signed_in_as(federated, site) == "an.editor"  # its token still holds
        site.clock.ahead = 20
        try:
            assert signed_in_as(federated, site) is None  # cannot be renewed while Keycloak is down
            assert signed_in_as(local, site) == "le.b"
        finally:
            site.clock.ahead = 0
        # not ended: it goes on when Keycloak answers again
        assert site.lib.services.federation.tokens(federated.cookies["tudien_session"]) is not None
