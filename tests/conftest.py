import io
import os
import sys
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
from django.db import connection, transaction
from hypothesis import settings as hypothesis_settings

from portal import clock
from portal.models import CalendarDay, CalendarYear, Role
from portal.services.calendar import calendar_seed_from_package
from tests.factories import DepartmentFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls there are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Correct-Horse-9"

# Hypothesis: CI (CI=true) tries every property with its full count of examples; a developer's run tries a
# tenth of them (at least 10). HYPOTHESIS_PROFILE=ci gives a developer CI's counts.
hypothesis_settings.register_profile("ci", print_blob=True)
hypothesis_settings.register_profile("dev", max_examples=10)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def examples(n: int) -> int:
    """A property's number of examples: `n` in CI, a tenth of it (at least 10) on a developer's machine."""
    return n if hypothesis_settings.get_current_profile_name() == "ci" else max(10, n // 10)


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
    """Rate-limit counters and cached reads start empty in every test; the work calendar is read afresh in
    each test (and kept for the rest of it: settings_test caches it) and forgotten after, since a test may
    change it and its transaction is rolled back."""
    from django.core.cache import cache

    cache.clear()
    clock.invalidate()
    yield
    clock.invalidate()


# --- The work calendar: in the test database from the start ---------------------------------------------
_db_blocker = None


def _seed_calendar() -> None:
    if not CalendarYear.objects.exists():
        calendar_seed_from_package()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Each test database (one per xdist worker) gets the work calendar once, 2004 to the last year
    chinese-calendar knows, as a deployment does: every test sees it, and none pays for inserting it."""
    global _db_blocker
    with django_db_blocker.unblock():
        _seed_calendar()
    _db_blocker = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (live server, threads) ends by emptying every table: the calendar goes back in
    before the next test, outside any test's transaction."""
    try:
        return (yield)
    finally:  # a failed teardown too: the tests after it must not find the calendar gone
        if _db_blocker is not None and nextitem is not None:
            with _db_blocker.unblock():
                _seed_calendar()


T = TypeVar("T")
_worlds_open = 0  # built_once transactions open now


def pytest_runtest_call(item):
    """A transactional test would empty every table inside a module's built_once transaction."""
    marker = item.get_closest_marker("django_db")
    transactional = bool({"transactional_db", "live_server"} & set(item.fixturenames)) or bool(
        marker and marker.kwargs.get("transaction"))
    if _worlds_open and transactional:
        pytest.fail("a transactional test in a module whose data is built once (built_once): move it to a "
                    "module of its own", pytrace=False)


def built_once(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    """For a module- or session-scoped fixture: `yield from built_once(django_db_blocker, build)`.

    Runs `build()` once inside a transaction that stays open while the scope's tests run, each in a savepoint
    of it (pytest-django's `db`) rolled back after the test, so every test sees exactly what `build` made;
    the transaction is rolled back when the scope ends. As with Django's TestCase.setUpTestData, the objects
    yielded are shared: a test must not change them in memory (refresh or re-fetch what it changes). Only for
    tests on `db`: a transactional test empties every table, and would see nothing of it.
    """
    global _worlds_open
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # as TestCase's own atomics: the code under test may open durable ones
        atomic.__enter__()
        try:
            value = build()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    _worlds_open += 1
    try:
        yield value
    finally:
        _worlds_open -= 1
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def module_world(build: Callable[[], dict]):
    """Fixtures for a module whose tests share one world: `world, media_root, people, fuzz_objects =
    module_world(build)`, where `build()` returns {"people": ..., "objects": ...}. The world is built once for
    the module with `built_once`, its files in a folder of the module's own (which `media_root` keeps for
    every test of the module, instead of an empty one per test)."""
    from django.conf import settings
    from django.test import override_settings

    @pytest.fixture(scope="module")
    def world(django_db_blocker, tmp_path_factory):
        with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("world-media")):
            yield from built_once(django_db_blocker, build)

    @pytest.fixture
    def media_root(world):
        return settings.MEDIA_ROOT

    @pytest.fixture
    def people(db, world):
        return world["people"]

    @pytest.fixture
    def fuzz_objects(db, world):
        return world["objects"]

    return world, media_root, people, fuzz_objects


def demo_seeded_once(django_db_blocker, directory) -> Iterator[str]:
    """For a module-scoped fixture: `manage.py seed_demo`, as `make run` loads it, built once (`built_once`)
    with its files (uploads, notices, licences, the demo CA) in `directory`; yields what the command printed."""
    from django.core.management import call_command
    from django.test import override_settings

    def seed() -> str:
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        return out.getvalue()

    with override_settings(PORTAL_DEMO_DATA=True, MEDIA_ROOT=directory / "media",
                           LICENCE_SIGNING_DIR=directory / "signing", LICENCE_DEMO_PKI=True):
        yield from built_once(django_db_blocker, seed)


@pytest.fixture
def work_calendar(db):
    """The work calendar of the test database (seeded once from chinese-calendar: 2004 to the last year the
    package knows)."""
    return clock.get_calendar()


@pytest.fixture
def no_calendar(db):
    """A database where no year's notice was ever loaded (the clock falls back to Monday–Friday)."""
    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    clock.invalidate()


def make_departments():
    return DepartmentFactory(code="X", name="部门X"), DepartmentFactory(code="Y", name="部门Y")


def make_people(dept_x, dept_y) -> dict:
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
def dept_x(db):
    return DepartmentFactory(code="X", name="部门X")


@pytest.fixture
def dept_y(db):
    return DepartmentFactory(code="Y", name="部门Y")


@pytest.fixture
def people(db, dept_x, dept_y):
    """One user per role of the permission matrix; department staff in X (and a reviewer in Y)."""
    return make_people(dept_x, dept_y)


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"
