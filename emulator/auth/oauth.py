"""The OAuth 2.0 protocol both emulated token servers speak (RFC 6749 token
endpoint, RFC 7662 introspection, RFC 6750 Bearer challenges): reading the form,
client authentication, the error document. What a token means is each API's."""

from __future__ import annotations

import base64
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from aiohttp import web

from ..server.connections import read_body

FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 5.1


class OAuthError(Exception):
    """An RFC 6749 section 5.2 error: ``{"error": ..., "error_description": ...}``."""

    def __init__(self, error: str, description: str, status: int = 400, challenge: str | None = None) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.challenge = challenge


def error_response(error: OAuthError) -> web.Response:
    response = web.Response(
        status=error.status,
        content_type="application/json",
        headers=NO_STORE,
        text=json.dumps({"error": error.error, "error_description": error.description}),
    )
    if error.challenge:
        response.headers["WWW-Authenticate"] = error.challenge
    return response


def status_error_response(status: int, detail: str) -> web.Response:
    """A token server's answer for a status it was not asked to decide (router
    misses, injected faults): the RFC 6749 document with the nearest error code."""
    if status == 503:
        error = "temporarily_unavailable"
    elif status >= 500:
        error = "server_error"
    elif status == 404:
        error = "not_found"
    else:
        error = "invalid_request"
    return error_response(OAuthError(error, detail, status))


def json_response(body: dict, status: int = 200, *, no_store: bool = True) -> web.Response:
    return web.Response(
        status=status, content_type="application/json", text=json.dumps(body), headers=NO_STORE if no_store else None
    )


def bearer_challenge(realm: str, error: str | None = None, description: str | None = None) -> str:
    """RFC 6750 section 3: ``Bearer realm="...", error="invalid_token", ...``."""
    parts = [f'realm="{realm}"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append('error_description="{}"'.format(description.replace('"', "'").replace("\\", "/")))
    return "Bearer " + ", ".join(parts)


async def read_form(request: web.Request) -> dict[str, str]:
    """The token request's parameters: form-encoded (RFC 6749 section 3.2), each
    at most once; anything else is invalid_request. A parameter sent without a
    value is omitted (RFC 6749 section 3.1): forms such as Swagger UI's send
    every field, empty ones as ``client_secret=``."""
    media_type = request.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if media_type != FORM:
        raise OAuthError("invalid_request", f"the request body must be {FORM}")
    raw = await read_body(request)  # bounded in time like every API body (408)
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=100)
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "the form is not UTF-8 form encoding") from None
    except ValueError:  # max_num_fields
        raise OAuthError("invalid_request", "the form has more than 100 parameters") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if not value:
            continue
        if name in form:
            raise OAuthError("invalid_request", f"parameter {name} is given more than once")
        form[name] = value
    return form


def decode_basic(encoded: str) -> tuple[str, str] | None:
    """User and password of an HTTP Basic credential (RFC 7617); None when it is not
    base64 of UTF-8 text with a colon in it."""
    try:
        user, colon, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except ValueError:  # binascii.Error, UnicodeDecodeError
        return None
    return (user, password) if colon else None


# RFC 7523 section 2.2: a JWT in place of a secret (client_secret_jwt, private_key_jwt)
JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
JWT_AUTH_METHODS = ("client_secret_jwt", "private_key_jwt")
# the algorithms each accepts (OIDC Core 9): HMAC with the client secret, else the client's registered key
ASSERTION_ALGORITHMS = {"client_secret_jwt": ("HS256",), "private_key_jwt": ("RS256", "ES256")}
MAX_ASSERTION_CHARS = 8192


@dataclass(frozen=True)
class ClientAuthentication:
    client_id: str
    secret: str | None
    method: str  # client_secret_basic | client_secret_post | none | jwt (the assertion says which)
    assertion: str | None = None  # the client_assertion of method "jwt", not yet verified


def client_authentication(request: web.Request, form: dict[str, str], realm: str) -> ClientAuthentication | None:
    """Who the client says it is: HTTP Basic (RFC 6749 2.3.1, form-encoded id and
    secret) or ``client_id``/``client_secret`` in the body; never both."""
    if "client_assertion" in form or "client_assertion_type" in form:
        return _assertion_authentication(request, form, realm)
    header = request.headers.get("Authorization")
    if header:
        scheme, _, encoded = header.strip().partition(" ")
        if scheme.lower() != "basic":
            raise invalid_client(realm, "client authentication must use HTTP Basic")
        credentials = decode_basic(encoded)
        if credentials is None:
            raise invalid_client(realm, "malformed Basic credentials")
        user, password = credentials
        if "client_secret" in form:
            raise OAuthError("invalid_request", "the client authenticated twice (Basic and client_secret)")
        if form.get("client_id", unquote_plus(user)) != unquote_plus(user):
            raise OAuthError("invalid_request", "client_id differs from the Basic user")
        return ClientAuthentication(unquote_plus(user), unquote_plus(password), "client_secret_basic")
    if "client_id" in form:
        secret = form.get("client_secret")
        return ClientAuthentication(form["client_id"], secret, "none" if secret is None else "client_secret_post")
    return None


def _assertion_authentication(request: web.Request, form: dict[str, str], realm: str) -> ClientAuthentication:
    """RFC 7523 2.2 / OIDC Core 9: ``client_assertion_type`` jwt-bearer and a
    ``client_assertion`` whose ``sub`` names the client (checked by verify_assertion)."""
    if form.get("client_assertion_type") != JWT_BEARER_ASSERTION:
        raise invalid_client(realm, f"client_assertion_type must be {JWT_BEARER_ASSERTION}")
    assertion = form.get("client_assertion")
    if not assertion:
        raise invalid_client(realm, "client_assertion is required with client_assertion_type")
    if request.headers.get("Authorization") or "client_secret" in form:
        raise OAuthError("invalid_request", "the client authenticated twice (an assertion and a secret)")
    import jwt  # PyJWT; imported here, only the assertion methods need it

    try:
        subject = jwt.decode(assertion, options={"verify_signature": False}).get("sub")
    except jwt.PyJWTError:
        raise invalid_client(realm, "client_assertion is not a JWT") from None
    if not isinstance(subject, str) or not subject:
        raise invalid_client(realm, "client_assertion has no sub (the client id)")
    if form.get("client_id", subject) != subject:
        raise invalid_client(realm, "client_id differs from the assertion's sub")
    return ClientAuthentication(subject, None, "jwt", assertion)


def verify_assertion(
    assertion: str,
    client_id: str,
    method: str,
    *,
    audiences: tuple[str, ...],
    now: float,
    secret: str | None = None,
    jwk_set: dict | None = None,
    first_use: Callable[[str, int], bool],
) -> None:
    """Check a client assertion (RFC 7523 3, OIDC Core 9) for a client registered
    for ``method``: signed with the client secret (HS256) or a key of the client's
    JWK set (RS256, ES256); iss = sub = client_id; aud one of ``audiences`` (the
    token endpoint, the issuer); exp in the future on the namespace clock (``now``);
    a ``jti`` ``first_use(jti, exp)`` has not seen. ValueError says what is wrong
    (the caller answers invalid_client)."""
    import jwt

    if len(assertion) > MAX_ASSERTION_CHARS:
        raise ValueError("client_assertion is too long")
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        raise ValueError("client_assertion is not a JWT") from None
    algorithm = header.get("alg")
    if algorithm not in ASSERTION_ALGORITHMS[method]:
        raise ValueError(
            f"client {client_id} is registered for {method}: the assertion is signed with "
            f"{' or '.join(ASSERTION_ALGORITHMS[method])}, not {algorithm}"
        )
    key: Any
    if method == "client_secret_jwt":
        if not secret:
            raise ValueError(f"client {client_id} has no secret")
        key = secret.encode("utf-8", "surrogatepass")
    else:
        key = _assertion_key(jwk_set or {}, header.get("kid"), algorithm, client_id)
    try:
        # the clock is the namespace's, so PyJWT's own exp/iat/nbf checks are replaced below
        claims = jwt.decode(
            assertion,
            key,
            algorithms=[algorithm],
            options={"verify_exp": False, "verify_iat": False, "verify_nbf": False, "verify_aud": False},
        )
    except jwt.InvalidSignatureError:
        raise ValueError("the client_assertion's signature does not verify") from None
    except jwt.PyJWTError as error:
        raise ValueError(f"client_assertion is not accepted: {error}") from None
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise ValueError("the assertion's iss and sub must both be the client id")
    audience = claims.get("aud")
    given = audience if isinstance(audience, list) else [audience]
    if not any(value in audiences for value in given):
        raise ValueError(f"the assertion's aud must be the token endpoint {audiences[0]}")
    expires = claims.get("exp")
    if isinstance(expires, bool) or not isinstance(expires, (int, float)):
        raise ValueError("the assertion has no exp")
    if expires <= now:
        raise ValueError("the assertion has expired")
    not_before = claims.get("nbf")
    if isinstance(not_before, (int, float)) and not isinstance(not_before, bool) and not_before > now + 60:
        raise ValueError("the assertion is not valid yet (nbf)")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise ValueError("the assertion has no jti")
    if not first_use(jti, int(expires)):
        raise ValueError("the assertion's jti has been used already")


def _assertion_key(jwk_set: dict, kid: str | None, algorithm: str, client_id: str) -> Any:
    """The client's registered public key the assertion names (by ``kid``, else the only one of its type)."""
    from jwt import PyJWK, PyJWKError

    kty = "RSA" if algorithm.startswith("RS") else "EC"
    candidates = [
        entry
        for entry in jwk_set.get("keys", [])
        if isinstance(entry, dict) and entry.get("kty") == kty and (kid is None or entry.get("kid") == kid)
    ]
    if len(candidates) != 1:
        raise ValueError(f"no single {kty} key{f' with kid {kid}' if kid else ''} in client {client_id}'s jwks")
    try:
        return PyJWK(candidates[0], algorithm).key
    except PyJWKError as error:
        raise ValueError(f"client {client_id}'s jwks key is not usable: {error}") from None


def invalid_client(realm: str, description: str) -> OAuthError:
    """401 with a Basic challenge (RFC 6749 section 5.2)."""
    return OAuthError("invalid_client", description, 401, f'Basic realm="{realm}"')


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison that also takes non-ASCII text (str compare_digest refuses it)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def scopes(text: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys((text or "").split()))


def grant_type(form: dict[str, str], supported: tuple[str, ...]) -> str:
    """The request's grant_type, one the server supports (RFC 6749 5.2)."""
    grant = form.get("grant_type")
    if not grant:
        raise OAuthError("invalid_request", "grant_type is required")
    if grant not in supported:
        raise OAuthError("unsupported_grant_type", f"grant_type {grant} is not supported")
    return grant


def granted_scopes(requested: str | None, allowed: tuple[str, ...], client_id: str) -> tuple[str, ...]:
    """The scopes asked for (default: all the client may have); any other is invalid_scope."""
    wanted = scopes(requested) or allowed
    refused = [scope for scope in wanted if scope not in allowed]
    if refused:
        raise OAuthError("invalid_scope", f"scope {' '.join(refused)} is not allowed for client {client_id}")
    return wanted
