"""A relying-party web app (aiohttp, Authlib's client; tests/support/relying_party.py)
against the DFS identity server, without a browser: /login?login_hint= redirects to
"get /connect/authorize", the login page names the hinted identity, its one-click
form is posted ("post /connect/authorize"), the app spends the code at "post
/connect/token", checks the ID token against the JWKS and calls "get
/v1.0/identities/{identityId}" with the identity's access token."""

from __future__ import annotations

import re

import pytest
import requests

from tests.support.dfs import SARAH, TENANT_UID
from tests.support.relying_party import RelyingParty, Served

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
PREFILLED = re.compile(r'name="login_username" value="([^"]*)"')


@pytest.fixture
def relying_party(emulator_sync):
    """The app on a free port, registered as the DFS client ``dfs-rp-client`` (confidential)."""
    admin_api = emulator_sync.dfs_url("1.0")

    def get_identity(api: requests.Session, access_token: str) -> requests.Response:
        # get /v1.0/identities/{identityId}: Sarah, whom the test logs in
        return api.get(f"{admin_api}/identities/{SARAH}", headers={"Authorization": f"Bearer {access_token}"})

    party = RelyingParty(
        emulator_sync.url + "/.well-known/openid-configuration",
        "dfs-rp-client",
        "dfs-rp-secret",
        "openid profile email DfsAdmin",
        dict(emulator_sync.headers),
        get_identity,
    )
    served = Served(party)
    client = {
        "secret": "dfs-rp-secret",
        "tenants": ["additiv"],
        "scopes": ["openid", "profile", "email", "DfsAdmin"],
        "redirectUris": [party.redirect_uri],
    }
    emulator_sync.load_scenario({"dfs": {"clients": {"dfs-rp-client": client}}})
    yield party
    served.close()


def log_in_over_http(emulator_sync, party: RelyingParty, username: str) -> requests.Response:
    with requests.Session() as browser:
        browser.headers.update(emulator_sync.headers)
        to_provider = browser.get(party.base_url + "/login", params={"login_hint": username}, allow_redirects=False)
        assert to_provider.status_code == 302 and "/connect/authorize?" in to_provider.headers["Location"]
        page = browser.get(to_provider.headers["Location"], allow_redirects=False)
        assert page.status_code == 200 and "DFS identity server: log in" in page.text
        [hinted] = PREFILLED.findall(page.text)
        fields = {**dict(HIDDEN.findall(page.text)), "login_as": hinted}
        back = browser.post(emulator_sync.url + "/connect/authorize", data=fields, allow_redirects=False)
        assert back.status_code == 302, back.text
        return browser.get(back.headers["Location"], allow_redirects=False)


def test_an_app_logs_an_identity_in_with_login_hint_and_calls_the_admin_api(emulator_sync, relying_party):
    answer = log_in_over_http(emulator_sync, relying_party, "sconnor")
    assert answer.status_code == 200 and "Logged in as Sarah Connor" in answer.text and "API 200" in answer.text
    [login] = relying_party.logins
    assert login.claims["sub"] == SARAH and login.claims["tenant_uid"] == TENANT_UID
    assert login.userinfo is None  # the DFS identity server's discovery has no userinfo endpoint


def test_an_identity_without_access_to_the_clients_tenant_gets_no_tokens(emulator_sync, relying_party):
    """The app's client re-registered for Globex alone: the Additiv admin logs in, but
    the token endpoint refuses the code (no tenant of the client is the identity's)."""
    client = {"secret": "dfs-rp-secret", "tenants": ["globex"], "redirectUris": [relying_party.redirect_uri]}
    emulator_sync.load_scenario(
        {"dfs": {"clients": {"dfs-rp-client": {**client, "scopes": ["openid", "profile", "email", "DfsAdmin"]}}}}
    )
    answer = log_in_over_http(emulator_sync, relying_party, "additiv")
    assert answer.status_code == 400 and relying_party.errors == ["invalid_grant"] and not relying_party.logins
