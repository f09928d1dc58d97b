"""Every write to licences: issue (numbering), render and sign, deliver, renew, revoke and cancel, templates.

Issue runs in the transaction that delivers the approval (approvals' receiver of `case_approved`): the
licence row and its number are written there, under the lock of the department's counter row for the
year, so a rolled-back issue leaves no gap and a redelivered approval finds its licence by `source`.
The PDF is rendered and signed afterwards by the outbox task `licences.render` (a second or so).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from calendar import monthrange
from datetime import date, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.iso7064 import mod_37_36

from items.models import ItemVersion
from licences import holders, signals, signing
from licences.models import (
    IDENTIFIER_ROOT,
    DeliveryMethod,
    HolderCodeType,
    Licence,
    LicenceCounter,
    LicenceTemplate,
    Status,
)
from licences.rendering import render_licence_pdf, validate_template
from portal import clock, outbox
from portal.errors import Conflict
from portal.fsm import transition_locked
from portal.models import Department, Role, User
from portal.services.audit import audit_record
from portal.services.notifications import notify
from portal.validators import mask_id_number

IDENTIFIER_VERSION = "001"


class LicenceConflict(Conflict):
    """The licence is not in a state that allows this (HTTP 409)."""


# --- numbering and identifiers ---------------------------------------------------------------------------
def licence_name(version: ItemVersion) -> str:
    """The licence's name from the item's result name: "食品经营许可证（有效期5年）" → "食品经营许可证"."""
    name = re.split(r"[（(]", version.result_name or "", maxsplit=1)[0].strip()
    return name or version.name


def definer_uscc(version: ItemVersion) -> str:
    """Who defines the licence type (设定机关, often a national body such as 市场监管总局 for 营业执照): the item's
    setting, else its implementing department."""
    return version.licence_definer_uscc or version.item.department.uscc


def identifier_for(*, definer_uscc: str, type_code: str, issuer_uscc: str, serial: str,
                   version: str = IDENTIFIER_VERSION) -> str:
    """`1.2.156.3005.2.<definer USCC + type code>.<issuer USCC>.<serial>.<version>.<check>` (DOMAIN.md §7);
    the check character is ISO 7064 MOD 37,36 over the identifier without the root and the dots."""
    body = f"{definer_uscc}{type_code}.{issuer_uscc}.{serial}.{version}"
    check = mod_37_36.calc_check_digit(body.replace(".", ""))
    return f"{IDENTIFIER_ROOT}.{body}.{check}"


# The parts as issued: definer's USCC + 3-digit type code, issuer's USCC, serial, 3-digit version, check.
IDENTIFIER_FORM = re.compile(
    re.escape(IDENTIFIER_ROOT) + r"\.[0-9A-Z]{18}[0-9]{3}\.[0-9A-Z]{18}\.[0-9]{1,16}\.[0-9]{3}\.[0-9A-Z]")


def identifier_is_valid(identifier: str) -> bool:
    """True for an identifier of the issued form whose check character is right (any letter case)."""
    identifier = (identifier or "").strip().upper()
    if not IDENTIFIER_FORM.fullmatch(identifier):
        return False
    compact = identifier[len(IDENTIFIER_ROOT) + 1:].replace(".", "")
    try:
        return mod_37_36.is_valid(compact)
    except Exception:  # stdnum raises on characters outside its alphabet; the form above excludes them
        return False


def lock_counter(department: Department, year: int) -> LicenceCounter:
    """The department's counter row for the year, locked until the transaction ends."""
    counter, _created = LicenceCounter.objects.select_for_update().get_or_create(department=department, year=year)
    return counter


def next_serial(counter: LicenceCounter) -> int:
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def valid_to_for(version: ItemVersion, valid_from: date) -> date | None:
    """The last day of validity, None for 长期有效. The first day counts (有效期自发证之日起), so the period is
    counted from the day before it, and ends on the corresponding day N months on, or on the last day of that
    month when it has none (民法典 Arts. 201, 202): from 2026-02-28 for 60 months to 2031-02-27, from
    2024-02-29 or 2024-03-01 for 12 months to 2025-02-28, from 2026-03-31 for a month to 2026-04-30."""
    months = version.licence_validity_months
    return add_months(valid_from - timedelta(days=1), months) if months else None


def next_expiry_reminder(valid_to: date | None, *, after: date) -> date | None:
    """The first reminder day later than `after` (LICENCE_EXPIRY_REMIND_DAYS before expiry), or None."""
    if valid_to is None:
        return None
    days = sorted(valid_to - timedelta(days=n) for n in settings.LICENCE_EXPIRY_REMIND_DAYS)
    return next((day for day in days if day > after), None)


# --- issue -----------------------------------------------------------------------------------------------
def _issued(source: str) -> Licence | None:
    """The licence of `source`, if issued: a cheap look-up by the unique column first (nearly always none)."""
    pk = Licence.objects.filter(source=source).order_by().values_list("pk", flat=True).first()
    return Licence.objects.get(pk=pk) if pk is not None else None


@transaction.atomic
def licence_issue(
    *,
    source: str,
    version: ItemVersion,
    holder_name: str,
    holder_code: str,
    holder_code_type: str,
    decided_on: date,
    application_number: str = "",
    facts: list[list[str]] | None = None,
    renews: Licence | None = None,
    delivery_method: str = DeliveryMethod.DOWNLOAD,
    actor: Any = None,
) -> Licence:
    """Issue the licence of `source` (one approval of one item), or return the one issued already.

    `delivery_method`: download (delivered once the signed PDF is in the holder's account) for a holder with
    an account; a holder without one collects it at the result window until told otherwise.

    Numbers are gap-free per issuing department and year: the counter row is locked until this
    transaction ends, and rolls back with it.
    """
    existing = _issued(source)
    if existing is not None:
        return existing
    errors = {}
    if holder_code_type not in HolderCodeType.values:
        errors["holder_code_type"] = _("未知的持证主体代码类型。")
    if not holder_name.strip():
        errors["holder_name"] = _("请填写持证主体名称。")
    if not re.fullmatch(r"[0-9A-Za-z]{1,18}", holder_code or ""):
        errors["holder_code"] = _("持证主体代码应为不超过 18 位的字母或数字。")
    if errors:
        raise ValidationError(errors)
    item = version.item
    department = item.department
    today = timezone.localdate()
    # Everything that does not depend on the number is worked out before the counter is locked: the lock is
    # held until commit, and every issue of the department waits on it.
    # A renewal decided before the old licence expires runs on from its end (Art. 50): renewing in time
    # never shortens the validity.
    runs_from = today
    if renews is not None and renews.valid_to is not None and renews.valid_to >= today:
        runs_from = renews.valid_to + timedelta(days=1)
    valid_to = valid_to_for(version, runs_from)
    calendar = clock.get_calendar()
    deliver_due = calendar.add_working_days(decided_on, version.issue_limit)
    deliver_remind_on = calendar.working_days_before(deliver_due, settings.LICENCE_DELIVERY_REMIND_DAYS)
    counter = lock_counter(department, today.year)
    # Under the lock, an issue of the same source that committed meanwhile is visible: return it.
    existing = _issued(source)
    if existing is not None:
        return existing
    serial = next_serial(counter)
    serial_text = f"{today.year}{serial:06d}"
    licence = Licence(
        identifier=identifier_for(definer_uscc=definer_uscc(version), type_code=version.licence_type_code,
                                  issuer_uscc=department.uscc, serial=serial_text),
        number=f"{department.code}-{serial_text}",
        department=department, year=today.year, serial=serial, name=licence_name(version),
        type_code=f"{definer_uscc(version)}{version.licence_type_code}", item=item, version=version,
        delivery_method=delivery_method,
        holder_name=holder_name.strip()[:200], holder_code=holder_code.upper(), holder_code_type=holder_code_type,
        facts=facts or [], source=source, application_number=application_number,
        decided_on=decided_on, issued_on=today, valid_from=today, valid_to=valid_to,
        deliver_due=deliver_due, deliver_remind_on=deliver_remind_on,
        expiry_remind_on=next_expiry_reminder(valid_to, after=today - timedelta(days=1)),
    )
    try:
        with transaction.atomic():
            licence.save()
    except IntegrityError:
        # The same source issued in a concurrent transaction that committed first (possible only when the two
        # did not wait on the same counter row, e.g. across a new year): that one stands. This block's own
        # savepoint (or transaction) is rolled back, and the serial taken above with it: no gap.
        existing = _issued(source)
        if existing is None:
            raise
        transaction.set_rollback(True)
        return existing
    if renews is not None:
        _replace(renews, licence, actor=actor)
    audit_record(actor=actor, action="licence.issue", obj=licence,
                 after={"number": licence.number, "identifier": licence.identifier, "source": source})
    outbox.enqueue("licences.render", licence_id=licence.pk)
    return licence


def _replace(old: Licence, new: Licence, *, actor: Any = None) -> None:
    """A renewal's licence replaces the one it renews (换发): the same holder's licence of the same item, while
    it is still valid (expired or deemed renewed included); a licence revoked or cancelled meanwhile stays so."""
    locked = Licence.objects.select_for_update().get(pk=old.pk)
    if locked.status != Status.VALID or locked.holder_code != new.holder_code or locked.item_id != new.item_id:
        audit_record(actor=actor, action="licence.replace_skipped", obj=locked,
                     after={"status": str(locked.status), "new": new.number})
        return
    # Not a permission check (the actor is the task, or nobody): the state machine still guards the state.
    transition_locked(locked, "replace", actor=None, action="licence.replace", by=new,
                      audit_after={"replaced_by": new.number})
    transaction.on_commit(partial(signals.licence_changed.send, sender=Licence, licence=locked, change="replaced"))


# --- render and sign -------------------------------------------------------------------------------------
def licence_render(*, licence_id: int) -> Licence:
    """Render, sign and store the PDF of a licence being made, once; then tell the holder it is ready.

    Rendering and signing take a second or so, done before the licence row is locked; under the lock the state
    is checked again, so two deliveries of the task (or the task and the sweep) store one file: the loser
    deletes its own. Raises SigningUnavailable when the department has no key: the licence stays `rendering`,
    the task retries and the sweep renders it once the key is there.
    """
    licence = Licence.objects.select_related("department", "version", "item").get(pk=licence_id)
    if licence.status != Status.RENDERING:
        return licence
    unsigned = render_licence_pdf(licence)
    pdf, signer = signing.sign(unsigned, licence.department, reason=f"{licence.name} {licence.number}")
    sha256 = hashlib.sha256(pdf).hexdigest()
    storage = licence.pdf.storage
    # A random name: the file is served only through access-checked views, never by a guessable URL.
    name = storage.save(f"licences/{licence.year}/{uuid.uuid4().hex}.pdf", ContentFile(pdf))
    try:
        with transaction.atomic():
            locked = Licence.objects.select_for_update().get(pk=licence_id)
            if locked.status != Status.RENDERING:
                storage.delete(name)
                return locked
            transition_locked(locked, "make_ready", actor=None, action="licence.ready",
                              pdf_name=name, sha256=sha256, signer=signer, audit_after={"sha256": sha256})
            if locked.delivery_method == DeliveryMethod.DOWNLOAD and locked.delivered_at is None:
                # 电子送达: the signed licence is in the holder's account the moment it is ready.
                locked.delivered_at = locked.ready_at
                locked.save(update_fields=["delivered_at"])
            transaction.on_commit(partial(signals.licence_ready.send, sender=Licence, licence=locked))
    except BaseException:
        storage.delete(name)
        raise
    return locked


# --- delivery (Art. 44) ----------------------------------------------------------------------------------
def _lock(licence: Licence) -> Licence:
    return Licence.objects.select_for_update().select_related("department").get(pk=licence.pk)


@transaction.atomic
def licence_choose_delivery(*, licence: Licence, actor: Any, method: str, address: str = "", recipient: str = "",
                            phone: str = "") -> Licence:
    """The holder chooses how to receive it: download, pick-up at the result window, or free express.

    Choosing download is consenting to electronic delivery: the licence counts as delivered (Art. 44) once
    the signed PDF is in the account. A holder who has it electronically may still ask for the paper licence
    (pick-up or express) until it has been handed over; that does not undo the delivery (`delivered_at`
    stays, and the deadline sweep does not flag the department for the holder's later wish).
    """
    if licence.holder_code not in holders.holder_codes(actor):
        raise PermissionDenied
    locked = _lock(licence)
    if locked.status not in (Status.RENDERING, Status.VALID):
        raise LicenceConflict(_("证照已失效，不能领取。"))
    if locked.handed_over_at is not None:
        raise LicenceConflict(_("纸质证照已交付，不能再更改领取方式。"))
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": _("请选择领取方式。")})
    if method == DeliveryMethod.EXPRESS:
        errors = {}
        if not address.strip():
            errors["address"] = _("邮寄须填写收件地址。")
        if not recipient.strip():
            errors["recipient"] = _("邮寄须填写收件人。")
        if not re.fullmatch(PHONE, phone.strip()):
            errors["phone"] = _("请填写正确的收件人电话。")
        if errors:
            raise ValidationError(errors)
    before = locked.delivery_method
    locked.delivery_method = method
    locked.delivery_address, locked.delivery_recipient, locked.delivery_phone = (
        (address.strip()[:200], recipient.strip()[:100], phone.strip()[:20]) if method == DeliveryMethod.EXPRESS
        else ("", "", ""))
    if method == DeliveryMethod.DOWNLOAD and locked.delivered_at is None and locked.ready_at is not None:
        # Delivered now, not when it was ready: a late choice must not hide a late delivery (licence_render
        # sets it if the licence is still being made).
        locked.delivered_at = timezone.now()
    locked.save()
    audit_record(actor=actor, action="licence.delivery_choose", obj=locked, before={"method": before},
                 after={"method": method})
    return locked


# A mobile number, or a fixed line with its area code.
PHONE = r"1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8}"
TRACKING_NUMBER = r"[A-Za-z0-9-]{6,40}"
# The collector's ID number (or another document's): stored masked only.
COLLECTOR_ID = r"[0-9A-Za-z]{6,18}"


def _staff_check(actor: Any) -> None:
    if actor.role not in (Role.CLERK, Role.REVIEWER, Role.HEAD):
        raise PermissionDenied


@transaction.atomic
def licence_record_pickup(*, licence: Licence, actor: Any, collected_by: str, id_number: str = "") -> Licence:
    """The clerk at the result window records who collected the licence (and their ID, masked)."""
    _staff_check(actor)
    locked = _lock(licence)
    if locked.status != Status.VALID:
        raise LicenceConflict(_("证照尚未制作完成或已失效。"))
    if locked.delivery_method != DeliveryMethod.PICKUP or locked.handed_over_at is not None:
        raise LicenceConflict(_("该证照不在待领取状态。"))
    errors = {}
    if not collected_by.strip():
        errors["collected_by"] = _("请填写领取人姓名。")
    if id_number.strip() and not re.fullmatch(COLLECTOR_ID, id_number.strip()):
        errors["id_number"] = _("请填写正确的领取人证件号码。")
    if errors:
        raise ValidationError(errors)
    locked.collected_by = collected_by.strip()[:100]
    locked.collected_id_masked = mask_id_number(id_number.strip().upper())[:18] if id_number.strip() else ""
    _handed_over(locked, actor)
    return locked


@transaction.atomic
def licence_record_dispatch(*, licence: Licence, actor: Any, company: str, tracking_number: str) -> Licence:
    """The clerk records the express company and tracking number (free of charge to the applicant)."""
    _staff_check(actor)
    locked = _lock(licence)
    if locked.status != Status.VALID:
        raise LicenceConflict(_("证照尚未制作完成或已失效。"))
    if locked.delivery_method != DeliveryMethod.EXPRESS or locked.handed_over_at is not None:
        raise LicenceConflict(_("该证照不在待邮寄状态。"))
    errors = {}
    if not company.strip():
        errors["company"] = _("请填写快递公司。")
    if not re.fullmatch(TRACKING_NUMBER, tracking_number.strip()):
        errors["tracking_number"] = _("请填写正确的快递单号（6–40 位字母或数字）。")
    if errors:
        raise ValidationError(errors)
    locked.express_company = company.strip()[:50]
    locked.tracking_number = tracking_number.strip()
    _handed_over(locked, actor)
    return locked


def _handed_over(locked: Licence, actor: Any) -> None:
    """The paper licence left the hall. It is the delivery unless the licence was delivered electronically
    already. A delivery after the due date keeps its `deliver_overdue` flag: it was late (e-supervision)."""
    now = timezone.now()
    locked.handed_over_at = now
    locked.delivered_by = actor
    if locked.delivered_at is None:
        locked.delivered_at = now
    locked.deliver_remind_on = None
    locked.save()
    audit_record(actor=actor, action="licence.deliver", obj=locked,
                 after={"method": locked.delivery_method, "tracking_number": locked.tracking_number})
    transaction.on_commit(partial(signals.licence_changed.send, sender=Licence, licence=locked, change="delivered"))


def licence_record_download(*, licence: Licence, actor: Any) -> None:
    """The first download by the holder is recorded (the audit log keeps every one)."""
    if licence.downloaded_at is None:
        Licence.objects.filter(pk=licence.pk, downloaded_at__isnull=True).update(downloaded_at=timezone.now())
    audit_record(actor=actor, action="licence.download", obj=licence)


# --- revocation and cancellation (Arts. 69, 70) ------------------------------------------------------------
def may_end(actor: Any, licence: Licence) -> bool:
    return actor.role == Role.HEAD and actor.department_id == licence.department_id


@transaction.atomic
def licence_end(*, licence: Licence, actor: Any, kind: str, reason: str, basis: str = "") -> Licence:
    """Revoke (撤销, Art. 69) or cancel (注销, Art. 70) a valid licence, with reasons, by the issuing
    department's head; the verification page says so from then on."""
    if not may_end(actor, licence):
        raise PermissionDenied
    if kind not in ("revoke", "cancel"):
        raise ValidationError({"kind": _("请选择撤销或注销。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请写明撤销或注销的理由。")})
    locked = _lock(licence)
    transition_locked(locked, kind, actor=actor, action=f"licence.{kind}", by=actor, reason=reason.strip(),
                      basis=basis.strip(), audit_after={"reason": reason.strip()})
    transaction.on_commit(partial(signals.licence_changed.send, sender=Licence, licence=locked, change=kind))
    return locked


# --- renewal (Art. 50) -------------------------------------------------------------------------------------
def renewal_in_time(licence: Licence, filed_on: date) -> bool:
    """Filed at least 30 days before expiry (Art. 50 ¶1)."""
    return licence.renewal_in_time(filed_on)


@transaction.atomic
def licence_renewal_filed(*, licence: Licence, application_number: str, filed_on: date) -> Licence:
    """A renewal application was submitted for this licence: the deemed-renewal sweep now watches it."""
    if not application_number:
        raise ValidationError({"application_number": _("缺少延续申请编号。")})
    locked = _lock(licence)
    if locked.status != Status.VALID:
        raise ValidationError({"renews": _("只有有效的证照可以申请延续。")})
    if locked.renewal_application == application_number:
        return locked  # the same application again (resubmitted after a supplement): filed when first filed
    if locked.renewal_application:
        raise ValidationError({"renews": _("该证照已有延续申请正在办理。")})
    locked.renewal_application = application_number
    locked.renewal_filed_on = filed_on
    locked.save(update_fields=["renewal_application", "renewal_filed_on"])
    audit_record(actor=None, action="licence.renewal_filed", obj=locked,
                 after={"application": application_number, "in_time": renewal_in_time(locked, filed_on)})
    return locked


@transaction.atomic
def licence_renewal_closed(*, licence: Licence, application_number: str) -> None:
    """The renewal application ended without a new licence (denied, withdrawn): stop watching it."""
    locked = _lock(licence)
    if locked.renewal_application == application_number:
        locked.renewal_application = ""
        locked.save(update_fields=["renewal_application"])
        audit_record(actor=None, action="licence.renewal_closed", obj=locked, after={"application": application_number})


# --- templates -----------------------------------------------------------------------------------------------
def may_edit_templates(actor: Any) -> bool:
    return actor.role in (Role.CATALOGUE_ADMIN, Role.SYSADMIN)


@transaction.atomic
def licence_template_save(*, item: Any, actor: Any, body: str) -> LicenceTemplate:
    if not may_edit_templates(actor):
        raise PermissionDenied
    validate_template(body)
    template = LicenceTemplate.objects.select_for_update().filter(item=item).first()
    before = template.body if template else ""
    template = template or LicenceTemplate(item=item)
    template.body = body
    template.updated_by = actor
    template.save()
    audit_record(actor=actor, action="licence.template_save", obj=template,
                 before={"length": len(before)}, after={"length": len(body)})
    return template


@transaction.atomic
def licence_template_reset(*, item: Any, actor: Any) -> None:
    if not may_edit_templates(actor):
        raise PermissionDenied
    deleted, _rows = LicenceTemplate.objects.filter(item=item).delete()
    if deleted:
        audit_record(actor=actor, action="licence.template_reset", object_label=str(item))


def department_heads(department_id: int) -> list[User]:
    return list(User.objects.filter(department_id=department_id, role=Role.HEAD, is_active=True))


def notify_department(licence: Licence, *, subject: str, body: str, link: str) -> None:
    for head in department_heads(licence.department_id):
        notify(recipient=head, subject=subject, body=body, link=link)
