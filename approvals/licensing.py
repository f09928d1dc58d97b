"""From an approved case to its licences: one per item whose result is a licence (证照), issued by the item's
implementing department (licences.services.licence_issue; idempotent by source, so a redelivered approval
issues nothing twice). A renewal's licence replaces the licence it renews.

Once they are issued the case's `licences_issued_at` is set; until then the review sweep (sweeps.py, part
"licences") calls this again, so an approval task that failed for good loses nothing. Bad holder data (a
ValidationError from licence_issue) is not retried by the task: the lead department's heads are told, and the
sweep issues the licences once the data is put right."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Case
from approvals.services.cases import lock_case
from items.models import FieldType, ResultType
from licences.models import DeliveryMethod, HolderCodeType, Licence
from licences.services import licence_issue
from portal.models import AuditEvent, Role, User
from portal.services.audit import audit_record
from portal.services.notifications import notify

FAILED_ACTION = "case.licence_issue_failed"
# The sweep retries every 15 minutes: the heads hear of a failure again at most once a day.
RETELL_AFTER = timedelta(hours=24)

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


@transaction.atomic
def issue_licences(case: Case) -> list[Licence]:
    """Issue the case's licences (or return those issued already) and mark the case done with. The case row
    is locked first (the approval task and the sweep take turns); a licence refused for its holder data
    issues none of the case's licences, tells the heads, and returns []."""
    lock_case(case.pk)  # outside the savepoint below: rolling that back must not release the lock
    try:
        with transaction.atomic():
            issued = _issue(case)
    except ValidationError as error:
        _failed(case, error)
        return []
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(licences_issued_at=now)
    case.licences_issued_at = now
    return issued


def _failed(case: Case, error: ValidationError) -> None:
    """Tell the lead department's heads which field stops the licence, unless they were told within
    RETELL_AFTER: the audit row written with the notice is the record of that (no column to keep)."""
    since = timezone.now() - RETELL_AFTER
    if AuditEvent.objects.filter(action=FAILED_ACTION, object_type=Case._meta.label_lower, object_id=str(case.pk),
                                 at__gte=since).exists():
        return
    fields = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    problems = "".join(message for messages in fields.values() for message in messages)
    number = case.application.number
    subject = _("办件 %(number)s 的证照未能签发：%(problems)s") % {"number": number, "problems": problems}
    body = _("办件 %(number)s（%(title)s）已准予许可，但证照因持证主体信息有误未能签发：%(problems)s"
             "请核实申请人信息，更正后系统将自动重新签发。") % {
        "number": number, "title": case.application.title, "problems": problems}
    heads = User.objects.filter(department=case.lead_department_id, role=Role.HEAD, is_active=True)
    for head in heads:
        notify(recipient=head, subject=subject, body=body, link=f"/review/cases/{case.pk}/")
    audit_record(actor=None, action=FAILED_ACTION, obj=case, result=AuditEvent.Result.FAILURE,
                 after={"application": number, "errors": fields})


def _issue(case: Case) -> list[Licence]:
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
