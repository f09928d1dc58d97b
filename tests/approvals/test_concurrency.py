"""Review under real parallel transactions on PostgreSQL (SQLite serialises writers and cannot show these).

Each race starts its actions in threads behind a barrier, each thread with its own database connection.
"""

import threading
from datetime import date
from functools import partial

import pytest
from django.db import close_old_connections, connection

from applications.models import Status
from applications.services import filing, intake
from applications.services.review import application_supply
from approvals import clock
from approvals.models import Case, CaseStatus, ReviewTask, Stage, TaskStatus
from approvals.services.sweeps import review_sweep
from approvals.services.tasks import task_approve, task_claim, task_reject, task_return
from items.services import bundle_save
from portal.errors import CONFLICTS
from portal.models import AuditEvent, Notification
from tests.applications.helpers import submitted
from tests.approvals.conftest import accepted_case, publish
from tests.factories import DepartmentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROUNDS = 3


def race(*actions):
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait()
            outcomes[i] = action()
        except Exception as exc:  # the outcome under test: a result or the error it raised
            outcomes[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def errors(outcomes):
    return [o for o in outcomes if isinstance(o, Exception)]


def by_department(case):
    return {t.department.code: t for t in case.tasks.select_related("department")}


def claimed(case, people):
    tasks = by_department(case)
    return (task_claim(actor=people["reviewer_x"], task=tasks["X"]),
            task_claim(actor=people["reviewer_y"], task=tasks["Y"]))


def test_the_last_two_departments_approving_at_once_close_the_stage_once(people, joint_version, person_a,
                                                                         work_calendar):
    for _round in range(ROUNDS):
        case = accepted_case(people, person_a, joint_version)
        task_x, task_y = claimed(case, people)
        outcomes = race(partial(task_approve, actor=people["reviewer_x"], task=task_x, text="同意"),
                        partial(task_approve, actor=people["reviewer_y"], task=task_y, text="同意"))
        assert errors(outcomes) == [], outcomes
        case = Case.objects.get(pk=case.pk)
        assert case.status == CaseStatus.DECIDING
        assert AuditEvent.objects.filter(action="case.to_decision", object_id=str(case.pk)).count() == 1
        stage = case.stages.get()
        assert stage.outcome == Stage.Outcome.PASSED and stage.closed_at is not None
        assert set(case.tasks.values_list("status", flat=True)) == {TaskStatus.APPROVED}
        assert Notification.objects.filter(recipient=people["head_x"], link=f"/review/cases/{case.pk}/").count() == 1


def test_the_next_stage_opens_once(people, dept_x, dept_y, person_a, work_calendar):
    dept_z = DepartmentFactory(code="Z", name="部门Z")
    item_x = publish(people, dept_x, code="REV-C-001", name="立项（测试）").item
    item_y = publish(people, dept_y, code="REV-C-002", name="用地（测试）").item
    item_z = publish(people, dept_z, code="REV-C-003", name="施工许可（测试）").item
    bundle = bundle_save(actor=people["catalogue_admin"], bundle=None,
                         fields={"name": "建设项目（测试）", "kind": "one_project", "lead_department": dept_x,
                                 "is_published": True},
                         stages=[{"name": "立项用地", "lead_department": dept_x, "items": [item_x, item_y]},
                                 {"name": "工程建设", "lead_department": dept_z, "items": [item_z]}])
    for _round in range(ROUNDS):
        application = submitted(people["applicant_a"], person_a, None, bundle=bundle)
        intake.application_accept(actor=people["clerk"], application=application)
        case = Case.objects.get(application=application)  # opened on commit, through the outbox
        task_x, task_y = claimed(case, people)
        outcomes = race(partial(task_approve, actor=people["reviewer_x"], task=task_x, text="同意"),
                        partial(task_approve, actor=people["reviewer_y"], task=task_y, text="同意"))
        assert errors(outcomes) == [], outcomes
        case = Case.objects.get(pk=case.pk)
        assert case.status == CaseStatus.REVIEWING and case.current_stage == 1
        first, second = case.stages.order_by("order")
        assert first.outcome == Stage.Outcome.PASSED and second.opened_on is not None
        assert list(second.tasks.values_list("department__code", flat=True)) == ["Z"]
        assert case.tasks.count() == 3
        assert case.application.events.filter(kind="stage").count() == 1


def test_two_reviewers_claiming_one_task_one_wins(people, joint_version, person_a, reviewer_x2, work_calendar):
    for _round in range(ROUNDS):
        case = accepted_case(people, person_a, joint_version)
        task = by_department(case)["X"]
        outcomes = race(partial(task_claim, actor=people["reviewer_x"], task=task),
                        partial(task_claim, actor=reviewer_x2, task=task))
        won = [o for o in outcomes if isinstance(o, ReviewTask)]
        assert len(won) == 1 and len(errors(outcomes)) == 1, outcomes
        assert isinstance(errors(outcomes)[0], CONFLICTS), outcomes
        assert ReviewTask.objects.get(pk=task.pk).assignee == won[0].assignee
        assert AuditEvent.objects.filter(action="task.claim", object_id=str(task.pk)).count() == 1


def test_approve_and_reject_one_task_at_once_one_wins(people, joint_version, person_a, work_calendar):
    for _round in range(ROUNDS):
        case = accepted_case(people, person_a, joint_version)
        task_x, _task_y = claimed(case, people)
        outcomes = race(partial(task_approve, actor=people["reviewer_x"], task=task_x, text="同意"),
                        partial(task_reject, actor=people["head_x"], task=task_x, text="不同意"))
        assert len(errors(outcomes)) == 1 and isinstance(errors(outcomes)[0], CONFLICTS), outcomes
        task = ReviewTask.objects.get(pk=task_x.pk)
        assert task.status in (TaskStatus.APPROVED, TaskStatus.REJECTED)
        assert task.opinions.count() == 1


def test_withdrawal_while_the_last_department_approves_does_not_deadlock(people, joint_version, person_a,
                                                                        work_calendar):
    for _round in range(ROUNDS):
        case = accepted_case(people, person_a, joint_version)
        task_x, task_y = claimed(case, people)
        task_approve(actor=people["reviewer_x"], task=task_x, text="同意")
        outcomes = race(partial(task_approve, actor=people["reviewer_y"], task=task_y, text="同意"),
                        partial(filing.application_withdraw, actor=people["applicant_a"], application=case.application,
                                                            reason="不办了"))
        assert all(isinstance(e, CONFLICTS) for e in errors(outcomes)), outcomes  # never a deadlock
        assert isinstance(outcomes[1], type(case.application)), outcomes  # the withdrawal always succeeds
        case = Case.objects.get(pk=case.pk)
        assert case.status == CaseStatus.CLOSED and case.application.status == Status.WITHDRAWN
        assert not case.tasks.filter(status__in=["pending", "in_review", "returned"]).exists()


def test_supply_while_another_department_returns_does_not_deadlock(people, joint_version, person_a, work_calendar):
    for _round in range(ROUNDS):
        case = accepted_case(people, person_a, joint_version)
        task_x, task_y = claimed(case, people)
        task_return(actor=people["reviewer_x"], task=task_x, problems=[{"subject": "经营范围", "problem": "请说明"}])
        outcomes = race(
            partial(task_return, actor=people["reviewer_y"], task=task_y,
                                problems=[{"subject": "平面图", "problem": "请说明"}]),
            partial(application_supply, actor=people["applicant_a"], application=case.application, note="已说明"))
        assert all(isinstance(e, CONFLICTS) for e in errors(outcomes)), outcomes
        assert errors(outcomes) == [], outcomes
        case = Case.objects.get(pk=case.pk)
        assert case.pauses.filter(ended_on__isnull=True).count() <= 1


def test_two_sweeps_at_once_act_once(people, dept_x, dept_y, person_a, today, work_calendar):
    """Y (3 days, silence is consent) is past its due date; X (10 days) is due for its first reminder."""
    today.set(date(2025, 9, 30))
    version = publish(people, dept_x, code="REV-C-004", joint=[(dept_y, 3)], timeout_consent=True)
    for _round in range(ROUNDS):
        case = accepted_case(people, person_a, version)
        tasks = by_department(case)
        day = clock.remind_on(tasks["X"].due_on, tasks["X"].opened_on)
        assert tasks["Y"].due_on < day
        outcomes = race(partial(review_sweep, today=day), partial(review_sweep, today=day))
        assert errors(outcomes) == [], outcomes
        assert sum(o["deemed_approved"] for o in outcomes) == 1 and sum(o["reminded"] for o in outcomes) == 1
        assert ReviewTask.objects.get(pk=tasks["Y"].pk).status == TaskStatus.DEEMED_APPROVED
        assert ReviewTask.objects.get(pk=tasks["X"].pk).reminders_sent == 1
        assert Notification.objects.filter(link=f"/review/tasks/{tasks['X'].pk}/",
                                           subject__contains="即将到期").count() == 2  # reviewer_x and head_x
