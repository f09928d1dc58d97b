"""The intake API: filing online and at the window, the clerk's outcomes, bad input, conflicts, other people's
objects, notices and public tracking."""

import struct
import threading
import uuid
import zlib

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from applications import api
from applications.models import Applicant, Application, Document, MaterialStatus, Notice, Status
from applications.services import filing, intake
from applications.services.notices import notice_render
from items.services import bundle_save, item_create, version_approve, version_submit
from portal.models import AuditEvent
from tests.applications.conftest import FORM_DATA, ITEM_CONTENT, make_uscc, pdf_file, png_file
from tests.applications.helpers import material, submitted
from tests.factories import UserFactory

ITEM = "APP-T-001"


@pytest.fixture(autouse=True)
def fresh_tracking_throttle(monkeypatch):
    """Each test counts its own tracking requests (the default cache is shared between test runs)."""
    monkeypatch.setattr(api.TrackThrottle, "cache", LocMemCache(f"track-{uuid.uuid4()}", {}))


def client_for(user=None):
    client = APIClient()
    client.default_format = "json"
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def a(people):
    return client_for(people["applicant_a"])


@pytest.fixture
def b(people):
    return client_for(people["applicant_b"])


@pytest.fixture
def clerk(people):
    return client_for(people["clerk"])


def ok(response, code=200):
    assert response.status_code == code, response.content.decode()
    return response.json()


def url(name, *args):
    return reverse(name, args=args)


def materials_by_name(body):
    return {m["name"]: m for m in body["materials"]}


def upload(client, application_id, material_id, *files):
    return client.post(url("api-material-files", application_id, material_id), {"files": list(files)},
                       format="multipart")


def bomb_png(width=20000, height=20000):
    """A PNG whose header claims 400 million pixels (a few dozen bytes on disk)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
    return SimpleUploadedFile("scan.png", raw + chunk(b"IEND", b""), content_type="image/png")


@pytest.fixture
def filed(people, person_a, published_version, work_calendar):
    """applicant_a's submission, through the services."""
    return submitted(people["applicant_a"], person_a, published_version)


# --- the whole online flow --------------------------------------------------------------------------
def test_online_flow_start_upload_submit_supplement_fix_resubmit_accept(a, clerk, published_version, person_a):
    body = ok(a.post(url("api-applications"), {"item": ITEM, "form_data": FORM_DATA}), 201)
    pk = body["id"]
    assert body["status"] == "draft" and body["item"] == ITEM and body["applicant"]["id"] == person_a.pk
    assert body["form_data"]["shop_name"] == FORM_DATA["shop_name"] and body["awaiting"]["who"] == "申请人"
    assert body["channel"] == "online" and len(body["number"]) == 16
    materials = materials_by_name(body)
    assert materials["食品安全管理制度"]["commitment_text"] and not materials["食品经营许可申请书"]["commitment_text"]
    main = materials["食品经营许可申请书"]["id"]
    shown = ok(upload(a, pk, main, pdf_file("申请书.pdf"), png_file("签字页.png")), 201)
    assert shown["status"] == "provided"
    assert sorted(d["name"] for d in shown["documents"]) == ["申请书.pdf", "签字页.png"]
    for name in ("营业执照复印件", "食品安全管理制度"):
        ok(upload(a, pk, materials[name]["id"], pdf_file()), 201)

    body = ok(a.post(url("api-application-submit", pk)))
    assert body["status"] == "submitted" and body["revision"] == 1 and body["acceptance_due"]
    assert body["awaiting"]["who"] == "综合受理窗口"
    assert [row["id"] for row in ok(clerk.get(url("api-prereview")))["results"]] == [pk]

    licence = materials["营业执照复印件"]["id"]
    body = ok(clerk.post(url("api-application-supplement", pk), {"problems": [
        {"material": licence, "problem": "复印件不清晰"}, {"subject": "经营地址", "problem": "与租赁合同不一致"}]}))
    assert body["status"] == "supplement_requested" and body["supplement_due"]
    assert materials_by_name(body)["营业执照复印件"]["problem"] == "复印件不清晰"
    assert [n["kind"] for n in body["notices"]] == ["supplement"]
    assert ok(clerk.get(url("api-prereview")))["results"] == []

    response = a.post(url("api-application-submit", pk))  # nothing changed yet
    assert response.status_code == 400 and "materials" in response.json()
    body = ok(a.patch(url("api-application-form", pk), {"form_data": {"address": "湖州市吴兴区人民路2号"}}))
    assert body["form_data"]["address"] == "湖州市吴兴区人民路2号"
    assert body["form_data"]["shop_name"] == FORM_DATA["shop_name"]  # fields not sent stay
    ok(upload(a, pk, licence, pdf_file("营业执照-清晰.pdf")), 201)
    body = ok(a.post(url("api-application-submit", pk)))
    assert body["status"] == "submitted" and body["revision"] == 2

    body = ok(clerk.post(url("api-application-accept", pk)))
    assert body["status"] == "accepted" and body["accepted_on"] and body["promised_due"]
    assert [n["kind"] for n in body["notices"]] == ["supplement", "acceptance"]
    assert all(n["pdf"] is None and not n["ready"] for n in body["notices"])  # rendered in the background
    timeline = ok(a.get(url("api-application-timeline", pk)))
    assert [e["kind"] for e in timeline] == ["created", "submitted", "supplement_requested", "resubmitted",
                                             "accepted"]
    assert [n["kind"] for n in ok(a.get(url("api-application-notices", pk)))] == ["supplement", "acceptance"]


# --- one call: start, save the form, submit ----------------------------------------------------------
@pytest.fixture
def no_required_materials(people, dept_x):
    """An item whose only material is optional: filed in one call."""
    draft = item_create(actor=people["catalogue_admin"], department=dept_x, implementation_code="APP-T-002",
                        basic_code="000000000003",
                        content={**ITEM_CONTENT, "name": "备案（测试）"}, steps=[{"name": "受理"}],
                        materials=[{"name": "其他材料", "required": False}],
                        form_fields=[{"key": "phone", "label": "联系电话", "field_type": "phone"}])
    version_submit(actor=people["catalogue_admin"], version=draft)
    return version_approve(actor=UserFactory(role="catalogue_admin"), version=draft)


def test_start_with_form_and_submit_in_one_call(a, no_required_materials, work_calendar):
    body = ok(a.post(url("api-applications"), {"item": "APP-T-002", "form_data": {"phone": "13905720001"},
                                               "submit": True}), 201)
    assert body["status"] == "submitted" and body["revision"] == 1


def test_start_a_bundle(a, people, published_version, work_calendar):
    bundle = bundle_save(actor=people["catalogue_admin"], bundle=None, items=[published_version.item],
                         fields={"name": "开餐馆一件事", "lead_department": published_version.item.department,
                                 "is_published": True})
    body = ok(a.post(url("api-applications"), {"bundle": bundle.pk, "form_data": FORM_DATA}), 201)
    assert body["bundle"] == bundle.pk and body["item"] is None and body["title"] == "开餐馆一件事"
    assert {m["name"] for m in body["materials"]} == {m.name for m in published_version.materials.all()}
    bundle_save(actor=people["catalogue_admin"], bundle=bundle, fields={"is_published": False},
                items=[published_version.item])
    response = a.post(url("api-applications"), {"bundle": bundle.pk})
    assert response.status_code == 400 and "bundle" in response.json()


def test_a_failed_submission_in_the_same_call_keeps_nothing(a, published_version, work_calendar):
    response = a.post(url("api-applications"), {"item": ITEM, "form_data": FORM_DATA, "submit": True})
    assert response.status_code == 400 and "materials" in response.json()  # the main materials are missing
    response = a.post(url("api-applications"), {"item": ITEM, "form_data": {**FORM_DATA, "phone": "123"}})
    assert response.status_code == 400 and "form_data.phone" in response.json()
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(action="application.start").exists()


def test_a_retried_post_with_the_same_key_returns_the_first_application(a, b, published_version, work_calendar):
    first = a.post(url("api-applications"), {"item": ITEM}, HTTP_IDEMPOTENCY_KEY="k-123")
    again = a.post(url("api-applications"), {"item": ITEM, "form_data": {"phone": "bad"}},
                   HTTP_IDEMPOTENCY_KEY="k-123")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json()
    assert Application.objects.count() == 1
    by_field = a.post(url("api-applications"), {"item": ITEM, "idempotency_key": "k-123"})
    assert by_field.status_code == 200 and by_field.json()["id"] == first.json()["id"]
    other = b.post(url("api-applications"), {"item": ITEM}, HTTP_IDEMPOTENCY_KEY="k-123")  # keys are per account
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert Application.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_key_at_the_same_instant_gives_one_application(people, person_a, published_version, work_calendar):
    """Two deliveries of one POST race: the second waits for the first and answers with its application."""
    barrier = threading.Barrier(2)
    responses: list = [None, None]

    def post(i):
        try:
            client = client_for(people["applicant_a"])
            barrier.wait()
            responses[i] = client.post(url("api-applications"), {"item": ITEM, "form_data": FORM_DATA},
                                       HTTP_IDEMPOTENCY_KEY="same-instant")
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r.status_code for r in responses) == [200, 201], [r.content for r in responses]
    assert responses[0].json() == responses[1].json()
    assert Application.objects.count() == 1
    assert AuditEvent.objects.filter(action="application.start").count() == 1


def test_idempotency_key_is_checked(a, published_version, work_calendar):
    response = a.post(url("api-applications"), {"item": ITEM}, HTTP_IDEMPOTENCY_KEY="x" * 65)
    assert response.status_code == 400 and "idempotency_key" in response.json()
    response = a.post(url("api-applications"), {"item": ITEM, "idempotency_key": "键"})
    assert response.status_code == 400 and "idempotency_key" in response.json()
    assert not Application.objects.exists()


# --- the window: a walk-in, 告知承诺 and 容缺受理 -------------------------------------------------------
def test_window_flow_with_commitment_and_accept_rongque(clerk, published_version, work_calendar):
    walk_in = {"kind": "enterprise", "name": "湖州绿源餐饮有限公司", "uscc": make_uscc(7), "phone": "13905720002",
               "legal_representative": "王五"}
    registered = ok(clerk.post(url("api-applicants"), walk_in), 201)
    again = ok(clerk.post(url("api-applicants"), {**walk_in, "uscc": walk_in["uscc"].lower()}), 200)
    assert again["id"] == registered["id"] and Applicant.objects.count() == 1

    body = ok(clerk.post(url("api-applications"), {"item": ITEM, "applicant": registered["id"],
                                                   "form_data": FORM_DATA}), 201)
    pk, materials = body["id"], materials_by_name(body)
    assert body["channel"] == "window"
    ok(upload(clerk, pk, materials["食品经营许可申请书"]["id"], pdf_file()), 201)
    signed = ok(clerk.post(url("api-material-commitment", pk, materials["食品安全管理制度"]["id"]),
                           {"signed_name": "王五"}), 201)
    assert signed["status"] == "commitment"
    ok(clerk.post(url("api-application-submit", pk)))

    response = clerk.post(url("api-application-accept", pk))  # the licence copy is still missing
    assert response.status_code == 400
    licence, main = materials["营业执照复印件"]["id"], materials["食品经营许可申请书"]["id"]
    due = work_calendar.add_working_days(Application.objects.get(pk=pk).received_on, 3).isoformat()
    for data, field in [({"missing": [licence], "due": "next week", "signed_name": "王五"}, "due"),
                        ({"missing": [licence], "due": "2000-01-01", "signed_name": "王五"}, "due"),
                        ({"missing": [main], "due": due, "signed_name": "王五"}, "missing"),
                        ({"missing": [999999], "due": due, "signed_name": "王五"}, "missing"),
                        ({"missing": [], "due": due, "signed_name": "王五"}, "missing"),
                        ({"missing": [licence], "due": due, "signed_name": " "}, "signed_name")]:
        response = clerk.post(url("api-application-accept-rongque", pk), data)
        assert response.status_code == 400 and field in response.json(), (data, response.content)
    assert Application.objects.get(pk=pk).status == Status.SUBMITTED

    body = ok(clerk.post(url("api-application-accept-rongque", pk),
                         {"missing": [licence], "due": due, "signed_name": "王五"}))
    assert body["status"] == "accepted" and body["rongque_pending"] and body["rongque_due"] == due
    assert materials_by_name(body)["营业执照复印件"]["status"] == "deferred"
    assert body["awaiting"]["what"] == "补齐容缺材料"
    assert [n["kind"] for n in body["notices"]] == ["rongque"]
    ok(upload(clerk, pk, licence, pdf_file()), 201)
    assert not ok(clerk.get(url("api-application", pk)))["rongque_pending"]


def test_reuse_a_file_from_an_earlier_application(a, b, people, person_a, person_b, published_version,
                                                  work_calendar):
    earlier = submitted(people["applicant_a"], person_a, published_version)
    document = material(earlier, "营业执照复印件").documents.get()
    pk = ok(a.post(url("api-applications"), {"item": ITEM}), 201)["id"]
    licence = material(Application.objects.get(pk=pk), "营业执照复印件")
    body = ok(a.post(url("api-material-reuse", pk, licence.pk), {"document": str(document.pk)}))
    assert body["status"] == "reused" and [d["id"] for d in body["documents"]] == [str(document.pk)]
    body = ok(a.delete(url("api-material-file", pk, licence.pk, document.pk)))
    assert body["status"] == "missing" and body["documents"] == []
    assert Document.objects.filter(pk=document.pk).exists()  # the stored file stays for the earlier one

    own = ok(b.post(url("api-applications"), {"item": ITEM}), 201)["id"]  # someone else's file: not theirs
    theirs = material(Application.objects.get(pk=own), "营业执照复印件")
    response = b.post(url("api-material-reuse", own, theirs.pk), {"document": str(document.pk)})
    assert response.status_code == 400 and "document" in response.json()


# --- bad input: 400 naming the field, nothing kept ---------------------------------------------------
@pytest.fixture
def draft(a, published_version, work_calendar):
    body = ok(a.post(url("api-applications"), {"item": ITEM}), 201)
    return body["id"], materials_by_name(body)


def test_uploads_are_checked_by_content_and_nothing_is_kept_on_error(a, draft, settings):
    pk, materials = draft
    main = materials["食品经营许可申请书"]["id"]
    evil = SimpleUploadedFile("evil.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    for files in ([evil], [pdf_file(), evil], [bomb_png()], [pdf_file(f"{i}.pdf") for i in range(101)], []):
        response = upload(a, pk, main, *files)
        assert response.status_code == 400 and "files" in response.json(), response.content
    response = a.post(url("api-material-files", pk, main), {"files": "not a file"}, format="multipart")
    assert response.status_code == 400 and "files" in response.json()
    response = a.post(url("api-material-files", pk, main), {"files": []})  # JSON: unsupported here
    assert response.status_code == 415
    assert not Document.objects.exists()
    assert Application.objects.get(pk=pk).materials.get(pk=main).status == MaterialStatus.MISSING

    settings.INTAKE_MAX_FILES = 2
    ok(upload(a, pk, main, pdf_file(), pdf_file()), 201)
    response = upload(a, pk, main, pdf_file())
    assert response.status_code == 400 and "files" in response.json()
    assert Document.objects.count() == 2


@pytest.mark.parametrize(("body", "field"), [
    ({}, "item"),
    ({"item": "NO-SUCH"}, "item"),
    ({"item": ITEM, "bundle": 1}, "bundle"),
    ({"bundle": 99999}, "bundle"),
    ({"item": ITEM, "form_data": {"phone": "123"}}, "form_data.phone"),
    ({"item": ITEM, "form_data": {"area": "0"}}, "form_data.area"),
    ({"item": ITEM, "form_data": {"area": ["80"]}}, "form_data"),
    ({"item": ITEM, "form_data": "shop"}, "form_data"),
    ({"item": ITEM, "form_data": {"note": "\x00"}}, "form_data"),
    ({"item": ITEM, "submit": "maybe"}, "submit"),
    ({"item": ITEM, "applicant": 10**30}, "applicant"),
])
def test_starting_with_bad_input_names_the_field(a, published_version, work_calendar, body, field):
    response = a.post(url("api-applications"), body)
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Application.objects.exists()


def test_clerks_name_the_applicant_and_accounts_only_their_own(a, b, clerk, person_a, published_version,
                                                              work_calendar):
    response = clerk.post(url("api-applications"), {"item": ITEM})
    assert response.status_code == 400 and "applicant" in response.json()
    response = b.post(url("api-applications"), {"item": ITEM, "applicant": person_a.pk})
    assert response.status_code == 400 and "applicant" in response.json()
    assert not Application.objects.exists()


def test_form_patch_checks_every_value(a, draft):
    pk, _materials = draft
    response = a.patch(url("api-application-form", pk), {"form_data": {"phone": "12345", "area": "-1"}})
    assert response.status_code == 400 and {"form_data.phone", "form_data.area"} <= set(response.json())
    response = a.patch(url("api-application-form", pk), {"shop_name": "x"})
    assert response.status_code == 400 and "form_data" in response.json()
    body = ok(a.patch(url("api-application-form", pk), {"form_data": {"shop_name": "小店", "note": None}}))
    assert body["form_data"] == {"shop_name": "小店"}


def test_clerk_input_is_checked(clerk, filed):
    pk = filed.pk
    for path, data, field in [
        ("api-application-supplement", {}, "problems"),
        ("api-application-supplement", {"problems": []}, "problems"),
        ("api-application-supplement", {"problems": [{"material": 999999, "problem": "看不清"}]}, "problems"),
        ("api-application-supplement", {"problems": [{"subject": "地址"}]}, "problems"),
        ("api-application-supplement", {"problems": "all of it"}, "problems"),
        ("api-application-refuse", {"reasons": "不属于本部门职权"}, "how_to_succeed"),
        ("api-application-refuse", {"reasons": " ", "how_to_succeed": "向区市场监管局申请"}, "reasons"),
        ("api-application-withdraw", {"reason": "x" * 1001}, "reason"),
    ]:
        response = clerk.post(url(path, pk), data)
        assert response.status_code == 400 and field in response.json(), (path, data, response.content)
    filed.refresh_from_db()
    assert filed.status == Status.SUBMITTED and not filed.notices.exists()


def test_refuse_with_reasons_and_how_to_succeed(clerk, filed):
    body = ok(clerk.post(url("api-application-refuse", filed.pk), {
        "reasons": "不属于本部门职权范围", "competent_authority": "吴兴区市场监督管理局",
        "how_to_succeed": "向吴兴区市场监督管理局提出申请"}))
    assert body["status"] == "not_accepted" and body["awaiting"] is None
    assert [n["kind"] for n in body["notices"]] == ["not_accepted"]


def test_applicant_register_and_search(clerk, a, people, person_a):
    response = clerk.post(url("api-applicants"), {"kind": "person", "name": "张三", "id_number": "110101199003071234"})
    assert response.status_code == 400 and "id_number" in response.json()
    response = clerk.post(url("api-applicants"), {"kind": "person", "name": "张三"})
    assert response.status_code == 400 and "id_number" in response.json()
    response = clerk.post(url("api-applicants"), {"kind": "robot", "name": "R2"})
    assert response.status_code == 400 and "kind" in response.json()
    assert Applicant.objects.count() == 1

    full = person_a.id_number
    for query in (full, full.lower(), person_a.name):  # the number in the body, never in a URL
        rows = ok(clerk.post(url("api-applicants-search"), {"q": query}, format="json"))
        assert [r["id"] for r in rows] == [person_a.pk]
        assert rows[0]["identity"] == person_a.identity_masked and full not in str(rows)
    assert [r["id"] for r in ok(clerk.get(url("api-applicants"), {"q": person_a.name}))] == [person_a.pk]
    response = clerk.get(url("api-applicants"), {"q": full})
    assert response.status_code == 400 and "q" in response.json()
    assert a.post(url("api-applicants-search"), {"q": full}, format="json").status_code == 403
    assert ok(clerk.get(url("api-applicants"))) == []
    response = clerk.get(url("api-applicants"), {"q": "\x00"})
    assert response.status_code == 400 and "q" in response.json()

    own = ok(a.get(url("api-applicants"), {"q": "anything"}))
    assert [r["id"] for r in own] == [person_a.pk] and full not in str(own)
    detail = ok(a.get(url("api-applicant", person_a.pk)))
    assert detail["identity"] == person_a.identity_masked and full not in str(detail)


def test_credit_is_recorded_by_administrators_only(people, person_a, enterprise_applicant):
    admin = client_for(people["sysadmin"])
    url_ = url("api-applicant-credit", enterprise_applicant.pk)
    response = admin.patch(url_, {"credit_grade": "AAAA"})
    assert response.status_code == 400 and "credit_grade" in response.json()
    body = ok(admin.patch(url_, {"credit_grade": "AAA", "credit_note": "2025年度评定"}))
    assert body["credit_grade"] == "AAA" and body["green_channel"] and not body["dishonest"]
    body = ok(admin.patch(url_, {"dishonest": True}))
    assert body["credit_grade"] == "AAA" and body["dishonest"] and not body["green_channel"]
    assert client_for(people["clerk"]).patch(url_, {"dishonest": False}).status_code == 403
    assert client_for(people["enterprise"]).patch(url_, {"dishonest": False}).status_code == 403
    assert admin.patch(url("api-applicant-credit", 999999), {"dishonest": True}).status_code == 404
    enterprise_applicant.refresh_from_db()
    assert enterprise_applicant.dishonest


# --- conflicts: 409 ----------------------------------------------------------------------------------
def test_second_accept_is_a_conflict(clerk, people, filed):
    other = client_for(UserFactory(role="clerk"))
    ok(clerk.post(url("api-application-accept", filed.pk)))
    response = other.post(url("api-application-accept", filed.pk))
    assert response.status_code == 409 and response.json()["detail"]
    for path, data in [("api-application-supplement", {"problems": [{"subject": "地址", "problem": "不清"}]}),
                       ("api-application-refuse", {"reasons": "迟了", "how_to_succeed": "无"})]:
        assert other.post(url(path, filed.pk), data).status_code == 409
    filed.refresh_from_db()
    assert filed.status == Status.ACCEPTED and filed.responsible_clerk == people["clerk"]
    assert filed.notices.count() == 1


def test_accept_after_withdraw_is_a_conflict(a, clerk, filed, work_calendar):
    body = ok(a.post(url("api-application-withdraw", filed.pk), {"reason": "不办了"}))
    assert body["status"] == "withdrawn"
    response = clerk.post(url("api-application-accept", filed.pk))
    assert response.status_code == 409
    due = work_calendar.add_working_days(filed.received_on, 3).isoformat()
    licence = material(filed, "营业执照复印件").pk
    response = clerk.post(url("api-application-accept-rongque", filed.pk),
                          {"missing": [licence], "due": due, "signed_name": "x"})
    assert response.status_code == 409
    assert a.post(url("api-application-withdraw", filed.pk)).status_code == 409
    filed.refresh_from_db()
    assert filed.status == Status.WITHDRAWN and not filed.notices.exists()


# --- access -------------------------------------------------------------------------------------------
def test_other_peoples_objects_are_404(b, people, filed):
    notice = intake.application_accept(actor=people["clerk"], application=filed).notices.get()
    notice_render(notice_id=notice.pk)
    main = material(filed, "食品经营许可申请书")
    document = main.documents.get()
    pk = filed.pk
    requests = [
        ("get", url("api-application", pk), {}),
        ("patch", url("api-application-form", pk), {"form_data": {}}),
        ("post", url("api-application-submit", pk), {}),
        ("post", url("api-application-withdraw", pk), {}),
        ("get", url("api-application-materials", pk), {}),
        ("post", url("api-material-reuse", pk, main.pk), {"document": str(document.pk)}),
        ("post", url("api-material-commitment", pk, main.pk), {"signed_name": "李四"}),
        ("delete", url("api-material-file", pk, main.pk, document.pk), {}),
        ("get", url("api-application-timeline", pk), {}),
        ("get", url("api-application-notices", pk), {}),
        ("get", url("api-notice-pdf", notice.pk), {}),
        ("get", url("api-applicant", filed.applicant_id), {}),
    ]
    for method, path, data in requests:
        response = getattr(b, method)(path, data)
        assert response.status_code == 404, (method, path, response.status_code)
    assert upload(b, pk, main.pk, pdf_file()).status_code == 404
    assert ok(b.get(url("api-applications")))["results"] == []
    filed.refresh_from_db()
    assert filed.status == Status.ACCEPTED and main.documents.count() == 1


def test_unknown_ids_are_404(a, clerk, filed):
    main = material(filed, "食品经营许可申请书")
    for path in (url("api-application", 999999), url("api-application", 10**20), url("api-notice-pdf", 999999),
                 url("api-application-materials", 10**20)):
        assert a.get(path).status_code == 404
    assert upload(a, filed.pk, 999999, pdf_file()).status_code == 404
    assert a.delete(url("api-material-file", filed.pk, main.pk, uuid.uuid4())).status_code == 404
    assert clerk.post(url("api-application-accept", 999999)).status_code == 404


def test_clerk_actions_are_for_clerks(a, people, filed):
    reviewer = client_for(people["reviewer_x"])
    for client in (a, reviewer):
        for name in ("api-application-accept", "api-application-supplement", "api-application-refuse",
                     "api-application-accept-rongque"):
            assert client.post(url(name, filed.pk), {}).status_code == 403
        assert client.get(url("api-prereview")).status_code == 403
    assert client_for(people["reviewer_x"]).get(url("api-applications")).status_code == 403
    assert client_for(people["clerk"]).post(url("api-applicants"), {}).status_code == 400
    assert a.post(url("api-applicants"), {}).status_code == 403
    filed.refresh_from_db()
    assert filed.status == Status.SUBMITTED


def test_anonymous_gets_401(filed):
    anonymous = client_for()
    for path in (url("api-applications"), url("api-application", filed.pk), url("api-applicants"),
                 url("api-prereview"), url("api-application-timeline", filed.pk)):
        response = anonymous.get(path)
        assert response.status_code == 401 and response.has_header("WWW-Authenticate")
    assert anonymous.post(url("api-applications"), {"item": ITEM}).status_code == 401
    assert anonymous.post(url("api-application-accept", filed.pk)).status_code == 401


# --- lists --------------------------------------------------------------------------------------------
def test_list_shows_own_applications_filtered_and_paged(a, b, clerk, people, person_a, person_b, published_version,
                                                        work_calendar):
    drafts = [filing.application_start(actor=people["applicant_a"], applicant=person_a, version=published_version)
              for _i in range(3)]
    filed = submitted(people["applicant_a"], person_a, published_version)
    theirs = submitted(people["applicant_b"], person_b, published_version)
    seen, link = [], url("api-applications") + "?page_size=2"
    while link:
        page = ok(a.get(link))
        seen += [row["id"] for row in page["results"]]
        link = page["next"]
    assert seen == [filed.pk, *[d.pk for d in reversed(drafts)]]
    assert [r["id"] for r in ok(a.get(url("api-applications"), {"status": "submitted"}))["results"]] == [filed.pk]
    assert ok(a.get(url("api-applications"), {"channel": "window"}))["results"] == []
    response = a.get(url("api-applications"), {"status": "bogus"})
    assert response.status_code == 400 and "status" in response.json()
    assert {r["id"] for r in ok(clerk.get(url("api-applications"), {"status": "submitted"}))["results"]} == {
        filed.pk, theirs.pk}
    row = ok(a.get(url("api-applications")))["results"][0]
    assert row["applicant"]["identity"] == person_a.identity_masked and person_a.id_number not in str(row)


def test_list_and_detail_take_a_fixed_number_of_queries(a, people, person_a, published_version, work_calendar):
    def count(path):
        with CaptureQueriesContext(connection) as queries:
            ok(a.get(path))
        return len(queries)

    first = submitted(people["applicant_a"], person_a, published_version)
    few_list, few_detail = count(url("api-applications")), count(url("api-application", first.pk))
    for _i in range(4):
        submitted(people["applicant_a"], person_a, published_version)
    filing.material_upload(actor=people["clerk"], application=first,
                           material=material(first, "其他补充材料"), files=[pdf_file(), pdf_file()])
    intake.application_accept(actor=people["clerk"], application=first)
    assert count(url("api-applications")) == few_list
    assert count(url("api-application", first.pk)) == few_detail


def test_prereview_queue_puts_the_green_channel_first(clerk, people, person_a, enterprise_applicant,
                                                       published_version, work_calendar):
    plain = submitted(people["applicant_a"], person_a, published_version)
    from applications.services.applicants import applicant_set_credit

    applicant_set_credit(actor=people["sysadmin"], applicant=enterprise_applicant, grade="AAA", dishonest=False)
    green = submitted(people["enterprise"], enterprise_applicant, published_version)
    rows = ok(clerk.get(url("api-prereview")))["results"]
    assert [(r["id"], r["green"]) for r in rows] == [(green.pk, True), (plain.pk, False)]


# --- notices ------------------------------------------------------------------------------------------
def test_notice_pdf_after_rendering_as_an_audited_attachment(a, people, filed):
    accepted = intake.application_accept(actor=people["clerk"], application=filed)
    notice = accepted.notices.get(kind=Notice.Kind.ACCEPTANCE)
    assert a.get(url("api-notice-pdf", notice.pk)).status_code == 404  # not rendered yet
    notice_render(notice_id=notice.pk)
    listed = ok(a.get(url("api-application-notices", filed.pk)))
    assert listed[0]["ready"] and listed[0]["pdf"].endswith(url("api-notice-pdf", notice.pk))
    response = a.get(url("api-notice-pdf", notice.pk), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment") and notice.number in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    audit = AuditEvent.objects.get(action="notice.download")
    assert audit.actor == people["applicant_a"] and audit.object_id == str(notice.pk)
    assert audit.after == {"application": filed.number}


# --- public tracking ----------------------------------------------------------------------------------
def test_public_tracking_shows_progress_and_no_personal_data(people, person_a, filed):
    anonymous = client_for()
    intake.application_request_supplement(actor=people["clerk"], application=filed,
                                          problems=[{"subject": "地址", "problem": "请提供租赁合同"}])
    body = ok(anonymous.get(url("api-track"), {"number": filed.number, "code": filed.query_code.lower()}))
    assert body["status"] == "supplement_requested" and body["title"] == filed.title
    assert body["department"] == filed.department.name and body["awaiting"]["who"] == "申请人"
    assert [e["kind"] for e in body["timeline"]] == ["created", "submitted", "supplement_requested"]
    assert set(body["timeline"][0]) == {"at", "kind", "actor_label", "summary", "due"}
    text = str(body)
    for private in (person_a.name, person_a.id_number, person_a.identity_masked, person_a.phone, "请提供租赁合同",
                    people["clerk"].username, people["applicant_a"].username, filed.query_code):
        assert private not in text


@pytest.mark.parametrize("query", [
    {"number": "20250101", "code": "ABCDEF"},
    {"number": "", "code": ""},
    {"number": "x"},
    {"number": "20250101", "code": "码码码"},
    {"number": "2025\x00", "code": "ABC"},
])
def test_public_tracking_refuses_wrong_pairs(filed, query):
    response = client_for().get(url("api-track"), query)
    assert response.status_code in (400, 404)
    assert "title" not in response.json()


def test_public_tracking_of_a_right_number_with_a_wrong_code_is_404(filed):
    response = client_for().get(url("api-track"), {"number": filed.number, "code": "222222"})
    assert response.status_code == 404


def test_public_tracking_is_throttled(filed, monkeypatch):
    monkeypatch.setattr(api.TrackThrottle, "get_rate", lambda self: "3/min")
    anonymous = client_for()
    codes = [anonymous.get(url("api-track"), {"number": filed.number, "code": "222222"}).status_code
             for _i in range(4)]
    assert codes == [404, 404, 404, 429]
