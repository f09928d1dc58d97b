"""Two clerks accepting one submission at the same instant, on PostgreSQL with real parallel transactions."""

import threading

import pytest
from django.db import close_old_connections, connection
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from applications.models import Notice, Status
from applications.services import intake
from portal.errors import CONFLICTS
from tests.applications.helpers import submitted
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*actions):
    barrier = threading.Barrier(len(actions))
    outcomes: list = [None] * len(actions)

    def run(i, action):
        try:
            barrier.wait()
            outcomes[i] = action()
        except Exception as exc:
            outcomes[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_two_clerks_accept_the_same_submission_one_succeeds_one_conflicts(people, person_a, published_version,
                                                                        work_calendar):
    application = submitted(people["applicant_a"], person_a, published_version)
    clerk_2 = UserFactory(username="clerk_2", role="clerk")
    outcomes = _race(lambda: intake.application_accept(actor=people["clerk"], application=application),
                     lambda: intake.application_accept(actor=clerk_2, application=application))
    conflicts = [o for o in outcomes if isinstance(o, CONFLICTS)]
    successes = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(successes) == 1 and len(conflicts) == 1, outcomes
    assert isinstance(conflicts[0], (TransitionNotAllowed, ConcurrentTransition))
    application.refresh_from_db()
    assert application.status in (Status.ACCEPTED, Status.IN_REVIEW)  # review starts once the outbox delivers
    assert application.notices.filter(kind=Notice.Kind.ACCEPTANCE).count() == 1
    assert application.responsible_clerk == successes[0].accepted_by


def test_accept_and_supplement_at_once_one_outcome(people, person_a, published_version, work_calendar):
    application = submitted(people["applicant_a"], person_a, published_version)
    clerk_2 = UserFactory(username="clerk_2", role="clerk")
    outcomes = _race(
        lambda: intake.application_accept(actor=people["clerk"], application=application),
        lambda: intake.application_request_supplement(actor=clerk_2, application=application,
                                                      problems=[{"subject": "地址", "problem": "不清"}]))
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1, outcomes
    assert application.notices.count() == 1
