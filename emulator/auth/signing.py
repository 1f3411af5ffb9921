"""RS256 signing keys, JWKS and signature checks for the emulated token servers
(Ubisecure SSO beside CustomerID, the DFS identity server).

A key is generated once per process and per token server unless a scenario gives
one (PEM); the public half is what the servers publish as JWKS. Verification is
signature and shape only: time claims are the caller's business, because they
follow the namespace's virtual clock, not the wall clock.

PyJWT and cryptography are imported on first use (about 40 ms that a start-up
whose scenarios give no PEM key does not need). The command-line server calls
``warm_up`` in a background thread once it listens, so the first token request
pays neither the imports nor the key generation.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jwt.types import Options  # PyJWT 2.10+; only its type

    from ..store.core import Collection

ALGORITHM = "RS256"


class TokenInvalid(Exception):
    """The token is not a JWT these keys accept (the message says why)."""


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True, eq=False)  # hashed by identity: keys are cache keys
class SigningKey:
    kid: str
    private: Any  # cryptography RSAPrivateKey
    public_jwk: dict

    @classmethod
    def from_private(cls, private) -> SigningKey:
        numbers = private.public_key().public_numbers()
        members = {"e": _b64url_uint(numbers.e), "kty": "RSA", "n": _b64url_uint(numbers.n)}
        # RFC 7638 thumbprint: a kid that names this key and no other
        thumbprint = hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest()
        kid = base64.urlsafe_b64encode(thumbprint).rstrip(b"=").decode()
        return cls(kid, private, {**members, "kid": kid, "use": "sig", "alg": ALGORITHM})

    def sign(self, claims: dict, headers: dict | None = None) -> str:
        import jwt

        return jwt.encode(claims, self.private, algorithm=ALGORITHM, headers={"kid": self.kid, **(headers or {})})

    def private_pem(self) -> str:
        from cryptography.hazmat.primitives import serialization

        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()


def generate_key() -> SigningKey:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return SigningKey.from_private(rsa.generate_private_key(public_exponent=65537, key_size=2048))


_RUN_KEYS: dict[str, SigningKey] = {}
# warm_up's thread and a request may ask at once: one key per server, and a request
# for one server's key never waits while the other's is being made.
_RUN_KEY_LOCKS: dict[str, threading.Lock] = {}


def run_key(server: str) -> SigningKey:
    """The key ``server`` signs with in this process (generated on first use)."""
    key = _RUN_KEYS.get(server)
    if key is None:
        with _RUN_KEY_LOCKS.setdefault(server, threading.Lock()):
            key = _RUN_KEYS.get(server)
            if key is None:
                key = _RUN_KEYS[server] = generate_key()
    return key


def warm_up(key: SigningKey) -> None:
    """Sign once with ``key`` (a run key exists by now): PyJWT and cryptography are imported."""
    key.sign({})


@functools.lru_cache(maxsize=64)  # scenarios' keys and rotated ones (KeyRing)
def key_from_pem(pem: str) -> SigningKey:
    """A scenario's key (PKCS#1 or PKCS#8 PEM, RSA); ValueError when it is not one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise ValueError("the signing key must be an RSA private key")
    return SigningKey.from_private(private)


@functools.lru_cache(maxsize=1)
def stranger_key() -> SigningKey:
    """A key no emulated server trusts: signs the 'badly signed' and 'other issuer' tokens."""
    return generate_key()


@dataclass(frozen=True)
class RingKey:
    """A key a rotation made (kept as PEM: a world's store is copied and pickled)."""

    pem: str
    retired_until: float | None = None  # None: the key tokens are signed with now


CURRENT = "current"
DEFAULT_GRACE_SECONDS = 300


class KeyRing:
    """A token server's signing keys in one world (namespace): the configured key
    (the scenario's PEM or the run key) until a rotation; after one, the new key signs
    and the retired one stays in JWKS, and verifies tokens, until its grace period
    ends on the namespace's clock. Rotations live in ``keys`` (a store collection),
    so they are per namespace and undone by a reset like any other state."""

    def __init__(self, keys: Collection, configured: Callable[[], SigningKey], now: Callable[[], float]) -> None:
        self.keys, self.configured, self.now = keys, configured, now

    def current(self) -> SigningKey:
        record = self.keys.get(CURRENT)
        return key_from_pem(record.pem) if record is not None else self.configured()

    def retired(self) -> list[SigningKey]:
        now = self.now()
        return [
            key_from_pem(record.pem)
            for kid, record in self._retired_records()
            if record.retired_until is not None and now < record.retired_until
        ]

    def _retired_records(self) -> list[tuple[Any, RingKey]]:
        return [(kid, record) for kid in list(self.keys.ids()) if kid != CURRENT and (record := self.keys.get(kid))]

    def published(self) -> list[SigningKey]:
        """What JWKS lists: the signing key first, then the retired keys still in their grace period."""
        return [self.current(), *self.retired()]

    def for_token(self, token: str) -> SigningKey:
        """The published key the token's ``kid`` names; the signing key when it names
        none of them (the signature check then fails, as for a stranger's token)."""
        if not self.keys.get(CURRENT):
            return self.configured()  # never rotated: the one key (no header parsing per request)
        kid = _unverified_kid(token)
        return next((key for key in self.published() if key.kid == kid), self.current())

    def retired_until(self, token: str) -> float | None:
        """When the retired key that signed ``token`` stops verifying (None: the signing
        key's token, or never rotated): a verifier's cache keeps such a token until then."""
        if not self.keys.get(CURRENT):
            return None
        record = self.keys.get(_unverified_kid(token))
        return record.retired_until if record is not None else None

    def rotate(self, grace_seconds: float = DEFAULT_GRACE_SECONDS) -> dict:
        """Sign with a new key from now on; keep the old one published for ``grace_seconds``
        (0: drop it at once). Returns the new and the retired ``kid``."""
        now = self.now()
        retired, new = self.current(), generate_key()
        for kid, record in self._retired_records():
            if record.retired_until is not None and record.retired_until <= now:
                self.keys.delete(kid)  # long past their grace: nothing to keep
        if grace_seconds > 0:
            self.keys.put(retired.kid, RingKey(retired.private_pem(), now + grace_seconds))
        else:
            self.keys.delete(retired.kid)
        self.keys.put(CURRENT, RingKey(new.private_pem()))
        return {
            "kid": new.kid,
            "retiredKid": retired.kid,
            "retiredUntil": now + grace_seconds if grace_seconds > 0 else None,
            "published": [key.kid for key in self.published()],
        }


def _unverified_kid(token: str) -> str | None:
    head = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except ValueError:  # not base64, not JSON: the verification will say so
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else None


def jwks(*keys: SigningKey) -> dict:
    return {"keys": [key.public_jwk for key in keys]}


def verified_claims(
    token: str, key: SigningKey, *, allow_unsigned: bool = False, hs256_secret: str | None = None
) -> dict:
    """The claims of a token signed by ``key`` (or with ``hs256_secret``; unsigned
    ``alg: none`` only when allowed). A test suite sends the same few tokens
    thousands of times, so a verified token is served from a bounded cache;
    failures are not cached (they raise)."""
    return _verified(token, key, allow_unsigned, hs256_secret)


@functools.lru_cache(maxsize=2048)
def _verified(token: str, key: SigningKey, allow_unsigned: bool, hs256_secret: str | None) -> dict:
    import jwt

    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise TokenInvalid(f"not a JWT: {error}") from None
    algorithm = header.get("alg")
    options: Options = {"verify_aud": False, "verify_exp": False, "verify_nbf": False, "verify_iat": False}
    try:
        if algorithm == ALGORITHM:
            claims = jwt.decode(token, key.private.public_key(), algorithms=[ALGORITHM], options=options)
        elif algorithm == "HS256" and hs256_secret:
            claims = jwt.decode(token, hs256_secret, algorithms=["HS256"], options=options)
        elif algorithm in (None, "none", "None", "NONE") and allow_unsigned:
            claims = jwt.decode(token, options={"verify_signature": False})
        elif algorithm in (None, "none", "None", "NONE"):
            raise TokenInvalid("unsigned tokens (alg none) are refused")
        else:
            raise TokenInvalid(f"alg {algorithm!r} is not accepted")
    except jwt.PyJWTError as error:
        raise TokenInvalid(str(error)) from None
    if not isinstance(claims, dict):
        raise TokenInvalid("the token carries no claims")
    return claims


def tampered(token: str) -> str:
    """The same token with a signature that does not match it."""
    head, _, signature = token.rpartition(".")
    flipped = ("A" if signature[:1] != "A" else "B") + signature[1:]
    return f"{head}.{flipped}"
