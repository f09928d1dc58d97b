"""Fixtures for licences: an item of department X whose result is a licence valid 5 years, and a case of it
approved by both departments and decided."""

import pytest

from approvals.services.cases import case_decide
from approvals.services.tasks import task_approve, task_claim
from tests.applications.conftest import (  # noqa: F401  (fixtures shared with intake)
    enterprise_applicant,
    media_root,
    person_a,
    person_b,
)
from tests.approvals.conftest import accepted_case, publish, today  # noqa: F401


@pytest.fixture(autouse=True)
def signing_dir(settings, tmp_path_factory):
    """One demo CA for the session; a department's certificate is made the first time it signs."""
    settings.LICENCE_SIGNING_DIR = tmp_path_factory.getbasetemp() / "signing"
    settings.LICENCE_DEMO_PKI = True
    return settings.LICENCE_SIGNING_DIR


@pytest.fixture
def licence_version(people, dept_x, work_calendar):
    return publish(people, dept_x, code="LIC-T-001", result_type="licence", result_name="测试许可证（有效期5年）",
                   licence_validity_months=60)


def approve_case(people, case):
    """Every task approved by its department, then the lead decides (as reviewers would)."""
    for task in case.tasks.all():
        reviewer = people["reviewer_x"] if task.department_id == people["reviewer_x"].department_id \
            else people["reviewer_y"]
        task = task_claim(actor=reviewer, task=task)
        task_approve(actor=reviewer, task=task, text="同意")
    case.refresh_from_db()
    return case_decide(actor=people["head_x"], case=case, approve=True)


@pytest.fixture
def approved_case(people, person_a, licence_version, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        case = accepted_case(people, person_a, licence_version)
        return approve_case(people, case)
