"""Reads of licences that pages, the API and the other apps share."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from items.models import FieldType, Item, ResultType
from licences import holders
from licences.models import DeliveryMethod, HolderCodeType, Licence, LicenceTemplate, Status
from licences.rendering import DEFAULT_BODY
from licences.services import definer_uscc, identifier_for, licence_name, valid_to_for
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
    if user.role in (Role.CLERK, Role.SUPERVISOR):
        return _base()
    return licences_of_holder(user)


def is_holder(user: Any, licence: Licence) -> bool:
    return licence.holder_code in holders.holder_codes(user)


def licence_by_token(token: str) -> Licence | None:
    """The licence a QR code names (its random verification code: a guessed URL finds nothing)."""
    if not token or len(token) > 32:
        return None
    return _base().filter(verify_code=token).first()


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
    # The one issued is checked as of its signing (a certificate that has expired since still signed it validly);
    # any other file as of now.
    return UploadCheck(sha256=digest, licence=licence,
                       signature=check(data, at=licence.ready_at if licence is not None else None))


# --- pages and API ---------------------------------------------------------------------------------------
# What the desk's and the API's filters mean. "expired" is derived from valid_to, not a status (models.py).
VALIDITY_FILTERS = ("rendering", "valid", "expired", "revoked", "cancelled", "replaced")
DELIVERY_FILTERS = ("awaiting_pickup", "awaiting_express", "delivered", "overdue")


def licence_get_for_user(*, user: Any, pk: int) -> Licence:
    """A licence the user may see (holder, department staff, clerk, supervisor); 404 for any other."""
    licence = licences_visible_to(user).filter(pk=pk).first()
    if licence is None:
        raise Http404
    return licence


def licences_filtered(licences: QuerySet[Licence], *, validity: str = "", delivery: str = "", q: str = "",
                      today: date | None = None) -> QuerySet[Licence]:
    """The desk's and the API's filters: validity (status, or expired), delivery state, number or holder."""
    today = today or timezone.localdate()
    unexpired = Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    if validity == "valid":
        licences = licences.filter(unexpired, status=Status.VALID)
    elif validity == "expired":
        licences = licences.filter(status=Status.VALID, valid_to__lt=today)
    elif validity in VALIDITY_FILTERS:
        licences = licences.filter(status=validity)
    undelivered = Q(delivered_at__isnull=True, status__in=(Status.RENDERING, Status.VALID))
    if delivery == "awaiting_pickup":
        licences = licences.filter(Licence.awaiting_handover_q(DeliveryMethod.PICKUP))
    elif delivery == "awaiting_express":
        licences = licences.filter(Licence.awaiting_handover_q(DeliveryMethod.EXPRESS))
    elif delivery == "delivered":
        licences = licences.filter(delivered_at__isnull=False)
    elif delivery == "overdue":
        licences = licences.filter(undelivered, Q(deliver_overdue=True) | Q(deliver_due__lt=today))
    q = q.strip()
    if q:
        licences = licences.filter(Q(number__iexact=q) | Q(application_number__iexact=q)
                                   | Q(holder_name__icontains=q) | Q(number__icontains=q))
    return licences


def licences_of_application(*, user: Any, application_number: str) -> list[Licence]:
    """The licences an approved application yielded, as far as the user may see them (the case page)."""
    if not application_number:
        return []
    return list(licences_visible_to(user).filter(application_number=application_number).order_by("id"))


def licence_template_items() -> QuerySet[Item]:
    """Items whose published version's result is a licence, marked `custom` where they have their own
    template (the catalogue administrator's list)."""
    return (Item.objects.filter(published__result_type=ResultType.LICENCE)
            .select_related("published", "department")
            .annotate(custom=Exists(LicenceTemplate.objects.filter(item=OuterRef("pk"))))
            .order_by("implementation_code"))


def licence_template_item(*, pk: int) -> Item:
    item = licence_template_items().filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def licence_template_body(item: Item) -> tuple[str, bool]:
    """The item's template body and whether it is its own (False: the default layout)."""
    template = LicenceTemplate.objects.filter(item=item).only("body").first()
    return (template.body, True) if template is not None else (DEFAULT_BODY, False)


SPECIMEN_HOLDER = "张三（样本）"
# The example number of GB 11643-1999 itself: obviously nobody's.
SPECIMEN_HOLDER_CODE = "11010519491231002X"


def specimen_licence(item: Item) -> Licence:
    """An unsaved licence of the item's published version with sample holder data, to preview a template.

    Nothing is written: no number is taken from the department's counter (the serial is all zeros), and the
    dates follow the version's rules from today.
    """
    version = item.published
    if version is None:
        raise Http404
    department = item.department
    today = timezone.localdate()
    serial_text = f"{today.year}000000"
    facts = [[spec.label, "（示例）"] for spec in version.form_fields.all()
             if spec.field_type not in (FieldType.ID_NUMBER, FieldType.PHONE)]
    return Licence(
        identifier=identifier_for(definer_uscc=definer_uscc(version), type_code=version.licence_type_code,
                                  issuer_uscc=department.uscc, serial=serial_text),
        number=f"{department.code}-{serial_text}", department=department, year=today.year, serial=0,
        name=licence_name(version), type_code=f"{definer_uscc(version)}{version.licence_type_code}", item=item,
        version=version, holder_name=SPECIMEN_HOLDER, holder_code=SPECIMEN_HOLDER_CODE,
        holder_code_type=HolderCodeType.RESIDENT_ID, facts=facts, source="specimen", decided_on=today,
        issued_on=today, valid_from=today, valid_to=valid_to_for(version, today), deliver_due=today,
    )
