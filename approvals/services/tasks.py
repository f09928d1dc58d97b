"""A department's work on its task: claim, release, opinions (approve / reject / return), reassignment.

Every service locks the case first (the join needs it, and one lock order prevents deadlocks), then runs
the task's transition through `portal.fsm.transition`, which locks the task and checks its state: two
reviewers acting on one task → one succeeds, the other gets a conflict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.services.review import application_request_review_supplement, application_reschedule
from applications.services.timeline import event_record
from approvals import clock
from approvals.models import Case, Opinion, OpinionAttachment, Pause, ReviewTask, TaskStatus
from approvals.selectors import may_act, may_claim, may_countersign
from approvals.services.cases import lock_case, task_ended
from portal.errors import Conflict
from portal.fsm import transition
from portal.models import Role, User
from portal.services.audit import audit_record
from portal.services.notifications import notify
from portal.uploads import content_type_for, validate_document

MAX_ATTACHMENTS = 10


def _locked(task: ReviewTask) -> tuple[Case, ReviewTask]:
    case = lock_case(task.case_id)
    return case, ReviewTask.objects.select_for_update(of=("self",)).select_related("department").get(pk=task.pk)


def _require_act(actor: Any, task: ReviewTask) -> None:
    if not may_act(actor, task):
        raise PermissionDenied


def _round(task: ReviewTask) -> int:
    return task.opinions.filter(kind=Opinion.Kind.RETURN).count() + 1


def _attach(opinion: Opinion, files: Sequence[UploadedFile]) -> None:
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"files": _("附件最多 %(n)s 个。") % {"n": MAX_ATTACHMENTS}})
    errors: list[str] = []
    for file in files:
        try:
            validate_document(file)
        except ValidationError as exc:
            errors.extend(f"{file.name}: {m}" for m in exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    for file in files:
        OpinionAttachment.objects.create(opinion=opinion, file=file, original_name=(file.name or "")[-200:],
                                         content_type=content_type_for(file.name or ""), size=file.size or 0)


def _opinion(task: ReviewTask, actor: Any, kind: str, text: str, files: Sequence[UploadedFile]) -> Opinion:
    opinion = Opinion.objects.create(task=task, kind=kind, author=actor, text=text.strip(), round=_round(task))
    _attach(opinion, files)
    return opinion


def _public_event(task: ReviewTask, summary: str, actor: Any = None) -> None:
    event_record(application=task.case.application, kind="review", actor=actor, actor_label=task.department.name,
                 summary=summary)


@transaction.atomic
def task_claim(*, actor: Any, task: ReviewTask) -> ReviewTask:
    if not may_claim(actor, task):
        raise PermissionDenied
    lock_case(task.case_id)
    return transition(task, "claim", actor=actor, action="task.claim", by=actor)


@transaction.atomic
def task_release(*, actor: Any, task: ReviewTask) -> ReviewTask:
    _require_act(actor, task)
    lock_case(task.case_id)
    return transition(task, "release", actor=actor, action="task.release")


@transaction.atomic
def task_approve(*, actor: Any, task: ReviewTask, text: str, files: Sequence[UploadedFile] = ()) -> ReviewTask:
    """同意. Where the item asks two staff to verify the substance (Art. 34), the task ends at the second
    approval by a different person; the first stays as a sign-off."""
    case, locked = _locked(task)
    this_round = _round(locked)
    signed = set(locked.opinions.filter(kind=Opinion.Kind.APPROVE, round=this_round).values_list("author", flat=True))
    if not (may_act(actor, locked) or may_countersign(actor, locked, signed)):
        raise PermissionDenied
    if locked.status != TaskStatus.IN_REVIEW:
        raise Conflict(_("任务当前状态为“%(status)s”，不能出具意见。") % {"status": locked.get_status_display()})
    if not text.strip():
        raise ValidationError({"text": _("请填写审查意见。")})
    if actor.pk in signed:
        raise Conflict(_("您已签核，需由另一名工作人员核查签核。"))
    _opinion(locked, actor, Opinion.Kind.APPROVE, text, files)
    if len(signed) + 1 < locked.signoffs_required:
        audit_record(actor=actor, action="task.signoff", obj=locked, after={"round": this_round})
        _tell_colleagues(locked, actor, _("待第二人核查签核：%(title)s") % {"title": case.application.title})
        return locked
    updated = transition(locked, "approve", actor=actor, action="task.approve", opinion=text.strip())
    _public_event(updated, _("审查意见：同意"), actor)
    task_ended(case, updated)
    return updated


def _tell_colleagues(task: ReviewTask, actor: Any, subject: str) -> None:
    for user in User.objects.filter(department=task.department_id, role__in=[Role.REVIEWER, Role.HEAD],
                                    is_active=True).exclude(pk=actor.pk):
        notify(recipient=user, subject=subject, link=f"/review/tasks/{task.pk}/")


@transaction.atomic
def task_reject(*, actor: Any, task: ReviewTask, text: str, files: Sequence[UploadedFile] = ()) -> ReviewTask:
    """不同意, with the reasons (required)."""
    case, locked = _locked(task)
    _require_act(actor, locked)
    if not text.strip():
        raise ValidationError({"text": _("不同意须写明理由。")})
    updated = transition(locked, "reject", actor=actor, action="task.reject", opinion=text.strip())
    _opinion(updated, actor, Opinion.Kind.REJECT, text, files)
    _public_event(updated, _("审查意见：不同意"), actor)
    task_ended(case, updated)
    return updated


@transaction.atomic
def task_return(*, actor: Any, task: ReviewTask, problems: list[dict[str, Any]], text: str = "",
                files: Sequence[UploadedFile] = ()) -> ReviewTask:
    """退回补正: lists exactly what is needed; the applicant is told and the case's clock stops until the
    supplement arrives (the same pause serves every department that returns meanwhile)."""
    case, locked = _locked(task)
    _require_act(actor, locked)
    updated = transition(locked, "return_for_supplement", actor=actor, action="task.return",
                         opinion=text.strip() or _("退回补正"), audit_after={"problems": len(problems)})
    notice = application_request_review_supplement(actor=actor, application=case.application,
                                                   department=updated.department, problems=problems)
    listed = "；".join(f"{row['subject']}：{row['problem']}" for row in notice.content.get("problems", []))
    _opinion(updated, actor, Opinion.Kind.RETURN, "\n".join(filter(None, [listed, text.strip()])), files)
    if clock.running_pause(case, Pause.Kind.SUPPLEMENT) is None:
        Pause.objects.create(case=case, task=updated, kind=Pause.Kind.SUPPLEMENT, reason=listed[:2000],
                             started_on=timezone.localdate(), started_by=actor)
    clock.reschedule(case)
    application_reschedule(application=case.application, promised_due=case.promised_due,
                           statutory_due=case.statutory_due)
    return updated


@transaction.atomic
def case_resume_after_supplement(*, application: Application, actor: Any = None) -> Case | None:
    """The applicant supplied what was asked: the pause ends, the returned tasks come back to their
    reviewers with new due dates and their reminders re-armed."""
    case = Case.objects.select_for_update().filter(application=application).first()
    if case is None or not case.is_open:
        return case
    pause = clock.running_pause(case, Pause.Kind.SUPPLEMENT)
    if pause is not None:
        pause.ended_on = timezone.localdate()
        pause.ended_by = actor if getattr(actor, "pk", None) else None
        pause.save(update_fields=["ended_on", "ended_by"])
    for task in case.tasks.filter(status=TaskStatus.RETURNED).select_related("assignee"):
        resumed = transition(task, "resume", actor=None, action="task.resume")
        if resumed.assignee is not None:
            notify(recipient=resumed.assignee, subject=_("申请人已补正：%(title)s") % {"title": application.title},
                   link=f"/review/tasks/{resumed.pk}/")
    clock.reschedule(case)
    application_reschedule(application=application, promised_due=case.promised_due,
                           statutory_due=case.statutory_due,
                           summary=_("补正期间不计入审查时限，办结日期相应顺延"))
    return case


@transaction.atomic
def task_reassign(*, actor: Any, task: ReviewTask, to: Any) -> ReviewTask:
    """改派: the head gives the task to another reviewer of the department."""
    if getattr(actor, "role", None) != Role.HEAD or actor.department_id != task.department_id:
        raise PermissionDenied
    if to is None or to.department_id != task.department_id or to.role not in (Role.REVIEWER, Role.HEAD) \
            or not to.is_active:
        raise ValidationError({"to": _("只能改派给本部门在岗的审批人员。")})
    lock_case(task.case_id)
    locked = ReviewTask.objects.select_for_update().get(pk=task.pk)
    if not locked.is_open:
        raise Conflict(_("任务已办结，不能改派。"))
    before = locked.assignee_id
    if locked.status == TaskStatus.PENDING:
        locked = transition(locked, "claim", actor=actor, action="task.reassign", by=to)
    else:
        locked.assignee = to
        locked.save(update_fields=["assignee"])
    audit_record(actor=actor, action="task.reassign", obj=locked, before={"assignee": before},
                 after={"assignee": to.pk})
    notify(recipient=to, subject=_("改派给您的审查任务：%(title)s") % {"title": locked.case.application.title},
           link=f"/review/tasks/{locked.pk}/")
    return locked
