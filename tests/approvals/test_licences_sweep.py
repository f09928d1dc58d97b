"""The review sweep's "licences" part: an approved case whose approval task never ran (or failed for good) gets
its licences from the sweep, once; bad holder data tells the lead department's heads instead of failing."""

# ruff: noqa: F811  (the licences fixtures, imported below, are test arguments here)
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from applications.models import Applicant
from approvals import licensing
from approvals.licensing import FAILED_ACTION, issue_licences
from approvals.models import Case
from approvals.services import sweeps
from approvals.services.sweeps import LICENCE_GRACE, cases_licences_due, review_sweep
from licences.models import Licence
from portal.models import AuditEvent, Notification, Role, User
from tests.approvals.conftest import accepted_case, publish
from tests.licences.conftest import (  # noqa: F401  (fixtures of licences)
    approve_case,
    approved_case,
    licence_version,
    signing_dir,
)

pytestmark = pytest.mark.django_db


def approved_without_task(people, applicant, version):
    """Approved through the services with no on_commit callback run: the approval task never ran."""
    return approve_case(people, accepted_case(people, applicant, version))


def decided_ago(case, delta):
    Case.objects.filter(pk=case.pk).update(decided_at=timezone.now() - delta)


def sweep():
    return review_sweep(today=timezone.localdate())["licences"]


def failure_notices(case):
    return Notification.objects.filter(subject__contains=case.application.number)


def test_issue_licences_marks_the_case(approved_case):
    """(d) The approval task issued the licence and marked the case: the sweep leaves it alone."""
    case = Case.objects.get(pk=approved_case.pk)
    assert case.licences_issued_at is not None and Licence.objects.count() == 1
    decided_ago(case, timedelta(hours=1))
    assert sweep() == 0
    assert Licence.objects.count() == 1


def test_a_case_without_licence_items_is_marked_too(people, person_a, dept_x, work_calendar):
    version = publish(people, dept_x, code="LIC-T-002", result_type="approval_document", result_name="批复")
    case = approved_without_task(people, person_a, version)
    assert issue_licences(case) == []
    assert Case.objects.get(pk=case.pk).licences_issued_at is not None


def test_the_sweep_issues_what_the_task_never_did_once(people, person_a, licence_version):
    """(a)"""
    case = approved_without_task(people, person_a, licence_version)
    assert not Licence.objects.exists() and Case.objects.get(pk=case.pk).licences_issued_at is None
    decided_ago(case, LICENCE_GRACE + timedelta(minutes=1))
    assert sweep() == 1
    licence = Licence.objects.get()
    assert licence.source == f"case-{case.pk}-item-{licence_version.item_id}"
    assert licence.holder_code == person_a.id_number
    assert Case.objects.get(pk=case.pk).licences_issued_at is not None
    assert sweep() == 0
    assert Licence.objects.count() == 1


def test_the_sweep_twice_for_the_same_case_issues_one_licence(people, person_a, licence_version):
    case = approved_without_task(people, person_a, licence_version)
    decided_ago(case, timedelta(hours=2))
    assert sweeps.case_issue_licences(case_id=case.pk) is True
    assert sweeps.case_issue_licences(case_id=case.pk) is False  # re-checked on the locked row
    assert Licence.objects.count() == 1


def test_a_recent_decision_is_left_to_the_task(people, person_a, licence_version):
    """(b)"""
    case = approved_without_task(people, person_a, licence_version)
    decided_ago(case, LICENCE_GRACE - timedelta(minutes=2))
    assert sweep() == 0
    assert not Licence.objects.exists()
    assert Case.objects.get(pk=case.pk).licences_issued_at is None


def test_bad_holder_data_tells_the_heads_once_and_does_not_stop_the_sweep(
        people, person_a, person_b, licence_version, django_capture_on_commit_callbacks, monkeypatch):
    """(c) A person applicant without an ID number: the approval task succeeds without a licence and tells the
    heads; the sweep retries quietly, still handles the other cases, and issues once the data is right."""
    bad = accepted_case(people, person_b, licence_version)
    Applicant.objects.filter(pk=person_b.pk).update(id_number="")
    with django_capture_on_commit_callbacks(execute=True):
        bad = approve_case(people, bad)  # the approval task runs: no exception, the message is done
    good = approved_without_task(people, person_a, licence_version)
    heads = User.objects.filter(department=bad.lead_department_id, role=Role.HEAD, is_active=True)
    assert heads.exists()
    notices = failure_notices(bad)
    assert sorted(n.recipient_id for n in notices) == sorted(h.pk for h in heads)
    notice = notices.first()
    assert "证照未能签发" in notice.subject and "持证主体代码" in notice.subject
    assert notice.link == f"/review/cases/{bad.pk}/"
    failed = AuditEvent.objects.get(action=FAILED_ACTION)
    assert failed.object_id == str(bad.pk) and "holder_code" in failed.after["errors"]
    assert not Licence.objects.filter(source__startswith=f"case-{bad.pk}-").exists()
    assert Case.objects.get(pk=bad.pk).licences_issued_at is None

    decided_ago(bad, timedelta(hours=1))
    decided_ago(good, timedelta(hours=1))
    assert sweep() == 1  # the good case; the bad one does not raise
    assert Licence.objects.get().source.startswith(f"case-{good.pk}-")
    assert sweep() == 0
    assert failure_notices(bad).count() == heads.count()  # told once, not every 15 minutes
    assert AuditEvent.objects.filter(action=FAILED_ACTION).count() == 1

    with monkeypatch.context() as patch:  # a day later they are told again
        patch.setattr(licensing, "RETELL_AFTER", timedelta(0))
        assert sweep() == 0
    assert failure_notices(bad).count() == 2 * heads.count()

    Applicant.objects.filter(pk=person_b.pk).update(id_number="11010519491231002X")  # put right
    assert sweep() == 1
    assert Licence.objects.filter(source__startswith=f"case-{bad.pk}-").count() == 1
    assert Case.objects.get(pk=bad.pk).licences_issued_at is not None


def test_one_failing_case_does_not_stop_the_others(people, person_a, person_b, licence_version, monkeypatch):
    first = approved_without_task(people, person_a, licence_version)
    second = approved_without_task(people, person_b, licence_version)
    decided_ago(first, timedelta(hours=2))
    decided_ago(second, timedelta(hours=1))
    real = licensing._issue

    def broken_for_first(case):
        if case.pk == first.pk:
            raise RuntimeError("database went away")
        return real(case)

    monkeypatch.setattr(licensing, "_issue", broken_for_first)
    assert sweep() == 1
    assert Case.objects.get(pk=first.pk).licences_issued_at is None
    assert Case.objects.get(pk=second.pk).licences_issued_at is not None


@pytest.mark.embedded  # SQLite's half of it runs only there: again in .ci/run's SQLite pass
def test_the_due_cases_are_read_through_the_partial_index(people, person_a, licence_version):
    case = approved_without_task(people, person_a, licence_version)
    decided_ago(case, timedelta(hours=1))
    assert cases_licences_due(timezone.now()) == [case.pk]
    due = Case.objects.filter(status="approved", licences_issued_at__isnull=True,
                              decided_at__lt=timezone.now()).order_by("decided_at").values_list("pk")
    sql, params = due.query.sql_with_params()
    with connection.cursor() as cursor:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(prefix + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    if connection.vendor == "sqlite":
        assert "case_licences_due" in plan, plan
