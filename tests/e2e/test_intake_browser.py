"""End to end, in Chromium: issue 4 "Intake" (受理).

An online filing with a one-time supplement notice (一次性告知补正) and its acceptance; a walk-in enterprise
taken from the kiosk queue to a 容缺受理 at the window; the public tracking page a notice's QR code opens;
and the applicant's edit page on a phone. The notice PDFs are read back with pypdf.
"""

import io
import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect
from pypdf import PdfReader

from applications.models import Application, Notice, Status, Window
from applications.services import filing
from applications.services.applicants import applicant_for_user
from applications.services.intake import application_accept, application_request_supplement
from items.services import item_create, version_approve, version_submit
from portal.models import Role
from portal.validators import uscc_check_character
from tests.e2e.conftest import PHONE
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-9"
DEPARTMENT = "湖州市市场监督管理局"
ITEM_CODE = "330500-SCJG-XK-001"
ITEM_NAME = "食品经营许可（新办）"
MAIN, SECONDARY, RULES, OPTIONAL = "食品经营许可申请书", "营业执照复印件", "食品安全管理制度", "其他补充材料"
FORM = {"经营场所名称": "湖州小吃店", "经营地址": "湖州市吴兴区人民路1号", "经营面积（平方米）": "80",
        "联系电话": "13905720001"}
FORM_DATA = {"shop_name": "湖州小吃店", "address": "湖州市吴兴区人民路1号", "area": "80", "phone": "13905720001"}
# A real (if empty) PDF: the upload check reads the content, not the name.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_uscc(seed: int) -> str:
    first17 = f"91330502MA{seed:07d}"
    return first17 + uscc_check_character(first17)


@pytest.fixture
def hall(live_db, work_calendar, settings, tmp_path):
    """A published item of the market regulator with main, secondary (可容缺), 告知承诺 and optional materials;
    a citizen with an ID number and a clerk. Uploaded files and notice PDFs go to a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    department = DepartmentFactory(code="SCJG", name=DEPARTMENT)
    editor = UserFactory(role=Role.CATALOGUE_ADMIN)
    reviewer = UserFactory(role=Role.CATALOGUE_ADMIN)
    draft = item_create(
        actor=editor, department=department, implementation_code=ITEM_CODE, basic_code="000000000002",
        content={"name": ITEM_NAME, "item_type": "licensing", "service_object": "both",
                 "legal_basis": "《中华人民共和国食品安全法》第三十五条",
                 "conditions": "有与经营的食品品种相适应的场所",
                 "statutory_limit": 20, "promised_limit": 10, "acceptance_limit": 5},
        materials=[{"name": MAIN, "required": True},
                   {"name": SECONDARY, "required": True, "may_be_missing": True},
                   {"name": RULES, "required": True, "commitment_allowed": True},
                   {"name": OPTIONAL, "required": False}],
        form_fields=[{"key": "shop_name", "label": "经营场所名称", "field_type": "text"},
                     {"key": "address", "label": "经营地址", "field_type": "address"},
                     {"key": "area", "label": "经营面积（平方米）", "field_type": "number", "min_value": 1,
                      "max_value": 100000},
                     {"key": "phone", "label": "联系电话", "field_type": "phone"},
                     {"key": "note", "label": "备注", "field_type": "text", "required": False}],
        steps=[{"name": "受理"}, {"name": "审查"}, {"name": "决定"}])
    version = version_approve(actor=reviewer, version=version_submit(actor=editor, version=draft))
    pdf = tmp_path / "扫描件.pdf"
    pdf.write_bytes(PDF_BYTES)
    return SimpleNamespace(
        version=version, pdf=pdf,
        citizen=UserFactory(role=Role.APPLICANT_PERSON, display_name="张晓明", password=PASSWORD),
        clerk=UserFactory(role=Role.CLERK, display_name="王敏", password=PASSWORD),
    )


# --- helpers -------------------------------------------------------------------------------------------
def pdf_text(data: bytes) -> str:
    """The text of a PDF without whitespace (table cells wrap lines anywhere)."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def download(page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    assert info.value.suggested_filename.endswith(".pdf")
    with open(path, "rb") as f:
        return f.read()


def material_row(page, name):
    """A material's list item on the edit or intake page (found by its heading)."""
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=name))


def no_horizontal_scroll(page) -> None:
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width, f"{page.url} is {scroll_width}px wide in a {inner_width}px viewport"


def notice_of(application: Application, kind: str) -> Notice:
    return application.notices.get(kind=kind)


# --- 1. online filing, one supplement round, acceptance --------------------------------------------------
def test_online_filing_with_a_supplement_round_ends_accepted_with_notices(new_page, login, hall):
    citizen = new_page()
    login(citizen, hall.citizen.username, PASSWORD)
    citizen.goto(f"/items/{ITEM_CODE}/")
    expect(citizen.get_by_role("heading", level=1)).to_have_text(ITEM_NAME)
    citizen.get_by_role("button", name="在线申报").click()
    expect(citizen).to_have_url(re.compile(r"/applications/\d+/edit/$"))
    expect(citizen.locator("h1")).to_have_text(ITEM_NAME)

    form = citizen.locator("#application-form")
    for label, value in FORM.items():
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name="保存草稿").click()
    expect(citizen.get_by_text("草稿已保存。")).to_be_visible()
    expect(form.get_by_label("经营场所名称")).to_have_value("湖州小吃店")

    for name in (MAIN, SECONDARY, RULES):
        row = material_row(citizen, name)
        row.get_by_label("选择文件").set_input_files(hall.pdf)
        row.get_by_role("button", name="上传", exact=True).click()
        expect(row).to_contain_text("文件已上传。")  # the row swapped in place by htmx
        expect(row).to_contain_text("扫描件.pdf")
        expect(row).to_contain_text("已提交")

    citizen.get_by_role("button", name="保存并提交申请").click()
    expect(citizen).to_have_url(re.compile(r"/applications/\d+/$"))
    application = Application.objects.get(applicant__members__user=hall.citizen)
    assert application.status == Status.SUBMITTED
    expect(citizen.get_by_text(f"申请编号 {application.number}，查询码 {application.query_code}")).to_be_visible()
    summary = citizen.locator(".app-summary")
    expect(summary).to_contain_text(application.number)
    expect(summary).to_contain_text(application.query_code)
    expect(summary).to_contain_text("待预审")

    # The clerk, at any window, finds it in the pre-review queue and lists every problem in ONE notice.
    clerk = new_page()
    login(clerk, hall.clerk.username, PASSWORD)
    clerk.goto("/desk/")
    clerk.get_by_role("link", name=application.number).click()
    expect(clerk.locator("h1")).to_have_text(ITEM_NAME)
    supplement = clerk.get_by_role("region", name="一次性告知补正")
    problems = {SECONDARY: "复印件不清晰，请上传清晰的彩色扫描件", RULES: "缺少从业人员健康管理制度",
                "经营面积（平方米）": "经营面积与租赁合同不一致"}
    for subject, problem in problems.items():
        supplement.get_by_role("checkbox", name=subject).check()
        supplement.get_by_role("textbox", name=f"“{subject}”需补正的内容").fill(problem)
    supplement.get_by_role("button", name="出具一次性告知补正通知书").click()
    expect(clerk.get_by_text("一次性告知补正通知书已出具（3 项）。")).to_be_visible()
    expect(clerk.get_by_role("region", name="办件", exact=True)).to_contain_text("待补正")

    # The applicant sees what to correct, uploads a clearer copy, corrects the area and resubmits.
    citizen.reload()
    expect(summary).to_contain_text("待补正")
    to_correct = citizen.get_by_role("region", name="需要补正的内容")
    for subject, problem in problems.items():
        expect(to_correct).to_contain_text(f"{subject}：{problem}")
    to_correct.get_by_role("link", name="去补正").click()
    expect(citizen).to_have_url(re.compile(r"/applications/\d+/edit/$"))
    row = material_row(citizen, SECONDARY)
    expect(row).to_contain_text(problems[SECONDARY])
    row.get_by_label("选择文件").set_input_files({"name": "营业执照-清晰版.pdf", "mimeType": "application/pdf",
                                                "buffer": PDF_BYTES})
    row.get_by_role("button", name="上传", exact=True).click()
    expect(row).to_contain_text("营业执照-清晰版.pdf")
    citizen.locator("#application-form").get_by_label("经营面积（平方米）").fill("120")
    citizen.get_by_role("button", name="保存并提交申请").click()
    expect(citizen).to_have_url(re.compile(r"/applications/\d+/$"))
    expect(summary).to_contain_text("待预审")
    application.refresh_from_db()
    assert application.form_data["area"] == "120"

    # The clerk accepts.
    clerk.reload()
    clerk.get_by_role("region", name="受理", exact=True).get_by_role("button", name="受理", exact=True).click()
    expect(clerk.get_by_text("已受理，受理通知书已出具。")).to_be_visible()

    # The applicant: accepted and sent on to review, every step on the timeline, the promised date, and both
    # notices as PDFs.
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW
    citizen.reload()
    expect(summary).to_contain_text("审查中")
    promised = summary.locator("div", has=citizen.get_by_text("承诺办结日期", exact=True))
    expect(promised).to_contain_text(f"{application.promised_due:%Y-%m-%d}")
    steps = citizen.get_by_role("region", name="办理进度").get_by_role("listitem")
    expect(steps).to_have_count(6)
    for i, summary_text in enumerate(["登记申请", "提交申请，等待窗口预审", "一次性告知补正（3 项",
                                      "补正后重新提交，等待窗口预审", "已受理（", "并联审查"]):
        expect(steps.nth(i)).to_contain_text(summary_text)

    notices = citizen.get_by_role("region", name="通知书", exact=True)
    acceptance = notice_of(application, Notice.Kind.ACCEPTANCE)
    text = pdf_text(download(citizen, notices.get_by_role("listitem").filter(has_text=acceptance.number)
                             .get_by_role("link", name="下载 PDF")))
    assert "受理通知书" in text
    assert application.number in text
    assert DEPARTMENT in text
    assert f"{application.promised_due:%Y年%-m月%-d日}" in text

    notice = notice_of(application, Notice.Kind.SUPPLEMENT)
    text = pdf_text(download(citizen, notices.get_by_role("listitem").filter(has_text=notice.number)
                             .get_by_role("link", name="下载 PDF")))
    assert "补正材料通知书" in text
    for subject, problem in problems.items():
        assert re.sub(r"\s+", "", subject) in text
        assert problem in text


# --- 2. a walk-in enterprise: kiosk ticket, window intake, 容缺受理 ------------------------------------------
def test_walk_in_enterprise_is_called_and_accepted_with_a_missing_secondary_material(new_page, login, hall):
    Window.objects.create(number="03", name="综合受理3号窗口")
    company, uscc = "湖州绿源餐饮有限公司", make_uscc(2)

    kiosk = new_page(viewport=PHONE)
    kiosk.goto("/hall/kiosk/")
    kiosk.get_by_label("企业业务").check()
    kiosk.get_by_role("button", name="取号", exact=True).click()
    expect(kiosk.locator(".ticket-number")).to_have_text("B001")

    clerk = new_page()
    login(clerk, hall.clerk.username, PASSWORD)
    clerk.goto("/hall/desk/")
    clerk.get_by_role("combobox", name="窗口").select_option(label="综合受理3号窗口")
    clerk.get_by_role("button", name="开启窗口").click()
    expect(clerk.locator("#desk-panel")).to_contain_text("已开启 综合受理3号窗口")
    clerk.get_by_role("button", name="叫下一位").click()
    expect(clerk.locator(".desk-number")).to_contain_text("B001")
    clerk.get_by_role("button", name="开始办理").click()
    expect(clerk.locator("#desk-panel")).to_contain_text("开始办理 B001。")
    expect(clerk.locator(".desk-number")).to_contain_text("办理中")

    # From the desk to a new window intake: register the enterprise, choose the item.
    clerk.get_by_role("link", name="返回工作台").click()
    clerk.get_by_role("link", name="登记新申请人").click()
    register = clerk.get_by_role("region", name="登记新申请人")
    register.get_by_label("法人或其他组织").check()
    register.get_by_label("姓名/名称").fill(company)
    register.get_by_label("统一社会信用代码").fill(uscc)
    register.get_by_label("法定代表人").fill("王五")
    register.get_by_label("联系人").fill("李四")
    register.get_by_label("联系电话").fill("13905720002")
    register.get_by_role("button", name="登记并办理").click()
    expect(clerk.get_by_text(f"申请人“{company}”已登记。")).to_be_visible()
    clerk.get_by_label("搜索事项").fill("食品经营许可")
    clerk.get_by_role("button", name="搜索", exact=True).click()
    clerk.get_by_role("button", name=f"受理：{ITEM_NAME}").click()
    expect(clerk.locator("h1")).to_have_text(ITEM_NAME)
    application = Application.objects.get(applicant__uscc=uscc)
    expect(clerk.get_by_text(f"已登记申请 {application.number}")).to_be_visible()

    # The form, typed in with the applicant; the scans of the main materials, but not the business licence.
    form = clerk.get_by_role("region", name="申请表", exact=True)
    for label, value in FORM.items():
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name="保存申请表").click()
    expect(clerk.get_by_text("申请表已保存。")).to_be_visible()
    for name in (MAIN, RULES):
        row = material_row(clerk, name)
        row.get_by_label("扫描件").set_input_files(hall.pdf)
        row.get_by_role("button", name="上传扫描件").click()
        expect(clerk.get_by_text(f"“{name}”已上传 1 个文件。")).to_be_visible()
        expect(material_row(clerk, name)).to_contain_text("扫描件.pdf")
    expect(material_row(clerk, SECONDARY)).to_contain_text("未提交")
    clerk.get_by_role("button", name="提交并预审").click()
    expect(clerk.get_by_text("已提交，请作出预审结论。")).to_be_visible()

    # 容缺受理: the missing secondary material, a deadline within the promised limit, the applicant's signature.
    rongque = clerk.get_by_role("region", name="容缺受理")
    expect(rongque.get_by_role("checkbox", name=SECONDARY)).to_be_checked()  # missing: ticked already
    expect(rongque.get_by_role("checkbox")).to_have_count(1)  # only secondary materials are offered
    due = rongque.get_by_label("补齐期限")
    latest = due.get_attribute("max")
    due.fill(latest)
    rongque.get_by_label("申请人签名").fill(company)
    rongque.get_by_role("button", name="容缺受理").click()
    expect(clerk.get_by_text("已容缺受理，容缺受理通知书已出具。")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW and application.rongque_pending
    assert f"{application.rongque_due:%Y-%m-%d}" == latest
    expect(clerk.get_by_role("region", name="办理记录").get_by_role("listitem").nth(-2)).to_contain_text(
        "容缺受理（")
    facts = clerk.get_by_role("region", name="办件", exact=True)
    expect(facts).to_contain_text("审查中")
    expect(facts).to_contain_text(f"容缺补齐期限{latest}")

    notice = notice_of(application, Notice.Kind.RONGQUE)
    row = clerk.locator("#desk-notices").get_by_role("listitem").filter(has_text=notice.number)
    text = pdf_text(download(clerk, row.get_by_role("link", name="打印通知书")))
    assert "容缺受理通知书" in text
    assert SECONDARY in text
    assert company in text
    assert application.number in text

    display = new_page()
    display.goto("/hall/display/")
    latest_called = display.locator(".board-latest")
    expect(latest_called.locator(".board-number")).to_have_text("B001")
    expect(latest_called.locator(".board-window")).to_have_text("03 号窗口")
    expect(display.locator("body")).not_to_contain_text(company)


# --- 3. public tracking by the notice's QR code ------------------------------------------------------------
def submitted_application(hall) -> Application:
    """An online application of the citizen, filed through the services (as the pages do)."""
    applicant = applicant_for_user(user=hall.citizen)
    application = filing.application_start(actor=hall.citizen, applicant=applicant, version=hall.version)
    filing.application_save_form(actor=hall.citizen, application=application, data=FORM_DATA)
    for material in application.materials.filter(required=True):
        filing.material_upload(actor=hall.citizen, application=application, material=material,
                               files=[upload_file()])
    return filing.application_submit(actor=hall.citizen, application=application)


def upload_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.pdf", PDF_BYTES, content_type="application/pdf")


def test_tracking_page_from_the_notice_shows_status_and_timeline_but_no_personal_data(new_page, hall):
    application = application_request_supplement(
        actor=hall.clerk, application=submitted_application(hall),
        problems=[{"subject": "经营面积（平方米）", "problem": "经营面积与租赁合同不一致"}])
    filing.application_save_form(actor=hall.citizen, application=application, data={**FORM_DATA, "area": "120"})
    application = application_accept(actor=hall.clerk,
                                     application=filing.application_submit(actor=hall.citizen, application=application))
    notice = notice_of(application, Notice.Kind.ACCEPTANCE)
    applicant = application.applicant
    assert notice.tracking_url() == application.tracking_path()

    page = new_page(viewport=PHONE)  # scanned with a phone, signed in or not
    page.goto(notice.tracking_url())
    expect(page.locator("h1")).to_have_text("办件进度")
    facts = page.get_by_role("region", name=ITEM_NAME)
    expect(facts).to_contain_text(application.number)
    expect(facts).to_contain_text(DEPARTMENT)
    expect(facts).to_contain_text("审查中")
    steps = page.get_by_role("region", name="办理进度").get_by_role("listitem")
    expect(steps).to_have_count(6)
    expect(steps.nth(4)).to_contain_text(f"已受理（{notice.number}）")
    expect(steps.nth(4)).to_contain_text(f"{application.promised_due:%Y-%m-%d}")
    expect(steps.last).to_contain_text("并联审查")
    body = page.locator("body")
    for secret in (applicant.name, applicant.id_number, applicant.identity_masked, hall.citizen.username,
                   hall.clerk.display_name, application.query_code, FORM_DATA["phone"], "经营面积与租赁合同不一致"):
        expect(body).not_to_contain_text(secret)
    assert applicant.id_number not in page.url
    no_horizontal_scroll(page)


# --- 4. the applicant's edit page on a phone -----------------------------------------------------------
def test_edit_page_fits_a_phone_while_a_supplement_is_awaited(new_page, login, hall):
    application = submitted_application(hall)
    long_problem = "请上传加盖公章的营业执照彩色扫描件，" * 6
    application_request_supplement(
        actor=hall.clerk, application=application,
        problems=[{"material": application.materials.get(name=SECONDARY).pk, "problem": long_problem},
                  {"subject": "经营面积（平方米）", "problem": "经营面积与租赁合同不一致"}])

    page = new_page(viewport=PHONE)
    login(page, hall.citizen.username, PASSWORD)
    page.goto(f"/applications/{application.pk}/edit/")
    expect(page.locator("h1")).to_have_text(ITEM_NAME)
    expect(page.get_by_role("note")).to_contain_text("请按补正材料通知书修改后重新提交")
    expect(material_row(page, SECONDARY)).to_contain_text(long_problem)
    page.get_by_text("以告知承诺代替此材料").click()  # open the <details>: its text must wrap too
    no_horizontal_scroll(page)
    page.goto(f"/applications/{application.pk}/")
    expect(page.get_by_role("region", name="需要补正的内容")).to_be_visible()
    no_horizontal_scroll(page)
