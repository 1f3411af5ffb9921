"""The SSO's HTTP side under /uas/ (operations "get /uas/.well-known/openid-configuration",
"post /uas/oauth2/token", ... in customerid/endpoints.yaml): OAuth2 answers as
RFC 6749, 7662, 6750 and 8414 word them."""

from __future__ import annotations

from aiohttp import web

from ...auth import oauth
from ...auth.oauth import OAuthError
from ...auth.signing import jwks
from ..errors import AuthenticationFailed
from .model import SsoModel
from .settings import AUTH_METHODS, GRANT_TYPES

REALM = "Ubisecure SSO"


def issuer(request: web.Request) -> str:
    return f"{request.scheme}://{request.host}/uas"


async def discovery(request: web.Request, sso: SsoModel) -> web.Response:
    """get /uas/.well-known/openid-configuration and /uas/.well-known/oauth-authorization-server
    (the same document)."""
    base = issuer(request)
    return oauth.json_response(
        {
            "issuer": base,
            "token_endpoint": f"{base}/oauth2/token",
            "introspection_endpoint": f"{base}/oauth2/introspection",
            "userinfo_endpoint": f"{base}/oauth2/userinfo",
            "jwks_uri": f"{base}/oauth2/metadata.jwks",
            "grant_types_supported": list(GRANT_TYPES),
            "token_endpoint_auth_methods_supported": list(AUTH_METHODS),
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic"],
            "scopes_supported": ["openid", sso.settings.api_client_id],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "usn", "iss", "aud", "exp", "iat", "email", "name", "groups"],
        },
        no_store=False,
    )


async def metadata_jwks(request: web.Request, sso: SsoModel) -> web.Response:
    """get /uas/oauth2/metadata.jwks: the public key access tokens are signed with."""
    return oauth.json_response(jwks(sso.key), no_store=False)


async def token(request: web.Request, sso: SsoModel) -> web.Response:
    """post /uas/oauth2/token: password, client_credentials and refresh_token grants."""
    try:
        form = await oauth.read_form(request)
        client = _client(request, form, sso)
        grant = oauth.grant_type(form, GRANT_TYPES)
        if grant not in client.grant_types:
            raise OAuthError("unauthorized_client", f"client {client.client_id} may not use {grant}")
        if grant == "password":
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
    try:
        return sso.authenticate_client(authentication.client_id, authentication.secret, authentication.method)
    except ValueError as error:
        raise oauth.invalid_client(REALM, str(error)) from None


async def introspection(request: web.Request, sso: SsoModel) -> web.Response:
    """post /uas/oauth2/introspection (RFC 7662): the resource server authenticates
    with Basic; an unknown, expired or revoked token is ``{"active": false}``."""
    try:
        form = await oauth.read_form(request)
        authentication = oauth.client_authentication(request, form, REALM)
        if (
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
