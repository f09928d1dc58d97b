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

from asn1crypto import pem, x509
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from portal.models import Department

CA_FILE = "ca.crt.pem"


class SigningUnavailable(RuntimeError):
    """The department has no signing key and certificate in LICENCE_SIGNING_DIR."""


def signing_dir() -> Path:
    return Path(settings.LICENCE_SIGNING_DIR)


def key_paths(uscc: str) -> tuple[Path, Path]:
    base = signing_dir()
    return base / f"{uscc}.key.pem", base / f"{uscc}.crt.pem"


@lru_cache(maxsize=64)
def _signer(key_file: str, cert_file: str, ca_file: str, stamp: float) -> signers.SimpleSigner:
    ca_files = (ca_file,) if Path(ca_file).is_file() else None
    signer = signers.SimpleSigner.load(key_file, cert_file, ca_chain_files=ca_files)
    if signer is None:
        raise SigningUnavailable(f"cannot load the signing key {key_file}")
    return signer


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
    out = signers.sign_pdf(writer, meta, signer=signer)
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
    except (SigningError, ValueError, KeyError, TypeError) as exc:
        return SignatureCheck(signed=True, error=type(exc).__name__)
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid),
        covers_all=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trusted=bool(status.trusted),
        signer=status.signing_cert.subject.human_friendly,
    )
