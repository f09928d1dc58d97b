"""A department's work on its task: claim, release, opinions, two sign-offs, return for supplement and the
applicant's answer, A/B backup posts and reassignment."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import TransitionNotAllowed

from applications.models import Notice, Status
from applications.services import filing
from applications.services.review import application_supply
from approvals import clock
from approvals.models import CaseStatus, Opinion, Pause, TaskStatus
from approvals.selectors import inbox
from approvals.services.sweeps import review_sweep
from approvals.services.tasks import task_approve, task_claim, task_reassign, task_reject, task_release, task_return
from approvals.services.team import backup_mark_absent, backup_set
from portal.errors import Conflict
from portal.models import AuditEvent
from tests.applications.conftest import pdf_file
from tests.applications.helpers import material
from tests.approvals.conftest import accepted_case, publish


def by_department(case):
    return {t.department.code: t for t in case.tasks.select_related("department")}


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def case(people, joint_version, person_a):
    return accepted_case(people, person_a, joint_version)


# --- claim and release -------------------------------------------------------------------------------------
def test_claim_and_release(people, case, reviewer_x2):
    task = by_department(case)["X"]
    with pytest.raises(PermissionDenied):  # another department's task
        task_claim(actor=people["reviewer_y"], task=task)
    claimed = task_claim(actor=people["reviewer_x"], task=task)
    assert claimed.status == TaskStatus.IN_REVIEW and claimed.assignee == people["reviewer_x"]
    assert claimed.claimed_at is not None
    with pytest.raises(TransitionNotAllowed):  # claimed already
        task_claim(actor=reviewer_x2, task=task)
    with pytest.raises(PermissionDenied):  # only the assignee (or the head) releases
        task_release(actor=reviewer_x2, task=claimed)
    released = task_release(actor=people["reviewer_x"], task=claimed)
    assert released.status == TaskStatus.PENDING and released.assignee is None and released.claimed_at is None
    assert task_claim(actor=reviewer_x2, task=released).assignee == reviewer_x2


def test_opinions_need_text_and_a_task_in_review(people, case):
    task = by_department(case)["X"]
    with pytest.raises(Conflict):  # not claimed yet: the head may act, but there is nothing to approve
        task_approve(actor=people["head_x"], task=task, text="同意")
    task = task_claim(actor=people["reviewer_x"], task=task)
    with pytest.raises(ValidationError) as error:
        task_approve(actor=people["reviewer_x"], task=task, text="  ")
    assert "text" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        task_reject(actor=people["reviewer_x"], task=task, text="")
    assert "text" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        task_approve(actor=people["reviewer_y"], task=task, text="同意")
    assert fresh(task).status == TaskStatus.IN_REVIEW and not task.opinions.exists()
    rejected = task_reject(actor=people["reviewer_x"], task=task, text="不符合条件")
    assert rejected.status == TaskStatus.REJECTED and rejected.opinion == "不符合条件"
    assert rejected.opinions.get().kind == Opinion.Kind.REJECT
    assert case.application.events.filter(kind="review", summary__contains="不同意").exists()


def test_opinion_attachments_are_checked(people, case):
    task = task_claim(actor=people["reviewer_x"], task=by_department(case)["X"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        task_approve(actor=people["reviewer_x"], task=task, text="同意", files=[fake])
    assert "files" in error.value.message_dict
    assert fresh(task).status == TaskStatus.IN_REVIEW and not task.opinions.exists()
    approved = task_approve(actor=people["reviewer_x"], task=task, text="同意", files=[pdf_file("现场照片.pdf")])
    attachment = approved.opinions.get().attachments.get()
    assert attachment.original_name == "现场照片.pdf" and attachment.content_type == "application/pdf"


# --- two sign-offs (Art. 34) ----------------------------------------------------------------------------------
@pytest.fixture
def two_signoffs(people, dept_x, person_a, work_calendar):
    version = publish(people, dept_x, code="REV-2-001", verification_signoffs=2)
    case = accepted_case(people, person_a, version)
    return task_claim(actor=people["reviewer_x"], task=case.tasks.get())


def test_two_signoffs_need_two_different_people(people, two_signoffs, reviewer_x2):
    task = two_signoffs
    assert task.signoffs_required == 2
    first = task_approve(actor=people["reviewer_x"], task=task, text="材料与原件一致")
    assert first.status == TaskStatus.IN_REVIEW and first.opinions.count() == 1
    assert AuditEvent.objects.filter(action="task.signoff", object_id=str(task.pk)).exists()
    assert reviewer_x2.notifications.filter(link=f"/review/tasks/{task.pk}/", subject__contains="签核").exists()
    with pytest.raises(Conflict):
        task_approve(actor=people["reviewer_x"], task=task, text="再次同意")
    assert fresh(task).opinions.count() == 1
    second = task_approve(actor=reviewer_x2, task=task, text="核查无误")
    assert second.status == TaskStatus.APPROVED
    assert set(second.opinions.values_list("author", flat=True)) == {people["reviewer_x"].pk, reviewer_x2.pk}
    assert fresh(task.case).status == CaseStatus.DECIDING


def test_the_head_may_give_the_second_signoff(people, two_signoffs):
    task_approve(actor=people["reviewer_x"], task=two_signoffs, text="材料与原件一致")
    assert task_approve(actor=people["head_x"], task=two_signoffs, text="核查无误").status == TaskStatus.APPROVED


def test_a_colleague_may_not_sign_first_on_someone_elses_task(people, two_signoffs, reviewer_x2):
    with pytest.raises(PermissionDenied):
        task_approve(actor=reviewer_x2, task=two_signoffs, text="同意")
    with pytest.raises(PermissionDenied):  # another department never signs
        task_approve(actor=people["reviewer_y"], task=two_signoffs, text="同意")


def test_signoffs_count_per_round_of_review(people, two_signoffs, reviewer_x2):
    task = two_signoffs
    task_approve(actor=people["reviewer_x"], task=task, text="材料与原件一致")
    task_return(actor=people["reviewer_x"], task=task, problems=[{"subject": "平面图", "problem": "比例不对"}])
    application_supply(actor=people["applicant_a"], application=task.case.application, note="已重新绘制平面图")
    task = fresh(task)
    assert task.status == TaskStatus.IN_REVIEW
    # The sign-off before the return does not count in the new round: the same person signs again, and one
    # approval keeps the task open.
    assert task_approve(actor=people["reviewer_x"], task=task, text="补正后一致").status == TaskStatus.IN_REVIEW
    assert task_approve(actor=reviewer_x2, task=task, text="核查无误").status == TaskStatus.APPROVED
    assert list(task.opinions.values_list("round", flat=True)) == [1, 1, 2, 2]


# --- return for supplement and the applicant's answer ----------------------------------------------------------
MON, WED, NEXT_MON = date(2025, 3, 3), date(2025, 3, 5), date(2025, 3, 10)


@pytest.fixture
def returned(people, joint_version, person_a, today, work_calendar):
    """Accepted Monday 3 March 2025; Y was reminded on the 4th and returns on Wednesday the 5th."""
    today.set(MON)
    case = accepted_case(people, person_a, joint_version)
    tasks = by_department(case)
    task_claim(actor=people["reviewer_x"], task=tasks["X"])
    task_y = task_claim(actor=people["reviewer_y"], task=tasks["Y"])
    assert review_sweep(today=today.set(date(2025, 3, 4)))["reminded"] == 1
    before = {code: fresh(t) for code, t in tasks.items()}
    before["case"] = fresh(case)
    assert before["Y"].reminders_sent == 1
    today.set(WED)
    application = case.application
    form, licence = material(application, "食品经营许可申请书"), material(application, "营业执照复印件")
    task_return(actor=people["reviewer_y"], task=task_y, text="请补正",
                problems=[{"material": form.pk, "problem": "未签字"},
                          {"material": licence.pk, "problem": "已过期"},
                          {"subject": "经营地址", "problem": "与营业执照不一致"}])
    return case, before, (form, licence)


def test_return_flags_exactly_what_is_needed_and_stops_the_clock(people, returned):
    case, before, (form, licence) = returned
    task_y = fresh(before["Y"])
    assert task_y.status == TaskStatus.RETURNED and task_y.assignee == people["reviewer_y"]
    assert task_y.opinions.get().kind == Opinion.Kind.RETURN
    application = fresh(case.application)
    assert application.status == Status.IN_REVIEW and application.review_supplement
    assert dict(application.materials.exclude(problem="").values_list("name", "problem")) == {
        form.name: "未签字", licence.name: "已过期"}
    notice = application.notices.get(kind=Notice.Kind.REVIEW_SUPPLEMENT)
    assert [p["subject"] for p in notice.content["problems"]] == [form.name, licence.name, "经营地址"]
    pause = case.pauses.get()
    assert (pause.kind, pause.started_on, pause.ended_on, pause.task_id) == (Pause.Kind.SUPPLEMENT, WED, None,
                                                                            task_y.pk)
    case = fresh(case)
    assert case.promised_due is None and case.statutory_due is None
    for task in case.tasks.all():
        assert task.due_on is None and task.remind_on is None
    assert people["applicant_a"].notifications.filter(subject__contains="要求补正").exists()


def test_only_flagged_materials_may_be_replaced_while_in_review(people, returned):
    case, _before, (form, _licence) = returned
    user, application = people["applicant_a"], case.application
    other = material(application, "食品安全管理制度")
    with pytest.raises(ValidationError) as error:
        filing.material_upload(actor=user, application=application, material=other, files=[pdf_file()])
    assert "files" in error.value.message_dict
    assert filing.in_review_supplement(fresh(application), fresh(form))
    assert not filing.in_review_supplement(fresh(application), other)
    filing.material_upload(actor=user, application=application, material=fresh(form), files=[pdf_file("签字.pdf")])


def test_supply_without_new_files_names_the_materials(people, returned):
    case, _before, (form, licence) = returned
    user, application = people["applicant_a"], case.application
    with pytest.raises(ValidationError) as error:
        application_supply(actor=user, application=application, note="已补正")
    messages = " ".join(error.value.message_dict["materials"])
    assert form.name in messages and licence.name in messages
    filing.material_upload(actor=user, application=application, material=fresh(form), files=[pdf_file()])
    with pytest.raises(ValidationError) as error:  # one still missing
        application_supply(actor=user, application=application)
    assert error.value.message_dict["materials"] == [f"请重新上传：{licence.name}"]
    assert fresh(application).review_supplement and fresh(case).pauses.get().ended_on is None


def test_supply_resumes_the_tasks_with_dates_moved_by_the_paused_days(people, returned, today, work_calendar):
    case, before, (form, licence) = returned
    user, application = people["applicant_a"], case.application
    today.set(NEXT_MON)  # paused (5 March, 10 March]: 6, 7 and 10 March, three working days
    for flagged in (form, licence):
        filing.material_upload(actor=user, application=application, material=fresh(flagged), files=[pdf_file()])
    application_supply(actor=user, application=application, note="已按要求补正")
    case = fresh(case)
    pause = case.pauses.get()
    assert pause.ended_on == NEXT_MON and pause.ended_by == user
    paused = work_calendar.working_days_between(WED, NEXT_MON)
    assert paused == 3
    for code in ("X", "Y"):
        old = before[code]
        task = fresh(old)
        assert task.status == TaskStatus.IN_REVIEW
        assert task.due_on == work_calendar.add_working_days(old.due_on, paused), code
        assert task.remind_on == clock.remind_on(task.due_on, task.opened_on) and task.remind_on is not None
        assert task.reminders_sent == 0
    assert fresh(before["Y"]).due_on == date(2025, 3, 11)  # 4, 5 | 11 March
    assert case.promised_due == work_calendar.add_working_days(before["case"].promised_due, paused)
    application = fresh(application)
    assert not application.review_supplement and not application.materials.exclude(problem="").exists()
    assert application.promised_due == case.promised_due and application.statutory_due == case.statutory_due
    assert {"supplied", "rescheduled"} <= set(application.events.values_list("kind", flat=True))
    assert people["reviewer_y"].notifications.filter(subject__contains="已补正").exists()
    with pytest.raises(ValidationError):  # the supplement is over: nothing may be replaced any more
        filing.material_upload(actor=user, application=application, material=fresh(form), files=[pdf_file()])


def test_a_supplement_that_lists_no_material_is_answered_with_a_note(people, case):
    task = task_claim(actor=people["reviewer_x"], task=by_department(case)["X"])
    task_return(actor=people["reviewer_x"], task=task, problems=[{"subject": "经营范围", "problem": "请说明"}])
    with pytest.raises(ValidationError) as error:
        application_supply(actor=people["applicant_a"], application=case.application, note=" ")
    assert "note" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        application_supply(actor=people["applicant_b"], application=case.application, note="说明")
    application_supply(actor=people["applicant_a"], application=case.application, note="仅经营热食类食品")
    assert fresh(task).status == TaskStatus.IN_REVIEW


def test_return_needs_a_problem_and_changes_nothing_without_one(people, case):
    task = task_claim(actor=people["reviewer_x"], task=by_department(case)["X"])
    with pytest.raises(ValidationError) as error:
        task_return(actor=people["reviewer_x"], task=task, problems=[])
    assert "problems" in error.value.message_dict
    with pytest.raises(ValidationError):
        task_return(actor=people["reviewer_x"], task=task, problems=[{"subject": "地址", "problem": ""}])
    assert fresh(task).status == TaskStatus.IN_REVIEW and not case.pauses.exists()
    assert not fresh(case.application).review_supplement


def test_two_departments_returning_share_one_pause(people, case):
    tasks = by_department(case)
    for user, code in ((people["reviewer_x"], "X"), (people["reviewer_y"], "Y")):
        task = task_claim(actor=user, task=tasks[code])
        task_return(actor=user, task=task, problems=[{"subject": code, "problem": "请说明"}])
    assert case.pauses.count() == 1
    application_supply(actor=people["applicant_a"], application=case.application, note="已说明")
    assert {t.status for t in case.tasks.all()} == {TaskStatus.IN_REVIEW}
    assert case.pauses.get().ended_on is not None


def test_a_second_return_on_the_day_of_the_supply_starts_a_new_pause(people, case):
    tasks = by_department(case)
    task_x = task_claim(actor=people["reviewer_x"], task=tasks["X"])
    task_y = task_claim(actor=people["reviewer_y"], task=tasks["Y"])
    task_return(actor=people["reviewer_x"], task=task_x, problems=[{"subject": "经营范围", "problem": "请说明"}])
    application_supply(actor=people["applicant_a"], application=case.application, note="已说明")
    task_return(actor=people["reviewer_y"], task=task_y, problems=[{"subject": "平面图", "problem": "请补充"}])
    assert case.pauses.count() == 2 and case.pauses.filter(ended_on__isnull=True).count() == 1
    assert fresh(case).promised_due is None
    assert fresh(task_x).status == TaskStatus.IN_REVIEW and fresh(task_x).due_on is None


def test_supply_when_nothing_was_asked_is_refused(people, case):
    from portal.errors import DomainError

    with pytest.raises(DomainError):
        application_supply(actor=people["applicant_a"], application=case.application, note="补充")


# --- A/B backup posts and reassignment ---------------------------------------------------------------------
def test_backup_acts_on_the_absent_colleagues_tasks(people, case, reviewer_x2):
    a, b = people["reviewer_x"], reviewer_x2
    task = task_claim(actor=a, task=by_department(case)["X"])
    backup_set(actor=people["head_x"], primary=a, backup=b)
    assert task not in inbox(user=b, state="mine")
    with pytest.raises(PermissionDenied):  # A is at work: B may not act on A's task
        task_approve(actor=b, task=task, text="同意")
    backup_mark_absent(actor=a, primary=a, absent=True)
    assert b.notifications.filter(subject__contains="缺席").exists()
    assert task in inbox(user=b)
    approved = task_approve(actor=b, task=task, text="代A岗审查：同意")
    assert approved.status == TaskStatus.APPROVED and approved.opinions.get().author == b


def test_backup_finds_the_absent_colleagues_tasks_among_their_own(people, case, reviewer_x2):
    a, b = people["reviewer_x"], reviewer_x2
    task = task_claim(actor=a, task=by_department(case)["X"])
    backup_set(actor=people["head_x"], primary=a, backup=b)
    assert task not in inbox(user=b, state="mine")
    backup_mark_absent(actor=a, primary=a, absent=True)
    assert task in inbox(user=b, state="mine")


def test_backup_loses_the_right_when_the_colleague_returns(people, case, reviewer_x2):
    a, b = people["reviewer_x"], reviewer_x2
    task = task_claim(actor=a, task=by_department(case)["X"])
    backup_set(actor=people["head_x"], primary=a, backup=b)
    backup_mark_absent(actor=people["head_x"], primary=a, absent=True)
    backup_mark_absent(actor=people["head_x"], primary=a, absent=False)
    with pytest.raises(PermissionDenied):
        task_approve(actor=b, task=task, text="同意")


def test_only_the_head_sets_backups_within_the_department(people, reviewer_x2):
    with pytest.raises(PermissionDenied):
        backup_set(actor=people["reviewer_x"], primary=people["reviewer_x"], backup=reviewer_x2)
    with pytest.raises(ValidationError) as error:
        backup_set(actor=people["head_x"], primary=people["reviewer_x"], backup=people["reviewer_y"])
    assert "backup" in error.value.message_dict
    with pytest.raises(ValidationError):
        backup_set(actor=people["head_x"], primary=people["reviewer_x"], backup=people["reviewer_x"])
    with pytest.raises(ValidationError) as error:  # nobody to stand in yet
        backup_mark_absent(actor=people["head_x"], primary=reviewer_x2, absent=True)
    assert "primary" in error.value.message_dict


def test_head_reassigns_tasks(people, case, reviewer_x2):
    task = by_department(case)["X"]
    with pytest.raises(PermissionDenied):
        task_reassign(actor=people["reviewer_x"], task=task, to=reviewer_x2)
    with pytest.raises(ValidationError) as error:
        task_reassign(actor=people["head_x"], task=task, to=people["reviewer_y"])
    assert "to" in error.value.message_dict
    with pytest.raises(PermissionDenied):  # another department's task
        task_reassign(actor=people["head_x"], task=by_department(case)["Y"], to=reviewer_x2)
    given = task_reassign(actor=people["head_x"], task=task, to=reviewer_x2)  # pending: claimed for B
    assert given.status == TaskStatus.IN_REVIEW and given.assignee == reviewer_x2
    assert reviewer_x2.notifications.filter(subject__contains="改派").exists()
    moved = task_reassign(actor=people["head_x"], task=given, to=people["reviewer_x"])
    assert moved.status == TaskStatus.IN_REVIEW and moved.assignee == people["reviewer_x"]
    with pytest.raises(PermissionDenied):  # the former assignee has lost it
        task_approve(actor=reviewer_x2, task=moved, text="同意")
    task_approve(actor=people["reviewer_x"], task=moved, text="同意")
    with pytest.raises(Conflict):
        task_reassign(actor=people["head_x"], task=moved, to=reviewer_x2)
    assert AuditEvent.objects.filter(action="task.reassign", object_id=str(task.pk)).count() >= 2
