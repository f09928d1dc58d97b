"""Licence numbering under real parallel transactions on PostgreSQL (SQLite serialises writers and cannot show it).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_lic REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python -m pytest tests/licences/test_concurrency.py

Each issue runs in a thread with its own database connection, closed when the thread's work ends. Nothing is
rendered: the outbox keeps the render messages (OUTBOX_PUBLISH_ON_COMMIT off), numbering is what is under test.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from licences import services
from licences.models import Licence, LicenceCounter
from licences.services import identifier_is_valid
from portal.models import OutboxMessage
from tests.approvals.conftest import publish
from tests.approvals.test_concurrency import race
from tests.licences.test_issue_flow import issue

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ISSUES = 100
ROLLED_BACK = 10
WORKERS = 10


class Boom(Exception):
    """A failure after the number was taken, inside the issuing transaction (the approval's task failing)."""


@pytest.fixture(autouse=True)
def _no_render(settings):
    settings.OUTBOX_PUBLISH_ON_COMMIT = False


def counter_last(department):
    counter = LicenceCounter.objects.filter(department=department, year=timezone.localdate().year).first()
    return counter.last if counter else 0


def in_thread(action):
    """Run `action` on this thread's own connection and close it afterwards (pool threads are reused)."""
    try:
        return action()
    except Exception as exc:  # the outcome under test
        return exc
    finally:
        close_old_connections()
        connection.close()


def issue_or_fail(version, i, fail):
    with transaction.atomic():
        licence = issue(version, f"concurrent-{i}", holder_name=f"持证人{i}")
        if fail:
            raise Boom(licence.serial)
    return licence


def test_a_hundred_concurrent_issues_with_ten_rolled_back_give_numbers_without_gaps(licence_version):
    department = licence_version.item.department
    failing = set(range(0, ISSUES, ISSUES // ROLLED_BACK))
    assert len(failing) == ROLLED_BACK
    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(lambda i: in_thread(partial(issue_or_fail, licence_version, i, i in failing)),
                                 range(ISSUES)))
    booms = [o for o in outcomes if isinstance(o, Boom)]
    others = [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, Boom)]
    assert others == [] and len(booms) == ROLLED_BACK
    # The failed ones had taken numbers (in their transactions) that the others then took again.
    assert all(int(str(b)) >= 1 for b in booms)

    kept = ISSUES - ROLLED_BACK
    licences = list(Licence.objects.filter(department=department))
    assert sorted(licence.serial for licence in licences) == list(range(1, kept + 1))
    assert len({licence.number for licence in licences}) == kept
    assert len({licence.identifier for licence in licences}) == kept
    assert all(identifier_is_valid(licence.identifier) for licence in licences)
    assert {licence.source for licence in licences} == {f"concurrent-{i}" for i in range(ISSUES) if i not in failing}
    assert counter_last(department) == kept
    assert OutboxMessage.objects.filter(task="licences.render").count() == kept


@pytest.mark.parametrize("threads", [2, 5])
def test_the_same_source_issued_at_once_is_one_licence(licence_version, threads):
    outcomes = race(*[partial(issue, licence_version, "case-1-item-1") for _ in range(threads)])
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert len({o.pk for o in outcomes}) == 1
    assert Licence.objects.count() == 1
    assert counter_last(licence_version.item.department) == 1
    assert OutboxMessage.objects.filter(task="licences.render").count() == 1


def test_the_same_source_numbered_by_two_departments_at_once_keeps_one_and_no_gap(people, licence_version, dept_y,
                                                                                  monkeypatch):
    """Two issues of one source that do not wait on the same counter row (here two items of two departments; in
    life, one at 23:59:59 on 31 December and one just after) both take a number; the unique source lets one
    insert, and the other's transaction gives its number back (services.licence_issue's IntegrityError path)."""
    version_y = publish(people, dept_y, code="LIC-T-002", result_type="licence", result_name="乙许可证",
                        licence_validity_months=12)
    both_numbered = threading.Barrier(2, timeout=30)
    real_next_serial = services.next_serial

    def next_serial_then_wait(counter):
        serial = real_next_serial(counter)
        both_numbered.wait()  # neither inserts before both hold a number
        return serial

    monkeypatch.setattr(services, "next_serial", next_serial_then_wait)
    outcomes = race(partial(issue, licence_version, "shared-source"), partial(issue, version_y, "shared-source"))
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert outcomes[0].pk == outcomes[1].pk
    licence = Licence.objects.get()
    assert licence.serial == 1
    winner = licence.department
    loser = dept_y if winner.pk != dept_y.pk else licence_version.item.department
    assert counter_last(winner) == 1
    assert counter_last(loser) == 0  # its number was rolled back with its savepoint: no gap
    monkeypatch.setattr(services, "next_serial", real_next_serial)
    assert issue(version_y if loser == dept_y else licence_version, "after").serial == 1
