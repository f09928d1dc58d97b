"""Fuzzing the review endpoints from the OpenAPI schema, signed in as department staff, with real tasks, cases,
pauses, extensions, inspections and attachments behind most ids: no server errors, whatever the input."""

import uuid

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from applications.services.applicants import applicant_for_user
from approvals.models import Pause
from approvals.services.procedures import extension_request, inspection_schedule, pause_start
from approvals.services.tasks import task_approve, task_claim
from portal.wsgi import application as wsgi_application
from tests.applications.conftest import pdf_file
from tests.approvals.conftest import accepted_case, publish
from tests.conftest import examples, make_departments, make_people, module_world
from tests.factories import UserFactory
from tests.test_api_schemathesis import (
    REVIEW_PATHS,
    keep_the_test_connection,  # noqa: F401  (autouse: WSGI calls)
)

review_schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_application).include(path_regex=REVIEW_PATHS)


def _build_world():
    """Built once for the module, through the services (each test runs in a savepoint of it and sees it as
    built): the matrix people, an item of X reviewed jointly by Y, and a joint case with X's task claimed,
    paused, extended and inspected and Y's approved with a file, beside a case not yet claimed."""
    dept_x, dept_y = make_departments()
    people = make_people(dept_x, dept_y)
    version = publish(people, dept_x, code="REV-T-001", joint=[(dept_y, 3)])
    person_a = applicant_for_user(user=people["applicant_a"])
    reviewer_x2 = UserFactory(username="reviewer_x2", role="reviewer", department=dept_x)
    case = accepted_case(people, person_a, version)
    x_task = task_claim(actor=people["reviewer_x"], task=case.tasks.get(department__code="X"))
    y_task = task_claim(actor=people["reviewer_y"], task=case.tasks.get(department__code="Y"))
    task_approve(actor=people["reviewer_y"], task=y_task, text="同意", files=[pdf_file()])
    pause = pause_start(actor=people["reviewer_x"], task=x_task, kind=Pause.Kind.TESTING, reason="送检",
                        expected_days=5)
    extension = extension_request(actor=people["reviewer_x"], task=x_task, reasons="需现场核查")
    inspection = inspection_schedule(actor=people["reviewer_x"], task=x_task, scheduled_on=timezone.localdate(),
                                     place="人民路1号", departments=[])
    pending = accepted_case(people, person_a, version)
    objects = {
        "tasks": [x_task, y_task, *pending.tasks.all()], "cases": [case, pending], "pause": pause,
        "extension": extension, "inspection": inspection, "attachment": y_task.opinions.get().attachments.get(),
        "document": case.application.materials.first().documents.first(),
        "users": [people["reviewer_x"], reviewer_x2, people["head_x"]],
    }
    return {"people": people, "objects": objects}


world, media_root, people, fuzz_objects = module_world(_build_world)


def _aim_at_real_objects(case, objects):
    """Most cases get existing ids, so that their bodies reach the services."""
    params = case.path_parameters or {}
    seed = hash(repr(params) + repr(case.body))
    if seed % 4 == 0:
        return
    kind = case.path.split("/")[3]
    if "id" in params:
        if kind in ("tasks", "cases"):
            params["id"] = objects[kind][seed % len(objects[kind])].pk
        else:
            params["id"] = objects[kind.rstrip("s")].pk
    if "doc" in params:
        params["doc"] = str(objects["document"].pk if seed % 3 else uuid.uuid4())
    body = case.body
    if isinstance(body, dict):
        users = objects["users"]
        for key in ("to", "primary", "backup"):
            if key in body:
                body[key] = users[(seed + len(key)) % len(users)].pk


@pytest.fixture(params=["reviewer_x", "head_x"])
def fuzz_token(request, people, fuzz_objects):
    return Token.objects.create(user=people[request.param]).key


@pytest.mark.embedded  # again on SQLite in .ci/run: it has found SQLite-only server errors
@review_schema.parametrize()
@settings(max_examples=examples(20), deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzzing_the_review_endpoints_gives_no_server_errors(case, fuzz_token, fuzz_objects):
    _aim_at_real_objects(case, fuzz_objects)
    case.call_and_validate(headers={"Authorization": f"Token {fuzz_token}"}, checks=[not_a_server_error])
