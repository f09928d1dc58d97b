"""The beat sweeps of review across a real holiday: deemed approval (超时默许) and reminders.

2025 National Day and Mid-Autumn: 1–8 October off; Sunday 28 September and Saturday 11 October are make-up
working days. A task opened on Tuesday 30 September with 3 review days runs 9, 10 and 11 October.
"""

from datetime import date, timedelta

import pytest
from django.db.models import Q

from approvals.models import CaseStatus, Stage, TaskStatus
from approvals.services.sweeps import review_sweep, task_deem_approve
from approvals.services.tasks import task_approve, task_claim
from portal.errors import DomainError
from portal.models import Notification
from tests.approvals.conftest import accepted_case, publish

OPENED = date(2025, 9, 30)
DUE = date(2025, 10, 11)
SOON = date(2025, 10, 9)  # REVIEW_REMIND_BEFORE_DAYS = 2 working days before the due date


def days(first, last):
    while first <= last:
        yield first
        first += timedelta(days=1)


def by_department(case):
    return {t.department.code: t for t in case.tasks.select_related("department")}


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture(autouse=True)
def _remind_two_days_before(settings):
    settings.REVIEW_REMIND_BEFORE_DAYS = 2


def test_the_calendar_knows_the_holiday(work_calendar):
    assert work_calendar.is_working_day(date(2025, 10, 11)) and not work_calendar.is_working_day(date(2025, 10, 8))
    assert work_calendar.add_working_days(OPENED, 3) == DUE
    assert work_calendar.working_days_before(DUE, 2) == SOON


# --- deemed approval ----------------------------------------------------------------------------------------
@pytest.fixture
def consenting_case(people, dept_x, dept_y, person_a, today, work_calendar):
    """X implements the item; Y reviews jointly for 3 working days, and its silence is consent."""
    today.set(OPENED)
    version = publish(people, dept_x, code="REV-D-001", joint=[(dept_y, 3)], timeout_consent=True)
    return accepted_case(people, person_a, version)


def test_deemed_approval_fires_the_day_after_the_due_date_and_moves_the_stage(people, consenting_case):
    case = consenting_case
    tasks = by_department(case)
    assert (tasks["X"].timeout_consent, tasks["Y"].timeout_consent) == (False, True)
    assert tasks["Y"].due_on == DUE and tasks["Y"].opened_on == OPENED
    task_approve(actor=people["reviewer_x"], task=task_claim(actor=people["reviewer_x"], task=tasks["X"]),
                 text="同意")
    for day in days(OPENED, DUE):  # up to and including the due date: the period is still running
        assert review_sweep(today=day)["deemed_approved"] == 0, day
    assert fresh(tasks["Y"]).status == TaskStatus.PENDING
    assert review_sweep(today=DUE + timedelta(days=1))["deemed_approved"] == 1
    deemed = fresh(tasks["Y"])
    assert deemed.status == TaskStatus.DEEMED_APPROVED and deemed.ended_at is not None and deemed.remind_on is None
    case = fresh(case)
    assert case.status == CaseStatus.DECIDING and case.stages.get().outcome == Stage.Outcome.PASSED
    event = case.application.events.get(kind="review", summary__contains="超时默许")
    assert event.actor_label == "部门Y"
    assert review_sweep(today=DUE + timedelta(days=1)) == {"deemed_approved": 0, "reminded": 0, "licences": 0}
    assert review_sweep(today=DUE + timedelta(days=2))["deemed_approved"] == 0


def test_a_task_in_review_is_deemed_approved_too_but_never_one_without_consent(people, consenting_case):
    case = consenting_case
    tasks = by_department(case)
    task_claim(actor=people["reviewer_y"], task=tasks["Y"])
    later = date(2025, 11, 28)  # X's own period is long over too
    assert fresh(tasks["X"]).due_on < later
    assert review_sweep(today=later)["deemed_approved"] == 1
    assert fresh(tasks["Y"]).status == TaskStatus.DEEMED_APPROVED
    assert fresh(tasks["X"]).status == TaskStatus.PENDING  # the implementing department must give its opinion
    assert fresh(case).status == CaseStatus.REVIEWING


def test_deemed_approval_rechecks_the_due_date_on_the_locked_row(consenting_case):
    task = by_department(consenting_case)["Y"]
    with pytest.raises(DomainError):
        task_deem_approve(task_id=task.pk, today=DUE)
    assert fresh(task).status == TaskStatus.PENDING


def test_a_paused_task_is_not_deemed_approved(people, consenting_case, today):
    from approvals.services.procedures import pause_start

    tasks = by_department(consenting_case)
    task_x = task_claim(actor=people["reviewer_x"], task=tasks["X"])
    today.set(SOON)
    pause_start(actor=people["reviewer_x"], task=task_x, kind="expert_review", reason="专家评审", expected_days=10)
    assert review_sweep(today=date(2025, 11, 28)) == {"deemed_approved": 0, "reminded": 0, "licences": 0}
    assert fresh(tasks["Y"]).status == TaskStatus.PENDING


# --- reminders ----------------------------------------------------------------------------------------------
@pytest.fixture
def reviewing(people, joint_version, person_a, today):
    today.set(OPENED)
    return accepted_case(people, person_a, joint_version)


def reminders(task):
    return Notification.objects.filter(Q(subject__contains="即将到期") | Q(subject__contains="已超期"),
                                       link=f"/review/tasks/{task.pk}/")


def test_soon_then_overdue_then_nothing(people, reviewing, head_y):
    task = task_claim(actor=people["reviewer_y"], task=by_department(reviewing)["Y"])
    assert (task.due_on, task.remind_on, task.reminders_sent) == (DUE, SOON, 0)
    sent_on = {}
    for day in days(OPENED, date(2025, 10, 31)):
        before = reminders(task).count()
        for _twice in range(2):  # the sweep runs twice a day: nothing is sent twice
            review_sweep(today=day)
        if reminders(task).count() > before:
            sent_on[day] = sorted(reminders(task).order_by("id").values_list("subject", flat=True)[before:])
    assert list(sent_on) == [SOON, DUE + timedelta(days=1)]
    assert [len(subjects) for subjects in sent_on.values()] == [2, 2]
    soon = reminders(task).filter(subject__contains="即将到期")
    assert sorted(soon.values_list("recipient__username", flat=True)) == ["head_y", "reviewer_y"]
    overdue = reminders(task).filter(subject__contains="已超期")
    assert sorted(overdue.values_list("recipient__username", flat=True)) == ["head_y", "reviewer_y"]
    done = fresh(task)
    assert done.reminders_sent == 2 and done.remind_on is None


def test_reminders_arrive_on_the_right_days(people, reviewing, head_y):
    task = task_claim(actor=people["reviewer_y"], task=by_department(reviewing)["Y"])
    for day in days(OPENED, SOON - timedelta(days=1)):
        review_sweep(today=day)
    assert not reminders(task).exists()
    assert review_sweep(today=SOON)["reminded"] >= 1
    assert reminders(task).filter(subject__contains="即将到期").count() == 2
    assert fresh(task).remind_on == DUE + timedelta(days=1)
    for day in days(SOON, DUE):
        review_sweep(today=day)
    assert not reminders(task).filter(subject__contains="已超期").exists()
    review_sweep(today=DUE + timedelta(days=1))
    assert reminders(task).filter(subject__contains="已超期").count() == 2
    review_sweep(today=DUE + timedelta(days=1))
    review_sweep(today=DUE + timedelta(days=30))
    assert reminders(task).count() == 4


def test_an_unclaimed_task_reminds_the_whole_department(people, reviewing, head_y):
    task = by_department(reviewing)["Y"]
    review_sweep(today=SOON)
    assert sorted(reminders(task).values_list("recipient__username", flat=True)) == ["head_y", "reviewer_y"]
    assert not Notification.objects.filter(recipient=people["reviewer_x"], link=f"/review/tasks/{task.pk}/",
                                           subject__contains="即将到期").exists()


def test_an_ended_task_is_not_reminded(people, reviewing):
    task = task_claim(actor=people["reviewer_y"], task=by_department(reviewing)["Y"])
    task_approve(actor=people["reviewer_y"], task=task, text="同意")
    assert fresh(task).remind_on is None
    review_sweep(today=SOON)
    review_sweep(today=DUE + timedelta(days=1))
    assert not reminders(task).exists()
