"""The licence API: lists and details by who may see them, the PDF, delivery, pick-up and dispatch, revocation
and cancellation (403 for the wrong role, 409 for the wrong state), public verification and uploads, templates."""

import uuid
from datetime import timedelta

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIClient

from licences import api
from licences.models import DeliveryMethod, Licence, LicenceTemplate, Status
from licences.services import licence_choose_delivery
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_verify_throttle(monkeypatch):
    monkeypatch.setattr(api.VerifyThrottle, "cache", LocMemCache(f"verify-{uuid.uuid4()}", {}))


@pytest.fixture
def licence(make_licence):
    return make_licence()


def client_for(user=None):
    client = APIClient()
    client.default_format = "json"
    if user is not None:
        client.force_authenticate(user)
    return client


def url(licence, suffix=""):
    return f"/api/v1/licences/{licence.pk}/{suffix}"


# --- reads -------------------------------------------------------------------------------------------------
def test_each_user_lists_what_they_may_see(people, licence, person_a):
    def numbers(role):
        response = client_for(people[role]).get("/api/v1/licences/")
        assert response.status_code == 200
        return [row["number"] for row in response.json()["results"]]

    for role in ("applicant_a", "clerk", "reviewer_x", "head_x", "supervisor"):
        assert numbers(role) == [licence.number]
    for role in ("applicant_b", "reviewer_y", "catalogue_admin", "agency_a"):
        assert numbers(role) == []
    row = client_for(people["applicant_a"]).get("/api/v1/licences/").json()["results"][0]
    assert row["holder_code_masked"] == licence.holder_code_masked
    assert person_a.id_number not in str(row)
    assert row["validity"] == "valid" and row["ready"] is True and row["delivery"]["method"] == "download"
    assert client_for().get("/api/v1/licences/").status_code == 401


def test_the_list_filters_and_refuses_a_bad_filter(people, make_licence):
    valid = make_licence()
    expired = make_licence()
    Licence.objects.filter(pk=expired.pk).update(valid_to=timezone.localdate() - timedelta(days=1))
    rendering = make_licence(render=False)
    clerk = client_for(people["clerk"])

    def numbers(query):
        return {row["number"] for row in clerk.get(f"/api/v1/licences/?{query}").json()["results"]}

    assert numbers("status=expired") == {expired.number}
    assert numbers("status=rendering") == {rendering.number}
    assert numbers("status=valid") == {valid.number}
    assert numbers(f"q={valid.number}") == {valid.number}
    assert numbers("delivery=delivered") == {valid.number, expired.number}
    response = clerk.get("/api/v1/licences/?status=bogus")
    assert response.status_code == 400 and "status" in response.json()


def test_the_detail_is_404_for_anyone_who_may_not_see_it(people, licence):
    for role in ("applicant_b", "reviewer_y", "agency_a"):
        assert client_for(people[role]).get(url(licence)).status_code == 404
    data = client_for(people["applicant_a"]).get(url(licence)).json()
    assert data["identifier"] == licence.identifier and data["facts"] == [["经营场所名称", "湖州小吃店"]]
    assert data["verify_url"].endswith(licence.verify_path()) and data["pdf_sha256"] == licence.pdf_sha256
    assert client_for(people["clerk"]).get("/api/v1/licences/99999/").status_code == 404


def test_the_pdf_for_the_holder_and_staff(people, licence, make_licence):
    response = client_for(people["applicant_a"]).get(url(licence, "pdf/"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    licence.refresh_from_db()
    assert licence.downloaded_at is not None
    assert client_for(people["head_x"]).get(url(licence, "pdf/")).status_code == 200
    assert AuditEvent.objects.filter(action="licence.download", actor=people["head_x"]).exists()
    assert client_for(people["applicant_b"]).get(url(licence, "pdf/")).status_code == 404
    rendering = make_licence(render=False)
    response = client_for(people["applicant_a"]).get(url(rendering, "pdf/"))
    assert response.status_code == 409 and "正在制作" in response.json()["detail"]


# --- delivery ----------------------------------------------------------------------------------------------
def test_the_holder_chooses_express_and_the_clerk_dispatches(people, licence):
    holder = client_for(people["applicant_a"])
    response = holder.post(url(licence, "delivery/"), {"method": "express", "address": "人民路1号",
                                                       "recipient": "张三", "phone": "12345"})
    assert response.status_code == 400 and "phone" in response.json()
    response = holder.post(url(licence, "delivery/"), {"method": "express", "address": "", "recipient": "张三",
                                                       "phone": "13905720001"})
    assert response.status_code == 400 and "address" in response.json()
    response = holder.post(url(licence, "delivery/"), {"method": "express", "address": "湖州市人民路1号",
                                                       "recipient": "张三", "phone": "13905720001"})
    assert response.status_code == 200 and response.json()["delivery"]["method"] == "express"
    assert client_for(people["clerk"]).post(url(licence, "delivery/"), {"method": "pickup"}).status_code == 403
    clerk = client_for(people["clerk"])
    response = clerk.post(url(licence, "dispatch/"), {"company": "EMS", "tracking_number": "12"})
    assert response.status_code == 400 and "tracking_number" in response.json()
    response = clerk.post(url(licence, "dispatch/"), {"company": "EMS", "tracking_number": "EA123456789CN"})
    assert response.status_code == 200
    assert response.json()["delivery"]["tracking_number"] == "EA123456789CN"
    assert response.json()["delivery"]["handed_over_at"] is not None
    again = clerk.post(url(licence, "dispatch/"), {"company": "EMS", "tracking_number": "EA123456789CN"})
    assert again.status_code == 409 and "待邮寄" in again.json()["detail"]
    response = holder.post(url(licence, "delivery/"), {"method": "pickup"})
    assert response.status_code == 409


def test_pick_up_is_recorded_by_staff_only_with_the_id_masked(people, licence):
    licence_choose_delivery(licence=licence, actor=people["applicant_a"], method=DeliveryMethod.PICKUP)
    for role in ("supervisor", "applicant_a"):
        assert client_for(people[role]).post(url(licence, "pickup/"), {"collected_by": "李四"}).status_code == 403
    response = client_for(people["clerk"]).post(url(licence, "pickup/"), {"collected_by": ""})
    assert response.status_code == 400 and "collected_by" in response.json()
    response = client_for(people["reviewer_x"]).post(url(licence, "pickup/"), {
        "collected_by": "李四", "id_number": "330102199001011234"})
    assert response.status_code == 200
    assert response.json()["delivery"]["collected_id_masked"] == "330***********1234"
    assert "330102199001011234" not in response.content.decode()


def test_pick_up_of_a_licence_to_be_downloaded_is_a_conflict(people, licence):
    response = client_for(people["clerk"]).post(url(licence, "pickup/"), {"collected_by": "李四"})
    assert response.status_code == 409 and "待领取" in response.json()["detail"]


# --- revocation and cancellation ---------------------------------------------------------------------------
def test_the_issuing_departments_head_revokes_once(people, licence):
    for role in ("reviewer_x", "clerk", "supervisor", "applicant_a"):
        response = client_for(people[role]).post(url(licence, "revoke/"), {"reason": "以欺骗手段取得"})
        assert response.status_code == 403, role
    head = client_for(people["head_x"])
    response = head.post(url(licence, "revoke/"), {"reason": ""})
    assert response.status_code == 400 and "reason" in response.json()
    response = head.post(url(licence, "revoke/"), {"reason": "以欺骗手段取得", "basis": "第六十九条"})
    assert response.status_code == 200
    data = response.json()
    assert data["validity"] == "revoked"
    assert data["end_reason"] == "以欺骗手段取得" and data["end_basis"] == "第六十九条"
    again = head.post(url(licence, "cancel/"), {"reason": "注销"})
    assert again.status_code == 409 and "当前状态不允许" in again.json()["detail"]
    assert client_for(people["reviewer_y"]).post(url(licence, "cancel/"), {"reason": "x"}).status_code == 404


def test_cancel(people, licence):
    response = client_for(people["head_x"]).post(url(licence, "cancel/"), {"reason": "持证人申请注销"})
    assert response.status_code == 200 and response.json()["validity"] == "cancelled"
    licence.refresh_from_db()
    assert licence.status == Status.CANCELLED


# --- public verification -----------------------------------------------------------------------------------
def test_verify_by_token_or_by_number_and_holder_code(licence, person_a, person_b):
    public = client_for()
    response = public.post("/api/v1/licences/verify/", {"token": licence.verify_token()})
    assert response.status_code == 200
    data = response.json()
    assert data["validity"] == "valid" and data["number"] == licence.number
    assert data["holder_code_masked"] == licence.holder_code_masked and person_a.id_number not in str(data)
    response = public.post("/api/v1/licences/verify/", {"number": licence.number,
                                                        "holder_code": person_a.id_number})
    assert response.status_code == 200 and response.json()["identifier"] == licence.identifier
    for wrong in ({"number": licence.number, "holder_code": person_b.id_number},
                  {"number": "X-0", "holder_code": person_a.id_number}, {"token": "forged"}):
        response = public.post("/api/v1/licences/verify/", wrong)
        assert response.status_code == 404 and licence.number not in response.content.decode()
    response = public.post("/api/v1/licences/verify/", {"number": licence.number})
    assert response.status_code == 400 and "holder_code" in response.json()


def test_verify_says_expired_and_revoked(people, licence):
    Licence.objects.filter(pk=licence.pk).update(valid_to=timezone.localdate() - timedelta(days=1))
    public = client_for()
    assert public.post("/api/v1/licences/verify/", {"token": licence.verify_token()}).json()["validity"] == "expired"
    Licence.objects.filter(pk=licence.pk).update(valid_to=None)
    client_for(people["head_x"]).post(url(licence, "revoke/"), {"reason": "吊销"})
    data = public.post("/api/v1/licences/verify/", {"token": licence.verify_token()}).json()
    assert data["validity"] == "revoked" and data["end_reason"] == "吊销" and data["ended_at"]


def test_verification_is_throttled(licence, monkeypatch):
    monkeypatch.setattr(api.VerifyThrottle, "get_rate", lambda self: "2/min")
    public = client_for()
    for _ in range(2):
        assert public.post("/api/v1/licences/verify/", {"token": "x"}).status_code == 404
    assert public.post("/api/v1/licences/verify/", {"token": "x"}).status_code == 429


def upload(data, name="licence.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_an_uploaded_pdf_is_checked_by_hash_and_signature(make_licence):
    licence, other = make_licence(), make_licence()
    public = client_for()
    data = licence.pdf.read()
    response = public.post("/api/v1/licences/verify/upload/", {"file": upload(data)}, format="multipart")
    assert response.status_code == 200
    result = response.json()
    assert result["matches"] is True and result["licence"]["number"] == licence.number
    assert result["sha256"] == licence.pdf_sha256 and result["signature"]["ok"] is True
    response = public.post("/api/v1/licences/verify/upload/", {"file": upload(data), "token": other.verify_token()},
                           format="multipart")
    assert response.json()["matches"] is False and response.json()["licence"] is None
    tampered = bytearray(data)
    tampered[len(data) // 3] ^= 0x01
    result = public.post("/api/v1/licences/verify/upload/", {"file": upload(bytes(tampered))},
                         format="multipart").json()
    assert result["matches"] is False and result["signature"]["ok"] is False
    response = public.post("/api/v1/licences/verify/upload/", {"file": upload(b"GIF89a", "x.pdf")},
                           format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    response = public.post("/api/v1/licences/verify/upload/", {"file": upload(data), "token": "forged"},
                           format="multipart")
    assert response.status_code == 404
    assert public.post("/api/v1/licences/verify/upload/", {}, format="multipart").status_code == 400


# --- templates ---------------------------------------------------------------------------------------------
def test_templates_for_catalogue_administrators(people, licence_version):
    admin = client_for(people["catalogue_admin"])
    listed = admin.get("/api/v1/licences/templates/").json()["results"]
    assert [row["item"] for row in listed] == [licence_version.item_id] and listed[0]["custom"] is False
    path = f"/api/v1/licences/templates/{licence_version.item_id}/"
    data = admin.get(path).json()
    assert data["custom"] is False and "{{ holder_name }}" in data["body"]
    assert {"name": "holder_name", "description": "持证主体"} in data["placeholders"]
    response = admin.put(path, {"body": "{{ nope }}"})
    assert response.status_code == 400 and "body" in response.json()
    response = admin.put(path, {"body": "<p>{{ number }}</p>"})
    assert response.status_code == 200 and response.json()["custom"] is True
    assert LicenceTemplate.objects.get().body == "<p>{{ number }}</p>"
    assert client_for(people["clerk"]).put(path, {"body": "<p>x</p>"}).status_code == 403
    assert admin.get("/api/v1/licences/templates/99999/").status_code == 404


def test_the_renewal_path_of_the_applications_app_is_not_swallowed():
    match = resolve("/api/v1/licences/1/renew/")
    assert match.url_name == "api-licence-renew"


def test_the_list_answers_in_a_constant_number_of_queries(people, make_licence, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clerk = client_for(people["clerk"])
    make_licence(render=False)
    with CaptureQueriesContext(connection) as one:
        clerk.get("/api/v1/licences/")
    for _ in range(4):
        make_licence(render=False)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(clerk.get("/api/v1/licences/").json()["results"]) == 5
