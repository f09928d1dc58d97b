"""Cases: opened when an application is accepted, moved stage by stage, decided by the lead department.

Lock order, everywhere: the application row, then the case row, then the task rows. Intake locks the
application and then, through its signals (withdrawn, terminated, supplied), the case; so every review path
locks the application first too (`lock_case`), or the two would deadlock. Finishing a task locks the case
before it looks at the stage (STYLE.md §3), so two departments finishing at once close it once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, MaterialStatus, Status
from applications.services.intake import decision_limits
from applications.services.review import (
    application_decide,
    application_end_review_supplement,
    application_reschedule,
    application_start_review,
)
from approvals import clock
from approvals.models import (
    CONSENTING,
    OPEN_TASK_STATUSES,
    Case,
    CaseStatus,
    DecisionMode,
    Extension,
    Pause,
    ReviewTask,
    Stage,
    TaskStatus,
)
from approvals.models.cases import ENDED_TASK_STATUSES
from approvals.selectors import may_decide
from items import auto_rules
from items.models import ItemVersion
from portal import outbox
from portal.errors import DomainError
from portal.fsm import transition, transition_locked
from portal.models import Department, Role, User
from portal.services.notifications import notify


# --- opening ------------------------------------------------------------------------------------------------
def _versions(application: Application) -> list[ItemVersion]:
    if application.version_id is not None:
        return [application.version]  # type: ignore[list-item]
    return list(application.bundle_versions.select_related("item__department")
                .prefetch_related("joint_departments__department"))


def _stage_plans(application: Application, versions: list[ItemVersion]) -> list[dict[str, Any]]:
    """The stages, each with its lead and one plan row per department: the items it reviews, its days."""
    bundle = application.bundle
    by_item = {v.item_id: v for v in versions}
    if bundle is not None and bundle.stages.exists():
        groups = [(s.name, s.lead_department, [by_item[e.item_id] for e in s.entries.all() if e.item_id in by_item])
                  for s in bundle.stages.select_related("lead_department").prefetch_related("entries")]
    elif bundle is not None:
        groups = [(_("并联审查"), bundle.lead_department, versions)]
    else:
        groups = [(_("审查"), versions[0].item.department, versions)]
    cap = bundle.promised_limit if bundle is not None and bundle.promised_limit else None
    stages = []
    for name, lead, stage_versions in groups:
        rows: dict[int, dict[str, Any]] = {}

        def row(department: Department, rows: dict[int, dict[str, Any]] = rows) -> dict[str, Any]:
            return rows.setdefault(department.pk, {"department": department.pk, "department_name": department.name,
                                                   "review_days": 1, "items": [], "timeout_consent": True,
                                                   "signoffs": 1, "required": True, "veto": False})

        for version in stage_versions:
            own = row(version.item.department)
            days = version.promised_limit if cap is None else min(version.promised_limit, cap)
            own["review_days"] = max(own["review_days"], days, 1)
            own["items"].append(version.name)
            own["timeout_consent"] = False  # the implementing department gives its own opinion
            own["signoffs"] = max(own["signoffs"], version.verification_signoffs)
            own["own"] = own["required"] = True  # a department always decides on its own item
            own["veto"] = own["veto"] or version.one_veto
        for version in stage_versions:
            # The item's rules bind the departments it consults: 会签 or 或签, and whether one "no" decides.
            for joint in version.joint_departments.all():
                other = row(joint.department)
                other["review_days"] = max(other["review_days"], joint.review_days, 1)
                other["items"].append(version.name)
                other["veto"] = other["veto"] or version.one_veto
                if not other.get("own"):
                    other["timeout_consent"] = other["timeout_consent"] and version.timeout_consent
                    other["required"] = other["required"] and version.all_must_approve
        if not rows:
            continue
        stages.append({"name": name, "lead": lead, "plan": list(rows.values())})
    return stages


def _auto_approvable(application: Application, versions: list[ItemVersion]) -> bool:
    """智能审批: one item with rules, all of them met by the form, and nothing owed or only promised."""
    if len(versions) != 1 or not versions[0].auto_rules.strip() or application.rongque_pending:
        return False
    if application.materials.filter(status__in=[MaterialStatus.DEFERRED, MaterialStatus.MISSING],
                                    required=True, source="applicant").exists():
        return False
    return not auto_rules.unmet(versions[0].auto_rules, application.form_data or {})


@transaction.atomic
def case_open(*, application_id: int) -> Case | None:
    """Open the case of an accepted application (idempotent: a second delivery finds it open already)."""
    application = (Application.objects.select_for_update(of=("self",))
                   .select_related("version__item__department", "bundle__lead_department").get(pk=application_id))
    existing = Case.objects.filter(application=application).first()
    if existing is not None or application.status != Status.ACCEPTED:
        return existing  # opened already, or withdrawn/terminated before the message arrived
    versions = _versions(application)
    promised, statutory = decision_limits(application)
    lead = application.bundle.lead_department if application.bundle is not None else versions[0].item.department
    stages = _stage_plans(application, versions)
    departments = {row["department"] for stage in stages for row in stage["plan"]}
    instant = len(versions) == 1 and versions[0].instant
    automatic = not instant and _auto_approvable(application, versions)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                application=application, lead_department=lead, accepted_on=application.accepted_on,
                promised_limit=promised, statutory_limit=statutory, joint=len(departments) > 1,
                all_must_approve=all(v.all_must_approve for v in versions), one_veto=any(v.one_veto for v in versions),
                mode=DecisionMode.INSTANT if instant else DecisionMode.AUTOMATIC if automatic else DecisionMode.REVIEW,
            )
    except IntegrityError:  # opened by a concurrent delivery
        return Case.objects.get(application=application)
    clock.reschedule(case)
    if instant or automatic:
        case = transition(case, "to_decision", actor=None, action="case.open", audit_after={"mode": case.mode})
        if automatic:
            return case_decide(actor=None, case=case, approve=True,
                               reasons=_("申请表各项均符合智能审批规则，系统自动准予。"))
        return case
    for order, stage in enumerate(stages):
        Stage.objects.create(case=case, order=order, name=stage["name"][:60], lead_department=stage["lead"],
                             plan=stage["plan"])
    _open_stage(case, case.stages.get(order=0))
    application_start_review(application=application,
                             departments=[row["department_name"] for row in stages[0]["plan"]])
    return case


def _open_stage(case: Case, stage: Stage) -> list[ReviewTask]:
    today = timezone.localdate()
    stage.opened_on = today
    stage.save(update_fields=["opened_on"])
    case.current_stage = stage.order
    case.save(update_fields=["current_stage"])
    tasks = [
        ReviewTask.objects.create(
            case=case, stage=stage, department_id=row["department"],
            is_lead=row["department"] == stage.lead_department_id,
            items=row["items"], timeout_consent=row["timeout_consent"], required=row.get("required", True),
            veto=row.get("veto", True),
            signoffs_required=row["signoffs"], review_days=row["review_days"], opened_on=today)
        for row in stage.plan
    ]
    clock.reschedule(case)
    for task in tasks:
        _tell_department(task.department_id, subject=_("新的审查任务：%(title)s") % {"title": case.application.title},
                         link=f"/review/tasks/{task.pk}/")
    return tasks


def _tell_department(department_id: int, *, subject: str, link: str, roles: Iterable[str] = (Role.REVIEWER,
                                                                                                  Role.HEAD)) -> None:
    for user in User.objects.filter(department=department_id, role__in=list(roles), is_active=True):
        notify(recipient=user, subject=subject, link=link)


# --- the join -------------------------------------------------------------------------------------------------
def lock_case(case_id: int) -> Case:
    """Lock the case's application row, then the case row (the module's lock order)."""
    application_id = Case.objects.values_list("application_id", flat=True).get(pk=case_id)
    list(Application.objects.select_for_update(of=("self",)).filter(pk=application_id).values_list("pk"))
    return Case.objects.select_for_update(of=("self",)).select_related("application").get(pk=case_id)


def task_ended(case: Case, task: ReviewTask) -> None:
    """A task of the current stage ended: close the stage if that decides it, then open the next one or hand
    the case to the lead department. The caller holds the case's row lock."""
    _end_waits(case, [task.pk])
    if case.status != CaseStatus.REVIEWING:
        return
    stage = Stage.objects.get(pk=task.stage_id)
    if stage.closed_at is not None:
        return
    tasks = list(stage.tasks.all())
    if task.status == TaskStatus.REJECTED and task.veto:
        _close_stage(case, stage, tasks, Stage.Outcome.VETOED)
        case.vetoed = True
        case.save(update_fields=["vetoed"])
        _to_decision(case)
        return
    if not _stage_decided(tasks):
        return
    objected = any(t.status == TaskStatus.REJECTED for t in tasks)
    _close_stage(case, stage, tasks, Stage.Outcome.OBJECTED if objected else Stage.Outcome.PASSED)
    following = case.stages.filter(order__gt=stage.order).order_by("order").first()
    if following is None:
        _to_decision(case)
    else:
        _open_stage(case, following)
        case.application.events.create(kind="stage", actor_label=following.lead_department.name,
                                       summary=_("进入“%(stage)s”阶段") % {"stage": following.name})


def _stage_decided(tasks: list[ReviewTask]) -> bool:
    """Every department that must consent (会签) has ended; of those merely consulted under 或签, one
    consent is enough (the rest are then cancelled), else all of them must have ended."""
    if any(t.required and t.status not in ENDED_TASK_STATUSES for t in tasks):
        return False
    consulted = [t for t in tasks if not t.required]
    return (not consulted or any(t.status in CONSENTING for t in consulted)
            or all(t.status in ENDED_TASK_STATUSES for t in consulted))


def _close_stage(case: Case, stage: Stage, tasks: list[ReviewTask], outcome: str) -> None:
    cancelled = []
    for other in tasks:
        if other.status in OPEN_TASK_STATUSES:
            transition(other, "cancel", actor=None, action="task.cancel",
                       reason=_("本阶段已有结论（%(outcome)s），无需再审。") % {
                           "outcome": Stage.Outcome(outcome).label})
            cancelled.append(other.pk)
    if cancelled:
        _end_waits(case, cancelled)
    stage.outcome = outcome
    stage.closed_at = timezone.now()
    stage.save(update_fields=["outcome", "closed_at"])


def _end_waits(case: Case, ended_task_ids: list[int]) -> None:
    """Nobody waits any more for what ended tasks were waiting for: their Art. 45 procedures end today, and so
    does the applicant's supplement once no returned task is left; otherwise the case's clock would stay
    stopped for good. The dates are recomputed and the applicant told."""
    today = timezone.localdate()
    ended = (case.pauses.filter(ended_on__isnull=True, task__in=ended_task_ids)
             .exclude(kind=Pause.Kind.SUPPLEMENT).update(ended_on=today))
    supplement = clock.running_pause(case, Pause.Kind.SUPPLEMENT)
    if supplement is not None and not case.tasks.filter(status=TaskStatus.RETURNED).exists():
        supplement.ended_on = today
        supplement.save(update_fields=["ended_on"])
        application_end_review_supplement(application=case.application,
                                          summary=_("要求补正的审查部门已办结，无需再补正"))
        ended += 1
    if ended:
        clock.reschedule(case)
        application_reschedule(application=case.application, promised_due=case.promised_due,
                               statutory_due=case.statutory_due, summary=_("暂停计时结束，办结日期相应调整"))


def _to_decision(case: Case) -> None:
    transition_locked(case, "to_decision", actor=None, action="case.to_decision")
    _tell_department(case.lead_department_id, subject=_("待作出决定：%(title)s") % {"title": case.application.title},
                     link=f"/review/cases/{case.pk}/")


# --- decision and closing -----------------------------------------------------------------------------------
@transaction.atomic
def case_decide(*, actor: Any, case: Case, approve: bool, reasons: str = "", how_to_succeed: str = "") -> Case:
    """准予 or 不予许可 by the lead department (or the system, for 智能审批). A department's rejection under
    一票否决 decides the case: it cannot be approved over it."""
    locked = lock_case(case.pk)
    if actor is not None and not may_decide(actor, locked):
        raise PermissionDenied
    if actor is None and locked.mode != DecisionMode.AUTOMATIC:
        raise PermissionDenied
    if approve and locked.vetoed:
        raise DomainError(_("有部门不同意且本事项实行一票否决，只能作出不予许可决定。"))
    updated = transition(locked, "approve" if approve else "deny", actor=actor,
                         action="case.approve" if approve else "case.deny", by=actor, reasons=reasons.strip())
    application_decide(application=updated.application, approve=approve, department=updated.lead_department,
                       actor=actor, reasons=reasons, how_to_succeed=how_to_succeed)
    _drop_extension_requests(updated, _("已作出许可决定，无需延期。"))
    if approve:
        outbox.enqueue("approvals.case_approved", case_id=updated.pk)
    return updated


def _drop_extension_requests(case: Case, comment: str) -> None:
    """A request still waiting when the case ends has nothing left to extend (and must not be granted)."""
    case.extensions.filter(status=Extension.Status.REQUESTED).update(
        status=Extension.Status.REFUSED, comment=comment, decided_at=timezone.now())


@transaction.atomic
def case_close(*, application: Application) -> Case | None:
    """The application was withdrawn or terminated before its decision: end every open task and pause."""
    case = Case.objects.select_for_update().filter(application=application).first()
    if case is None or not case.is_open:
        return case
    for task in case.tasks.filter(status__in=OPEN_TASK_STATUSES):
        transition(task, "cancel", actor=None, action="task.cancel",
                   reason=_("办件已%(status)s，审查终止。") % {"status": application.get_status_display()})
    case.pauses.filter(ended_on__isnull=True).update(ended_on=timezone.localdate())
    _drop_extension_requests(case, _("办件已%(status)s，无需延期。") % {"status": application.get_status_display()})
    return transition(case, "close", actor=None, action="case.close",
                      audit_after={"application_status": application.status})
