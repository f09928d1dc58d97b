"""The demo data of review: `seed_demo` leaves the demo reviewer and head work in every state, and twice is once."""

import io

import pytest
from django.core.management import call_command

from applications.models import Application, Status
from approvals.demo import DEMO_BUNDLE, seed_review
from approvals.models import Backup, Case, CaseStatus, Extension, Pause, ReviewTask, TaskStatus
from approvals.selectors import awaiting_decision, inbox, tasks_visible_to
from portal.models import User
from tests.conftest import demo_seeded_once


@pytest.fixture(scope="module")
def seeded_once(django_db_blocker, tmp_path_factory):
    yield from demo_seeded_once(django_db_blocker, tmp_path_factory.mktemp("demo"))


@pytest.fixture
def seeded(db, seeded_once):
    """What `seed_demo` printed; every test sees the demo data as seeded (in a savepoint of its own)."""
    return seeded_once


def counts() -> dict[str, int]:
    return {"applications": Application.objects.count(), "cases": Case.objects.count(),
            "tasks": ReviewTask.objects.count(), "extensions": Extension.objects.count(),
            "pauses": Pause.objects.count(), "users": User.objects.count(), "backups": Backup.objects.count()}


def test_seeding_twice_adds_nothing_the_second_time(seeded):
    assert "Demo review:" in seeded
    before = counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "Demo review:" not in out.getvalue()
    assert counts() == before
    assert seed_review() == 0


def test_the_demo_reviewer_and_head_have_work_in_every_state(seeded):
    reviewer = User.objects.get(username="demo_reviewer")
    head = User.objects.get(username="demo_head")
    mine = list(inbox(user=reviewer))
    assert mine, "the demo reviewer's inbox is empty"
    states = {t.status for t in mine}
    assert {TaskStatus.PENDING, TaskStatus.IN_REVIEW, TaskStatus.RETURNED} <= states
    assert any(t.assignee == reviewer for t in mine)
    assert list(awaiting_decision(user=head)) and list(awaiting_decision(user=reviewer))
    assert Extension.objects.filter(status=Extension.Status.REQUESTED, requested_by=reviewer).exists()
    assert Pause.objects.filter(kind=Pause.Kind.TESTING, ended_on__isnull=True).exists()
    post = Backup.objects.get(primary=reviewer)
    assert post.backup.username == "demo_reviewer2" and post.backup.department_id == reviewer.department_id


def test_the_restaurant_bundle_is_reviewed_in_parallel_and_one_waits_for_the_enterprise(seeded):
    enterprise = User.objects.get(username="demo_enterprise")
    cases = Case.objects.filter(application__bundle__name=DEMO_BUNDLE, application__created_by=enterprise)
    assert cases.count() == 2
    returned = cases.get(status=CaseStatus.REVIEWING)
    assert returned.application.status == Status.IN_REVIEW and returned.application.review_supplement
    assert returned.tasks.count() >= 3  # three departments and more, in parallel
    assert returned.tasks.filter(status=TaskStatus.APPROVED, department__code="XFZD").exists()
    assert returned.application.materials.exclude(problem="").exists()
    deciding = cases.get(status=CaseStatus.DECIDING)
    assert set(deciding.tasks.values_list("status", flat=True)) == {TaskStatus.APPROVED}
    # Every department's demo reviewer sees its own task, and nobody else's cases.
    fire = User.objects.get(username="demo_reviewer_xfzd")
    assert set(tasks_visible_to(fire).values_list("case", flat=True)) == set(cases.values_list("pk", flat=True))
