"""The licence pages: public verification (QR code, number + holder code, uploaded PDF), the staff desk
(filters, progress, pick-up, dispatch, revocation), the licences on a case page, and the template editor."""

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from items.models import ResultType
from licences.models import DeliveryMethod, Licence, LicenceCounter, LicenceTemplate, Status
from licences.rendering import DEFAULT_BODY
from licences.services import licence_choose_delivery, licence_end
from portal.models import AuditEvent
from tests.approvals.conftest import publish

pytestmark = pytest.mark.django_db

EVIL_NAME = '<img src="file:///etc/passwd">'


def html(response):
    return response.content.decode()


def pdf_upload(data, name="licence.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def licence(make_licence):
    return make_licence()


def as_user(client, people, role):
    client.force_login(people[role])
    return client


# --- verification by QR code -------------------------------------------------------------------------------
def test_the_qr_code_page_says_valid_with_the_public_metadata(client, licence, person_a):
    response = client.get(licence.verify_path())
    page = html(response)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "verdict-valid" in page and "有效" in page
    for shown in (licence.number, licence.identifier, licence.name, licence.department.name, person_a.name,
                  licence.holder_code_masked, licence.version.name):
        assert shown in page
    assert person_a.id_number not in page  # the holder code is masked


def test_a_forged_or_unknown_token_is_a_404_saying_not_found(client, licence):
    forged = licence.verify_token()[:-2] + "xx"
    for token in (forged, "not-a-token"):
        response = client.get(reverse("licence_verify_token", args=[token]))
        assert response.status_code == 404
        assert "未找到该证照" in html(response)
        assert licence.number not in html(response)


def test_an_expired_licence_says_expired(client, licence):
    Licence.objects.filter(pk=licence.pk).update(valid_to=timezone.localdate() - timedelta(days=1))
    page = html(client.get(licence.verify_path()))
    assert "verdict-expired" in page and "已过期" in page


def test_a_revoked_licence_says_revoked_with_the_reason_basis_and_date(client, licence, people):
    licence_end(licence=licence, actor=people["head_x"], kind="revoke", reason="以欺骗手段取得许可",
                basis="《行政许可法》第六十九条")
    page = html(client.get(licence.verify_path()))
    assert "verdict-revoked" in page and "已撤销" in page
    assert "以欺骗手段取得许可" in page and "《行政许可法》第六十九条" in page
    assert timezone.localdate().strftime("%Y-%m-%d") in page


def test_a_cancelled_licence_says_cancelled(client, licence, people):
    licence_end(licence=licence, actor=people["head_x"], kind="cancel", reason="持证人申请注销")
    page = html(client.get(licence.verify_path()))
    assert "verdict-cancelled" in page and "已注销" in page and "持证人申请注销" in page


def test_a_licence_being_made_and_a_replaced_one(client, make_licence, licence_version, person_a):
    old = make_licence()
    new = make_licence(render=False, renews=old)
    page = html(client.get(new.verify_path()))
    assert "verdict-rendering" in page and "制证中" in page
    page = html(client.get(old.verify_path()))
    assert "verdict-replaced" in page and "已换发" in page and new.number in page


def test_a_deemed_renewal_is_noted(client, licence):
    Licence.objects.filter(pk=licence.pk).update(deemed_renewed=True)
    assert "视为准予延续" in html(client.get(licence.verify_path()))


def test_applicant_text_is_shown_as_text(client, make_licence):
    licence = make_licence(holder_name=EVIL_NAME, facts=[["名称", EVIL_NAME]])
    page = html(client.get(licence.verify_path()))
    assert EVIL_NAME not in page
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in page


# --- verification by number and holder code -----------------------------------------------------------------
def test_number_and_holder_code_open_the_licence_page(client, licence, person_a):
    response = client.post(reverse("licence_verify"), {"action": "lookup", "number": f" {licence.number} ",
                                                       "holder_code": person_a.id_number.lower()})
    assert response.status_code == 302 and response["Location"] == licence.verify_path()


def test_a_wrong_pair_is_not_found_without_saying_which_half(client, licence, person_a, person_b):
    wrong_code = html(client.post(reverse("licence_verify"), {"number": licence.number,
                                                              "holder_code": person_b.id_number}))
    wrong_number = html(client.post(reverse("licence_verify"), {"number": licence.number + "9",
                                                                "holder_code": person_a.id_number}))
    for page in (wrong_code, wrong_number):
        assert "未找到该证照，请核对证照编号和持证主体代码。" in page
        assert licence.identifier not in page


def test_the_form_names_the_missing_field(client):
    page = html(client.post(reverse("licence_verify"), {"action": "lookup", "number": ""}))
    assert "请填写证照编号。" in page and "请填写持证主体代码。" in page


def test_verification_posts_are_rate_limited(client, settings, licence):
    settings.PUBLIC_POST_LIMITS = {**settings.PUBLIC_POST_LIMITS, "licence_verify": (2, 60)}
    for _ in range(2):
        assert client.post(reverse("licence_verify"), {"number": "x", "holder_code": "y"}).status_code == 200
    assert client.post(reverse("licence_verify"), {"number": "x", "holder_code": "y"}).status_code == 429
    assert client.post(licence.verify_path(), {}).status_code == 429
    assert client.get(licence.verify_path()).status_code == 200  # reading the QR code's page is not limited


# --- uploaded PDFs -------------------------------------------------------------------------------------------
def test_the_issued_pdf_matches_and_its_signature_holds(client, licence):
    data = licence.pdf.read()
    page = html(client.post(licence.verify_path(), {"action": "upload", "file": pdf_upload(data)}))
    assert "文件一致" in page and hashlib.sha256(data).hexdigest() in page
    assert "签名有效" in page and "签名覆盖整个文件" in page and "受信任的证书机构" in page
    assert "不一致" not in page


def test_a_tampered_byte_is_caught_by_the_hash_and_the_signature(client, licence):
    data = bytearray(licence.pdf.read())
    at = data.index(b"/Type /Page") if b"/Type /Page" in data else len(data) // 3
    data[at + 1] = ord("X") if data[at + 1] != ord("X") else ord("Y")
    page = html(client.post(licence.verify_path(), {"action": "upload", "file": pdf_upload(bytes(data))}))
    assert "文件不一致" in page and hashlib.sha256(bytes(data)).hexdigest() in page
    assert "签名有效" not in page


def test_another_licences_pdf_does_not_match_this_one(client, make_licence):
    first, second = make_licence(), make_licence()
    page = html(client.post(first.verify_path(), {"action": "upload", "file": pdf_upload(second.pdf.read())}))
    assert "文件不一致" in page


def test_an_unsigned_pdf_says_so(client, licence):
    page = html(client.post(licence.verify_path(), {"action": "upload",
                                                    "file": pdf_upload(b"%PDF-1.4\n%%EOF\n")}))
    assert "文件不一致" in page and "文件没有电子签名" in page


def test_a_file_that_is_not_a_pdf_is_refused_on_its_field(client, licence):
    for upload in (SimpleUploadedFile("licence.pdf", b"<html>not a pdf</html>"),
                   SimpleUploadedFile("licence.exe", b"MZ\x90\x00")):
        page = html(client.post(licence.verify_path(), {"action": "upload", "file": upload}))
        assert "证照 PDF 文件：请上传证照的 PDF 文件" in page
        assert "文件核验结果" not in page
    assert "请选择要核验的 PDF 文件" in html(client.post(licence.verify_path(), {"action": "upload"}))


def test_the_form_page_finds_the_licence_an_uploaded_pdf_is(client, make_licence):
    make_licence()
    licence = make_licence()
    page = html(client.post(reverse("licence_verify"), {"action": "upload",
                                                        "file": pdf_upload(licence.pdf.read())}))
    assert f"与证照 {licence.number} 签发时保存的文件完全相同" in page
    assert "verdict-valid" in page and licence.identifier in page
    page = html(client.post(reverse("licence_verify"), {"action": "upload",
                                                        "file": pdf_upload(b"%PDF-1.4 other\n%%EOF")}))
    assert "没有哪一份签发的证照与该文件相同" in page


# --- the staff desk ------------------------------------------------------------------------------------------
def test_the_desk_is_for_staff(client, people, licence):
    assert client.get(reverse("licence_desk")).status_code == 302
    for role in ("applicant_a", "enterprise", "catalogue_admin", "agency_a"):
        assert as_user(client, people, role).get(reverse("licence_desk")).status_code == 403
    for role in ("clerk", "reviewer_x", "head_x", "supervisor"):
        page = html(as_user(client, people, role).get(reverse("licence_desk")))
        assert licence.number in page
        assert licence.holder_code not in page  # masked
    assert licence.number not in html(as_user(client, people, "reviewer_y").get(reverse("licence_desk")))


def test_the_desk_filters(client, people, make_licence, person_a):
    valid = make_licence()
    expired = make_licence()
    Licence.objects.filter(pk=expired.pk).update(valid_to=timezone.localdate() - timedelta(days=1))
    pickup = make_licence()
    licence_choose_delivery(licence=pickup, actor=people["applicant_a"], method=DeliveryMethod.PICKUP)
    rendering = make_licence(render=False)
    overdue = make_licence(render=False)
    Licence.objects.filter(pk=overdue.pk).update(deliver_due=timezone.localdate() - timedelta(days=1))
    other = make_licence(holder_name="湖州绿源餐饮有限公司")
    as_user(client, people, "clerk")

    def listed(**query):
        page = html(client.get(reverse("licence_desk"), query))
        return {lic.number for lic in (valid, expired, pickup, rendering, overdue, other) if lic.number in page}

    assert listed(status="expired") == {expired.number}
    assert listed(status="rendering") == {rendering.number, overdue.number}
    assert valid.number in listed(status="valid") and expired.number not in listed(status="valid")
    assert listed(delivery="awaiting_pickup") == {pickup.number}
    assert listed(delivery="overdue") == {overdue.number}
    assert listed(q=expired.number) == {expired.number}
    assert listed(q="绿源") == {other.number}
    assert len(listed(status="no-such")) == 6  # an unknown filter is ignored, not an error


def test_a_row_being_made_polls_until_it_is_ready(client, people, make_licence):
    from licences.services import licence_render

    licence = make_licence(render=False)
    as_user(client, people, "clerk")
    progress = reverse("licence_desk_progress", args=[licence.pk])
    assert f'hx-get="{progress}"' in html(client.get(reverse("licence_desk")))
    assert 'hx-trigger="every 3s"' in html(client.get(progress))
    licence_render(licence_id=licence.pk)
    badge = html(client.get(progress))
    assert "hx-trigger" not in badge and "有效" in badge


def test_the_detail_is_404_for_staff_who_may_not_see_it(client, people, licence):
    assert as_user(client, people, "reviewer_y").get(
        reverse("licence_desk_detail", args=[licence.pk])).status_code == 404
    assert as_user(client, people, "clerk").get(reverse("licence_desk_detail", args=[99999])).status_code == 404


def test_staff_download_the_pdf_and_it_is_audited(client, people, licence, make_licence):
    response = as_user(client, people, "clerk").get(reverse("licence_desk_pdf", args=[licence.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="licence.download", object_id=str(licence.pk),
                                     actor=people["clerk"]).exists()
    licence.refresh_from_db()
    assert licence.downloaded_at is None  # the holder's first download is the holder's
    rendering = make_licence(render=False)
    assert client.get(reverse("licence_desk_pdf", args=[rendering.pk])).status_code == 404


def test_the_clerk_records_a_pick_up_with_the_id_masked(client, people, licence):
    licence_choose_delivery(licence=licence, actor=people["applicant_a"], method=DeliveryMethod.PICKUP)
    as_user(client, people, "clerk")
    detail = reverse("licence_desk_detail", args=[licence.pk])
    assert "登记窗口领取" in html(client.get(detail))
    url = reverse("licence_desk_pickup", args=[licence.pk])
    page = html(client.post(url, {"collected_by": "", "id_number": ""}))
    assert "领取人姓名：请填写领取人姓名。" in page
    page = html(client.post(url, {"collected_by": "李四", "id_number": "12"}))
    assert "请填写正确的领取人证件号码" in page
    licence.refresh_from_db()
    assert licence.handed_over_at is None
    response = client.post(url, {"collected_by": "李四", "id_number": "330102199001011234"})
    assert response.status_code == 302
    licence.refresh_from_db()
    assert licence.collected_by == "李四" and licence.collected_id_masked == "330***********1234"
    assert licence.handed_over_at is not None and licence.delivered_at is not None
    page = html(client.get(detail))
    assert "330***********1234" in page and "330102199001011234" not in page and "登记窗口领取" not in page
    again = client.post(url, {"collected_by": "李四"}, follow=True)
    assert "该证照不在待领取状态" in html(again)


def test_the_clerk_records_an_express_dispatch(client, people, licence):
    licence_choose_delivery(licence=licence, actor=people["applicant_a"], method=DeliveryMethod.EXPRESS,
                            address="湖州市吴兴区人民路1号", recipient="张三", phone="13905720001")
    as_user(client, people, "clerk")
    assert "登记邮寄" in html(client.get(reverse("licence_desk_detail", args=[licence.pk])))
    url = reverse("licence_desk_dispatch", args=[licence.pk])
    page = html(client.post(url, {"company": "", "tracking_number": "12"}))
    assert "请填写快递公司。" in page and "请填写正确的快递单号" in page
    assert client.post(url, {"company": "中国邮政EMS", "tracking_number": "EA123456789CN"}).status_code == 302
    licence.refresh_from_db()
    assert licence.tracking_number == "EA123456789CN" and licence.handed_over_at is not None


def test_a_supervisor_looks_but_records_nothing(client, people, licence):
    licence_choose_delivery(licence=licence, actor=people["applicant_a"], method=DeliveryMethod.PICKUP)
    as_user(client, people, "supervisor")
    page = html(client.get(reverse("licence_desk_detail", args=[licence.pk])))
    assert "登记窗口领取" not in page and "撤销或注销" not in page
    assert client.post(reverse("licence_desk_pickup", args=[licence.pk]),
                       {"collected_by": "李四"}).status_code == 403


def test_the_head_revokes_after_confirming(client, people, licence):
    as_user(client, people, "head_x")
    assert "撤销或注销" in html(client.get(reverse("licence_desk_detail", args=[licence.pk])))
    url = reverse("licence_desk_end", args=[licence.pk])
    page = html(client.post(url, {"kind": "revoke", "reason": "  ", "basis": ""}))
    assert "请写明撤销或注销的理由。" in page
    data = {"kind": "revoke", "reason": "以欺骗手段取得许可\n经查属实", "basis": "《行政许可法》第六十九条"}
    confirm = client.post(url, data)
    assert confirm.status_code == 200 and "确认撤销" in html(confirm)
    licence.refresh_from_db()
    assert licence.status == Status.VALID  # nothing done before the confirmation
    response = client.post(url, {**data, "confirmed": "yes"})
    assert response.status_code == 302
    licence.refresh_from_db()
    assert licence.status == Status.REVOKED and licence.end_reason == "以欺骗手段取得许可\n经查属实"
    assert "以欺骗手段取得许可" in html(client.get(licence.verify_path()))
    again = client.post(url, {**data, "confirmed": "yes"}, follow=True)
    assert "当前状态不允许此操作" in html(again)


def test_only_the_issuing_departments_head_may_revoke(client, people, licence, dept_y):
    from tests.factories import UserFactory

    head_y = UserFactory(username="head_y", role="head", department=dept_y)
    data = {"kind": "cancel", "reason": "注销", "confirmed": "yes"}
    for user in (people["reviewer_x"], people["clerk"], people["supervisor"]):
        client.force_login(user)
        assert client.post(reverse("licence_desk_end", args=[licence.pk]), data).status_code == 403
    client.force_login(head_y)
    assert client.post(reverse("licence_desk_end", args=[licence.pk]), data).status_code == 404
    licence.refresh_from_db()
    assert licence.status == Status.VALID


def test_the_approved_case_page_shows_its_licences_and_their_progress(client, people, approved_case):
    licence = Licence.objects.get()
    as_user(client, people, "reviewer_x")
    page = html(client.get(reverse("review_case", args=[approved_case.pk])))
    partial = reverse("licence_case_licences", args=[approved_case.application.number])
    assert f'hx-get="{partial}"' in page
    part = html(client.get(partial))
    assert licence.number in part and reverse("licence_desk_detail", args=[licence.pk]) in part
    assert "hx-trigger" not in part  # ready: no more polling


def test_the_case_partial_polls_while_a_licence_is_being_made(client, people, make_licence):
    licence = make_licence(render=False, application_number="SQ-POLL-1")
    as_user(client, people, "clerk")
    part = html(client.get(reverse("licence_case_licences", args=["SQ-POLL-1"])))
    assert licence.number in part and 'hx-trigger="every 3s"' in part and "制证中" in part
    assert licence.number not in html(as_user(client, people, "reviewer_y").get(
        reverse("licence_case_licences", args=["SQ-POLL-1"])))


# --- the template editor -------------------------------------------------------------------------------------
@pytest.fixture
def editor(client, people):
    client.force_login(people["catalogue_admin"])
    return client


def test_the_template_list_shows_licence_items_default_or_custom(editor, people, licence_version, dept_x):
    other = publish(people, dept_x, code="LIC-T-OTHER", result_type=ResultType.APPROVAL_DOCUMENT)
    page = html(editor.get(reverse("licence_templates")))
    assert licence_version.name in page and "默认" in page
    assert reverse("licence_template_edit", args=[other.item_id]) not in page
    LicenceTemplate.objects.create(item=licence_version.item, body="<p>{{ holder_name }}</p>")
    assert "自定义" in html(editor.get(reverse("licence_templates")))
    assert editor.get(reverse("licence_template_edit", args=[other.item_id])).status_code == 404


def test_the_editor_is_for_catalogue_administrators(client, people, licence_version):
    url = reverse("licence_template_edit", args=[licence_version.item_id])
    for role in ("clerk", "applicant_a", "head_x"):
        assert as_user(client, people, role).get(url).status_code == 403
        assert client.post(url, {"action": "save", "body": "<p>x</p>"}).status_code == 403
    assert not LicenceTemplate.objects.exists()


def test_saving_checks_the_body_and_names_the_field(editor, licence_version):
    url = reverse("licence_template_edit", args=[licence_version.item_id])
    page = html(editor.get(url))
    assert "{{ holder_name }}" in page and "持证主体" in page  # the placeholder list
    assert "licence-main" in page  # the default body in the textarea
    page = html(editor.post(url, {"action": "save", "body": "<p>{{ no_such }} {% load static %}</p>"}))
    assert "未知的占位符：no_such" in page and "不能使用模板标签" in page
    assert not LicenceTemplate.objects.exists()
    response = editor.post(url, {"action": "save", "body": "<p>持证人：{{ holder_name }}</p>"})
    assert response.status_code == 302
    assert LicenceTemplate.objects.get().body == "<p>持证人：{{ holder_name }}</p>"
    assert "持证人：{{ holder_name }}" in html(editor.get(url))


def test_preview_renders_a_specimen_without_writing_anything(editor, licence_version, dept_x):
    url = reverse("licence_template_edit", args=[licence_version.item_id])
    response = editor.post(url, {"action": "preview", "body": "<p>{{ holder_name }} {{ validity }}</p>"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert not Licence.objects.exists() and not LicenceCounter.objects.exists()
    assert not LicenceTemplate.objects.exists()
    page = html(editor.post(url, {"action": "preview", "body": "{{ oops }}"}))
    assert "未知的占位符：oops" in page
    saved = editor.get(reverse("licence_template_preview", args=[licence_version.item_id]))
    assert saved.status_code == 200 and saved.content.startswith(b"%PDF")


def test_reset_goes_back_to_the_default(editor, licence_version):
    url = reverse("licence_template_edit", args=[licence_version.item_id])
    editor.post(url, {"action": "save", "body": "<p>{{ number }}</p>"})
    assert editor.post(url, {"action": "reset"}).status_code == 302
    assert not LicenceTemplate.objects.exists()
    assert escape(DEFAULT_BODY.splitlines()[0]) in html(editor.get(url))


# --- workspaces ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role,slug,link", [
    ("clerk", "clerk", "licence_desk"), ("reviewer_x", "reviewer", "licence_desk"), ("head_x", "head", "licence_desk"),
    ("supervisor", "supervisor", "licence_desk"), ("catalogue_admin", "catalogue", "licence_templates"),
])
def test_staff_workspaces_link_to_the_licence_pages(client, people, role, slug, link):
    page = html(as_user(client, people, role).get(reverse("workspace_page", args=[slug])))
    assert f'href="{reverse(link)}"' in page and reverse("licence_verify") in page


def test_the_public_form_needs_no_sign_in(client):
    page = html(client.get(reverse("licence_verify")))
    assert "证照编号" in page and 'enctype="multipart/form-data"' in page


def test_the_desk_answers_in_a_constant_number_of_queries(client, people, make_licence,
                                                          django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    as_user(client, people, "clerk")
    make_licence(render=False)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("licence_desk"))
    for _ in range(4):
        make_licence(render=False)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("licence_desk"))
