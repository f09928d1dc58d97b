"""The permission matrix of the licence API and pages: every role against every endpoint, with a licence of
applicant_a issued by department X (reviewer_y's department takes no part: 404)."""

import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client
from rest_framework.test import APIClient

from licences import api
from licences.models import Licence, LicenceTemplate, Status
from tests.matrix import EVERYONE, SIGNED_IN, Row, check_matrix, only

pytestmark = pytest.mark.django_db

SEE = only("applicant_a", "clerk", "reviewer_x", "head_x", "supervisor")  # licences_visible_to (not sysadmin)
DESK = only("clerk", "reviewer_x", "reviewer_y", "head_x", "supervisor")
DESK_SEE = only("clerk", "reviewer_x", "head_x", "supervisor")
HAND_OVER = only("clerk", "reviewer_x", "head_x")
EDITORS = only("catalogue_admin", "sysadmin")
BAD_INPUT = frozenset({400})
FORM_AGAIN = frozenset({200})  # a page shown again with the field's message


@pytest.fixture(autouse=True)
def fresh_verify_throttle(monkeypatch):
    monkeypatch.setattr(api.VerifyThrottle, "cache", LocMemCache(f"verify-{uuid.uuid4()}", {}))
    monkeypatch.setattr(api.VerifyThrottle, "get_rate", lambda self: "1000/min")


def json_client():
    client = APIClient()
    client.default_format = "json"
    return client


def lic(suffix=""):
    return lambda p: f"/api/v1/licences/{p['licence'].pk}/{suffix}"


def desk(suffix=""):
    return lambda p: f"/licences/desk/{p['licence'].pk}/{suffix}"


API_ROWS = [
    Row("get", "/api/v1/licences/", SIGNED_IN),  # each sees what they may (an empty list for most)
    Row("get", "/api/v1/licences/?status=valid&q=X", SIGNED_IN),
    Row("get", lic(), SEE),
    Row("get", lic("pdf/"), SEE),
    # Writes: bad input from those allowed, so the licence stays as it is for the next role.
    Row("post", lic("delivery/"), only("applicant_a"), ok=BAD_INPUT),
    Row("post", lic("pickup/"), HAND_OVER, ok=BAD_INPUT),
    Row("post", lic("dispatch/"), HAND_OVER, ok=BAD_INPUT),
    Row("post", lic("revoke/"), only("head_x"), ok=BAD_INPUT),
    Row("post", lic("cancel/"), only("head_x"), ok=BAD_INPUT),
    # Public verification.
    Row("post", "/api/v1/licences/verify/", EVERYONE, ok=BAD_INPUT),
    Row("post", "/api/v1/licences/verify/", EVERYONE, data={"number": "X-0", "holder_code": "0"},
        ok=frozenset({404})),
    Row("post", "/api/v1/licences/verify/upload/", EVERYONE, ok=BAD_INPUT),
    # Templates.
    Row("get", "/api/v1/licences/templates/", EDITORS),
    Row("get", lambda p: f"/api/v1/licences/templates/{p['licence'].item_id}/", EDITORS),
    Row("put", lambda p: f"/api/v1/licences/templates/{p['licence'].item_id}/", EDITORS, ok=BAD_INPUT),
]

PAGE_ROWS = [
    Row("get", "/licences/verify/", EVERYONE),
    Row("post", "/licences/verify/", EVERYONE, ok=FORM_AGAIN),
    Row("get", lambda p: p["licence"].verify_path(), EVERYONE),
    Row("post", lambda p: p["licence"].verify_path(), EVERYONE, data={"action": "upload"}, ok=FORM_AGAIN),
    Row("get", "/licences/desk/", DESK),
    Row("get", "/licences/desk/?status=expired&delivery=overdue&q=x", DESK),
    Row("get", desk(), DESK_SEE),
    Row("get", desk("progress/"), DESK_SEE),
    Row("get", desk("pdf/"), DESK_SEE),
    Row("post", desk("pickup/"), HAND_OVER, ok=FORM_AGAIN),
    Row("post", desk("dispatch/"), HAND_OVER, ok=FORM_AGAIN),
    Row("post", desk("end/"), only("head_x"), ok=FORM_AGAIN),
    Row("get", lambda p: f"/licences/cases/{p['licence'].application_number}/", DESK),
    Row("get", "/licences/templates/", EDITORS),
    Row("get", lambda p: f"/licences/templates/{p['licence'].item_id}/", EDITORS),
    Row("post", lambda p: f"/licences/templates/{p['licence'].item_id}/", EDITORS, data={"action": "save"},
        ok=FORM_AGAIN),
    Row("get", lambda p: f"/licences/templates/{p['licence'].item_id}/preview.pdf", EDITORS),
]


@pytest.fixture
def objects(people, make_licence):
    return {**people, "licence": make_licence()}


def test_every_role_against_every_licence_endpoint(objects):
    assert check_matrix(json_client, objects, API_ROWS) == []
    licence = Licence.objects.get()
    assert licence.status == Status.VALID and licence.handed_over_at is None and licence.delivery_method == "download"
    assert not LicenceTemplate.objects.exists()


def test_every_role_against_every_licence_page(objects):
    assert check_matrix(Client, objects, PAGE_ROWS) == []
    licence = Licence.objects.get()
    assert licence.status == Status.VALID and licence.handed_over_at is None
    assert not LicenceTemplate.objects.exists()
