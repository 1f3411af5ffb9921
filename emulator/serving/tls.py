"""HTTPS beside HTTP: a local certificate authority the emulator makes once and
keeps, and a server certificate it issues from it at every start (docs/oauth.md,
"HTTPS").

Clients keep their ``https://`` URLs and trust one file, the CA certificate
(``SSL_CERT_FILE``, ``REQUESTS_CA_BUNDLE``, ``curl --cacert``): it stays the same
across starts, so a developer trusts it once. The CA lives in ``--ca-dir`` /
``$EMULATOR_CA_DIR``, by default ``ca/`` in the cache directory (formats/cachedir.py);
its private key is written 0600. A CA that is missing, unreadable, not matching its
key or about to expire is made anew (with one warning line when one was there).

Keys are ECDSA P-256: made in a millisecond, where RSA-2048 costs ~0.1 s per start.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import ipaddress
import os
import socket
import ssl
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..config import ANY_HOST
from ..formats.cachedir import cache_root, write_atomically

CA_CERTIFICATE = "emulator-ca.pem"
CA_PRIVATE_KEY = "ca-key.pem"  # a different prefix: write_atomically keeps one file per prefix
CA_LIFETIME = datetime.timedelta(days=3650)
# A server certificate is issued at every start; 397 days is the longest browsers accept.
SERVER_LIFETIME = datetime.timedelta(days=397)
RENEW_BEFORE = datetime.timedelta(days=30)  # a CA this close to expiry is replaced
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
WILDCARD_ADDRESSES = ("", "0.0.0.0", "::", "[::]")


def ca_directory(configured: Path | str | None = None, environ=None) -> Path:
    """``--ca-dir``, else ``$EMULATOR_CA_DIR``, else ``<cache directory>/ca``."""
    environ = os.environ if environ is None else environ
    if configured:
        return Path(configured)
    if environ.get("EMULATOR_CA_DIR", "").strip():
        return Path(environ["EMULATOR_CA_DIR"].strip())
    return cache_root() / "ca"


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class LocalCa:
    certificate_file: Path
    certificate: object  # cryptography x509.Certificate
    private_key: object  # cryptography EllipticCurvePrivateKey

    def pem(self) -> str:
        return self.certificate_file.read_text(encoding="ascii")


@contextlib.contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    """Pytest workers and a CLI start may look at the CA at once: one makes it."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; the atomic writes still keep files whole
        yield
        return
    with open(directory / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _load(directory: Path) -> LocalCa:
    """The CA kept in ``directory``; FileNotFoundError when there is none, ValueError
    when what is there cannot be used."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    certificate_file = directory / CA_CERTIFICATE
    certificate_pem, key_pem = certificate_file.read_bytes(), (directory / CA_PRIVATE_KEY).read_bytes()
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem)
        private_key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError) as error:
        raise ValueError(f"not a PEM certificate and key ({error})") from None
    if not isinstance(private_key, ec.EllipticCurvePrivateKey):
        raise ValueError("the key is not an EC private key")
    certified = certificate.public_key()
    if not isinstance(certified, ec.EllipticCurvePublicKey) or (
        private_key.public_key().public_numbers() != certified.public_numbers()
    ):
        raise ValueError("the certificate and the key do not belong together")
    if certificate.not_valid_after_utc - RENEW_BEFORE < _now():
        raise ValueError(f"it expires {certificate.not_valid_after_utc:%Y-%m-%d}")
    return LocalCa(certificate_file, certificate, private_key)


def _create(directory: Path) -> LocalCa:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "identity-emulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"identity-emulator local CA ({socket.gethostname()[:40]})"),
        ]
    )
    now = _now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(private_key.public_key()), critical=False)
        .sign(private_key, hashes.SHA256())
    )
    key_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # the key first: a certificate on disk always has its key beside it
    write_atomically(directory / CA_PRIVATE_KEY, lambda file: file.write(key_pem), keep=1)  # 0600 (mkstemp)
    certificate_file = directory / CA_CERTIFICATE
    write_atomically(certificate_file, lambda file: file.write(certificate.public_bytes(serialization.Encoding.PEM)), 1)
    certificate_file.chmod(0o644)  # public: clients (and a container's users) read it
    return LocalCa(certificate_file, certificate, private_key)


def ensure_ca(directory: Path, warn: Callable[[str], None] = _stderr) -> LocalCa:
    """The CA kept in ``directory``, made when there is none or it cannot be used
    (then ``warn`` gets one line saying why). OSError when the directory cannot be written."""
    directory.mkdir(parents=True, exist_ok=True)
    with _exclusive(directory):
        try:
            return _load(directory)
        except FileNotFoundError:
            pass
        except ValueError as error:
            warn(
                f"emulator: the local CA in {directory} cannot be used ({error}); made a new one: "
                f"clients must trust the new {directory / CA_CERTIFICATE}"
            )
        return _create(directory)


def server_names(host: str, allowed_hosts: Iterable[str] = ()) -> tuple[str, ...]:
    """What the server certificate covers: the loopback names, the host listened on
    (the machine's name when listening on every interface) and ``--allowed-hosts``."""
    names = list(LOOPBACK_NAMES)
    host = host.strip()
    names.append(socket.gethostname() if host in WILDCARD_ADDRESSES else host)
    names.extend(allowed_hosts)
    cleaned = (name.strip().strip("[]").lower() for name in names)
    return tuple(dict.fromkeys(name for name in cleaned if name and name != ANY_HOST))


def _subject_names(names: Iterable[str]) -> list:
    from cryptography import x509

    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return entries


def issue_server_certificate(ca: LocalCa, names: tuple[str, ...]) -> bytes:
    """A server certificate for ``names`` signed by ``ca``, and its key: one PEM file's bytes."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    private_key = ec.generate_private_key(ec.SECP256R1())
    ca_certificate: x509.Certificate = ca.certificate  # type: ignore[assignment]
    ca_key: ec.EllipticCurvePrivateKey = ca.private_key  # type: ignore[assignment]
    now = _now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_certificate.subject)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(min(now + SERVER_LIFETIME, ca_certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(_subject_names(names)), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(private_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM) + key_pem


def server_ssl_context(
    directory: Path, names: tuple[str, ...], warn: Callable[[str], None] = _stderr
) -> tuple[ssl.SSLContext, LocalCa]:
    """An SSL context serving a fresh certificate for ``names`` from the CA in
    ``directory`` (made if needed), and that CA."""
    ca = ensure_ca(directory, warn)
    chain = issue_server_certificate(ca, names)
    # ssl loads certificates from files only; one file per set of names (0600: it holds the key)
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:12]
    server_file = directory / f"server-{digest}.pem"
    write_atomically(server_file, lambda file: file.write(chain), keep=8)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(server_file)
    return context, ca
