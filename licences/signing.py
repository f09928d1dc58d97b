"""PAdES signatures on licences (pyHanko), so any PDF reader can show a licence is unaltered and by whom.

Keys and certificates are files in LICENCE_SIGNING_DIR, one pair per issuing department named by its
统一社会信用代码 (`<uscc>.key.pem`, `<uscc>.crt.pem`), and the certificate authorities that readers and the
verification page trust (`ca.crt.pem`, one or more certificates). Production mounts the files it was
given; the demo makes them with `manage.py licence_demo_pki` (a demo CA, clearly named so).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from asn1crypto import pem, x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from portal.models import Department

CA_FILE = "ca.crt.pem"


class SigningUnavailable(RuntimeError):
    """The department has no signing key and certificate in LICENCE_SIGNING_DIR."""


def signing_dir() -> Path:
    return Path(settings.LICENCE_SIGNING_DIR)


def key_paths(uscc: str) -> tuple[Path, Path]:
    base = signing_dir()
    return base / f"{uscc}.key.pem", base / f"{uscc}.crt.pem"


# Room for the signature container in the PDF (DER bytes; written as hex, twice that): the signature, the
# department's certificate and its CA chain fit with plenty to spare. Fixed, so pyHanko does not sign once more
# beforehand just to measure it.
SIGNATURE_BYTES = 16 * 1024


class _KeptKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses the private key again for each signature (with RSA's consistency check,
    about a tenth of a second); this one parses it once, when the (cached) signer is made."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._key = serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        if isinstance(self._key, rsa.RSAPrivateKey) and mechanism.signature_algo == "rsassa_pkcs1v15":
            return self._key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        return super().sign_raw(data, digest_algorithm)


@lru_cache(maxsize=64)
def _signer(key_file: str, cert_file: str, ca_file: str, stamp: float) -> signers.SimpleSigner:
    ca_files = (ca_file,) if Path(ca_file).is_file() else None
    loaded = signers.SimpleSigner.load(key_file, cert_file, ca_chain_files=ca_files)
    if loaded is None or loaded.signing_cert is None:
        raise SigningUnavailable(f"cannot load the signing key {key_file}")
    return _KeptKeySigner(signing_cert=loaded.signing_cert, signing_key=loaded.signing_key,
                          cert_registry=loaded.cert_registry)


def signer_for(department: Department) -> signers.SimpleSigner:
    key_file, cert_file = key_paths(department.uscc)
    if not (key_file.is_file() and cert_file.is_file()) and settings.LICENCE_DEMO_PKI:
        from licences.pki import issue_department_cert

        issue_department_cert(signing_dir(), department)
    if not (key_file.is_file() and cert_file.is_file()):
        raise SigningUnavailable(f"no signing key for {department.name} ({department.uscc}) in {signing_dir()}")
    ca_file = signing_dir() / CA_FILE
    # Reloaded when a file is replaced (a renewed certificate), cached otherwise.
    stamp = max(p.stat().st_mtime for p in (key_file, cert_file))
    return _signer(str(key_file), str(cert_file), str(ca_file), stamp)


def sign(pdf: bytes, department: Department, *, reason: str) -> tuple[bytes, str]:
    """The PDF with a PAdES B-B signature of the department, and the signer's subject for display."""
    signer = signer_for(department)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="Licence", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason, name=department.name,
    )
    out = signers.sign_pdf(writer, meta, signer=signer, bytes_reserved=SIGNATURE_BYTES)
    cert = signer.signing_cert
    return out.getvalue(), cert.subject.human_friendly if cert is not None else department.name


def trust_roots() -> list[x509.Certificate]:
    path = signing_dir() / CA_FILE
    if not path.is_file():
        return []
    data = path.read_bytes()
    if not pem.detect(data):
        return [x509.Certificate.load(data)]
    return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]


@dataclass(frozen=True)
class SignatureCheck:
    """What a signature check found: `signed` at all; `intact` (the bytes signed are unchanged); `covers_all`
    (nothing added after signing); `trusted` (the certificate chains to a trusted CA); who signed."""

    signed: bool
    intact: bool = False
    covers_all: bool = False
    trusted: bool = False
    signer: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.covers_all and self.trusted


def check(pdf: bytes, *, at: datetime.datetime | None = None) -> SignatureCheck:
    """Validate the (first) signature of an uploaded PDF. Never raises on bad input: says what it found."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # not a PDF, or one pyHanko cannot parse
        return SignatureCheck(signed=False, error=type(exc).__name__)
    if not signatures:
        return SignatureCheck(signed=False)
    context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False, moment=at)
    try:
        status = validate_pdf_signature(signatures[0], context)
    except Exception as exc:  # a mangled signature dictionary, CMS blob or byte range: signed, but not soundly
        return SignatureCheck(signed=True, error=type(exc).__name__)
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid),
        covers_all=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=bool(status.trusted),
        signer=status.signing_cert.subject.human_friendly,
    )
