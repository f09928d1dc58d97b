"""A demo certificate authority and department signing certificates, for the demo and the tests only.

Production loads certificates issued by a real CA from LICENCE_SIGNING_DIR (licences/signing.py); these
are named "演示" (demo) in their subject so that nobody mistakes them for real ones.
"""

from __future__ import annotations

import datetime
import fcntl
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from licences.signing import CA_FILE, key_paths
from portal.models import Department

CA_KEY_FILE = "ca.key.pem"
KEY_SIZE = 2048
CA_YEARS = 10
CERT_YEARS = 3


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write through a temporary file and rename: a reader never sees half a key."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.chmod(mode)
    temporary.replace(path)


def _write_key(path: Path, key: rsa.RSAPrivateKey) -> None:
    _write(path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()), 0o600)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One maker at a time (web, worker and tests may all want a certificate at once)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# X.509 caps a common or organisation name at 64 (the library counts UTF-8 bytes: 21 Chinese characters).
NAME_LIMIT = 64
DEMO_SUFFIX = "（演示签章）"


def _fit(text: str, limit: int = NAME_LIMIT) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, on a character boundary."""
    while len(text.encode()) > limit:
        text = text[:-1]
    return text


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(organisation)),
        x509.NameAttribute(NameOID.COMMON_NAME, _fit(common_name)),
    ])


def department_common_name(department: Department) -> str:
    """The department's name with the demo mark, shortened so that the mark always shows."""
    return _fit(department.name, NAME_LIMIT - len(DEMO_SUFFIX.encode())) + DEMO_SUFFIX


def ensure_ca(directory: Path) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """The demo CA in `directory`, made when missing."""
    directory.mkdir(parents=True, exist_ok=True)
    key_file, cert_file = directory / CA_KEY_FILE, directory / CA_FILE
    if key_file.is_file() and cert_file.is_file():
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key, x509.load_pem_x509_certificate(cert_file.read_bytes())
    key = _key()
    name = _name("政务服务电子证照演示根证书 (DEMO CA)", "政务服务大厅（演示）")
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(key_file, key)
    _write(cert_file, cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def issue_department_cert(directory: Path, department: Department, *, replace: bool = False) -> bool:
    """A signing certificate for the department, issued by the demo CA; False when one exists already."""
    with _locked(directory):
        return _issue(directory, department, replace=replace)


def _issue(directory: Path, department: Department, *, replace: bool) -> bool:
    ca_key, ca_cert = ensure_ca(directory)
    key_file, cert_file = key_paths(department.uscc)
    key_file, cert_file = directory / key_file.name, directory / cert_file.name
    if key_file.is_file() and cert_file.is_file() and not replace:
        return False
    key = _key()
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(department_common_name(department), department.name))
        .issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * CERT_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(key_file, key)
    _write(cert_file, cert.public_bytes(serialization.Encoding.PEM))
    return True


def demo_pki(directory: Path, departments: Iterable[Department], *, replace: bool = False) -> int:
    """The demo CA (kept when it exists: replacing it would make every licence signed so far untrusted) and a
    certificate for each department that has none, or for every one with `replace`; how many were made."""
    with _locked(directory):
        ensure_ca(directory)
    return sum(issue_department_cert(directory, d, replace=replace) for d in departments)
