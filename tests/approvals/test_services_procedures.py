"""Procedures that move the clock: Art. 45 pauses, the Art. 42 extension, joint site inspections."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from applications.models import Notice
from applications.services.review import application_supply
from approvals.models import Extension, Pause, TaskStatus
from approvals.services.procedures import (
    extension_decide,
    extension_request,
    inspection_record,
    inspection_schedule,
    pause_end,
    pause_start,
)
from approvals.services.tasks import task_claim, task_return
from portal.errors import Conflict, DomainError
from tests.approvals.conftest import accepted_case, publish

MON, WED, NEXT_WED = date(2025, 3, 3), date(2025, 3, 5), date(2025, 3, 12)


def by_department(case):
    return {t.department.code: t for t in case.tasks.select_related("department")}


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def case(people, joint_version, person_a, today):
    today.set(MON)
    return accepted_case(people, person_a, joint_version)


@pytest.fixture
def task_x(people, case):
    return task_claim(actor=people["reviewer_x"], task=by_department(case)["X"])


# --- Art. 45 pauses ------------------------------------------------------------------------------------------
def test_pause_issues_a_notice_and_leaves_the_dates_open_until_it_ends(people, case, task_x, today,
                                                                      work_calendar):
    before = {t.pk: t.due_on for t in case.tasks.all()}
    promised, statutory = case.promised_due, case.statutory_due
    today.set(WED)
    pause = pause_start(actor=people["reviewer_x"], task=task_x, kind=Pause.Kind.TESTING,
                        reason="对经营场所的水质进行检测", expected_days=5)
    assert (pause.kind, pause.started_on, pause.ended_on, pause.started_by) == (
        Pause.Kind.TESTING, WED, None, people["reviewer_x"])
    notice = case.application.notices.get(kind=Notice.Kind.SUSPENSION)
    assert notice.content["expected_days"] == 5 and notice.content["reasons"] == "对经营场所的水质进行检测"
    assert notice.department.code == "X"
    assert case.application.events.filter(kind=Notice.Kind.SUSPENSION).exists()
    paused = fresh(case)
    assert paused.promised_due is None and paused.statutory_due is None
    assert {t.due_on for t in paused.tasks.all()} == {None}

    today.set(NEXT_WED)  # (5 March, 12 March]: 6, 7, 10, 11, 12 March
    ended = pause_end(actor=people["reviewer_x"], pause=pause)
    assert (ended.ended_on, ended.ended_by) == (NEXT_WED, people["reviewer_x"])
    days = work_calendar.working_days_between(WED, NEXT_WED)
    assert days == 5
    resumed = fresh(case)
    assert resumed.promised_due == work_calendar.add_working_days(promised, days)
    assert resumed.statutory_due == work_calendar.add_working_days(statutory, days)
    for task in resumed.tasks.all():
        assert task.due_on == work_calendar.add_working_days(before[task.pk], days)
    application = fresh(case.application)
    assert (application.promised_due, application.statutory_due) == (resumed.promised_due, resumed.statutory_due)
    assert application.events.filter(kind="rescheduled").exists()


def test_pause_input_is_checked_field_by_field(people, case, task_x):
    with pytest.raises(ValidationError) as error:
        pause_start(actor=people["reviewer_x"], task=task_x, kind=Pause.Kind.SUPPLEMENT, reason=" ",
                    expected_days=0)
    assert set(error.value.message_dict) == {"kind", "reason", "expected_days"}
    for days in (None, -1, 251):
        with pytest.raises(ValidationError) as error:
            pause_start(actor=people["reviewer_x"], task=task_x, kind=Pause.Kind.HEARING, reason="听证",
                        expected_days=days)
        assert set(error.value.message_dict) == {"expected_days"}
    with pytest.raises(ValidationError) as error:
        pause_start(actor=people["reviewer_x"], task=task_x, kind="holiday", reason="x", expected_days=3)
    assert set(error.value.message_dict) == {"kind"}
    assert not case.pauses.exists() and not case.application.notices.filter(kind=Notice.Kind.SUSPENSION).exists()


def test_pause_rules(people, case, task_x, head_y):
    with pytest.raises(PermissionDenied):
        pause_start(actor=people["reviewer_y"], task=task_x, kind=Pause.Kind.HEARING, reason="听证", expected_days=5)
    with pytest.raises(Conflict):  # Y's task is not claimed yet: nothing is under review to pause
        pause_start(actor=head_y, task=by_department(case)["Y"], kind=Pause.Kind.HEARING, reason="听证",
                    expected_days=5)
    pause = pause_start(actor=people["reviewer_x"], task=task_x, kind=Pause.Kind.HEARING, reason="听证",
                        expected_days=5)
    with pytest.raises(Conflict):  # one procedure at a time on a task
        pause_start(actor=people["reviewer_x"], task=task_x, kind=Pause.Kind.EXPERT_REVIEW, reason="专家评审",
                    expected_days=5)
    with pytest.raises(PermissionDenied):
        pause_end(actor=people["reviewer_y"], pause=pause)
    pause_end(actor=people["reviewer_x"], pause=pause)
    with pytest.raises(Conflict):
        pause_end(actor=people["reviewer_x"], pause=pause)


def test_a_procedure_and_a_supplement_started_the_same_day(people, case, task_x, today, work_calendar):
    promised = case.promised_due
    task_y = task_claim(actor=people["reviewer_y"], task=by_department(case)["Y"])
    today.set(WED)
    task_return(actor=people["reviewer_y"], task=task_y, problems=[{"subject": "平面图", "problem": "请补充"}])
    pause = pause_start(actor=people["reviewer_x"], task=task_x, kind=Pause.Kind.HEARING, reason="听证",
                        expected_days=5)
    assert fresh(case).promised_due is None
    today.set(NEXT_WED)
    pause_end(actor=people["reviewer_x"], pause=pause)
    assert fresh(case).promised_due is None  # the supplement is still awaited
    application_supply(actor=people["applicant_a"], application=case.application, note="已补充平面图")
    assert fresh(case).promised_due == work_calendar.add_working_days(promised, 5)


def test_a_task_that_ends_ends_its_own_procedure(people, case, task_x, today, work_calendar):
    from approvals.services.tasks import task_approve

    today.set(WED)
    pause_start(actor=people["reviewer_x"], task=task_x, kind=Pause.Kind.TESTING, reason="检测", expected_days=5)
    today.set(NEXT_WED)
    task_approve(actor=people["reviewer_x"], task=task_x, text="检测合格，同意")
    pause = case.pauses.get()
    assert pause.ended_on == NEXT_WED
    task_y = fresh(by_department(case)["Y"])
    assert task_y.due_on == work_calendar.add_working_days(work_calendar.add_working_days(MON, 3), 5)
    assert fresh(case).promised_due is not None


def test_the_supplement_pause_is_not_ended_by_hand(people, case, task_x):
    task_return(actor=people["reviewer_x"], task=task_x, problems=[{"subject": "平面图", "problem": "请补充"}])
    with pytest.raises(PermissionDenied):
        pause_end(actor=people["reviewer_x"], pause=case.pauses.get())


# --- the extension (Art. 42) -----------------------------------------------------------------------------------
def test_extension_granted_by_the_lead_head_moves_the_dates_15_days_when_joint(people, case, task_x,
                                                                                 work_calendar):
    before = {t.pk: t.due_on for t in case.tasks.all()}
    promised = case.promised_due
    extension = extension_request(actor=people["reviewer_x"], task=task_x, reasons="需要现场核查，情况复杂")
    assert extension.days == 15 and extension.status == Extension.Status.REQUESTED
    assert people["head_x"].notifications.filter(subject__contains="延期申请").exists()
    with pytest.raises(PermissionDenied):
        extension_decide(actor=people["reviewer_x"], extension=extension, grant=True)
    granted = extension_decide(actor=people["head_x"], extension=extension, grant=True)
    assert granted.status == Extension.Status.GRANTED and granted.decided_by == people["head_x"]
    extended = fresh(case)
    assert extended.extension_days == 15
    assert extended.promised_due == work_calendar.add_working_days(promised, 15)
    for task in extended.tasks.all():
        assert task.due_on == work_calendar.add_working_days(before[task.pk], 15)
    notice = case.application.notices.get(kind=Notice.Kind.EXTENSION)
    assert notice.content["days"] == 15 and notice.content["reasons"] == "需要现场核查，情况复杂"
    assert notice.content["promised_due"] == extended.promised_due.isoformat()
    assert fresh(case.application).promised_due == extended.promised_due
    assert people["reviewer_x"].notifications.filter(subject__contains="延期已批准").exists()
    with pytest.raises(DomainError):  # at most once
        extension_request(actor=people["reviewer_x"], task=task_x, reasons="还要再延")


def test_a_single_department_case_extends_10_days(people, dept_x, person_a, work_calendar):
    case = accepted_case(people, person_a, publish(people, dept_x, code="REV-E-001"))
    task = task_claim(actor=people["reviewer_x"], task=case.tasks.get())
    extension = extension_request(actor=people["reviewer_x"], task=task, reasons="需要专家论证")
    assert extension.days == 10
    extension_decide(actor=people["head_x"], extension=extension, grant=True)
    assert fresh(case).extension_days == 10


def test_two_open_requests_conflict(people, case, task_x):
    task_y = task_claim(actor=people["reviewer_y"], task=by_department(case)["Y"])
    extension_request(actor=people["reviewer_x"], task=task_x, reasons="理由一")
    with pytest.raises(Conflict):
        extension_request(actor=people["reviewer_y"], task=task_y, reasons="理由二")
    assert case.extensions.count() == 1


def test_refusal_needs_a_comment_and_allows_asking_again(people, case, task_x, head_y):
    extension = extension_request(actor=people["reviewer_x"], task=task_x, reasons="情况复杂")
    with pytest.raises(PermissionDenied):  # the head of another department
        extension_decide(actor=head_y, extension=extension, grant=True)
    with pytest.raises(ValidationError) as error:
        extension_decide(actor=people["head_x"], extension=extension, grant=False, comment=" ")
    assert "comment" in error.value.message_dict
    assert fresh(extension).status == Extension.Status.REQUESTED
    refused = extension_decide(actor=people["head_x"], extension=extension, grant=False, comment="尚在期限内可完成")
    assert refused.status == Extension.Status.REFUSED and refused.comment == "尚在期限内可完成"
    assert fresh(case).extension_days == 0
    assert not case.application.notices.filter(kind=Notice.Kind.EXTENSION).exists()
    with pytest.raises(Conflict):  # decided already
        extension_decide(actor=people["head_x"], extension=extension, grant=True)
    again = extension_request(actor=people["reviewer_x"], task=task_x, reasons="新情况")
    assert again.status == Extension.Status.REQUESTED


def test_a_request_left_when_the_case_ends_is_dropped(people, case, task_x):
    from applications.services import filing

    extension = extension_request(actor=people["reviewer_x"], task=task_x, reasons="情况复杂")
    filing.application_withdraw(actor=people["applicant_a"], application=case.application, reason="不办了")
    dropped = fresh(extension)
    assert dropped.status == Extension.Status.REFUSED and dropped.decided_at is not None and dropped.comment
    with pytest.raises(Conflict):
        extension_decide(actor=people["head_x"], extension=extension, grant=True)
    assert fresh(case).extension_days == 0
    assert not case.application.notices.filter(kind=Notice.Kind.EXTENSION).exists()


def test_extension_request_needs_reasons(people, task_x):
    with pytest.raises(ValidationError) as error:
        extension_request(actor=people["reviewer_x"], task=task_x, reasons="")
    assert "reasons" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        extension_request(actor=people["reviewer_y"], task=task_x, reasons="理由")


# --- joint site inspection (联合踏勘) ---------------------------------------------------------------------------
def test_joint_inspection_is_scheduled_and_recorded(people, case, task_x, dept_y, today):
    with pytest.raises(ValidationError) as error:
        inspection_schedule(actor=people["reviewer_x"], task=task_x, scheduled_on=MON - timedelta(days=1),
                            place=" ", departments=[dept_y])
    assert set(error.value.message_dict) == {"scheduled_on", "place"}
    inspection = inspection_schedule(actor=people["reviewer_x"], task=task_x, scheduled_on=WED,
                                     place="湖州市吴兴区人民路1号", departments=[dept_y], participants="张三、李四")
    assert {d.code for d in inspection.departments.all()} == {"X", "Y"}
    assert people["reviewer_y"].notifications.filter(subject__contains="联合踏勘").exists()
    with pytest.raises(PermissionDenied):
        inspection_record(actor=people["clerk"], inspection=inspection, record="x")
    with pytest.raises(ValidationError):
        inspection_record(actor=people["reviewer_y"], inspection=inspection, record=" ")
    recorded = inspection_record(actor=people["reviewer_y"], inspection=inspection, record="场所符合要求")
    assert recorded.record == "场所符合要求" and recorded.recorded_by == people["reviewer_y"]
    assert case.application.events.filter(kind="inspection_recorded").exists()
    assert fresh(task_x).status == TaskStatus.IN_REVIEW
