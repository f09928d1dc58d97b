"""Fuzzing the intake endpoints from the OpenAPI schema, signed in as the clerk and as an applicant, with real
applications in every intake state behind most ids: no server errors, whatever the input."""

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from applications.services import filing, intake
from applications.services.applicants import applicant_for_user
from portal import clock
from portal.wsgi import application as wsgi_application
from tests.applications.conftest import publish_test_item, register_walk_in
from tests.applications.helpers import material, submitted
from tests.conftest import examples, make_departments, make_people, module_world
from tests.test_api_schemathesis import keep_the_test_connection  # noqa: F401  (autouse: WSGI calls)

ITEM = "APP-T-001"

intake_schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_application).include(
    path_regex=r"^/api/v1/(applicants|applications|notices|prereview|track)/")


def _build_world():
    """Built once for the module, through the services (each test runs in a savepoint of it and sees it as
    built): the matrix people, the test item, and applicant_a's applications in every intake state with a
    notice."""
    people = make_people(*make_departments())
    version = publish_test_item(people, people["reviewer_x"].department)
    person_a, walk_in = applicant_for_user(user=people["applicant_a"]), register_walk_in(people)
    applicant_a, clerk_user = people["applicant_a"], people["clerk"]
    draft = filing.application_start(actor=applicant_a, applicant=person_a, version=version)
    waiting = submitted(applicant_a, person_a, version)
    sent_back = intake.application_request_supplement(
        actor=clerk_user, application=submitted(applicant_a, person_a, version),
        problems=[{"subject": "地址", "problem": "不清"}])
    window = submitted(clerk_user, walk_in, version, skip=("营业执照复印件",))
    deferred = material(window, "营业执照复印件")
    rongque = intake.application_accept_rongque(
        actor=clerk_user, application=window, missing=[deferred.pk], signed_name="王五",
        due=clock.get_calendar().add_working_days(window.received_on, 3))
    # (Its PDF is not rendered: rendering for every case is slow, and the download is tested in test_api.py.)
    objects = {"applications": [draft, waiting, sent_back, rongque], "notice": rongque.notices.get(),
               "applicant": person_a}
    return {"people": people, "objects": objects}


world, media_root, people, fuzz_objects = module_world(_build_world)


def _aim_at_real_objects(case, objects):
    """Most cases get existing ids, so that their bodies reach the services."""
    params = case.path_parameters or {}
    seed = hash(repr(params) + repr(case.body))
    if seed % 4 == 0:
        return
    applications = objects["applications"]
    application = applications[seed % len(applications)]
    if "id" in params:
        if case.path.startswith("/api/v1/notices/"):
            params["id"] = objects["notice"].pk
        elif case.path.startswith("/api/v1/applicants/"):
            params["id"] = objects["applicant"].pk
        else:
            params["id"] = application.pk
    materials = list(application.materials.all())
    chosen = materials[seed % len(materials)]
    if "mid" in params:
        params["mid"] = chosen.pk
    if "doc" in params:
        params["doc"] = str(chosen.documents.values_list("pk", flat=True).first() or uuid.uuid4())
    if case.path.startswith("/api/v1/track/") and isinstance(case.query, dict):
        case.query.update({"number": application.number, "code": application.query_code})
    body = case.body
    if isinstance(body, dict):
        if "item" in body:
            body["item"] = ITEM
            body.pop("bundle", None)
        if "applicant" in body:
            body["applicant"] = objects["applicant"].pk
        if isinstance(body.get("missing"), list):
            body["missing"] = [m.pk for m in materials[: len(body["missing"])]]
        if isinstance(body.get("problems"), list):
            for row, m in zip(body["problems"], materials, strict=False):
                if isinstance(row, dict) and "material" in row:
                    row["material"] = m.pk


@pytest.fixture(params=["clerk", "applicant_a"])
def fuzz_token(request, people, fuzz_objects):
    return Token.objects.create(user=people[request.param]).key


@pytest.mark.embedded  # again on SQLite in .ci/run: it has found SQLite-only server errors
@intake_schema.parametrize()
@settings(max_examples=examples(20), deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzzing_the_intake_endpoints_gives_no_server_errors(case, fuzz_token, fuzz_objects):
    _aim_at_real_objects(case, fuzz_objects)
    case.call_and_validate(headers={"Authorization": f"Token {fuzz_token}"}, checks=[not_a_server_error])
