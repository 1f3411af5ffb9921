"""The HTTPS listener beside HTTP and the local CA it is served from (serving/tls.py,
docs/oauth.md "HTTPS"): `emulator ca`, --https-port, the CA kept across starts and
made anew (with one warning line) when it is damaged or about to expire."""

import datetime
import ipaddress
import json
import subprocess
import sys
import time

import pytest
from cryptography import x509

from emulator.serving import tls
from tests.support.processes import ROOT, Server

EMULATOR = [sys.executable, "-m", "emulator"]


def run_ca(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*EMULATOR, "ca", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


def test_emulator_ca_prints_the_certificate_path_and_pem_and_keeps_the_ca(tmp_path):
    first = run_ca("--ca-dir", str(tmp_path))
    assert first.returncode == 0, first.stderr
    path = tmp_path / tls.CA_CERTIFICATE
    assert first.stdout.strip() == str(path) and first.stderr == ""
    pem = run_ca("--ca-dir", str(tmp_path), "--pem")
    assert pem.stdout == path.read_text() and pem.stdout.startswith("-----BEGIN CERTIFICATE-----")
    certificate = x509.load_pem_x509_certificate(pem.stdout.encode())
    assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert (tmp_path / tls.CA_PRIVATE_KEY).stat().st_mode & 0o777 == 0o600  # the key: the user's alone
    assert run_ca("--ca-dir", str(tmp_path), "--pem").stdout == pem.stdout  # kept, not made again


def test_a_damaged_ca_is_made_anew_with_one_warning_line(tmp_path):
    run_ca("--ca-dir", str(tmp_path))
    before = (tmp_path / tls.CA_CERTIFICATE).read_text()
    (tmp_path / tls.CA_CERTIFICATE).write_text("-----BEGIN CERTIFICATE-----\nbroken\n")
    answer = run_ca("--ca-dir", str(tmp_path), "--pem")
    assert answer.returncode == 0
    assert len(answer.stderr.splitlines()) == 1 and "cannot be used" in answer.stderr, answer.stderr
    assert answer.stdout != before
    x509.load_pem_x509_certificate(answer.stdout.encode())  # a good one again
    again = run_ca("--ca-dir", str(tmp_path), "--pem")
    assert again.stderr == "" and again.stdout == answer.stdout  # one warning, once


def test_a_ca_about_to_expire_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setattr(tls, "CA_LIFETIME", datetime.timedelta(days=1))  # inside RENEW_BEFORE
    short = tls.ensure_ca(tmp_path).certificate.serial_number
    monkeypatch.undo()
    warnings: list[str] = []
    renewed = tls.ensure_ca(tmp_path, warnings.append).certificate.serial_number
    assert renewed != short and len(warnings) == 1 and "expires" in warnings[0]
    assert tls.ensure_ca(tmp_path, warnings.append).certificate.serial_number == renewed and len(warnings) == 1


def test_a_key_that_is_not_the_certificates_is_refused(tmp_path):
    tls.ensure_ca(tmp_path)
    other = tls.ensure_ca(tmp_path / "other")
    (tmp_path / tls.CA_PRIVATE_KEY).write_bytes((tmp_path / "other" / tls.CA_PRIVATE_KEY).read_bytes())
    warnings: list[str] = []
    made = tls.ensure_ca(tmp_path, warnings.append)
    assert "do not belong together" in warnings[0] and made.pem() != other.pem()


def test_the_server_certificate_covers_loopback_the_host_and_the_allowed_hosts(tmp_path):
    names = tls.server_names("0.0.0.0", ("emulator", "ci.example", "*"))
    assert names[:3] == ("localhost", "127.0.0.1", "::1") and "*" not in names
    assert {"emulator", "ci.example"} <= set(names) and len(names) == 6  # the machine's name for 0.0.0.0
    chain = tls.issue_server_certificate(tls.ensure_ca(tmp_path), names)
    certificate = x509.load_pem_x509_certificate(chain)
    covered = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(covered.get_values_for_type(x509.DNSName)) >= {"localhost", "emulator", "ci.example"}
    assert set(covered.get_values_for_type(x509.IPAddress)) == {
        ipaddress.ip_address("127.0.0.1"),
        ipaddress.ip_address("::1"),
    }
    assert tls.server_names("[::1]") == ("localhost", "127.0.0.1", "::1")


def wait_for_file(path, seconds: float = 30.0) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return json.loads(path.read_text())
        time.sleep(0.1)
    raise AssertionError(f"{path} was not written")


def curl(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["curl", "-sS", "--max-time", "20", *arguments], capture_output=True, text=True, check=False)


@pytest.fixture
def https_server(tmp_path):
    ca_dir, address = tmp_path / "ca", tmp_path / "address.json"
    ca_path = run_ca("--ca-dir", str(ca_dir)).stdout.strip()  # made before the start: the server must keep it
    ca_pem = (ca_dir / tls.CA_CERTIFICATE).read_text()
    server = Server(
        [*EMULATOR, "--port", "0", "--https-port", "0", "--ca-dir", str(ca_dir), "--quiet"],
        0,
        env={"EMULATOR_ADDRESS_FILE": str(address)},
    )
    try:
        written = wait_for_file(address)
        yield server, written, ca_path, ca_pem
    finally:
        server.stop()


def test_curl_trusting_the_ca_reaches_the_https_listener_and_the_issuer_says_https(https_server):
    server, written, ca_path, ca_pem = https_server
    https = f"https://localhost:{written['https_port']}"
    assert written["ca_file"] == ca_path and written["https_port"] != written["port"]
    banner = server.wait_for(lambda line: "HTTPS:" in line)
    assert f"https://127.0.0.1:{written['https_port']}" in banner and ca_path in banner
    answer = curl("--cacert", ca_path, https + "/uas/.well-known/openid-configuration")
    assert answer.returncode == 0, answer.stderr
    metadata = json.loads(answer.stdout)
    assert metadata["issuer"] == https + "/uas" and metadata["token_endpoint"].startswith(https + "/")
    plain = json.loads(curl(f"http://127.0.0.1:{written['port']}/uas/.well-known/openid-configuration").stdout)
    assert plain["issuer"].startswith("http://127.0.0.1:")  # the scheme the client used
    with open(ca_path) as kept:
        assert kept.read() == ca_pem  # the CA made before the start was kept


def test_curl_without_the_ca_refuses_the_https_listener(https_server):
    _, written, _, _ = https_server
    answer = curl(f"https://127.0.0.1:{written['https_port']}/__emulator/health")
    assert answer.returncode == 60, (answer.returncode, answer.stderr)  # CURLE_PEER_FAILED_VERIFICATION
    assert "certificate" in answer.stderr
