"""Property-based API fuzzing from the OpenAPI schema, signed in with a real token: no server errors."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from portal.wsgi import application

# Loaded at collection: the schema view touches no database. (`schemathesis.pytest.from_fixture` would be
# lazier, but fails under pytest 9 in schemathesis 4.32.)
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def token(people, work_calendar):
    return Token.objects.create(user=people["applicant_a"]).key


@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=[not_a_server_error])
