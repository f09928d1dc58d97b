"""Beat sweeps of review: deemed approval (超时默许), reminders, and the licences of approvals whose approval
task failed for good (licences). Each selects only what is due through a
partial index, acts through the same locks as people, re-checks on the locked row, and so is safe to run
twice or at the same time."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from approvals.licensing import issue_licences
from approvals.models import Case, CaseStatus, ReviewTask
from approvals.services.cases import lock_case, task_ended
from portal.errors import DomainError
from portal.fsm import transition
from portal.models import Role, User
from portal.services.notifications import notify

logger = logging.getLogger(__name__)
BATCH = 500
# The approval task (approvals.case_approved) issues the licences at once; the sweep steps in only after this.
LICENCE_GRACE = timedelta(minutes=10)


def tasks_deemed_due(today: date) -> list[int]:
    """Through the partial index `task_deemed_due`: open tasks whose rules say silence is consent."""
    due = ReviewTask.objects.filter(timeout_consent=True, ended_at__isnull=True, due_on__lt=today)
    return list(due.order_by("due_on").values_list("pk", flat=True)[:BATCH])


def tasks_reminder_due(today: date) -> list[int]:
    """Through the partial index `task_remind_due`."""
    return list(ReviewTask.objects.filter(remind_on__isnull=False, remind_on__lte=today)
                .order_by("remind_on").values_list("pk", flat=True)[:BATCH])


@transaction.atomic
def task_deem_approve(*, task_id: int, today: date) -> ReviewTask | None:
    """超时默许: the period ended (its last day is over) with no opinion → consent, and the stage moves on."""
    case_id = ReviewTask.objects.filter(pk=task_id).values_list("case_id", flat=True).first()
    if case_id is None:
        return None
    case: Case = lock_case(case_id)

    def still_due(task: ReviewTask) -> None:
        if not task.timeout_consent or task.due_on is None or task.due_on >= today:
            raise DomainError("not due any more")

    task = ReviewTask.objects.get(pk=task_id)
    updated = transition(task, "deem_approve", actor=None, action="task.deem_approve", check=still_due)
    case.application.events.create(kind="review", actor_label=updated.department.name,
                                    summary=_("审查期限届满未出具意见，视为同意（超时默许）"))
    task_ended(case, updated)
    return updated


@transaction.atomic
def task_remind(*, task_id: int, today: date) -> bool:
    """Tell the assignee (or the whole department while unclaimed) and the head: due soon, or overdue."""
    task = (ReviewTask.objects.select_for_update(of=("self",)).select_related("case__application", "assignee")
            .filter(pk=task_id, remind_on__lte=today).first())
    if task is None or not task.is_open or task.due_on is None:
        return False
    overdue = today > task.due_on
    title = task.case.application.title
    subject = (_("审查任务已超期：%(title)s（期限 %(due)s）") if overdue else
               _("审查任务即将到期：%(title)s（期限 %(due)s）")) % {"title": title, "due": task.due_on}
    people = User.objects.filter(department=task.department_id, is_active=True)
    people = people.filter(role=Role.HEAD) | (people.filter(pk=task.assignee_id) if task.assignee_id
                                              else people.filter(role=Role.REVIEWER))
    for user in people.distinct():
        notify(recipient=user, subject=subject, link=f"/review/tasks/{task.pk}/", sms=overdue)
    # After the "soon" reminder the next one is the day after the due date; after "overdue", none.
    task.remind_on = None if overdue else task.due_on + timedelta(days=1)
    task.reminders_sent += 1
    task.save(update_fields=["remind_on", "reminders_sent"])
    return True


def _each(ids: list[int], act, today: date) -> int:  # type: ignore[no-untyped-def]
    done = 0
    for pk in ids:
        try:
            done += bool(act(task_id=pk, today=today))
        except (TransitionNotAllowed, ConcurrentTransition, DomainError):
            logger.info("review sweep: task %s changed meanwhile, skipped", pk)
    return done


def cases_licences_due(now: datetime) -> list[int]:
    """Through the partial index `case_licences_due`: approved cases without their licences, decided more than
    LICENCE_GRACE ago. Oldest first; a case whose holder data is wrong stays here until it is put right."""
    due = Case.objects.filter(status=CaseStatus.APPROVED, licences_issued_at__isnull=True,
                              decided_at__lt=now - LICENCE_GRACE)
    return list(due.order_by("decided_at").values_list("pk", flat=True)[:BATCH])


@transaction.atomic
def case_issue_licences(*, case_id: int) -> bool:
    """Issue an approved case's licences under its row lock, re-checked: True when the case is now done with.
    Idempotent (licences by source), so the approval task running at the same time issues nothing twice."""
    case = lock_case(case_id)
    if case.status != CaseStatus.APPROVED or case.licences_issued_at is not None:
        return False
    issue_licences(case)
    return case.licences_issued_at is not None


def _licences(now: datetime) -> int:
    done = 0
    for pk in cases_licences_due(now):
        try:
            done += case_issue_licences(case_id=pk)
        except Exception:  # one case's failure (rolled back) must not stop the others: retried next run
            logger.exception("review sweep: licences of case %s not issued", pk)
    return done


def review_sweep(*, today: date) -> dict[str, int]:
    return {
        "deemed_approved": _each(tasks_deemed_due(today), task_deem_approve, today),
        "reminded": _each(tasks_reminder_due(today), task_remind, today),
        "licences": _licences(timezone.now()),
    }
