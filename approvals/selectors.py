"""Reads of review that pages, the API and the sweeps share, with who may see and do what.

A reviewer of department X sees X's tasks, and the other tasks of the cases X takes part in (their opinions
inform X's); nothing else. A backup (B岗) also sees the tasks of the colleague (A岗) marked absent.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from applications.models import Document
from approvals.models import (
    OPEN_TASK_STATUSES,
    Backup,
    Case,
    CaseStatus,
    DecisionMode,
    Extension,
    Inspection,
    OpinionAttachment,
    Pause,
    ReviewTask,
    TaskStatus,
)
from portal.clock import get_calendar
from portal.models import Role, User

DEPARTMENT_STAFF = (Role.REVIEWER, Role.HEAD)
SOON_WORKING_DAYS = 3


def is_department_staff(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in DEPARTMENT_STAFF
                and user.department_id)


def absent_colleagues(user: Any) -> list[int]:
    """The A岗 colleagues this user stands in for while they are absent."""
    return list(Backup.objects.filter(backup=user, primary_absent=True).values_list("primary_id", flat=True))


def tasks_visible_to(user: Any) -> QuerySet[ReviewTask]:
    if user and user.is_authenticated and user.is_active and user.role == Role.SUPERVISOR:
        return ReviewTask.objects.all()
    if not is_department_staff(user):
        return ReviewTask.objects.none()
    takes_part = ReviewTask.objects.filter(case=OuterRef("case"), department=user.department_id)
    return ReviewTask.objects.filter(Exists(takes_part))


def cases_visible_to(user: Any) -> QuerySet[Case]:
    if user and user.is_authenticated and user.is_active and user.role == Role.SUPERVISOR:
        return Case.objects.all()
    if not is_department_staff(user):
        return Case.objects.none()
    takes_part = ReviewTask.objects.filter(case=OuterRef("pk"), department=user.department_id)
    return Case.objects.filter(Exists(takes_part) | Q(lead_department=user.department_id))


def task_get_for_user(*, user: Any, pk: int) -> ReviewTask:
    task = (tasks_visible_to(user).select_related("case__application__applicant", "case__lead_department",
                                                  "department", "assignee", "stage").filter(pk=pk).first())
    if task is None:
        raise Http404
    return task


def case_get_for_user(*, user: Any, pk: int) -> Case:
    case = cases_visible_to(user).select_related("application__applicant", "lead_department").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def inbox(*, user: Any, state: str = "", overdue: bool = False, due_soon: bool = False, q: str = "",
          today: date | None = None) -> QuerySet[ReviewTask]:
    """The department's tasks (and an absent colleague's, for a B岗), soonest due first."""
    if not is_department_staff(user):
        return ReviewTask.objects.none()
    today = today or timezone.localdate()
    tasks = ReviewTask.objects.filter(Q(department=user.department_id) | Q(assignee__in=absent_colleagues(user)))
    if state == "open" or not state:
        tasks = tasks.filter(status__in=OPEN_TASK_STATUSES)
    elif state == "mine":
        tasks = tasks.filter(status__in=OPEN_TASK_STATUSES, assignee__in=[user.pk, *absent_colleagues(user)])
    elif state in TaskStatus.values:
        tasks = tasks.filter(status=state)
    elif state != "all":
        tasks = tasks.none()
    if overdue:
        tasks = tasks.filter(due_on__lt=today)
    if due_soon:
        tasks = tasks.filter(due_on__gte=today, due_on__lte=due_soon_limit(today))
    if q.strip():
        text = q.strip()
        tasks = tasks.filter(Q(case__application__title__icontains=text) | Q(case__application__number=text))
    return tasks.select_related("case__application", "department", "assignee", "stage").order_by(
        "due_on", "id")


def due_soon_limit(today: date) -> date:
    return get_calendar().add_working_days(today, SOON_WORKING_DAYS)


def time_left(task: ReviewTask, today: date | None = None) -> str:
    """The inbox's colour: overdue, soon (≤ 3 working days), ok, paused, or ended."""
    if not task.is_open:
        return "ended"
    if task.due_on is None:
        return "paused"
    today = today or timezone.localdate()
    if task.due_on < today:
        return "overdue"
    if task.due_on <= due_soon_limit(today):
        return "soon"
    return "ok"


def may_act(user: Any, task: ReviewTask) -> bool:
    """Give an opinion, return, pause: the assignee, a B岗 for an absent assignee, or the department head."""
    if not is_department_staff(user):
        return False
    standing_in = task.assignee_id is not None and task.assignee_id in absent_colleagues(user)
    if task.department_id != user.department_id and not standing_in:
        return False
    if user.role == Role.HEAD and task.department_id == user.department_id:
        return True
    return task.assignee_id == user.pk or standing_in


def may_countersign(user: Any, task: ReviewTask, signed: set[int]) -> bool:
    """Art. 34: once one person has signed off, any colleague of the department may give the next sign-off
    (the first one still needs the assignee, a B岗 or the head: may_act)."""
    return (task.status == TaskStatus.IN_REVIEW and bool(signed) and len(signed) < task.signoffs_required
            and user.pk not in signed and is_department_staff(user) and user.department_id == task.department_id)


def may_claim(user: Any, task: ReviewTask) -> bool:
    return is_department_staff(user) and task.department_id == user.department_id


def may_decide(user: Any, case: Case) -> bool:
    """The lead department decides; an instant item is decided by the clerk who accepted it."""
    if is_department_staff(user) and user.department_id == case.lead_department_id:
        return True
    return (case.mode == "instant" and user.is_authenticated and user.role == Role.CLERK
            and user.pk == case.application.accepted_by_id)


def awaiting_decision(*, user: Any) -> QuerySet[Case]:
    if not is_department_staff(user):
        return Case.objects.none()
    return (Case.objects.filter(lead_department=user.department_id, status=CaseStatus.DECIDING)
            .select_related("application").order_by("promised_due", "id"))


def department_figures(*, department_id: int, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    open_tasks = ReviewTask.objects.filter(department=department_id, status__in=OPEN_TASK_STATUSES)
    week_ago = timezone.now() - timedelta(days=7)
    return {
        "open": open_tasks.count(),
        "unclaimed": open_tasks.filter(status=TaskStatus.PENDING).count(),
        "overdue": open_tasks.filter(due_on__lt=today).count(),
        "returned": open_tasks.filter(status=TaskStatus.RETURNED).count(),
        "ended_this_week": ReviewTask.objects.filter(department=department_id, ended_at__gte=week_ago)
        .exclude(status=TaskStatus.CANCELLED).count(),
    }


# --- the review pages -----------------------------------------------------------------------------------
def case_get_for_page(*, user: Any, pk: int) -> Case:
    """The case page: what case_get_for_user allows; also the instant case (即办件) the clerk accepted, which
    that clerk decides (may_decide), and a case whose joint inspection (联合踏勘) invited the user's department
    (it records the inspection there); 404 for anyone else."""
    cases = Case.objects.none()
    if user and user.is_authenticated and user.is_active and user.role == Role.CLERK:
        cases = Case.objects.filter(mode=DecisionMode.INSTANT, application__accepted_by=user.pk)
    elif is_department_staff(user):
        invited = Inspection.objects.filter(case=OuterRef("pk"), departments=user.department_id)
        cases = Case.objects.filter(Exists(invited))
    visible = cases_visible_to(user) | cases
    case = visible.select_related("application__applicant", "lead_department").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


def case_of_application_for_page(*, user: Any, application_id: int) -> Case:
    """The case of an application, for the clerk's "decide" link; 404 when none or not visible."""
    case_id = Case.objects.filter(application_id=application_id).values_list("pk", flat=True).first()
    if case_id is None:
        raise Http404
    return case_get_for_page(user=user, pk=case_id)


def extensions_for_head(*, user: Any) -> QuerySet[Extension]:
    """The extension requests of the cases the head's department leads (they decide them), newest first."""
    if not is_department_staff(user) or user.role != Role.HEAD:
        return Extension.objects.none()
    return (Extension.objects.filter(case__lead_department=user.department_id)
            .select_related("case__application", "task__department", "requested_by", "decided_by")
            .order_by("-requested_at", "-id"))


def department_staff(*, department_id: int | None) -> QuerySet[User]:
    """The active reviewers and heads of a department: who may be assigned a task or be a B岗."""
    return User.objects.filter(department=department_id, role__in=DEPARTMENT_STAFF, is_active=True).order_by(
        "role", "username")


def times_left(tasks: list[ReviewTask], today: date | None = None) -> list[str]:
    """time_left for a page of tasks, reading the calendar once for the page (not once a row)."""
    today = today or timezone.localdate()
    soon = due_soon_limit(today)

    def left(task: ReviewTask) -> str:
        if not task.is_open:
            return "ended"
        if task.due_on is None:
            return "paused"
        return "overdue" if task.due_on < today else "soon" if task.due_on <= soon else "ok"

    return [left(task) for task in tasks]


def backups_of(*, department_id: int | None) -> dict[int, Backup]:
    """The A/B posts of a department's staff, by the A岗's id."""
    return {b.primary_id: b for b in Backup.objects.filter(primary__department=department_id)
            .select_related("backup")}


# --- reads of the review API (approvals/api.py) ----------------------------------------------------------
def cases_listed(*, user: Any, status: str = "") -> QuerySet[Case]:
    """The cases a user may see, optionally of one status, with what a list row shows."""
    cases = cases_visible_to(user).select_related("application", "lead_department")
    return cases.filter(status=status) if status else cases


def pause_get_for_user(*, user: Any, pk: int) -> Pause:
    pause = Pause.objects.filter(case__in=cases_visible_to(user), pk=pk).first()
    if pause is None:
        raise Http404
    return pause


def extension_get_for_user(*, user: Any, pk: int) -> Extension:
    extension = Extension.objects.filter(case__in=cases_visible_to(user), pk=pk).first()
    if extension is None:
        raise Http404
    return extension


def inspection_get_for_user(*, user: Any, pk: int) -> Inspection:
    """An inspection of a case the user sees, or one the user's department was invited to."""
    seen = Q(case__in=cases_visible_to(user))
    if is_department_staff(user):
        seen |= Q(departments=user.department_id)
    inspection = Inspection.objects.filter(seen, pk=pk).distinct().first()
    if inspection is None:
        raise Http404
    return inspection


def attachment_get_for_user(*, user: Any, pk: int) -> OpinionAttachment:
    """An opinion's attachment, for those who see its case; else 404."""
    attachment = OpinionAttachment.objects.filter(opinion__task__case__in=cases_visible_to(user), pk=pk).first()
    if attachment is None:
        raise Http404
    return attachment


def case_document_get_for_user(*, user: Any, case_pk: int, document_pk: Any) -> Document:
    """A file of one of the case's application materials, for those who see the case; else 404."""
    case = case_get_for_user(user=user, pk=case_pk)
    try:
        document = Document.objects.filter(pk=document_pk, uses__application=case.application_id).first()
    except (ValueError, TypeError, DjangoValidationError) as exc:
        raise Http404 from exc
    if document is None:
        raise Http404
    return document
