"""The authorization-code flow both token servers share: the authorization request
(RFC 6749 section 4.1, OpenID Connect Core 3.1.2), PKCE (RFC 7636), the login and
the SSO session, codes (single use, short-lived on the namespace's clock),
response modes (query, fragment, form_post) and RP-initiated logout.

What differs per vendor is data: ``Vendor`` says which clients are registered,
who can log in and how a password is checked; codes and sessions are records of
the namespace's store (``authorization_collections``), so reset, snapshots and
namespaces cover them. No consent screen: a logged-in user is sent straight back.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

from aiohttp import web

from ..store.core import Collection, Store
from ..store.untracked import acyclic
from ..world.state import STATE
from . import login_page
from .oauth import OAuthError, read_form

CODE_LIFETIME_SECONDS = 60  # RFC 6749 4.1.2: "a maximum authorization code lifetime of 10 minutes is RECOMMENDED"
SESSION_LIFETIME_SECONDS = 8 * 3600
RESPONSE_MODES = ("query", "fragment", "form_post")
CHALLENGE_METHODS = ("S256", "plain")
PROMPTS = ("none", "login", "consent", "select_account")
VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")  # RFC 7636 4.1; a challenge has the same alphabet
LOGIN_FIELDS = ("login_as", "login_username", "login_password")


@dataclass(frozen=True)
class Registration:
    """What the engine needs of a registered client."""

    client_id: str
    redirect_uris: tuple[str, ...]
    grant_types: tuple[str, ...]
    response_types: tuple[str, ...] = ("code",)
    auth_method: str = "client_secret_basic"  # "none": a public client, PKCE is required
    code_challenge_method: str | None = None  # set: a challenge is required; S256 forbids plain
    post_logout_redirect_uris: tuple[str, ...] = ()
    name: str = ""


@dataclass(frozen=True)
class Account:
    username: str
    display: str
    credential: str | None = None  # what the session remembers: a change (new password) ends it


class LoginFailed(Exception):
    """The user name or password is wrong, or the account may not log in (the message says which)."""


class Vendor(Protocol):
    realm: str
    cookie_name: str
    cookie_path: str

    def registration(self, client_id: str) -> Registration | None: ...
    def login_choices(self) -> list[Account]: ...
    def account(self, username: str) -> Account | None: ...  # None: unknown, or may not log in now
    def check_password(self, username: str, password: str) -> Account: ...  # raises LoginFailed
    def granted_scope(self, registration: Registration, requested: str | None) -> tuple[str, ...]: ...
    def revoke(self, token_ids: Iterable[str]) -> None: ...


@acyclic
@dataclass(frozen=True, slots=True)
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    redirect_uri_given: bool  # RFC 6749 4.1.3: then the token request must repeat it
    username: str
    scope: tuple[str, ...]
    nonce: str | None
    challenge: str | None
    challenge_method: str | None
    auth_time: int
    session_id: str
    expires_at: int
    used: bool = False
    issued: tuple[str, ...] = ()  # token ids the code was exchanged for (revoked if it comes back)


@acyclic
@dataclass(frozen=True, slots=True)
class Session:
    id: str
    username: str
    auth_time: int
    expires_at: int
    clients: tuple[str, ...] = ()
    credential: str | None = None
    last_used: int = 0  # the last authorization it answered (the login's time at first)

    @property
    def handle(self) -> str:
        """What the control API names the session by: not the cookie's value, which
        would let whoever reads the dashboard or the journal take the session over."""
        return hashlib.sha256(self.id.encode()).hexdigest()[:20]

    def described(self) -> dict:
        return {
            "id": self.handle,
            "username": self.username,
            "clients": list(self.clients),
            "createdAt": self.auth_time,
            "lastUsedAt": self.last_used or self.auth_time,
            "expiresAt": self.expires_at,
        }


PRESELECTED = "next"  # the one record of the login_as collection


def authorization_collections(prefix: str) -> list[Collection]:
    return [
        Collection(f"{prefix}.authorization_codes"),
        Collection(f"{prefix}.sessions"),
        Collection(f"{prefix}.login_as"),  # the user the next authorization logs in, page unseen
    ]


def pkce_challenge(verifier: str, method: str) -> str:
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def half_hash(value: str) -> str:
    """OIDC Core 3.1.3.6 at_hash: the left half of SHA-256, base64url."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


class Redirected(Exception):
    """An authorization error that goes back to the client (RFC 6749 4.1.2.1)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description


class AuthorizationServer:
    """One namespace's codes and sessions for one vendor's token server."""

    def __init__(self, store: Store, now: Callable[[], int], prefix: str, vendor: Vendor) -> None:
        self.codes: Collection[AuthorizationCode] = store[f"{prefix}.authorization_codes"]
        self.sessions: Collection[Session] = store[f"{prefix}.sessions"]
        self.preselected: Collection[str] = store[f"{prefix}.login_as"]
        self.now = now
        self.vendor = vendor

    # -- the authorization endpoint -------------------------------------------------
    async def authorize(self, request: web.Request) -> web.Response:
        """GET or POST of the authorization endpoint; also the login page's post."""
        realm = self.vendor.realm
        try:
            params = await _parameters(request)
        except OAuthError as error:
            return _error_page(realm, error.error, error.description)
        registration = self.vendor.registration(params.get("client_id", ""))
        if registration is None:
            return _error_page(realm, "invalid_client", "client_id is missing or names no registered client")
        redirect_uri = params.get("redirect_uri")
        if redirect_uri is None and len(registration.redirect_uris) == 1:
            redirect_uri = registration.redirect_uris[0]  # RFC 6749 3.1.2.3: optional with one registered
        if redirect_uri is None or redirect_uri not in registration.redirect_uris:
            return _error_page(realm, "invalid_request", "redirect_uri is missing or not registered for the client")
        mode = params.get("response_mode", "query")
        try:
            request_checked = self._checked_request(params, registration)
            return self._login_or_code(request, params, registration, redirect_uri, mode, *request_checked)
        except Redirected as error:
            fields = {"error": error.error, "error_description": error.description}
            return _redirect(redirect_uri, mode if mode in RESPONSE_MODES else "query", fields, params.get("state"))

    def _checked_request(self, params: dict[str, str], registration: Registration):
        for unsupported in ("request", "request_uri"):
            if unsupported in params:
                raise Redirected(f"{unsupported}_not_supported", f"the {unsupported} parameter is not supported")
        response_type = params.get("response_type")
        if not response_type:
            raise Redirected("invalid_request", "response_type is required")
        if response_type != "code":
            raise Redirected("unsupported_response_type", "only response_type code is implemented")
        if "code" not in registration.response_types or "authorization_code" not in registration.grant_types:
            raise Redirected("unauthorized_client", f"client {registration.client_id} may not use the code flow")
        if params.get("response_mode", "query") not in RESPONSE_MODES:
            raise Redirected("invalid_request", f"response_mode is one of {', '.join(RESPONSE_MODES)}")
        try:
            scope = self.vendor.granted_scope(registration, params.get("scope"))
        except OAuthError as error:
            raise Redirected(error.error, error.description) from None
        challenge, method = params.get("code_challenge"), params.get("code_challenge_method")
        if challenge is None:
            if method is not None:
                raise Redirected("invalid_request", "code_challenge_method without code_challenge")
            if registration.auth_method == "none" or registration.code_challenge_method:
                raise Redirected("invalid_request", "code_challenge is required (PKCE) for this client")
        else:
            method = method or "plain"  # RFC 7636 4.3
            if method not in CHALLENGE_METHODS:
                raise Redirected("invalid_request", f"code_challenge_method is one of {', '.join(CHALLENGE_METHODS)}")
            if registration.code_challenge_method == "S256" and method != "S256":
                raise Redirected("invalid_request", "this client must use code_challenge_method S256")
            if not VERIFIER.fullmatch(challenge):
                raise Redirected("invalid_request", "code_challenge is 43 to 128 characters of [A-Za-z0-9-._~]")
        prompts = set((params.get("prompt") or "").split())
        if prompts - set(PROMPTS):
            raise Redirected("invalid_request", f"prompt values are {', '.join(PROMPTS)}")
        if "none" in prompts and len(prompts) > 1:
            raise Redirected("invalid_request", "prompt none cannot be combined with other values")
        max_age = params.get("max_age")
        if max_age is not None and not max_age.isdigit():
            raise Redirected("invalid_request", "max_age is a non-negative number of seconds")
        return scope, challenge, method, prompts, None if max_age is None else int(max_age)

    def _login_or_code(
        self, request, params, registration, redirect_uri, mode, scope, challenge, method, prompts, max_age
    ) -> web.Response:
        now = self.now()
        session = self.current_session(request)
        fresh_login = False
        preselected = self.preselected.delete(PRESELECTED)  # single use, whatever comes of it
        if preselected is not None:
            params = {**params, "login_as": preselected}  # as if the page had been clicked
        if any(field in params for field in LOGIN_FIELDS):
            try:
                account = self._login(params)
            except LoginFailed as failure:
                return self._login_page(request, params, registration, str(failure), status=401)
            session = self._start_session(account, now, session)
            fresh_login = True
        hint = params.get("login_hint")
        needs_login = (
            session is None
            or ("login" in prompts and not fresh_login)
            or (max_age is not None and now - session.auth_time > max_age)
            or (hint is not None and not fresh_login and hint != session.username)
        )
        if needs_login:
            if "none" in prompts:
                raise Redirected("login_required", "the user is not logged in (or not as asked) and prompt is none")
            return self._login_page(request, params, registration, None)
        assert session is not None
        code = AuthorizationCode(
            secrets.token_urlsafe(32),
            registration.client_id,
            redirect_uri,
            "redirect_uri" in params,
            session.username,
            scope,
            params.get("nonce"),
            challenge,
            method,
            session.auth_time,
            session.id,
            now + CODE_LIFETIME_SECONDS,
        )
        self.codes.put(code.code, code)
        clients = (
            session.clients if registration.client_id in session.clients else (*session.clients, registration.client_id)
        )
        session = dataclasses.replace(session, clients=clients, last_used=now)
        self.sessions.put(session.id, session)
        response = _redirect(redirect_uri, mode, {"code": code.code}, params.get("state"))
        response.set_cookie(
            self.vendor.cookie_name,
            session.id,
            path=self.vendor.cookie_path,
            httponly=True,
            samesite="Lax",
            secure=request.secure,
        )
        return response

    def preselect(self, username: str | None) -> None:
        """Log ``username`` in at the next authorization request of this namespace
        without showing the login page (None: show it again). LookupError when
        ``username`` is not one of the users the page offers."""
        if username is None:
            self.preselected.delete(PRESELECTED)
            return
        if self.vendor.account(username) is None or all(
            choice.username != username for choice in self.vendor.login_choices()
        ):
            raise LookupError(f"{username} cannot log in (not a user the login page offers)")
        self.preselected.put(PRESELECTED, username)

    def _login(self, params: dict[str, str]) -> Account:
        chosen = params.get("login_as")
        if chosen is not None:
            account = self.vendor.account(chosen)
            if account is None or all(choice.username != chosen for choice in self.vendor.login_choices()):
                raise LoginFailed(f"{chosen} cannot log in")
            return account
        username, password = params.get("login_username"), params.get("login_password")
        if not username or not password:
            raise LoginFailed("enter a user name and a password")
        return self.vendor.check_password(username, password)

    def _login_page(self, request, params, registration, error: str | None, status: int = 200) -> web.Response:
        fields = {name: value for name, value in params.items() if name not in LOGIN_FIELDS}
        page = login_page.login_page(
            realm=self.vendor.realm,
            action=request.path,
            request_fields=fields,
            accounts=[(account.username, account.display) for account in self.vendor.login_choices()],
            client_name=registration.name or registration.client_id,
            login_hint=params.get("login_username") or params.get("login_hint"),
            error=error,
        )
        return web.Response(status=status, text=page, content_type="text/html", headers=login_page.HEADERS)

    # -- sessions -------------------------------------------------------------------
    def current_session(self, request: web.Request) -> Session | None:
        """The SSO session the cookie names, while it lasts and its user may still log in."""
        session = self.sessions.get(request.cookies.get(self.vendor.cookie_name, ""))
        if session is None or self.now() >= session.expires_at:
            return None
        account = self.vendor.account(session.username)
        return session if account is not None and account.credential == session.credential else None

    def _start_session(self, account: Account, now: int, previous: Session | None) -> Session:
        if previous is not None:
            self.sessions.delete(previous.id)
        session = Session(
            secrets.token_urlsafe(24),
            account.username,
            now,
            now + SESSION_LIFETIME_SECONDS,
            (),
            account.credential,
            now,
        )
        self.sessions.put(session.id, session)
        return session

    def end_session(self, session_id: str) -> bool:
        return self.sessions.delete(session_id) is not None

    def active_sessions(self) -> list[Session]:
        now = self.now()
        return [session for session in self.sessions if session.expires_at > now]

    def end_session_by_handle(self, handle: str) -> bool:
        """End the session the control API lists as ``handle`` (Session.handle)."""
        found = next((session for session in self.sessions if session.handle == handle), None)
        return found is not None and self.end_session(found.id)

    # -- the token endpoint's authorization_code grant --------------------------------
    def redeem(self, registration: Registration, form: dict[str, str]) -> AuthorizationCode:
        """The code of an authorization_code token request, checked and spent
        (RFC 6749 4.1.3, RFC 7636 4.6); a code that comes back revokes what it gave."""
        value = form.get("code")
        if not value:
            raise OAuthError("invalid_request", "code is required")
        code = self.codes.get(value)
        if code is None or code.client_id != registration.client_id:
            raise OAuthError("invalid_grant", "the code is unknown or was issued to another client")
        if code.used:
            self.vendor.revoke(code.issued)
            self.codes.delete(code.code)
            raise OAuthError("invalid_grant", "the code was used before: the tokens issued for it are revoked")
        self.codes.put(code.code, dataclasses.replace(code, used=True))
        if self.now() >= code.expires_at:
            raise OAuthError("invalid_grant", "the code has expired")
        if (code.redirect_uri_given or "redirect_uri" in form) and form.get("redirect_uri") != code.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request's")
        verifier = form.get("code_verifier")
        if code.challenge is None:
            if verifier is not None:
                raise OAuthError("invalid_grant", "code_verifier sent for a code requested without code_challenge")
        elif verifier is None:
            raise OAuthError("invalid_grant", "code_verifier is required (PKCE)")
        elif not VERIFIER.fullmatch(verifier) or not secrets.compare_digest(
            pkce_challenge(verifier, code.challenge_method or "plain"), code.challenge
        ):
            raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
        if self.vendor.account(code.username) is None:
            raise OAuthError("invalid_grant", f"{code.username} may no longer log in")
        return code

    def record_issued(self, code: AuthorizationCode, token_ids: Iterable[str]) -> None:
        current = self.codes.get(code.code)
        if current is not None:
            self.codes.put(code.code, dataclasses.replace(current, issued=tuple(token_ids)))

    # -- RP-initiated logout -----------------------------------------------------------
    async def logout(self, request: web.Request, hint_claims: Callable[[str], dict | None]) -> web.Response:
        """OpenID Connect RP-Initiated Logout 1.0: ends the SSO session (the cookie's,
        or the one ``id_token_hint`` names by ``sid``), then back to a registered
        ``post_logout_redirect_uri`` or a logged-out page."""
        realm = self.vendor.realm
        try:
            params = await _parameters(request)
        except OAuthError as error:
            return _error_page(realm, error.error, error.description)
        claims: dict = {}
        if "id_token_hint" in params:
            found = hint_claims(params["id_token_hint"])
            if found is None:
                return _error_page(realm, "invalid_request", "id_token_hint is not an ID token this server issued")
            claims = found
        audience = claims.get("aud")
        client_id = params.get("client_id") or (audience[0] if isinstance(audience, list) and audience else audience)
        target = params.get("post_logout_redirect_uri")
        if target is not None:
            registration = self.vendor.registration(client_id) if isinstance(client_id, str) else None
            if registration is None or target not in registration.post_logout_redirect_uris:
                return _error_page(
                    realm, "invalid_request", "post_logout_redirect_uri is not registered for the client"
                )
        for session_id in {request.cookies.get(self.vendor.cookie_name), claims.get("sid")}:
            if isinstance(session_id, str):
                self.end_session(session_id)
        if target is None:
            response: web.Response = web.Response(
                text=login_page.logged_out_page(realm), content_type="text/html", headers=login_page.HEADERS
            )
        else:
            state = params.get("state")
            response = _found(_with(target, "?", {"state": state} if state else {}))
        response.del_cookie(self.vendor.cookie_name, path=self.vendor.cookie_path)
        return response


async def _parameters(request: web.Request) -> dict[str, str]:
    """The request's parameters (query for GET, form for POST), each at most once (RFC 6749 3.1)."""
    if request.method == "POST":
        return await read_form(request)
    params: dict[str, str] = {}
    for name, value in request.query.items():
        if name in params:
            raise OAuthError("invalid_request", f"parameter {name} is given more than once")
        if value:
            params[name] = value
    return params


def _with(uri: str, separator: str, fields: dict[str, str]) -> str:
    if not fields:
        return uri
    if separator == "?" and "?" in uri:
        separator = "&"
    return uri + separator + urlencode(fields)


def _redirect(redirect_uri: str, mode: str, fields: dict[str, str], state: str | None) -> web.Response:
    if state is not None:
        fields = {**fields, "state": state}
    if mode == "form_post":
        page = login_page.form_post_page(redirect_uri, fields)
        return web.Response(text=page, content_type="text/html", headers=login_page.HEADERS)
    return _found(_with(redirect_uri, "#" if mode == "fragment" else "?", fields))


def _found(location: str) -> web.Response:
    return web.Response(status=302, headers={**login_page.HEADERS, "Location": location})


def _error_page(realm: str, error: str, description: str) -> web.Response:
    return web.Response(
        status=400,
        text=login_page.error_page(realm, error, description),
        content_type="text/html",
        headers=login_page.HEADERS,
    )


# -- the control API: GET/DELETE /__emulator/<api>/sessions (docs/control-api.md) ------
def session_control_routes(engine_of: Callable[[Any], AuthorizationServer]) -> list[tuple[str, str, Any]]:
    """An API's control routes listing its login sessions and ending one;
    ``engine_of(world)`` is the API's engine in a world (namespace)."""

    async def list_sessions(request: web.Request) -> web.Response:
        """The namespace's live login sessions, newest first: {"sessions": [{"id", "username",
        "clients", "createdAt", "lastUsedAt", "expiresAt"}]} (times: seconds on the namespace clock)."""
        engine = engine_of(request.app[STATE].world_for(request))
        sessions = sorted(engine.active_sessions(), key=lambda session: session.auth_time, reverse=True)
        return web.json_response({"sessions": [session.described() for session in sessions]})

    async def end_session(request: web.Request) -> web.Response:
        """End a login session: the user's next authorization shows the login page
        (prompt=none: login_required). 204; 404 when no live session has the id."""
        engine = engine_of(request.app[STATE].world_for(request))
        if not engine.end_session_by_handle(request.match_info["sessionId"]):
            return web.json_response({"error": f"no session {request.match_info['sessionId']}"}, status=404)
        return web.Response(status=204)

    return [("GET", "/sessions", list_sessions), ("DELETE", "/sessions/{sessionId}", end_session)]
