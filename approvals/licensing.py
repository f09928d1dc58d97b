"""From an approved case to its licences: one per item whose result is a licence (证照), issued by the item's
implementing department (licences.services.licence_issue; idempotent by source, so a redelivered approval
issues nothing twice). A renewal's licence replaces the licence it renews."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from approvals.models import Case
from items.models import FieldType, ResultType
from licences.models import DeliveryMethod, HolderCodeType, Licence
from licences.services import licence_issue

# Form fields that are personal data beside the holder's own code: not printed on a licence.
_PRIVATE_FIELDS = (FieldType.ID_NUMBER, FieldType.PHONE)


def _facts(version: Any, form_data: dict[str, Any]) -> list[list[str]]:
    rows = []
    for spec in version.form_fields.all():
        value = form_data.get(spec.key)
        if spec.field_type in _PRIVATE_FIELDS or value in (None, "", []):
            continue
        if spec.field_type == FieldType.CHOICE:
            value = "、".join(value) if isinstance(value, list) else value
        rows.append([spec.label, str(value)])
    return rows


def issue_licences(case: Case) -> list[Licence]:
    application = case.application
    applicant = application.applicant
    if applicant.is_enterprise:
        code, code_type = applicant.uscc, HolderCodeType.USCC
    else:
        code, code_type = applicant.id_number, HolderCodeType.RESIDENT_ID
    # In a fixed order (department, item): two bundle approvals that share departments take the departments'
    # counter rows in the same order, so they cannot deadlock.
    versions = [application.version] if application.version_id else list(
        application.bundle_versions.select_related("item").order_by("item__department_id", "item_id"))
    decided_at = case.decided_at or application.decided_at
    decided_on = timezone.localdate(decided_at) if decided_at else case.accepted_on
    # 电子送达 needs an account to deliver to: a walk-in holder without one collects it at the result window.
    delivery = DeliveryMethod.DOWNLOAD if applicant.members.exists() else DeliveryMethod.PICKUP
    issued = []
    for version in versions:
        if version is None or version.result_type != ResultType.LICENCE:
            continue
        renews = application.renews
        if renews is not None and renews.item_id != version.item_id:
            renews = None
        issued.append(licence_issue(
            source=f"case-{case.pk}-item-{version.item_id}", version=version, holder_name=applicant.name,
            holder_code=code, holder_code_type=code_type, decided_on=decided_on,
            application_number=application.number, facts=_facts(version, application.form_data or {}),
            renews=renews, delivery_method=delivery,
        ))
    return issued
