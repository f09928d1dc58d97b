import os

import pytest
from django.db import connection

from portal import clock
from portal.models import CalendarYear, Role
from portal.services.calendar import calendar_seed_from_package
from tests.factories import DepartmentFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls there are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Correct-Horse-9"


def missing_tool(reason: str) -> None:
    """A tool the project installs is missing: skip on a developer's machine, fail in CI (CI=true), where a
    skip would hide a broken install step."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run this test)")
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` run in the second pass of .ci/run, against the machine's PostgreSQL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: runs in the PostgreSQL+Redis pass of .ci/run")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters and cached reads start empty in every test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def work_calendar(db):
    """The work calendar seeded from chinese-calendar (2004 to the last year it knows)."""
    if not CalendarYear.objects.exists():
        calendar_seed_from_package()
    clock.invalidate()
    yield clock.get_calendar()
    clock.invalidate()


@pytest.fixture
def dept_x(db):
    return DepartmentFactory(code="X", name="部门X")


@pytest.fixture
def dept_y(db):
    return DepartmentFactory(code="Y", name="部门Y")


@pytest.fixture
def people(db, dept_x, dept_y):
    """One user per role of the permission matrix; department staff in X (and a reviewer in Y)."""
    return {
        "applicant_a": UserFactory(username="applicant_a", role=Role.APPLICANT_PERSON),
        "applicant_b": UserFactory(username="applicant_b", role=Role.APPLICANT_PERSON),
        "enterprise": UserFactory(username="enterprise", role=Role.APPLICANT_ENTERPRISE, id_number=""),
        "clerk": UserFactory(username="clerk", role=Role.CLERK),
        "reviewer_x": UserFactory(username="reviewer_x", role=Role.REVIEWER, department=dept_x),
        "reviewer_y": UserFactory(username="reviewer_y", role=Role.REVIEWER, department=dept_y),
        "head_x": UserFactory(username="head_x", role=Role.HEAD, department=dept_x),
        "supervisor": UserFactory(username="supervisor", role=Role.SUPERVISOR),
        "catalogue_admin": UserFactory(username="catalogue_admin", role=Role.CATALOGUE_ADMIN),
        "agency_a": UserFactory(username="agency_a", role=Role.AGENCY),
        "agency_b": UserFactory(username="agency_b", role=Role.AGENCY),
        "sysadmin": UserFactory(username="sysadmin", role=Role.SYSADMIN, is_staff=True, is_superuser=True),
    }


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"
