"""Issue 21's "Done means": a relying-party web app (aiohttp, Authlib's client;
tests/support/relying_party.py) logs a user in through headless Chromium via the
SSO's login page ("get /uas/oauth2/authorization", one click on the user), spends the
code at "post /uas/oauth2/token", checks the ID token against the JWKS, reads
userinfo and calls GET105 (``GET /customerid-rest/services/2.1/users/{id}``) with the
user's access token: 200 for api-user (in "CustomerID API Users"), 403 code 3 for a
directory user outside the group. The same flow without a browser, with login_hint,
is plain HTTP redirects."""

from __future__ import annotations

import re

import pytest
import requests

from tests.support.browser import VIEWPORT, expect
from tests.support.customerid import MAIJA
from tests.support.relying_party import Login, RelyingParty, Served

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
PREFILLED = re.compile(r'name="login_username" value="([^"]*)"')


@pytest.fixture
def relying_party(emulator_sync):
    """The app on a free port, registered at the SSO as ``rp-client`` (a confidential
    client whose one redirect URI is the app's /callback)."""
    customerid_url = emulator_sync.customerid_url("2.1")

    def get105(api: requests.Session, access_token: str) -> requests.Response:
        # GET105: a user by id, with the logged-in user's Bearer token
        return api.get(f"{customerid_url}/users/{MAIJA}", headers={"Authorization": f"Bearer {access_token}"})

    party = RelyingParty(
        emulator_sync.url + "/uas/.well-known/openid-configuration",
        "rp-client",
        "rp-client-secret",
        "openid userinfo customerid-api",
        dict(emulator_sync.headers),
        get105,
    )
    served = Served(party)
    emulator_sync.load_scenario(
        {
            "customerid": {
                "sso": {
                    "clients": {
                        "rp-client": {
                            "name": "Relying party (test)",
                            "secret": "rp-client-secret",
                            "grantTypes": ["authorization_code", "refresh_token"],
                            "scopes": ["openid", "userinfo", "customerid-api"],
                            "redirectUris": [party.redirect_uri],
                        }
                    }
                }
            }
        }
    )
    yield party
    served.close()


def log_in_with_chromium(browser, emulator_sync, party: RelyingParty, username: str) -> str:
    """Open the app's /login in Chromium, click ``username`` on the SSO's login page;
    the app's page text after the callback."""

    def in_browser(chromium):
        context = chromium.new_context(viewport=VIEWPORT, extra_http_headers=dict(emulator_sync.headers))
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            page.goto(party.base_url + "/login")
            expect(page.locator("h1")).to_contain_text("Ubisecure SSO: log in")
            page.locator(f'button[name="login_as"][value="{username}"]').click()
            expect(page.locator("#user")).to_be_visible()
            return page.locator("body").inner_text()
        finally:
            context.close()

    return browser.run(in_browser)


def test_chromium_logs_an_api_user_in_and_the_app_calls_get105(emulator_sync, relying_party, browser):
    text = log_in_with_chromium(browser, emulator_sync, relying_party, "api-user")
    assert "Logged in as CustomerID API integration" in text and "API 200" in text
    [login] = relying_party.logins
    assert login.claims["sub"] == "api-user" and login.userinfo and login.userinfo["sub"] == "api-user"
    assert MAIJA in login.api_text  # GET105 answered with the user asked for
    journal = [entry["operation"] for entry in emulator_sync.requests()]
    assert {"get /uas/oauth2/authorization", "post /uas/oauth2/authorization", "post /uas/oauth2/token"} <= set(journal)


def test_chromium_logs_in_a_user_outside_the_api_group_and_get105_is_403(emulator_sync, relying_party, browser):
    text = log_in_with_chromium(browser, emulator_sync, relying_party, "maija.virtanen")
    assert "API 403" in text
    [login] = relying_party.logins
    assert login.userinfo and login.userinfo["sub"] == "maija.virtanen"
    assert "<code>3</code>" in login.api_text and "CustomerID API Users" in login.api_text


def log_in_over_http(emulator_sync, party: RelyingParty, username: str) -> requests.Response:
    """The browser's part as plain HTTP: /login?login_hint= redirects to the login page,
    which names the hinted user; the one-click form posted; the redirect to /callback."""
    with requests.Session() as browser:
        browser.headers.update(emulator_sync.headers)
        to_provider = browser.get(party.base_url + "/login", params={"login_hint": username}, allow_redirects=False)
        assert to_provider.status_code == 302
        page = browser.get(to_provider.headers["Location"], allow_redirects=False)
        assert page.status_code == 200
        [hinted] = PREFILLED.findall(page.text)  # login_hint fills in the user name
        fields = {**dict(HIDDEN.findall(page.text)), "login_as": hinted}
        action = to_provider.headers["Location"].split("?")[0]
        back = browser.post(action, data=fields, allow_redirects=False)
        assert back.status_code == 302 and back.headers["Location"].startswith(party.redirect_uri)
        return browser.get(back.headers["Location"], allow_redirects=False)


def test_the_same_flow_without_a_browser_with_login_hint(emulator_sync, relying_party):
    answer = log_in_over_http(emulator_sync, relying_party, "api-user")
    assert answer.status_code == 200 and "API 200" in answer.text
    [login] = relying_party.logins
    assert isinstance(login, Login) and login.claims["sub"] == "api-user"


def test_without_a_browser_a_wrong_redirect_uri_never_reaches_the_app(emulator_sync, relying_party):
    relying_party.base_url += "/elsewhere"  # no longer the registered redirect URI
    with requests.Session() as browser:
        browser.headers.update(emulator_sync.headers)
        to_provider = browser.get(relying_party.base_url.rsplit("/elsewhere", 1)[0] + "/login", allow_redirects=False)
        page = browser.get(to_provider.headers["Location"], allow_redirects=False)
    assert page.status_code == 400 and "redirect_uri" in page.text and not relying_party.logins
