"""A logged-in user without a browser: the authorization-code flow with PKCE driven
over HTTP against the emulator's SSO (what a browser would do on the login page),
mixed into EmulatorHandle as ``await emulator.log_in("api-user")`` (docs/pytest.md)."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import aiohttp

HIDDEN_FIELD = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


class LoginFailed(AssertionError):
    """The flow did not end with tokens (the message has the server's answer)."""


@dataclass(frozen=True)
class LoggedIn:
    """The tokens of a code flow and the SSO session cookie the browser would keep."""

    tokens: dict
    session_cookie: dict[str, str]

    @property
    def access_token(self) -> str:
        return self.tokens["access_token"]

    @property
    def id_token(self) -> str | None:
        return self.tokens.get("id_token")

    @property
    def bearer_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


class CodeFlowHelpers:
    """The handle provides url and headers."""

    async def login_as(self, username: str | None) -> dict:
        """The SSO's next authorization request (this test's namespace) logs ``username``
        in without showing the login page, for an app under test that drives the code
        flow itself; None shows the page again (POST /__emulator/customerid/login-as)."""
        return await self.control("POST", "/customerid/login-as", {"username": username})  # type: ignore[attr-defined]

    async def log_in(
        self,
        username: str,
        *,
        client_id: str = "web-client",
        client_secret: str | None = "web-client-secret",
        redirect_uri: str = "http://localhost:8000/callback",
        scope: str = "openid userinfo customerid-api",
        issuer_path: str = "/uas",
    ) -> LoggedIn:
        """Log ``username`` in at the SSO's login page (one click, as the page offers it;
        ``login_hint`` names them) for ``client_id`` at one of its ``redirect_uri``
        (default: the default scenario's confidential web-client; ``client_secret=None``
        for a public client) and spend the code with PKCE at the token endpoint."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        headers = dict(self.headers)  # type: ignore[attr-defined]
        base = self.url  # type: ignore[attr-defined]
        async with aiohttp.ClientSession(headers=headers, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(f"{base}{issuer_path}/.well-known/openid-configuration") as response:
                metadata = await response.json()
            params = {
                "response_type": "code",
                "client_id": client_id,
                "scope": scope,
                "state": secrets.token_urlsafe(8),
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "login_hint": username,
                "redirect_uri": redirect_uri,
            }
            endpoint = metadata["authorization_endpoint"]
            async with http.get(endpoint, params=params, allow_redirects=False) as response:
                page = await response.text()
                location = response.headers.get("Location")
            if location is None:  # the login page: click the user
                if response.status != 200:
                    raise LoginFailed(f"the authorization request failed ({response.status}): {_problem(page)}")
                fields = {**dict(HIDDEN_FIELD.findall(page)), "login_as": username}
                async with http.post(endpoint, data=fields, allow_redirects=False) as response:
                    location = response.headers.get("Location")
                    if location is None:
                        problem = _problem(await response.text())
                        raise LoginFailed(f"{username} could not log in ({response.status}): {problem}")
            back = {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
            if "code" not in back:
                raise LoginFailed(f"the SSO answered {back}")
            form = {
                "grant_type": "authorization_code",
                "code": back["code"],
                "code_verifier": verifier,
                "redirect_uri": redirect_uri,
            }
            authorization = {}
            if client_secret is None:
                form["client_id"] = client_id
            else:
                authorization["Authorization"] = aiohttp.encode_basic_auth(client_id, client_secret)
            async with http.post(metadata["token_endpoint"], data=form, headers=authorization) as response:
                tokens = await response.json()
                if response.status != 200:
                    raise LoginFailed(f"the token request failed ({response.status}): {tokens}")
            cookies = {cookie.key: cookie.value for cookie in http.cookie_jar}
        return LoggedIn(tokens, cookies)


def _problem(page: str) -> str:
    """The message of the SSO's error or login page, not its whole HTML."""
    found = re.search(r'(?:id="error_description"|role="alert")>(.*?)</', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else page[:200]
