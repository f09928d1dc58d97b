"""The permission matrix of the intake API: every role against every endpoint, with applicant_a's application."""

import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.test import APIClient

from applications import api
from applications.models import Status
from applications.services import intake
from applications.services.notices import notice_render
from tests.applications.helpers import material, submitted
from tests.matrix import EVERYONE, Row, check_matrix, only

FILERS = only("applicant_a", "applicant_b", "enterprise", "clerk")  # applicant accounts and clerks
OWNER_AND_CLERK = only("applicant_a", "clerk")
BAD_INPUT = frozenset({400})


@pytest.fixture(autouse=True)
def fresh_tracking_throttle(monkeypatch):
    monkeypatch.setattr(api.TrackThrottle, "cache", LocMemCache(f"track-{uuid.uuid4()}", {}))


def json_client():
    client = APIClient()
    client.default_format = "json"
    return client


def app(suffix=""):
    return lambda p: f"/api/v1/applications/{p['application'].pk}/{suffix}"


def mat(suffix):
    return lambda p: f"/api/v1/applications/{p['application'].pk}/materials/{p['material'].pk}/{suffix}"


# In the order check_matrix runs them for each role: the clerk's acceptance comes last. Every other write is
# refused as bad input (or is a retried submit), so the application stays as it is for the next role.
ROWS = [
    Row("get", "/api/v1/applicants/", FILERS),
    Row("post", "/api/v1/applicants/", only("clerk"), ok=BAD_INPUT),  # empty body
    Row("get", lambda p: f"/api/v1/applicants/{p['application'].applicant_id}/",
        only("applicant_a", "clerk", "sysadmin")),
    Row("patch", lambda p: f"/api/v1/applicants/{p['application'].applicant_id}/credit/", only("sysadmin"),
        data={"credit_note": "矩阵测试"}),
    Row("get", "/api/v1/applications/", FILERS),
    Row("get", "/api/v1/applications/?status=submitted", FILERS),
    Row("post", "/api/v1/applications/", FILERS, ok=BAD_INPUT),  # no item
    Row("get", app(), OWNER_AND_CLERK),
    Row("patch", app("form/"), OWNER_AND_CLERK, data={"form_data": {"note": "x"}}, ok=BAD_INPUT),  # submitted
    Row("post", app("submit/"), OWNER_AND_CLERK),  # a retried submit: changes nothing
    Row("post", app("withdraw/"), OWNER_AND_CLERK, data={"reason": "x" * 1001}, ok=BAD_INPUT),
    Row("get", app("materials/"), OWNER_AND_CLERK),
    Row("post", mat("reuse/"), OWNER_AND_CLERK, data={"document": "00000000-0000-0000-0000-000000000000"},
        ok=BAD_INPUT),
    Row("post", mat("commitment/"), OWNER_AND_CLERK, ok=BAD_INPUT),  # not signed
    Row("delete", lambda p: mat(f"files/{p['document'].pk}/")(p), OWNER_AND_CLERK, ok=BAD_INPUT),  # submitted
    Row("get", app("timeline/"), OWNER_AND_CLERK),
    Row("get", app("notices/"), OWNER_AND_CLERK),
    Row("get", lambda p: f"/api/v1/notices/{p['notice'].pk}/pdf/", OWNER_AND_CLERK),
    Row("get", lambda p: f"/api/v1/track/?number={p['application'].number}&code={p['application'].query_code}",
        EVERYONE),
    Row("get", "/api/v1/prereview/", only("clerk")),
    Row("post", app("supplement/"), only("clerk"), ok=BAD_INPUT),
    Row("post", app("refuse/"), only("clerk"), ok=BAD_INPUT),
    Row("post", app("accept-rongque/"), only("clerk"), ok=BAD_INPUT),
    Row("post", app("accept/"), only("clerk")),
]
# Uploads are multipart.
UPLOAD_ROWS = [Row("post", mat("files/"), OWNER_AND_CLERK, ok=BAD_INPUT)]  # no files


def test_every_role_against_every_intake_endpoint(people, person_a, published_version, work_calendar):
    applicant_a = people["applicant_a"]
    application = submitted(applicant_a, person_a, published_version)
    main = material(application, "食品经营许可申请书")
    earlier = intake.application_accept(actor=people["clerk"],
                                        application=submitted(applicant_a, person_a, published_version))
    notice = earlier.notices.get()
    notice_render(notice_id=notice.pk)
    objects = {**people, "application": application, "material": main, "document": main.documents.get(),
               "notice": notice}

    assert check_matrix(APIClient, objects, UPLOAD_ROWS) == []
    assert check_matrix(json_client, objects, ROWS) == []

    application.refresh_from_db()
    assert application.status == Status.ACCEPTED and application.accepted_by == people["clerk"]
    assert main.documents.count() == 1 and application.notices.count() == 1
    person_a.refresh_from_db()
    assert person_a.credit_note == "矩阵测试"
