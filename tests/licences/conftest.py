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


@pytest.fixture
def holders_known():
    """Who holds what: the applications app registers this resolver (its applicants' codes) when it starts;
    registered here too for a checkout where it does not yet, and put back as it was afterwards."""
    from licences import holders

    before = holders._resolver
    if before is None:
        from applications.models import Applicant

        def resolve(user):
            return [code for pair in Applicant.objects.filter(users=user).values_list("id_number", "uscc")
                    for code in pair if code]

        holders.register(resolve)
    yield
    holders._resolver = before


@pytest.fixture
def make_licence(licence_version, person_a, holders_known):  # noqa: F811
    """`make_licence(render=True, **issue_arguments)`: a licence of person_a (applicant_a's) issued straight
    through licences.services (no case), rendered and signed unless render=False."""
    import itertools

    from django.utils import timezone

    from licences.models import HolderCodeType
    from licences.services import licence_issue, licence_render

    serials = itertools.count(1)

    def make(*, render=True, **kwargs):
        arguments = {
            "source": f"test-{next(serials)}", "version": licence_version, "holder_name": person_a.name,
            "holder_code": person_a.id_number, "holder_code_type": HolderCodeType.RESIDENT_ID,
            "decided_on": timezone.localdate(), "application_number": "SQ-TEST-0001",
            "facts": [["经营场所名称", "湖州小吃店"]], **kwargs,
        }
        licence = licence_issue(**arguments)
        return licence_render(licence_id=licence.pk) if render else licence

    return make
