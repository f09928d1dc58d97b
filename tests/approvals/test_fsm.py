"""The state machines of review: every allowed and every forbidden transition of the review task, the case and
the application's review transitions, run through portal.fsm.transition on saved rows."""

import itertools

import pytest
from django.db import transaction
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from applications.models import Application, Status
from approvals.models import Case, CaseStatus, ReviewTask, Stage, TaskStatus
from portal.fsm import transition
from portal.models import AuditEvent
from tests.applications.helpers import submitted

_numbers = itertools.count(1)


def table(model, field="status"):
    """The transitions the model declares, as {name: (sources, target)}."""
    declared = getattr(model(), f"get_all_{field}_transitions")()
    rows: dict[str, tuple[set[str], str]] = {}
    for t in declared:
        sources, _target = rows.setdefault(t.name, (set(), t.target))
        sources.add(t.source)
    return rows


def check_every_state(make, states, name, allowed, target, kwargs):
    for state in states:
        obj = make(state)
        if state in allowed:
            updated = transition(obj, name, actor=None, action=f"test.{name}", **kwargs)
            assert updated.status == target, (name, state)
            assert type(obj).objects.get(pk=obj.pk).status == target, (name, state)
            assert AuditEvent.objects.filter(action=f"test.{name}", object_id=str(obj.pk),
                                             before={"status": state}).exists()
        else:
            with pytest.raises(TransitionNotAllowed):
                transition(obj, name, actor=None, action=f"test.{name}", **kwargs)
            assert type(obj).objects.get(pk=obj.pk).status == state, (name, state)


# --- review task --------------------------------------------------------------------------------------------
TASK = {
    "claim": ({"pending"}, "in_review"),
    "release": ({"in_review"}, "pending"),
    "approve": ({"in_review"}, "approved"),
    "reject": ({"in_review"}, "rejected"),
    "return_for_supplement": ({"in_review"}, "returned"),
    "resume": ({"returned"}, "in_review"),
    "deem_approve": ({"pending", "in_review"}, "deemed_approved"),
    "cancel": ({"pending", "in_review", "returned"}, "cancelled"),
}


def test_the_task_declares_exactly_these_transitions():
    assert table(ReviewTask) == TASK


@pytest.fixture
def application(people, person_a, joint_version):
    return submitted(people["applicant_a"], person_a, joint_version)


@pytest.fixture
def case(application, dept_x):
    return Case.objects.create(application=application, lead_department=dept_x, accepted_on=application.received_on,
                               promised_limit=10, statutory_limit=20)


@pytest.fixture
def task_in(case, dept_x):
    def make(state):
        stage = Stage.objects.create(case=case, order=next(_numbers), name="审查", lead_department=dept_x)
        return ReviewTask.objects.create(case=case, stage=stage, department=dept_x, status=state, review_days=3,
                                         opened_on=case.accepted_on)

    return make


@pytest.mark.parametrize("name", list(TASK))
def test_task_transition_from_every_state(people, task_in, name):
    allowed, target = TASK[name]
    kwargs = {"claim": {"by": people["reviewer_x"]}, "approve": {"opinion": "同意"}, "reject": {"opinion": "不同意"},
              "return_for_supplement": {"opinion": "请补正"}, "cancel": {"reason": "阶段已有结论"}}.get(name, {})
    check_every_state(task_in, TaskStatus.values, name, allowed, target, kwargs)


def test_ending_transitions_stamp_the_end_and_stop_reminders(people, task_in):
    for name, kwargs in (("approve", {"opinion": "同意"}), ("reject", {"opinion": "不同意"}), ("deem_approve", {}),
                         ("cancel", {"reason": "x"})):
        task = task_in("in_review")
        task.remind_on = task.opened_on
        task.save(update_fields=["remind_on"])
        ended = transition(task, name, actor=None, action="test", **kwargs)
        assert ended.ended_at is not None and ended.remind_on is None and ended.opinion, name
    claimed = transition(task_in("pending"), "claim", actor=None, action="test", by=people["reviewer_x"])
    assert claimed.assignee == people["reviewer_x"] and claimed.claimed_at is not None
    released = transition(claimed, "release", actor=None, action="test")
    assert released.assignee is None and released.claimed_at is None


def test_the_task_status_is_protected_and_stale_copies_conflict(people, task_in):
    task = task_in("pending")
    with pytest.raises(AttributeError):
        task.status = TaskStatus.APPROVED
    stale = ReviewTask.objects.get(pk=task.pk)
    transition(task, "claim", actor=None, action="test", by=people["reviewer_x"])
    stale.claim(by=people["reviewer_y"])  # in memory the stale copy still looks pending
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()
    assert ReviewTask.objects.get(pk=task.pk).assignee == people["reviewer_x"]
    with pytest.raises(TransitionNotAllowed):  # through the service layer the row is re-read under lock
        transition(ReviewTask.objects.get(pk=task.pk), "claim", actor=None, action="test", by=people["reviewer_y"])


# --- case -----------------------------------------------------------------------------------------------------
CASE = {
    "to_decision": ({"reviewing"}, "deciding"),
    "approve": ({"deciding"}, "approved"),
    "deny": ({"deciding"}, "denied"),
    "close": ({"reviewing", "deciding"}, "closed"),
}


def test_the_case_declares_exactly_these_transitions():
    assert table(Case) == CASE


def clone(application, status):
    """Another application like `application`, saved in `status` (a case needs one of its own)."""
    return Application.objects.create(
        number=f"T{next(_numbers):015d}", query_code="FSMTST", applicant=application.applicant,
        version=application.version, title=application.title, department=application.department,
        created_by=application.created_by, status=status)


@pytest.fixture
def case_in(application, dept_x):
    def make(state):
        return Case.objects.create(application=clone(application, Status.IN_REVIEW), lead_department=dept_x,
                                   accepted_on=application.received_on, promised_limit=10, statutory_limit=20,
                                   status=state)

    return make


@pytest.mark.parametrize("name", list(CASE))
def test_case_transition_from_every_state(people, case_in, name):
    allowed, target = CASE[name]
    kwargs = {"approve": {"by": people["head_x"], "reasons": "符合条件"},
              "deny": {"by": people["head_x"], "reasons": "不符合条件"}}.get(name, {})
    check_every_state(case_in, CaseStatus.values, name, allowed, target, kwargs)


def test_a_decision_records_who_when_and_why(people, case_in):
    approved = transition(case_in("deciding"), "approve", actor=None, action="test", by=people["head_x"],
                          reasons="符合条件")
    assert (approved.decided_by, approved.decision_reasons) == (people["head_x"], "符合条件")
    assert approved.decided_at is not None
    by_system = transition(case_in("deciding"), "approve", actor=None, action="test", by=None)
    assert by_system.decided_by is None and by_system.decided_at is not None
    closed = transition(case_in("reviewing"), "close", actor=None, action="test")
    assert closed.decided_at is not None and closed.decided_by is None


def test_the_case_status_is_protected_and_stale_copies_conflict(case_in):
    case = case_in("reviewing")
    with pytest.raises(AttributeError):
        case.status = CaseStatus.APPROVED
    stale = Case.objects.get(pk=case.pk)
    transition(case, "close", actor=None, action="test")
    stale.to_decision()
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


# --- the application's review transitions --------------------------------------------------------------------
APPLICATION = {
    "start_review": ({"accepted"}, "in_review"),
    "approve": ({"accepted", "in_review"}, "approved"),
    "deny": ({"accepted", "in_review"}, "denied"),
    "withdraw": ({"draft", "submitted", "supplement_requested", "accepted", "in_review"}, "withdrawn"),
    "terminate": ({"accepted", "in_review"}, "terminated"),
}


def test_the_application_declares_these_review_transitions():
    declared = table(Application)
    assert {name: declared[name] for name in APPLICATION} == APPLICATION


@pytest.mark.parametrize("name", list(APPLICATION))
def test_application_transition_from_every_state(application, name):
    allowed, target = APPLICATION[name]
    check_every_state(lambda state: clone(application, state), Status.values, name, allowed, target, {})


def test_a_decided_application_is_closed(application):
    for name in ("approve", "deny"):
        decided = transition(clone(application, Status.IN_REVIEW), name, actor=None, action="test")
        assert decided.decided_at is not None and decided.closed_at is not None and not decided.is_open
    in_supplement = clone(application, Status.IN_REVIEW)
    Application.objects.filter(pk=in_supplement.pk).update(review_supplement=True)
    withdrawn = transition(in_supplement, "withdraw", actor=None, action="test")
    assert not withdrawn.review_supplement and withdrawn.closed_at is not None
