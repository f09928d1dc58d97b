"""Following an application: my applications, its detail page, notices and files, and public tracking."""

import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Notice, Status
from applications.services import filing, intake
from applications.services.timeline import event_record
from portal.models import AuditEvent
from tests.applications.conftest import pdf_file
from tests.applications.helpers import material, submitted


def html_of(response):
    return response.content.decode()


def render_pdf(notice):
    """What the render task does, for the page's sake: store the notice's PDF."""
    notice.pdf.save(f"{notice.number}.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)


@pytest.fixture
def mine(client, people, person_a, published_version, work_calendar):
    """applicant_a's submitted application, with applicant_a signed in."""
    client.force_login(people["applicant_a"])
    return submitted(people["applicant_a"], person_a, published_version)


# --- my applications -------------------------------------------------------------------------------------
def test_my_applications_shows_drafts_first_with_what_each_awaits(client, people, person_a, person_b,
                                                                    published_version, mine):
    draft = filing.application_start(actor=people["applicant_a"], applicant=person_a, version=published_version)
    theirs = filing.application_start(actor=people["applicant_b"], applicant=person_b, version=published_version)
    page = html_of(client.get(reverse("my_applications")))
    assert page.index(draft.number) < page.index("已提交的申请") < page.index(mine.number)
    assert theirs.number not in page
    assert "综合受理窗口" in page and mine.acceptance_due.isoformat() in page
    assert reverse("application_edit", args=[draft.pk]) in page
    filtered = html_of(client.get(reverse("my_applications"), {"status": Status.SUBMITTED}))
    assert mine.number in filtered and draft.number not in filtered
    assert client.get(reverse("my_applications"), {"status": "bogus", "page": "x"}).status_code == 200


def test_my_applications_is_for_applicant_accounts(client, people):
    assert client.get(reverse("my_applications")).status_code == 302
    client.force_login(people["reviewer_x"])
    assert client.get(reverse("my_applications")).status_code == 403


def test_the_workspace_links_to_applications_and_loads_recent_ones(client, mine):
    page = html_of(client.get(reverse("workspace_page", args=["applicant"])))
    for url in [reverse("my_applications"), reverse("application_track"), reverse("my_applications_recent")]:
        assert url in page
    recent = html_of(client.get(reverse("my_applications_recent"), HTTP_HX_REQUEST="true"))
    assert mine.number in recent and "<html" not in recent


def test_the_enterprise_workspace_links_to_staff_management(client, people, enterprise_applicant):
    client.force_login(people["enterprise"])
    assert reverse("enterprise_staff") in html_of(client.get(reverse("workspace_page", args=["enterprise"])))


def test_the_number_of_queries_does_not_grow_with_the_applications(client, people, person_a, published_version,
                                                                     work_calendar):
    user = people["applicant_a"]
    client.force_login(user)

    def make(n):
        for _i in range(n):
            filing.application_start(actor=user, applicant=person_a, version=published_version)
            submitted(user, person_a, published_version)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("my_applications")).status_code == 200
        return len(queries)

    make(1)
    few = count()
    make(19)
    assert count() == few


def test_the_number_of_queries_does_not_grow_with_the_timeline(client, mine, people):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("application_detail", args=[mine.pk])).status_code == 200
        return len(queries)

    few = count()
    for i in range(20):
        event_record(application=mine, kind="note", summary=f"第{i}步", actor_label="综合受理窗口")
    other = material(mine, "其他补充材料")
    filing.material_upload(actor=people["clerk"], application=mine, material=other,
                           files=[pdf_file(f"{i}.pdf") for i in range(5)])
    assert count() == few


# --- the detail page ---------------------------------------------------------------------------------------
def test_detail_shows_timeline_dues_materials_with_problems_and_notices(client, people, mine):
    licence = material(mine, "营业执照复印件")
    intake.application_request_supplement(actor=people["clerk"], application=mine, problems=[
        {"material": licence.pk, "problem": "复印件不清晰，请重新扫描"},
        {"subject": "经营地址", "problem": "与租赁合同不一致"}])
    mine.refresh_from_db()
    page = html_of(client.get(reverse("application_detail", args=[mine.pk])))
    for text in [mine.number, mine.query_code, "待补正", "提交申请，等待窗口预审", "一次性告知补正", "补正期限",
                 mine.supplement_due.isoformat(), "复印件不清晰，请重新扫描", "需要补正的内容", "与租赁合同不一致",
                 "补正材料通知书", "正在生成…",
                 reverse("application_edit", args=[mine.pk]), "撤回申请"]:
        assert text in page, text
    # The notices block polls until the PDF is there, then shows the link and stops polling.
    partial_url = reverse("application_notices_partial", args=[mine.pk])
    assert f'hx-get="{partial_url}"' in page and 'hx-trigger="every 2s"' in page
    notice = mine.notices.get()
    pdf_url = reverse("notice_pdf", args=[mine.pk, notice.pk])
    assert client.get(pdf_url).status_code == 404
    render_pdf(notice)
    partial = html_of(client.get(partial_url, HTTP_HX_REQUEST="true"))
    assert pdf_url in partial and "正在生成" not in partial and "hx-trigger" not in partial
    assert "<html" not in partial


def test_notice_pdf_is_an_audited_attachment(client, people, mine):
    accepted = intake.application_accept(actor=people["clerk"], application=mine)
    notice = accepted.notices.get(kind=Notice.Kind.ACCEPTANCE)
    render_pdf(notice)
    response = client.get(reverse("notice_pdf", args=[mine.pk, notice.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="notice.download", actor=people["applicant_a"],
                                     object_id=str(notice.pk)).exists()
    page = html_of(client.get(reverse("application_detail", args=[mine.pk])))
    assert "已受理" in page and "承诺办结日期" in page and accepted.promised_due.isoformat() in page


def test_documents_download_as_audited_attachments(client, people, mine):
    document = material(mine, "食品经营许可申请书").documents.get()
    url = reverse("document_download", args=[document.pk])
    assert url in html_of(client.get(reverse("application_detail", args=[mine.pk])))
    response = client.get(url)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditEvent.objects.filter(action="document.download", object_id=str(document.pk)).count() == 1
    client.force_login(people["clerk"])
    assert client.get(url).status_code == 200


def test_rongque_deferred_materials_are_uploaded_after_acceptance(client, people, person_a, published_version,
                                                                  work_calendar):
    user = people["applicant_a"]
    client.force_login(user)
    application = submitted(user, person_a, published_version, skip=("营业执照复印件",))
    licence = material(application, "营业执照复印件")
    due = intake.rongque_latest_due(application, application.received_on)
    intake.application_accept_rongque(actor=people["clerk"], application=application, missing=[licence.pk],
                                      due=due, signed_name="张三")
    detail = reverse("application_detail", args=[application.pk])
    page = html_of(client.get(detail))
    assert "容缺受理：请补齐以下材料" in page
    assert reverse("application_material_upload", args=[application.pk, licence.pk]) in page
    response = client.post(reverse("application_material_upload", args=[application.pk, licence.pk]),
                           {"file": pdf_file("执照.pdf")})
    assert response.status_code == 302 and response.url.startswith(detail)
    application.refresh_from_db()
    assert not application.rongque_pending
    assert "容缺材料已补齐" in html_of(client.get(detail))


# --- nobody else sees it ---------------------------------------------------------------------------------------
def test_another_applicant_gets_404_everywhere(client, people, mine):
    notice = intake.application_accept(actor=people["clerk"], application=mine).notices.get()
    render_pdf(notice)
    main = material(mine, "食品经营许可申请书")
    document = main.documents.get()
    gets = [reverse("application_detail", args=[mine.pk]), reverse("application_edit", args=[mine.pk]),
            reverse("application_notices_partial", args=[mine.pk]), reverse("notice_pdf", args=[mine.pk, notice.pk]),
            reverse("document_download", args=[document.pk])]
    posts = [reverse("application_submit", args=[mine.pk]), reverse("application_withdraw", args=[mine.pk]),
             reverse("application_material_upload", args=[mine.pk, main.pk]),
             reverse("application_material_reuse", args=[mine.pk, main.pk]),
             reverse("application_material_commit", args=[mine.pk, main.pk]),
             reverse("application_material_remove", args=[mine.pk, main.pk, document.pk])]
    for role in ["applicant_b", "reviewer_x", "agency_a", "head_x"]:
        client.force_login(people[role])
        for url in gets:
            assert client.get(url).status_code in (403, 404), (role, url)
        for url in posts:
            assert client.post(url, {"file": pdf_file(), "reason": "x"}).status_code in (403, 404), (role, url)
    mine.refresh_from_db()
    assert mine.status == Status.ACCEPTED and main.documents.count() == 1
    assert not AuditEvent.objects.filter(action__in=["notice.download", "document.download"]).exists()
    client.logout()
    for url in gets:
        assert client.get(url).status_code == 302


def test_a_bad_id_is_404(client, mine):
    assert client.get(reverse("application_detail", args=[999999])).status_code == 404
    assert client.get("/documents/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get(reverse("notice_pdf", args=[mine.pk, 999999])).status_code == 404


# --- public tracking ------------------------------------------------------------------------------------------
PRIVATE = ["name", "id_number", "phone"]


def assert_public_only(page, application):
    applicant = application.applicant
    for secret in [applicant.name, applicant.id_number, applicant.phone, application.form_data["shop_name"],
                   application.form_data["phone"], "scan.pdf", application.query_code]:
        assert secret and secret not in page, secret
    assert '<meta name="robots" content="noindex">' in page


def test_public_tracking_by_number_and_query_code_shows_the_timeline_only(client, mine):
    client.logout()
    response = client.post(reverse("application_track"), {"number": mine.number,
                                                           "query_code": mine.query_code.lower()}, follow=True)
    page = html_of(response)
    assert response.redirect_chain[-1][0] == mine.tracking_path()
    assert response["X-Robots-Tag"].startswith("noindex")
    for text in [mine.number, mine.title, mine.department.name, "待预审", "提交申请，等待窗口预审", "综合受理窗口",
                 mine.acceptance_due.isoformat()]:
        assert text in page, text
    assert_public_only(page, mine)


def test_the_qr_code_token_opens_the_same_page(client, mine):
    client.logout()
    page = html_of(client.get(mine.tracking_path()))
    assert mine.number in page and "提交申请，等待窗口预审" in page
    assert_public_only(page, mine)
    assert client.get(reverse("application_track_token", args=["forged-token"])).status_code == 404


def test_a_wrong_pair_is_simply_not_found(client, mine, person_b, people, published_version):
    other = submitted(people["applicant_b"], person_b, published_version)
    client.logout()
    for number, code in [(mine.number, "ZZZZZZ"), ("2020010100000000", mine.query_code),
                         (mine.number, other.query_code)]:
        page = html_of(client.post(reverse("application_track"), {"number": number, "query_code": code}))
        assert "未找到该办件，请核对申请编号和查询码。" in page
        assert "提交申请，等待窗口预审" not in page
        assert not re.search(r"查询码(错误|不正确)|编号(错误|不存在)", page)
    page = html_of(client.post(reverse("application_track"), {"number": "", "query_code": ""}))
    assert "申请编号" in page and "<p class=\"error\"" in page
