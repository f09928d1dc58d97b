"""Online filing as an applicant does it: from the guide page to a submitted application."""

import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import (
    ApplicantMember,
    Application,
    Commitment,
    Document,
    MaterialStatus,
    Status,
)
from applications.services import filing
from portal.models import AuditEvent, Role
from tests.applications.conftest import FORM_DATA, pdf_file, png_file
from tests.applications.helpers import filled, material
from tests.factories import UserFactory


@pytest.fixture
def citizen(client, people, person_a):
    client.force_login(people["applicant_a"])
    return people["applicant_a"]


@pytest.fixture
def draft(citizen, person_a, published_version):
    return filing.application_start(actor=citizen, applicant=person_a, version=published_version)


def guide_url(version):
    return reverse("item_guide", args=[version.item.implementation_code])


def start_url(version):
    return reverse("application_start_item", args=[version.item.implementation_code])


def upload_url(application, m):
    return reverse("application_material_upload", args=[application.pk, m.pk])


def html_of(response):
    return response.content.decode()


def png_bomb(width=20000, height=20000) -> SimpleUploadedFile:
    """A real PNG of 400 million pixels that weighs about 50 KB on disk."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\x00" * (width // 8)
    body = zlib.compress(row * height, 9)
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
           + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return SimpleUploadedFile("bomb.png", png, content_type="image/png")


# --- starting from the guide ------------------------------------------------------------------------------
def test_a_citizen_starts_a_draft_from_the_guide_page_and_a_double_click_opens_one(client, citizen,
                                                                                    published_version):
    page = html_of(client.get(guide_url(published_version)))
    assert start_url(published_version) in page and "在线申报" in page
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page).group(1)
    first = client.post(start_url(published_version), {"idempotency_key": key})
    second = client.post(start_url(published_version), {"idempotency_key": key})
    application = Application.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("application_edit", args=[application.pk])
    assert application.status == Status.DRAFT and application.created_by == citizen
    assert application.materials.count() == 4
    # A second rendering of the guide carries a new key: a deliberate second start opens a second draft.
    other = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"',
                      html_of(client.get(guide_url(published_version)))).group(1)
    assert other != key
    client.post(start_url(published_version), {"idempotency_key": other})
    assert Application.objects.count() == 2


def test_anonymous_visitors_are_asked_to_log_in_and_staff_get_no_button(client, people, published_version):
    page = html_of(client.get(guide_url(published_version)))
    assert start_url(published_version) not in page
    assert f"{reverse('login')}?next={guide_url(published_version)}" in page
    response = client.post(start_url(published_version))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(people["clerk"])
    assert start_url(published_version) not in html_of(client.get(guide_url(published_version)))
    assert client.post(start_url(published_version)).status_code == 403
    assert client.get(start_url(published_version)).status_code == 405
    assert not Application.objects.exists()


def test_an_account_without_an_id_number_is_told_what_to_do(client, people, published_version):
    user = UserFactory(username="no_id", role=Role.APPLICANT_PERSON, id_number="")
    client.force_login(user)
    response = client.post(start_url(published_version), follow=True)
    assert "请先在账户中登记身份证号码" in html_of(response)
    assert not Application.objects.exists()


def test_unknown_item_is_404(client, citizen):
    assert client.post(reverse("application_start_item", args=["NOPE"])).status_code == 404


# --- the form ---------------------------------------------------------------------------------------------
def test_an_incomplete_draft_is_saved_and_resumed(client, draft):
    edit = reverse("application_edit", args=[draft.pk])
    page = html_of(client.get(edit))
    for label in ["经营场所名称", "经营地址", "联系电话", "保存草稿", "食品经营许可申请书", "告知承诺"]:
        assert label in page, label
    response = client.post(edit, {"shop_name": "湖州小吃店", "area": ""})
    assert response.status_code == 302 and response.url == edit
    draft.refresh_from_db()
    assert draft.form_data == {"shop_name": "湖州小吃店"}
    resumed = html_of(client.get(edit))
    assert 'value="湖州小吃店"' in resumed and "草稿已保存" in resumed


@pytest.mark.parametrize("bad, field, message", [
    ({"phone": "12345"}, "联系电话", "11位手机号码"),
    ({"area": "0"}, "经营面积（平方米）", "1"),
    ({"area": "很多"}, "经营面积（平方米）", "数"),
])
def test_bad_values_are_named_and_nothing_is_saved(client, draft, bad, field, message):
    filing.application_save_form(actor=draft.created_by, application=draft, data={"shop_name": "原来的名称"})
    response = client.post(reverse("application_edit", args=[draft.pk]), {"shop_name": "新名称", **bad})
    page = html_of(response)
    assert response.status_code == 200
    assert re.search(rf'<p class="error" role="alert">{re.escape(field)}：[^<]*{message}', page), page
    assert "新名称" in page  # what was typed stays in the form
    draft.refresh_from_db()
    assert draft.form_data == {"shop_name": "原来的名称"}


def test_the_edit_page_is_only_for_editable_applications(client, draft, work_calendar):
    filing.application_save_form(actor=draft.created_by, application=draft, data=FORM_DATA)
    for m in draft.materials.filter(required=True):
        filing.material_upload(actor=draft.created_by, application=draft, material=m, files=[pdf_file()])
    filing.application_submit(actor=draft.created_by, application=draft)
    response = client.get(reverse("application_edit", args=[draft.pk]))
    assert response.status_code == 302 and response.url == reverse("application_detail", args=[draft.pk])
    before = Application.objects.get(pk=draft.pk).form_data
    client.post(reverse("application_edit", args=[draft.pk]), {"shop_name": "改名"})
    assert Application.objects.get(pk=draft.pk).form_data == before


# --- materials ----------------------------------------------------------------------------------------------
def test_uploading_a_pdf_per_material_with_and_without_htmx(client, draft):
    main = material(draft, "食品经营许可申请书")
    response = client.post(upload_url(draft, main), {"file": [pdf_file("申请书.pdf"), pdf_file("附页.pdf")]})
    assert response.status_code == 302 and response.url.endswith(f"#material-{main.pk}")
    main.refresh_from_db()
    assert main.status == MaterialStatus.PROVIDED and main.documents.count() == 2
    assert "文件已上传" in html_of(client.get(response.url))

    rules = material(draft, "食品安全管理制度")
    row = client.post(upload_url(draft, rules), {"file": [pdf_file("制度.pdf"), png_file("公示照片.png")]},
                      HTTP_HX_REQUEST="true")
    fragment = html_of(row)
    assert row.status_code == 200 and "<html" not in fragment
    assert f'id="material-{rules.pk}"' in fragment and "制度.pdf" in fragment and "公示照片.png" in fragment
    assert material(draft, "食品安全管理制度").status == MaterialStatus.PROVIDED


@pytest.mark.parametrize("make_file, message", [
    (lambda: SimpleUploadedFile("evil.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"),
     "文件内容与扩展名 .pdf 不符"),
    (lambda: SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
     "只接受以下类型的文件"),
    (png_bomb, "图片像素过多"),
    (lambda: SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024), content_type="application/pdf"),
     "文件不能超过 10 MB"),
])
def test_bad_files_are_refused_next_to_their_material_and_nothing_is_stored(client, draft, make_file, message):
    main = material(draft, "食品经营许可申请书")
    stored = Document.objects.count()
    # Without JavaScript: the edit page again, with the error beside the material.
    response = client.post(upload_url(draft, main), {"file": [pdf_file("good.pdf"), make_file()]})
    page = html_of(response)
    assert response.status_code == 200
    row = page[page.index(f'id="material-{main.pk}"'):]
    assert message in row[:row.index("</li>", row.index(message))]
    # With htmx: the material's row alone.
    fragment = html_of(client.post(upload_url(draft, main), {"file": make_file()}, HTTP_HX_REQUEST="true"))
    assert message in fragment and "<html" not in fragment
    assert Document.objects.count() == stored
    main.refresh_from_db()
    assert main.status == MaterialStatus.MISSING and not main.documents.exists()


def test_an_upload_without_a_file_says_so(client, draft):
    main = material(draft, "食品经营许可申请书")
    assert "请选择要上传的文件" in html_of(client.post(upload_url(draft, main), {}))


def test_the_number_of_files_per_application_is_limited(client, draft, settings):
    settings.INTAKE_MAX_FILES = 3
    main = material(draft, "食品经营许可申请书")
    page = html_of(client.post(upload_url(draft, main), {"file": [pdf_file(f"{i}.pdf") for i in range(4)]}))
    assert "每件申请最多上传 3 个文件" in page
    assert not Document.objects.exists()


def test_101_files_are_refused_at_the_real_limit(client, draft):
    main = material(draft, "食品经营许可申请书")
    page = html_of(client.post(upload_url(draft, main), {"file": [pdf_file(f"{i}.pdf") for i in range(101)]}))
    assert "请分批上传" in page or "最多上传 100 个文件" in page
    assert not Document.objects.exists()
    client.post(upload_url(draft, main), {"file": [pdf_file(f"{i}.pdf") for i in range(100)]})
    assert Document.objects.count() == 100
    other = material(draft, "营业执照复印件")
    assert "最多上传 100 个文件" in html_of(client.post(upload_url(draft, other), {"file": pdf_file()}))
    assert Document.objects.count() == 100


def test_a_document_from_an_earlier_application_is_reused(client, citizen, person_a, published_version, draft):
    earlier = filled(citizen, person_a, published_version)
    earlier_file = material(earlier, "食品经营许可申请书").documents.get()
    main = material(draft, "食品经营许可申请书")
    page = html_of(client.get(reverse("application_edit", args=[draft.pk])))
    assert f'value="{earlier_file.pk}"' in page and "使用以前提交过的文件" in page
    stored = Document.objects.count()
    response = client.post(reverse("application_material_reuse", args=[draft.pk, main.pk]),
                           {"document": str(earlier_file.pk)})
    assert response.status_code == 302
    main.refresh_from_db()
    assert main.status == MaterialStatus.REUSED and list(main.documents.all()) == [earlier_file]
    assert Document.objects.count() == stored


def test_someone_elses_document_cannot_be_reused(client, people, person_b, published_version, draft):
    theirs = filled(people["applicant_b"], person_b, published_version)
    their_file = material(theirs, "食品经营许可申请书").documents.get()
    main = material(draft, "食品经营许可申请书")
    page = html_of(client.post(reverse("application_material_reuse", args=[draft.pk, main.pk]),
                               {"document": str(their_file.pk)}))
    assert "请选择要复用的文件" in page
    assert not main.documents.exists()


def test_signing_a_commitment_replaces_the_material(client, draft):
    rules = material(draft, "食品安全管理制度")
    page = html_of(client.get(reverse("application_edit", args=[draft.pk])))
    assert filing.commitment_text(rules) in page
    url = reverse("application_material_commit", args=[draft.pk, rules.pk])
    assert "请签署承诺人姓名" in html_of(client.post(url, {"signed_name": "  "}))
    assert not Commitment.objects.exists()
    main = material(draft, "食品经营许可申请书")
    assert "不适用告知承诺" in html_of(client.post(reverse("application_material_commit", args=[draft.pk, main.pk]),
                                                 {"signed_name": "张三"}))
    client.post(url, {"signed_name": "张三"})
    rules.refresh_from_db()
    assert rules.status == MaterialStatus.COMMITMENT
    assert Commitment.objects.get().signed_name == "张三"


def test_a_file_is_taken_off_a_material(client, draft):
    main = material(draft, "食品经营许可申请书")
    filing.material_upload(actor=draft.created_by, application=draft, material=main, files=[pdf_file()])
    document = main.documents.get()
    fragment = html_of(client.post(reverse("application_material_remove", args=[draft.pk, main.pk, document.pk]),
                                   HTTP_HX_REQUEST="true"))
    assert reverse("document_download", args=[document.pk]) not in fragment and "文件已移除" in fragment
    assert f'value="{document.pk}"' in fragment  # it may be chosen again from the earlier files
    main.refresh_from_db()
    assert main.status == MaterialStatus.MISSING and Document.objects.filter(pk=document.pk).exists()


# --- submit and withdraw ----------------------------------------------------------------------------------
def test_submitting_an_incomplete_application_names_what_is_missing(client, draft, work_calendar):
    submit = reverse("application_submit", args=[draft.pk])
    response = client.post(submit, {"form_included": "1", "shop_name": "湖州小吃店"})
    page = html_of(response)
    assert response.status_code == 200 and "还不能提交" in page
    assert re.search(r'<p class="error" role="alert">联系电话：', page)
    assert re.search(r'<p class="error" role="alert">经营地址：', page)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.form_data == {"shop_name": "湖州小吃店"}

    page = html_of(client.post(submit, {"form_included": "1", **FORM_DATA}))
    errors = page[page.index("还不能提交"):page.index("</ul>", page.index("还不能提交"))]
    assert "缺少必要材料：食品经营许可申请书" in errors and "缺少必要材料：食品安全管理制度" in errors
    assert "营业执照复印件" not in errors  # 可容缺: the clerk decides
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.form_data["phone"] == FORM_DATA["phone"]


def test_a_complete_application_is_submitted_with_its_number_and_query_code(client, draft, work_calendar):
    for m in draft.materials.filter(required=True, may_be_missing=False):
        client.post(upload_url(draft, m), {"file": pdf_file()})
    response = client.post(reverse("application_submit", args=[draft.pk]), {"form_included": "1", **FORM_DATA},
                           follow=True)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert response.redirect_chain[-1][0] == reverse("application_detail", args=[draft.pk])
    page = html_of(response)
    assert draft.number in page and draft.query_code in page and "申请已提交" in page
    # Submitting again changes nothing.
    again = client.post(reverse("application_submit", args=[draft.pk]), follow=True)
    assert Application.objects.get(pk=draft.pk).revision == 1 and again.status_code == 200


def test_a_change_of_status_meanwhile_is_a_message_not_an_error(client, draft):
    main = material(draft, "食品经营许可申请书")
    filing.application_withdraw(actor=draft.created_by, application=draft)  # e.g. in another tab
    response = client.post(upload_url(draft, main), {"file": pdf_file()}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"].startswith(
        reverse("application_detail", args=[draft.pk]))
    page = html_of(client.get(response["HX-Redirect"]))
    assert "当前状态下不能上传此材料" in page
    response = client.post(reverse("application_submit", args=[draft.pk]), {"form_included": "1", **FORM_DATA},
                           follow=True)
    assert response.status_code == 200 and "办件状态已变化" in html_of(response)
    assert not Document.objects.exists()


def test_withdrawing_an_open_application(client, draft):
    detail = reverse("application_detail", args=[draft.pk])
    assert "撤回申请" in html_of(client.get(detail))
    response = client.post(reverse("application_withdraw", args=[draft.pk]), {"reason": "不办了"}, follow=True)
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN and draft.closing_note == "不办了"
    assert "申请已撤回" in html_of(response)
    again = client.post(reverse("application_withdraw", args=[draft.pk]), follow=True)
    assert again.status_code == 200 and "不能撤回" in html_of(again)
    assert 'action="' + reverse("application_withdraw", args=[draft.pk]) not in html_of(client.get(detail))


def test_a_bundle_is_filed_from_its_guide(client, citizen, published_version, dept_x):
    from items.models import Bundle, BundleItem

    bundle = Bundle.objects.create(name="开办小吃店一件事", lead_department=dept_x, is_published=True)
    BundleItem.objects.create(bundle=bundle, item=published_version.item)
    page = html_of(client.get(reverse("bundle_guide", args=[bundle.pk])))
    url = reverse("application_start_bundle", args=[bundle.pk])
    assert url in page
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', page).group(1)
    client.post(url, {"idempotency_key": key})
    client.post(url, {"idempotency_key": key})
    application = Application.objects.get()
    assert application.bundle == bundle and application.title == "开办小吃店一件事"
    edit = html_of(client.get(reverse("application_edit", args=[application.pk])))
    assert "经营场所名称" in edit and "食品经营许可申请书" in edit


# --- an enterprise's staff accounts --------------------------------------------------------------------------
def test_an_enterprise_owner_adds_and_removes_staff(client, people, enterprise_applicant):
    owner = people["enterprise"]
    staff = UserFactory(username="staff_1", role=Role.APPLICANT_ENTERPRISE, uscc="")
    client.force_login(owner)
    url = reverse("enterprise_staff")
    assert "添加经办人" in html_of(client.get(url))
    response = client.post(url, {"username": "staff_1", "action": "add"})
    assert response.status_code == 302
    assert ApplicantMember.objects.filter(applicant=enterprise_applicant, user=staff,
                                          role=ApplicantMember.Role.STAFF).exists()
    assert "经办人须是企业用户账号" in html_of(client.post(url, {"username": "applicant_b", "action": "add"}))
    assert "没有这个用户名" in html_of(client.post(url, {"username": "nobody", "action": "add"}))
    assert AuditEvent.objects.filter(action="applicant.member_add").count() == 1
    # The staff member sees the list but may not change it.
    client.force_login(staff)
    page = html_of(client.get(url))
    assert "只有企业管理员账号" in page
    assert client.post(url, {"username": "enterprise", "action": "remove"}).status_code == 403
    client.force_login(owner)
    client.post(url, {"username": "staff_1", "action": "remove"})
    assert not ApplicantMember.objects.filter(user=staff).exists()


def test_only_enterprise_accounts_manage_staff(client, people):
    client.force_login(people["applicant_a"])
    assert client.get(reverse("enterprise_staff")).status_code == 403
    client.logout()
    assert client.get(reverse("enterprise_staff")).status_code == 302


def test_an_enterprise_without_a_uscc_is_told_what_to_do(client, people):
    client.force_login(people["enterprise"])
    assert "统一社会信用代码" in html_of(client.get(reverse("enterprise_staff")))
