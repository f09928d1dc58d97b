"""Procedures that move the clock: Art. 45 pauses, the Art. 42 extension, and joint site inspections."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Notice
from applications.services.review import application_reschedule, application_review_notice
from applications.services.timeline import event_record
from approvals import clock
from approvals.models import Case, Extension, Inspection, Pause, ReviewTask, TaskStatus
from approvals.selectors import may_act
from approvals.services.cases import _tell_department, lock_case
from portal.errors import Conflict, DomainError
from portal.models import Department, Role
from portal.services.audit import audit_record

# The procedures a reviewer may start (the supplement pause is started by a return, not by hand).
ART45_KINDS = [k for k in Pause.Kind.values if k != Pause.Kind.SUPPLEMENT]


def _tell_new_dates(case: Case, summary: str, actor: Any, department: Department) -> None:
    application_reschedule(application=case.application, promised_due=case.promised_due,
                           statutory_due=case.statutory_due, summary=summary, actor=actor,
                           actor_label=department.name)


@transaction.atomic
def pause_start(*, actor: Any, task: ReviewTask, kind: str, reason: str, expected_days: int | None) -> Pause:
    """Art. 45: a hearing, testing, expert review … is not counted; the applicant is told in writing, with
    the time it is expected to take."""
    case = lock_case(task.case_id)
    locked = ReviewTask.objects.select_for_update(of=("self",)).select_related("department").get(pk=task.pk)
    if not may_act(actor, locked):
        raise PermissionDenied
    errors = {}
    if kind not in ART45_KINDS:
        errors["kind"] = _("请选择《行政许可法》第四十五条规定的程序。")
    if not reason.strip():
        errors["reason"] = _("请写明事由。")
    if not expected_days or expected_days < 1 or expected_days > 250:
        errors["expected_days"] = _("请填写预计所需工作日数（1–250）。")
    if errors:
        raise ValidationError(errors)
    if locked.status != TaskStatus.IN_REVIEW:
        raise Conflict(_("只有审查中的任务可以启动特别程序。"))
    if case.pauses.filter(ended_on__isnull=True, task=locked).exclude(kind=Pause.Kind.SUPPLEMENT).exists():
        raise Conflict(_("本任务已有进行中的特别程序，请先结束。"))
    pause = Pause.objects.create(case=case, task=locked, kind=kind, reason=reason.strip(),
                                 expected_days=expected_days, started_on=timezone.localdate(), started_by=actor)
    clock.reschedule(case)
    application_reschedule(application=case.application, promised_due=case.promised_due,
                           statutory_due=case.statutory_due)
    audit_record(actor=actor, action="pause.start", obj=case, after={"kind": kind, "expected_days": expected_days})
    application_review_notice(
        actor=actor, application=case.application, department=locked.department, kind=Notice.Kind.SUSPENSION,
        content={"procedure": pause.get_kind_display(), "reasons": pause.reason, "expected_days": expected_days,
                 "started_on": pause.started_on.isoformat()},
        summary=_("启动%(kind)s程序，所需时间不计入审批时限") % {"kind": pause.get_kind_display()},
        detail=_("预计需要 %(n)s 个工作日。") % {"n": expected_days})
    return pause


@transaction.atomic
def pause_end(*, actor: Any, pause: Pause) -> Pause:
    case = lock_case(pause.case_id)
    locked = Pause.objects.select_for_update(of=("self",)).select_related("task__department").get(pk=pause.pk)
    if locked.task is None or not may_act(actor, locked.task) or locked.kind == Pause.Kind.SUPPLEMENT:
        raise PermissionDenied
    if locked.ended_on is not None:
        raise Conflict(_("该程序已经结束。"))
    locked.ended_on = timezone.localdate()
    locked.ended_by = actor
    locked.save(update_fields=["ended_on", "ended_by"])
    clock.reschedule(case)
    audit_record(actor=actor, action="pause.end", obj=case, after={"kind": locked.kind})
    _tell_new_dates(case, _("%(kind)s程序结束，审批时限恢复计算") % {"kind": locked.get_kind_display()}, actor,
                    locked.task.department)
    return locked


@transaction.atomic
def extension_request(*, actor: Any, task: ReviewTask, reasons: str) -> Extension:
    """Ask for the one extension the law allows (+10 working days; joint handling +15)."""
    case = lock_case(task.case_id)
    if not may_act(actor, task):
        raise PermissionDenied
    if not reasons.strip():
        raise ValidationError({"reasons": _("请写明延期理由。")})
    if not case.is_open:
        raise Conflict(_("案件已办结。"))
    if case.extensions.filter(status=Extension.Status.GRANTED).exists():
        raise DomainError(_("审批期限只能延长一次，本案已延长过。"))
    try:
        with transaction.atomic():
            extension = Extension.objects.create(case=case, task=task, days=case.extension_allowed_days,
                                                 reasons=reasons.strip(), requested_by=actor)
    except IntegrityError:
        raise Conflict(_("已有待审批的延期申请。")) from None
    audit_record(actor=actor, action="extension.request", obj=case, after={"days": extension.days})
    _tell_department(case.lead_department_id, roles=[Role.HEAD],
                     subject=_("延期申请待审批：%(title)s") % {"title": case.application.title},
                     link="/review/extensions/")
    return extension


@transaction.atomic
def extension_decide(*, actor: Any, extension: Extension, grant: bool, comment: str = "") -> Extension:
    """The head of the lead department grants or refuses; a grant moves the dates and the applicant is told
    the reasons in writing (Art. 42)."""
    case = lock_case(extension.case_id)
    locked = Extension.objects.select_for_update().get(pk=extension.pk)
    if getattr(actor, "role", None) != Role.HEAD or actor.department_id != case.lead_department_id:
        raise PermissionDenied
    if locked.status != Extension.Status.REQUESTED:
        raise Conflict(_("该延期申请已处理。"))
    if not case.is_open:
        raise Conflict(_("案件已办结。"))
    if not grant and not comment.strip():
        raise ValidationError({"comment": _("不予批准须写明理由。")})
    locked.status = Extension.Status.GRANTED if grant else Extension.Status.REFUSED
    locked.decided_by, locked.decided_at, locked.comment = actor, timezone.now(), comment.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    audit_record(actor=actor, action="extension.grant" if grant else "extension.refuse", obj=case,
                 after={"days": locked.days})
    if grant:
        case.extension_days = locked.days
        case.save(update_fields=["extension_days"])
        for task in case.tasks.filter(status__in=[TaskStatus.PENDING, TaskStatus.IN_REVIEW, TaskStatus.RETURNED]):
            task.review_days += locked.days
            task.save(update_fields=["review_days"])
        clock.reschedule(case)
        application_review_notice(
            actor=actor, application=case.application, department=case.lead_department, kind=Notice.Kind.EXTENSION,
            content={"reasons": locked.reasons, "days": locked.days,
                     "promised_due": case.promised_due.isoformat() if case.promised_due else None,
                     "statutory_due": case.statutory_due.isoformat() if case.statutory_due else None},
            summary=_("经负责人批准延长审批期限 %(n)s 个工作日") % {"n": locked.days}, detail=locked.reasons,
            due=case.promised_due)
        _tell_new_dates(case, _("审批期限已延长，办结日期相应顺延"), actor, case.lead_department)
    if locked.requested_by_id:
        from portal.services.notifications import notify

        notify(recipient=locked.requested_by, link=f"/review/cases/{case.pk}/",
               subject=(_("延期已批准：%(title)s") if grant else _("延期未批准：%(title)s")) % {
                   "title": case.application.title})
    return locked


@transaction.atomic
def inspection_schedule(*, actor: Any, task: ReviewTask, scheduled_on: date, place: str,
                        departments: list[Department], participants: str = "") -> Inspection:
    """联合踏勘: one visit for every department that needs to see the site, instead of one each."""
    case = lock_case(task.case_id)
    if not may_act(actor, task):
        raise PermissionDenied
    errors = {}
    if scheduled_on < timezone.localdate():
        errors["scheduled_on"] = _("踏勘日期不能早于今天。")
    if not place.strip():
        errors["place"] = _("请填写踏勘地点。")
    if errors:
        raise ValidationError(errors)
    inspection = Inspection.objects.create(case=case, task=task, scheduled_on=scheduled_on, place=place.strip(),
                                           participants=participants.strip(), created_by=actor)
    inspection.departments.set({task.department, *departments})
    for department in inspection.departments.exclude(pk=task.department_id):
        _tell_department(department.pk, subject=_("联合踏勘邀请：%(title)s（%(day)s）") % {
            "title": case.application.title, "day": scheduled_on}, link=f"/review/cases/{case.pk}/")
    event_record(application=case.application, kind="inspection", actor=actor, actor_label=task.department.name,
                 summary=_("安排联合踏勘：%(day)s") % {"day": scheduled_on})
    audit_record(actor=actor, action="inspection.schedule", obj=case, after={"on": scheduled_on.isoformat()})
    return inspection


@transaction.atomic
def inspection_record(*, actor: Any, inspection: Inspection, record: str, participants: str = "") -> Inspection:
    lock_case(inspection.case_id)
    locked = (Inspection.objects.select_for_update(of=("self",)).select_related("task", "case__application")
              .get(pk=inspection.pk))
    invited = getattr(actor, "role", None) in (Role.REVIEWER, Role.HEAD) and locked.departments.filter(
        pk=actor.department_id).exists()
    if not (may_act(actor, locked.task) or invited):
        raise PermissionDenied
    if not record.strip():
        raise ValidationError({"record": _("请填写踏勘记录。")})
    locked.record = record.strip()
    if participants.strip():
        locked.participants = participants.strip()
    locked.recorded_by, locked.recorded_at = actor, timezone.now()
    locked.save(update_fields=["record", "participants", "recorded_by", "recorded_at"])
    event_record(application=locked.case.application, kind="inspection_recorded", actor=actor,
                 actor_label=_("联合踏勘组"), summary=_("完成联合踏勘"))
    return locked
