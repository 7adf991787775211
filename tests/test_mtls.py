"""mTLS rehearsal: with a client CA, only clients holding a certificate it issued can connect."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from testkommune.harness.server import Tls, start_in_thread


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _cert(subject: str, key, issuer: str, issuer_key, *, ca: bool = False, ip: str | None = None):
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ip:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path: Path, cert, key=None) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        path.with_suffix(".key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    return path


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("pki")
    ca_key, stranger_key = _key(), _key()
    ca = _cert("testkommune test CA", ca_key, "testkommune test CA", ca_key, ca=True)
    server_key, client_key, foreign_key = _key(), _key(), _key()
    return {
        "ca": _write(root / "ca.pem", ca),
        "server": _write(
            root / "server.pem",
            _cert("127.0.0.1", server_key, "testkommune test CA", ca_key, ip="127.0.0.1"),
            server_key,
        ),
        "client": _write(
            root / "client.pem",
            _cert("foraeldrebetaling FOCES", client_key, "testkommune test CA", ca_key),
            client_key,
        ),
        "foreign": _write(
            root / "foreign.pem", _cert("somebody", foreign_key, "stranger CA", stranger_key), foreign_key
        ),
    }


def test_only_a_client_certificate_from_the_ca_gets_in(pki):
    tls = Tls(pki["server"], pki["server"].with_suffix(".key"), pki["ca"])
    with start_in_thread(":memory:", tls=tls) as kommune:
        assert kommune.base_url.startswith("https://127.0.0.1:")
        health = f"{kommune.base_url}/admin/health"
        client = (str(pki["client"]), str(pki["client"].with_suffix(".key")))
        assert requests.get(health, verify=str(pki["ca"]), cert=client, timeout=10).status_code == 200
        with pytest.raises(requests.exceptions.ConnectionError):  # TLS 1.3 refuses after the handshake
            requests.get(health, verify=str(pki["ca"]), timeout=10)
        foreign = (str(pki["foreign"]), str(pki["foreign"].with_suffix(".key")))
        with pytest.raises(requests.exceptions.ConnectionError):  # TLS 1.3 refuses after the handshake
            requests.get(health, verify=str(pki["ca"]), cert=foreign, timeout=10)
