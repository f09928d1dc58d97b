"""Reads of licences that pages, the API and the other apps share."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db.models import QuerySet
from django.utils import timezone

from licences import holders
from licences.models import VERIFY_SALT, Licence, Status
from licences.signing import SignatureCheck, check
from portal.models import Role

STAFF_ROLES = (Role.CLERK, Role.REVIEWER, Role.HEAD, Role.SUPERVISOR)


def _base() -> QuerySet[Licence]:
    return Licence.objects.select_related("department", "item", "version")


def licences_of_holder(user: Any) -> QuerySet[Licence]:
    """The licence library (证照库) of the applicants `user` acts for."""
    codes = holders.holder_codes(user)
    return _base().filter(holder_code__in=codes) if codes else Licence.objects.none()


def licences_visible_to(user: Any) -> QuerySet[Licence]:
    """What a user may see: holders their own; department staff their department's; clerks and
    supervisors every department's (the result window serves them all)."""
    if not getattr(user, "is_authenticated", False):
        return Licence.objects.none()
    if user.role in (Role.REVIEWER, Role.HEAD):
        return _base().filter(department_id=user.department_id)
    if user.role in (Role.CLERK, Role.SUPERVISOR, Role.SYSADMIN):
        return _base()
    return licences_of_holder(user)


def is_holder(user: Any, licence: Licence) -> bool:
    return licence.holder_code in holders.holder_codes(user)


def licence_by_token(token: str) -> Licence | None:
    """The licence a QR code names (a signed identifier: a guessed URL finds nothing)."""
    try:
        identifier = signing.loads(token, salt=VERIFY_SALT)
    except signing.BadSignature:
        return None
    return _base().filter(identifier=identifier).first()


def licence_find(*, number: str, holder_code: str) -> Licence | None:
    """By number and holder code together, as printed on the licence (either alone finds nothing)."""
    number, holder_code = number.strip(), holder_code.strip().upper()
    if not number or not holder_code:
        return None
    return _base().filter(number=number, holder_code=holder_code).first()


def library_licence(*, holder_code: str, name: str) -> Licence | None:
    """The holder's newest valid, unexpired licence of this name: what a 电子证照库 material takes."""
    if not holder_code:
        return None
    today = timezone.localdate()
    candidates = _base().filter(holder_code=holder_code, name=name.strip(), status=Status.VALID)
    for licence in candidates.order_by("-issued_on", "-id"):
        if not licence.is_expired(today):
            return licence
    return None


@dataclass(frozen=True)
class UploadCheck:
    """What the verification page says of an uploaded PDF."""

    sha256: str
    licence: Licence | None  # the licence whose stored hash this is, if any
    signature: SignatureCheck = field(default_factory=lambda: SignatureCheck(signed=False))

    @property
    def matches(self) -> bool:
        return self.licence is not None


def check_upload(data: bytes) -> UploadCheck:
    digest = hashlib.sha256(data).hexdigest()
    licence = _base().filter(pdf_sha256=digest).first()
    return UploadCheck(sha256=digest, licence=licence, signature=check(data))
