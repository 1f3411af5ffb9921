"""The SSO's HTTP side under /uas/ (operations "get /uas/.well-known/openid-configuration",
"post /uas/oauth2/token", ... in customerid/endpoints.yaml): OAuth2 answers as
RFC 6749, 7662, 6750 and 8414 word them."""

from __future__ import annotations

from aiohttp import web

from ...auth import oauth
from ...auth.authorization import CHALLENGE_METHODS, RESPONSE_MODES
from ...auth.oauth import OAuthError
from ...auth.signing import jwks
from ..errors import AuthenticationFailed
from .authorization import code_grant, id_token_hint_claims
from .model import SsoModel
from .settings import AUTH_METHODS, GRANT_TYPES

REALM = "Ubisecure SSO"
# what the ID token and userinfo may carry (docs/fidelity.md: each claim's source)
CLAIMS = (
    "iss", "sub", "usn", "aud", "azp", "exp", "iat", "auth_time", "nonce", "at_hash", "sid",
    "name", "given_name", "family_name", "email", "phone_number", "locale",
    "organization", "roles", "groups", "customerid_user_id",
)  # fmt: skip


def issuer(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}/uas"


async def discovery(request: web.Request, sso: SsoModel) -> web.Response:
    """get /uas/.well-known/openid-configuration, /uas/.well-known/oauth-authorization-server
    and /uas/oauth2/metadata.json (the same document, as Ubisecure serves it)."""
    base = issuer(request)
    return oauth.json_response(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/oauth2/authorization",
            "token_endpoint": f"{base}/oauth2/token",
            "introspection_endpoint": f"{base}/oauth2/introspection",
            "revocation_endpoint": f"{base}/oauth2/revocation",
            "userinfo_endpoint": f"{base}/oauth2/userinfo",
            "end_session_endpoint": f"{base}/oauth2/logout",
            "jwks_uri": f"{base}/oauth2/metadata.jwks",
            "response_types_supported": ["code"],
            "response_modes_supported": list(RESPONSE_MODES),
            "grant_types_supported": list(GRANT_TYPES),
            "code_challenge_methods_supported": list(CHALLENGE_METHODS),
            "token_endpoint_auth_methods_supported": registered_auth_methods(sso),
            "introspection_endpoint_auth_methods_supported": [
                "client_secret_basic",
                *(method for method in registered_auth_methods(sso) if method in oauth.JWT_AUTH_METHODS),
            ],
            "revocation_endpoint_auth_methods_supported": registered_auth_methods(sso),
            **assertion_algorithms(sso),
            "scopes_supported": ["openid", "userinfo", sso.settings.api_client_id],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "prompt_values_supported": ["none", "login"],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": False,
            "claims_supported": list(CLAIMS),
        },
        no_store=False,
    )


def registered_auth_methods(sso: SsoModel) -> list[str]:
    """The client authentication methods a client can really use: each client is
    registered for one (Ubisecure: ``token_endpoint_auth_method`` per client), so a
    method no client has would be refused to everyone (issue 21: the document listed
    client_secret_post while the default client refused it)."""
    used = {client.auth_method for client in sso.settings.clients}
    return [method for method in AUTH_METHODS if method in used] or ["client_secret_basic"]


def assertion_algorithms(sso: SsoModel) -> dict:
    """``*_endpoint_auth_signing_alg_values_supported`` when a client authenticates with a JWT
    (RFC 8414 2: required then; OIDC Discovery 3)."""
    used = {client.auth_method for client in sso.settings.clients}
    algorithms = [
        alg for method in oauth.JWT_AUTH_METHODS if method in used for alg in oauth.ASSERTION_ALGORITHMS[method]
    ]
    if not algorithms:
        return {}
    return {
        f"{endpoint}_endpoint_auth_signing_alg_values_supported": algorithms
        for endpoint in ("token", "introspection", "revocation")
    }


async def metadata_jwks(request: web.Request, sso: SsoModel) -> web.Response:
    """get /uas/oauth2/metadata.jwks: the public key access tokens are signed with."""
    return oauth.json_response(jwks(*sso.ring.published()), no_store=False)


async def token(request: web.Request, sso: SsoModel) -> web.Response:
    """post /uas/oauth2/token: authorization_code (with PKCE), password, client_credentials and refresh_token."""
    try:
        form = await oauth.read_form(request)
        client = _client(request, form, sso)
        grant = oauth.grant_type(form, GRANT_TYPES)
        if grant not in client.grant_types:
            raise OAuthError("unauthorized_client", f"client {client.client_id} may not use {grant}")
        if grant == "authorization_code":
            answer = code_grant(sso, issuer(request), client, form)
        elif grant == "password":
            for name in ("username", "password"):
                if not form.get(name):
                    raise OAuthError("invalid_request", f"{name} is required")
            subject = sso.password_subject(form["username"], form["password"])
            answer = sso.issue(
                issuer(request), client, subject, sso.granted_scope(client, form.get("scope")), refresh=True
            )
        elif grant == "client_credentials":
            answer = sso.issue(
                issuer(request),
                client,
                sso.client_subject(client),
                sso.granted_scope(client, form.get("scope")),
                refresh=False,
            )
        else:
            if not form.get("refresh_token"):
                raise OAuthError("invalid_request", "refresh_token is required")
            answer = sso.refresh(issuer(request), client, form["refresh_token"], form.get("scope"))
    except OAuthError as error:
        return oauth.error_response(error)
    return oauth.json_response(answer)


def _client(request: web.Request, form: dict[str, str], sso: SsoModel):
    authentication = oauth.client_authentication(request, form, REALM)
    if authentication is None:
        raise oauth.invalid_client(REALM, "client authentication is required")
    return _authenticated(request, authentication, sso)


def _authenticated(request: web.Request, authentication: oauth.ClientAuthentication, sso: SsoModel):
    # an assertion's aud: the token endpoint (OIDC Core 9), the issuer (RFC 7523 3), or the endpoint itself
    base = issuer(request)
    audiences = (f"{base}/oauth2/token", base, f"{base}{request.path.removeprefix('/uas')}")
    try:
        return sso.authenticate_client(authentication, audiences)
    except ValueError as error:
        raise oauth.invalid_client(REALM, str(error)) from None


async def introspection(request: web.Request, sso: SsoModel) -> web.Response:
    """post /uas/oauth2/introspection (RFC 7662): the resource server authenticates
    with Basic; an unknown, expired or revoked token is ``{"active": false}``."""
    try:
        form = await oauth.read_form(request)
        authentication = oauth.client_authentication(request, form, REALM)
        if authentication is not None and authentication.assertion is not None:
            _authenticated(request, authentication, sso)  # a client registered for client_secret_jwt / private_key_jwt
        elif (
            authentication is None
            or authentication.secret is None
            or not sso.is_resource_server(authentication.client_id, authentication.secret)
        ):
            raise oauth.invalid_client(REALM, "the resource server must authenticate")
        if not form.get("token"):
            raise OAuthError("invalid_request", "token is required")
    except OAuthError as error:
        return oauth.error_response(error)
    return oauth.json_response(sso.introspection(form["token"], issuer(request)))


async def userinfo(request: web.Request, sso: SsoModel) -> web.Response:
    """get|post /uas/oauth2/userinfo: claims about the token's subject (RFC 6750 challenges)."""
    header = request.headers.get("Authorization", "")
    scheme, _, access_token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not access_token.strip():
        error = OAuthError("invalid_request", "a Bearer access token is required", 401, oauth.bearer_challenge(REALM))
        return oauth.error_response(error)
    try:
        info = sso.userinfo(access_token.strip())
    except AuthenticationFailed as failure:
        return oauth.error_response(
            OAuthError(
                "invalid_token", failure.detail, 401, oauth.bearer_challenge(REALM, "invalid_token", failure.detail)
            )
        )
    return oauth.json_response(info)


async def authorization(request: web.Request, sso: SsoModel) -> web.Response:
    """get|post /uas/oauth2/authorization: the code flow's authorization request
    (response_type code, PKCE, state, nonce, prompt, login_hint, max_age,
    response_mode); the login page when the user must log in."""
    return await sso.authorization.authorize(request)


async def logout(request: web.Request, sso: SsoModel) -> web.Response:
    """get|post /uas/oauth2/logout: RP-initiated logout (id_token_hint,
    post_logout_redirect_uri registered per client, state) ends the SSO session."""
    return await sso.authorization.logout(request, lambda token: id_token_hint_claims(sso, token))


async def revocation(request: web.Request, sso: SsoModel) -> web.Response:
    """post /uas/oauth2/revocation (RFC 7009): the client revokes one of its tokens,
    and a refresh token's access tokens with it; an unknown token is 200 too."""
    try:
        form = await oauth.read_form(request)
        client = _client(request, form, sso)
        if not form.get("token"):
            raise OAuthError("invalid_request", "token is required")
        # token_type_hint is only a hint (RFC 7009 2.1): both kinds are searched anyway
        record = sso.find_record(form["token"])
        if record is not None:
            if record.client_id != client.client_id:
                raise OAuthError("invalid_request", "the token was issued to another client")
            if record.kind == "refresh":
                sso.revoke_grant(record.grant or record.id)
            sso.revoke(record.id)
    except OAuthError as error:
        return oauth.error_response(error)
    return web.Response(status=200, headers=oauth.NO_STORE)
