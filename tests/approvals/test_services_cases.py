"""Cases: opening from the item's (or bundle's) rules, the join of a stage, the decision, closing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_fsm import TransitionNotAllowed

from applications.models import Notice, Status
from applications.services import filing, intake
from applications.services.sweeps import applications_terminate_rongque
from approvals.models import Case, CaseStatus, DecisionMode, Pause, Stage, TaskStatus
from approvals.services.cases import case_decide, case_open
from approvals.services.tasks import task_approve, task_claim, task_reject, task_return
from items.services import bundle_save
from portal.errors import DomainError
from portal.models import AuditEvent, OutboxMessage
from tests.applications.helpers import material, submitted
from tests.approvals.conftest import accepted_case, publish
from tests.factories import DepartmentFactory, UserFactory


def by_department(case):
    return {t.department.code: t for t in case.tasks.select_related("department")}


def approve(user, task, text="同意"):
    if task.status == TaskStatus.PENDING:
        task = task_claim(actor=user, task=task)
    return task_approve(actor=user, task=task, text=text)


def reject(user, task, text="不符合条件"):
    if task.status == TaskStatus.PENDING:
        task = task_claim(actor=user, task=task)
    return task_reject(actor=user, task=task, text=text)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def to_decision_rows(case):
    return AuditEvent.objects.filter(action="case.to_decision", object_id=str(case.pk)).count()


# --- opening --------------------------------------------------------------------------------------------
def test_single_department_item_opens_one_stage_with_one_task(people, dept_x, person_a, work_calendar):
    version = publish(people, dept_x, code="REV-S-001")
    case = accepted_case(people, person_a, version)
    assert case.status == CaseStatus.REVIEWING and case.mode == DecisionMode.REVIEW
    assert case.lead_department == dept_x and not case.joint
    stage = case.stages.get()
    task = case.tasks.get()
    assert (stage.order, task.stage, task.department, task.is_lead) == (0, stage, dept_x, True)
    assert task.status == TaskStatus.PENDING and task.review_days == version.promised_limit
    assert task.due_on == work_calendar.add_working_days(task.opened_on, version.promised_limit)
    assert case.promised_due == work_calendar.add_working_days(case.accepted_on, version.promised_limit)
    assert case.statutory_due == work_calendar.add_working_days(case.accepted_on, version.statutory_limit)
    application = fresh(case.application)
    assert application.status == Status.IN_REVIEW
    assert application.events.filter(kind="in_review").exists()


def test_joint_departments_review_in_parallel(people, joint_version, person_a, work_calendar):
    case = accepted_case(people, person_a, joint_version)
    assert case.joint and case.all_must_approve and case.one_veto
    tasks = by_department(case)
    assert set(tasks) == {"X", "Y"} and case.stages.count() == 1
    assert tasks["X"].stage_id == tasks["Y"].stage_id
    assert {t.status for t in tasks.values()} == {TaskStatus.PENDING}
    assert (tasks["X"].is_lead, tasks["Y"].is_lead) == (True, False)
    assert tasks["Y"].review_days == 3
    assert tasks["Y"].due_on == work_calendar.add_working_days(tasks["Y"].opened_on, 3)
    # Every reviewer of both departments hears of the new task.
    assert people["reviewer_y"].notifications.filter(link=f"/review/tasks/{tasks['Y'].pk}/").exists()
    assert people["head_x"].notifications.filter(link=f"/review/tasks/{tasks['X'].pk}/").exists()


@pytest.fixture
def two_items(people, dept_x, dept_y, work_calendar):
    """An item of X and an item of Y, each reviewed by its own department only."""
    return (publish(people, dept_x, code="REV-B-001", name="餐饮服务许可（测试）"),
            publish(people, dept_y, code="REV-B-002", name="公共场所卫生许可（测试）", promised_limit=5))


def bundle_case(people, applicant, **bundle):
    user = applicant.users.first()
    application = submitted(user, applicant, None, bundle=bundle_save(actor=people["catalogue_admin"], bundle=None,
                                                                      **bundle))
    intake.application_accept(actor=people["clerk"], application=application)
    return case_open(application_id=application.pk)


def test_bundle_without_stages_opens_one_stage_with_a_task_per_department(people, dept_x, two_items, person_a):
    item_x, item_y = (v.item for v in two_items)
    case = bundle_case(people, person_a, fields={"name": "开餐馆一件事", "lead_department": dept_x,
                                                 "is_published": True}, items=[item_x, item_y])
    assert case.lead_department == dept_x and case.joint
    stage = case.stages.get()
    tasks = by_department(case)
    assert set(tasks) == {"X", "Y"} and {t.stage_id for t in tasks.values()} == {stage.pk}
    assert tasks["X"].items == ["餐饮服务许可（测试）"] and tasks["Y"].items == ["公共场所卫生许可（测试）"]
    assert (tasks["X"].review_days, tasks["Y"].review_days) == (10, 5)


def test_bundle_with_stages_opens_them_in_order(people, dept_x, dept_y, two_items, person_a):
    item_x, item_y = (v.item for v in two_items)
    case = bundle_case(people, person_a, fields={"name": "建设项目一个项目", "kind": "one_project",
                                                 "lead_department": dept_x, "is_published": True},
                       stages=[{"name": "立项用地规划许可", "lead_department": dept_x, "items": [item_x]},
                               {"name": "工程建设许可", "lead_department": dept_y, "items": [item_y]}])
    first, second = case.stages.order_by("order")
    assert (first.name, second.name) == ("立项用地规划许可", "工程建设许可")
    assert (first.lead_department, second.lead_department) == (dept_x, dept_y)
    assert list(case.tasks.values_list("department__code", flat=True)) == ["X"]  # stage 2 not open yet
    approve(people["reviewer_x"], case.tasks.get())
    case = fresh(case)
    first, second = case.stages.order_by("order")
    assert first.outcome == Stage.Outcome.PASSED and first.closed_at is not None
    assert case.status == CaseStatus.REVIEWING and case.current_stage == 1 and second.opened_on is not None
    task_y = second.tasks.get()
    assert (task_y.department, task_y.is_lead, task_y.status) == (dept_y, True, TaskStatus.PENDING)
    assert case.application.events.filter(kind="stage", summary__contains="工程建设许可").exists()
    approve(people["reviewer_y"], task_y)
    case = fresh(case)
    assert case.status == CaseStatus.DECIDING and fresh(second).outcome == Stage.Outcome.PASSED
    assert to_decision_rows(case) == 1


def test_case_open_twice_gives_one_case(people, joint_version, person_a):
    case = accepted_case(people, person_a, joint_version)
    assert case_open(application_id=case.application_id) == case
    assert Case.objects.count() == 1 and case.tasks.count() == 2 and case.stages.count() == 1


def test_application_withdrawn_before_the_case_opens_gets_no_case(people, joint_version, person_a):
    user = people["applicant_a"]
    application = submitted(user, person_a, joint_version)
    intake.application_accept(actor=people["clerk"], application=application)
    filing.application_withdraw(actor=user, application=application, reason="不办了")
    assert case_open(application_id=application.pk) is None
    assert not Case.objects.exists()


def test_instant_item_is_decided_by_the_accepting_clerk(people, dept_x, person_a, work_calendar):
    version = publish(people, dept_x, code="REV-I-001", instant=True, promised_limit=1)
    case = accepted_case(people, person_a, version)
    assert case.status == CaseStatus.DECIDING and case.mode == DecisionMode.INSTANT
    assert not case.tasks.exists() and not case.stages.exists()
    with pytest.raises(PermissionDenied):  # another clerk did not accept it
        case_decide(actor=_other_clerk(), case=case, approve=True)
    decided = case_decide(actor=people["clerk"], case=case, approve=True)
    assert decided.status == CaseStatus.APPROVED and decided.decided_by == people["clerk"]
    assert fresh(case.application).status == Status.APPROVED


def _other_clerk():
    return UserFactory(username="clerk_other", role="clerk")


def test_rules_met_are_approved_by_the_system(people, dept_x, person_a, work_calendar):
    version = publish(people, dept_x, code="REV-A-001", auto_rules="area <= 200\nphone filled")
    case = accepted_case(people, person_a, version)
    assert case.status == CaseStatus.APPROVED and case.mode == DecisionMode.AUTOMATIC
    assert case.decided_by is None and case.decided_at is not None and not case.tasks.exists()
    application = fresh(case.application)
    assert application.status == Status.APPROVED
    event = application.events.get(kind="approved")
    assert event.actor_label == "系统" and event.actor is None
    assert application.notices.filter(kind=Notice.Kind.APPROVAL, issued_by=None).exists()
    assert OutboxMessage.objects.filter(task="approvals.case_approved", kwargs={"case_id": case.pk}).exists()


def test_rules_unmet_go_to_normal_review(people, dept_x, person_a, work_calendar):
    version = publish(people, dept_x, code="REV-A-002", auto_rules="area <= 50")
    case = accepted_case(people, person_a, version)
    assert case.status == CaseStatus.REVIEWING and case.mode == DecisionMode.REVIEW
    assert case.tasks.get().status == TaskStatus.PENDING
    assert fresh(case.application).status == Status.IN_REVIEW


def test_the_system_may_decide_only_automatic_cases(people, joint_version, person_a):
    case = accepted_case(people, person_a, joint_version)
    with pytest.raises(PermissionDenied):
        case_decide(actor=None, case=case, approve=True)


# --- the join -----------------------------------------------------------------------------------------------
def test_all_must_approve_waits_for_every_department(people, joint_version, person_a):
    case = accepted_case(people, person_a, joint_version)
    tasks = by_department(case)
    approve(people["reviewer_x"], tasks["X"])
    case = fresh(case)
    assert case.status == CaseStatus.REVIEWING and case.stages.get().closed_at is None
    assert fresh(tasks["Y"]).status == TaskStatus.PENDING
    approve(people["reviewer_y"], tasks["Y"])
    case = fresh(case)
    assert case.status == CaseStatus.DECIDING and case.stages.get().outcome == Stage.Outcome.PASSED
    assert to_decision_rows(case) == 1
    assert people["head_x"].notifications.filter(link=f"/review/cases/{case.pk}/").exists()


@pytest.fixture
def dept_z(db):
    return DepartmentFactory(code="Z", name="部门Z")


@pytest.fixture
def reviewer_z(dept_z):
    return UserFactory(username="reviewer_z", role="reviewer", department=dept_z)


@pytest.fixture
def any_one_version(people, dept_x, dept_y, dept_z, work_calendar):
    """或签: X decides on its own item; of the departments it consults (Y, Z) one consent is enough."""
    return publish(people, dept_x, code="REV-J-001", joint=[(dept_y, 3), (dept_z, 3)], all_must_approve=False)


def test_any_one_approval_ends_the_stage_and_cancels_the_others(people, any_one_version, person_a, reviewer_z):
    case = accepted_case(people, person_a, any_one_version)
    assert not case.all_must_approve
    tasks = by_department(case)
    assert set(tasks) == {"X", "Y", "Z"}
    approve(people["reviewer_x"], tasks["X"])  # the implementing department's own opinion is always needed
    assert fresh(case).status == CaseStatus.REVIEWING
    approve(people["reviewer_y"], tasks["Y"])  # the first consulted department to agree ends the stage
    case = fresh(case)
    assert case.status == CaseStatus.DECIDING and case.stages.get().outcome == Stage.Outcome.PASSED
    cancelled = fresh(tasks["Z"])
    assert cancelled.status == TaskStatus.CANCELLED and cancelled.ended_at is not None
    assert cancelled.remind_on is None
    assert to_decision_rows(case) == 1


def test_any_one_still_waits_for_the_implementing_department(people, any_one_version, person_a, reviewer_z):
    case = accepted_case(people, person_a, any_one_version)
    tasks = by_department(case)
    approve(reviewer_z, tasks["Z"])
    assert fresh(case).status == CaseStatus.REVIEWING and fresh(tasks["Y"]).status == TaskStatus.PENDING
    approve(people["reviewer_x"], tasks["X"])
    assert fresh(case).status == CaseStatus.DECIDING and fresh(tasks["Y"]).status == TaskStatus.CANCELLED


def test_one_veto_rejection_ends_the_stage_and_only_denial_remains(people, joint_version, person_a):
    case = accepted_case(people, person_a, joint_version)
    tasks = by_department(case)
    task_claim(actor=people["reviewer_x"], task=tasks["X"])
    reject(people["reviewer_y"], tasks["Y"], "场所不符合卫生要求")
    case = fresh(case)
    assert case.status == CaseStatus.DECIDING and case.vetoed
    assert case.stages.get().outcome == Stage.Outcome.VETOED
    assert fresh(tasks["X"]).status == TaskStatus.CANCELLED
    with pytest.raises(DomainError):
        case_decide(actor=people["head_x"], case=case, approve=True)
    assert fresh(case).status == CaseStatus.DECIDING
    denied = case_decide(actor=people["head_x"], case=case, approve=False, reasons="部门Y不同意：场所不符合卫生要求",
                         how_to_succeed="整改场所后重新申请")
    assert denied.status == CaseStatus.DENIED and fresh(case.application).status == Status.DENIED


def test_without_veto_a_rejection_is_recorded_and_the_stage_ends_objected(people, dept_x, dept_y, person_a,
                                                                        work_calendar):
    version = publish(people, dept_x, code="REV-J-002", joint=[(dept_y, 3)], one_veto=False)
    case = accepted_case(people, person_a, version)
    tasks = by_department(case)
    reject(people["reviewer_y"], tasks["Y"])
    case = fresh(case)
    assert case.status == CaseStatus.REVIEWING and not case.vetoed
    assert fresh(tasks["Y"]).status == TaskStatus.REJECTED and case.stages.get().closed_at is None
    approve(people["reviewer_x"], tasks["X"])
    case = fresh(case)
    assert case.status == CaseStatus.DECIDING and case.stages.get().outcome == Stage.Outcome.OBJECTED
    approved = case_decide(actor=people["head_x"], case=case, approve=True, reasons="综合意见，准予许可")
    assert approved.status == CaseStatus.APPROVED


def test_a_stage_ending_without_a_returned_task_ends_its_supplement_wait(people, any_one_version, person_a,
                                                                        reviewer_z):
    case = accepted_case(people, person_a, any_one_version)
    tasks = by_department(case)
    task_y = task_claim(actor=people["reviewer_y"], task=tasks["Y"])
    form = material(case.application, "食品经营许可申请书")
    task_return(actor=people["reviewer_y"], task=task_y, problems=[{"material": form.pk, "problem": "未签字"}])
    assert fresh(case).promised_due is None
    approve(people["reviewer_x"], tasks["X"])
    approve(reviewer_z, tasks["Z"])  # 或签: Z's consent decides the stage; Y's return is moot
    case = fresh(case)
    assert case.status == CaseStatus.DECIDING and fresh(task_y).status == TaskStatus.CANCELLED
    assert case.pauses.get().ended_on is not None
    assert case.promised_due is not None and case.statutory_due is not None
    application = fresh(case.application)
    assert not application.review_supplement and not application.materials.exclude(problem="").exists()
    assert application.promised_due == case.promised_due
    assert application.events.filter(kind="review_supplement_ended").exists()


def test_a_veto_ends_the_procedures_of_the_cancelled_tasks(people, joint_version, person_a, work_calendar):
    from approvals.services.procedures import pause_start

    case = accepted_case(people, person_a, joint_version)
    tasks = by_department(case)
    task_x = task_claim(actor=people["reviewer_x"], task=tasks["X"])
    pause_start(actor=people["reviewer_x"], task=task_x, kind=Pause.Kind.HEARING, reason="听证", expected_days=10)
    reject(people["reviewer_y"], tasks["Y"])
    case = fresh(case)
    assert case.status == CaseStatus.DECIDING and fresh(task_x).status == TaskStatus.CANCELLED
    assert not case.pauses.filter(ended_on__isnull=True).exists()
    assert case.promised_due is not None


def test_a_return_still_awaited_by_another_open_task_keeps_the_wait(people, dept_x, dept_y, person_a,
                                                                   work_calendar):
    """Stage 1 (X and Y, all must approve) passes while nobody is returned: nothing to end."""
    version = publish(people, dept_x, code="REV-J-004", joint=[(dept_y, 3)], one_veto=False)
    case = accepted_case(people, person_a, version)
    tasks = by_department(case)
    task_x = task_claim(actor=people["reviewer_x"], task=tasks["X"])
    task_return(actor=people["reviewer_x"], task=task_x, problems=[{"subject": "平面图", "problem": "请补充"}])
    reject(people["reviewer_y"], tasks["Y"])  # recorded; X still waits for the supplement
    case = fresh(case)
    assert case.status == CaseStatus.REVIEWING and case.pauses.get().ended_on is None
    assert fresh(case.application).review_supplement


# --- the decision ---------------------------------------------------------------------------------------------
@pytest.fixture
def deciding(people, joint_version, person_a):
    case = accepted_case(people, person_a, joint_version)
    tasks = by_department(case)
    approve(people["reviewer_x"], tasks["X"])
    approve(people["reviewer_y"], tasks["Y"])
    return fresh(case)


def test_denial_needs_reasons_and_how_to_succeed(people, deciding):
    with pytest.raises(ValidationError) as error:
        case_decide(actor=people["head_x"], case=deciding, approve=False, reasons=" ", how_to_succeed="")
    assert set(error.value.message_dict) == {"reasons", "how_to_succeed"}
    case = fresh(deciding)
    assert case.status == CaseStatus.DECIDING and case.decided_at is None
    assert fresh(case.application).status == Status.IN_REVIEW
    assert not case.application.notices.filter(kind=Notice.Kind.DENIAL).exists()
    assert not AuditEvent.objects.filter(action="case.deny").exists()


def test_denial_notice_states_reasons_remedies_and_how_to_succeed(people, deciding):
    case = case_decide(actor=people["head_x"], case=deciding, approve=False, reasons="经营场所面积不足",
                       how_to_succeed="经营场所面积达到 100 平方米后重新申请")
    assert case.status == CaseStatus.DENIED and case.decided_by == people["head_x"]
    application = fresh(case.application)
    assert application.status == Status.DENIED and application.closing_note == "经营场所面积不足"
    notice = application.notices.get(kind=Notice.Kind.DENIAL)
    assert notice.content["reasons"] == "经营场所面积不足"
    assert notice.content["how_to_succeed"] == "经营场所面积达到 100 平方米后重新申请"
    assert "行政复议" in notice.content["remedies"] and "行政诉讼" in notice.content["remedies"]
    assert application.events.get(kind="denied").actor_label == "部门X"
    assert not OutboxMessage.objects.filter(task="approvals.case_approved").exists()


def test_approval_is_announced_through_the_outbox(people, deciding):
    case = case_decide(actor=people["head_x"], case=deciding, approve=True, reasons="符合条件")
    assert case.status == CaseStatus.APPROVED and case.decision_reasons == "符合条件"
    message = OutboxMessage.objects.get(task="approvals.case_approved")
    assert message.kwargs == {"case_id": case.pk}
    application = fresh(case.application)
    assert application.status == Status.APPROVED and application.decided_at is not None
    assert application.notices.filter(kind=Notice.Kind.APPROVAL).count() == 1


def test_the_decision_drops_an_extension_request_still_waiting(people, deciding):
    from approvals.models import Extension
    from approvals.services.procedures import extension_request

    extension = extension_request(actor=people["head_x"], task=by_department(deciding)["X"], reasons="需集体讨论")
    case_decide(actor=people["head_x"], case=deciding, approve=True)
    dropped = Extension.objects.get(pk=extension.pk)
    assert dropped.status == Extension.Status.REFUSED and dropped.comment


def test_only_the_lead_department_decides_and_only_once(people, deciding):
    with pytest.raises(PermissionDenied):
        case_decide(actor=people["reviewer_y"], case=deciding, approve=True)
    with pytest.raises(PermissionDenied):
        case_decide(actor=people["clerk"], case=deciding, approve=True)
    case_decide(actor=people["reviewer_x"], case=deciding, approve=True)
    with pytest.raises(TransitionNotAllowed):
        case_decide(actor=people["head_x"], case=deciding, approve=False, reasons="x", how_to_succeed="y")
    assert OutboxMessage.objects.filter(task="approvals.case_approved").count() == 1


def test_no_decision_while_departments_still_review(people, joint_version, person_a):
    case = accepted_case(people, person_a, joint_version)
    with pytest.raises(TransitionNotAllowed):
        case_decide(actor=people["head_x"], case=case, approve=True)


# --- closing before the decision -------------------------------------------------------------------------------
def test_withdrawal_in_review_closes_the_case_and_cancels_open_tasks(people, joint_version, person_a):
    case = accepted_case(people, person_a, joint_version)
    tasks = by_department(case)
    approve(people["reviewer_x"], tasks["X"])
    task_y = task_claim(actor=people["reviewer_y"], task=tasks["Y"])
    task_return(actor=people["reviewer_y"], task=task_y, problems=[{"subject": "平面图", "problem": "请补充"}])
    filing.application_withdraw(actor=people["applicant_a"], application=case.application, reason="不再经营")
    case = fresh(case)
    assert case.status == CaseStatus.CLOSED and case.decided_at is not None
    assert fresh(tasks["X"]).status == TaskStatus.APPROVED  # what had ended stays as it was
    assert fresh(tasks["Y"]).status == TaskStatus.CANCELLED
    assert not case.pauses.filter(ended_on__isnull=True).exists()
    assert case.pauses.get(kind=Pause.Kind.SUPPLEMENT).ended_on is not None
    assert fresh(case.application).status == Status.WITHDRAWN


def test_rongque_termination_sweep_closes_the_case(people, joint_version, walk_in, work_calendar):
    clerk = people["clerk"]
    application = submitted(clerk, walk_in, joint_version, skip=("营业执照复印件",))
    due = work_calendar.add_working_days(application.received_on, 3)
    intake.application_accept_rongque(actor=clerk, application=application,
                                      missing=[material(application, "营业执照复印件").pk], due=due,
                                      signed_name="王五")
    case = case_open(application_id=application.pk)
    assert case.status == CaseStatus.REVIEWING and fresh(application).status == Status.IN_REVIEW
    assert applications_terminate_rongque(today=due) == 0
    assert applications_terminate_rongque(today=due + timedelta(days=1)) == 1
    case = fresh(case)
    assert case.status == CaseStatus.CLOSED
    assert set(case.tasks.values_list("status", flat=True)) == {TaskStatus.CANCELLED}
    assert fresh(application).status == Status.TERMINATED
