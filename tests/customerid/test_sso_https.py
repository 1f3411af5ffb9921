"""The SSO over the HTTPS listener (docs/oauth.md "HTTPS"): a client that refuses
plain-HTTP token endpoints (requests-oauthlib, no OAUTHLIB_INSECURE_TRANSPORT) gets
a token when it trusts the emulator's local CA; the issuer follows the scheme."""

import pytest
import requests
from oauthlib.oauth2 import InsecureTransportError, LegacyApplicationClient
from requests_oauthlib import OAuth2Session

API_USER = ("api-user", "api-user-password")


@pytest.fixture
def secure_transport_only(monkeypatch):
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)


def fetch_password_token(base_url: str, verify) -> dict:
    """`post /uas/oauth2/token` with the password grant, as requests-oauthlib sends it."""
    session = OAuth2Session(client=LegacyApplicationClient(client_id="ci-client"))
    username, password = API_USER
    return session.fetch_token(
        base_url + "/uas/oauth2/token",
        username=username,
        password=password,
        client_id="ci-client",
        client_secret="ci-client-secret",
        verify=verify,
    )


def test_requests_oauthlib_fetches_a_token_over_https_trusting_the_emulators_ca(emulator_sync, secure_transport_only):
    assert emulator_sync.https_url.startswith("https://127.0.0.1:")
    token = fetch_password_token(emulator_sync.https_url, verify=str(emulator_sync.ca_file))
    assert token["token_type"].lower() == "bearer" and token["access_token"]
    answer = requests.get(
        emulator_sync.customerid_url("2.1").replace(emulator_sync.url, emulator_sync.https_url) + "/users",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        params={"maxResults": 1},
        verify=str(emulator_sync.ca_file),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text  # the same app, its API behind the same listener


def test_requests_oauthlib_refuses_the_plain_http_token_endpoint(emulator_sync, secure_transport_only):
    with pytest.raises(InsecureTransportError):
        fetch_password_token(emulator_sync.url, verify=True)


def test_without_the_ca_the_https_listener_is_not_trusted(emulator_sync, secure_transport_only):
    with pytest.raises(requests.exceptions.SSLError):
        fetch_password_token(emulator_sync.https_url, verify=True)


def test_discovery_over_https_names_https_endpoints(emulator_sync):
    https = emulator_sync.https_url
    metadata = requests.get(
        https + "/uas/.well-known/openid-configuration", verify=str(emulator_sync.ca_file), timeout=30
    ).json()
    assert metadata["issuer"] == https + "/uas"
    assert all(metadata[name].startswith(https + "/uas/") for name in ("token_endpoint", "jwks_uri"))
    plain = requests.get(emulator_sync.url + "/uas/.well-known/openid-configuration", timeout=30).json()
    assert plain["issuer"] == emulator_sync.url + "/uas"
