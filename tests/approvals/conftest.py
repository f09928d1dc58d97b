"""Fixtures for review: an item of department X reviewed jointly with department Y, accepted and opened."""

import pytest

from applications.services.intake import application_accept
from approvals.services.cases import case_open
from items.services import item_create, version_approve, version_submit
from tests.applications.conftest import (  # noqa: F401  (fixtures shared with intake)
    FORM_DATA,
    FORM_FIELDS,
    ITEM_CONTENT,
    MATERIALS,
    enterprise_applicant,
    media_root,
    person_a,
    person_b,
    walk_in,
)
from tests.applications.helpers import submitted
from tests.factories import UserFactory


def publish(people, department, *, code, joint=(), **content):
    reviewer = UserFactory(username=f"cat_reviewer_{code}", role="catalogue_admin")
    draft = item_create(actor=people["catalogue_admin"], department=department, implementation_code=code,
                        basic_code="000000000009", content={**ITEM_CONTENT, **content}, materials=MATERIALS,
                        form_fields=FORM_FIELDS, steps=[{"name": "审查"}],
                        joint_departments=[{"department": d, "review_days": days} for d, days in joint])
    version_submit(actor=people["catalogue_admin"], version=draft)
    return version_approve(actor=reviewer, version=draft)


@pytest.fixture
def joint_version(people, dept_x, dept_y, work_calendar):
    """Item of X, joint review by Y (3 working days), all must approve, one veto, no timeout consent."""
    return publish(people, dept_x, code="REV-T-001", joint=[(dept_y, 3)])


@pytest.fixture
def reviewer_x2(dept_x):
    return UserFactory(username="reviewer_x2", role="reviewer", department=dept_x)


def accepted_case(people, applicant, version):
    """Filed by the applicant's account, accepted at the window, case opened (as the outbox would)."""
    user = applicant.users.first() or people["clerk"]
    application = submitted(user, applicant, version)
    application_accept(actor=people["clerk"], application=application)
    return case_open(application_id=application.pk)


class _Today:
    """The day the services see through `timezone.localdate()` (time-machine/freezegun are not installed)."""

    def __init__(self, real):
        self._real = real
        self.day = None

    def set(self, day):
        self.day = day
        return day

    def __call__(self, value=None, timezone=None):
        if value is None and self.day is not None:
            return self.day
        return self._real(value, timezone)


@pytest.fixture
def today(monkeypatch):
    """`today.set(date(2025, 9, 30))`: every service calling timezone.localdate() sees that day from then on
    (timezone.now() stays real; the dates the review clock uses all come from localdate())."""
    from django.utils import timezone

    machine = _Today(timezone.localdate)
    monkeypatch.setattr(timezone, "localdate", machine)
    return machine


@pytest.fixture
def head_y(dept_y):
    return UserFactory(username="head_y", role="head", department=dept_y)
