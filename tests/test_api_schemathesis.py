"""Property-based API fuzzing from the OpenAPI schema, signed in with a real token: no server errors."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from portal.wsgi import application
from tests.conftest import examples

# Loaded at collection: the schema view touches no database. (`schemathesis.pytest.from_fixture` would be
# lazier, but fails under pytest 9 in schemathesis 4.32.)
# The review endpoints answer an applicant with 403 at once: they are fuzzed as department staff, with real
# objects behind the ids, in tests/approvals/test_api_fuzz.py.
REVIEW_PATHS = r"^/api/v1/(tasks|cases|pauses|extensions|inspections|attachments|backups)/"
schema = schemathesis.openapi.from_wsgi("/api/schema/", application).exclude(path_regex=REVIEW_PATHS)


@pytest.fixture
def token(people, work_calendar):
    return Token.objects.create(user=people["applicant_a"]).key


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Called straight through WSGI, Django would close the test's connection after each request (as
    Django's own test client avoids by disconnecting these receivers)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.embedded  # again on SQLite in .ci/run: it has found SQLite-only server errors
@schema.parametrize()
@settings(max_examples=examples(60), deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=[not_a_server_error])
