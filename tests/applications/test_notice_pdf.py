"""The PDFs of notices: one of each kind, made through the services as clerks, reviewers and sweeps make them."""

import hashlib
import io
import re
import threading
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import resolve
from django.utils import timezone
from pypdf import PdfReader

from applications.models import Application, Notice
from applications.models.applications import TRACKING_SALT
from applications.services import intake
from applications.services.notices import notice_render, notice_render_pdf
from approvals.models import Case, Pause
from approvals.services.cases import case_decide, case_open
from approvals.services.procedures import extension_decide, extension_request, pause_start
from approvals.services.tasks import task_approve, task_claim, task_reject, task_return
from portal.pdf import qr_data_uri
from tests.applications.helpers import material, submitted

KEY_PHRASES = {
    Notice.Kind.ACCEPTANCE: "本机关决定予以受理",
    Notice.Kind.SUPPLEMENT: "现一次性告知",
    Notice.Kind.NOT_ACCEPTED: "本机关决定不予受理",
    Notice.Kind.RONGQUE: "本机关决定予以容缺受理",
    Notice.Kind.DEEMED_ACCEPTANCE: "即为受理",
    Notice.Kind.TERMINATION: "本机关决定终止办理该申请",
    Notice.Kind.REVIEW_SUPPLEMENT: "点击“提交补正”",
    Notice.Kind.SUSPENSION: "所需时间不计算在本申请的审批期限内",
    Notice.Kind.EXTENSION: "经本机关负责人批准，审批期限延长",
    Notice.Kind.APPROVAL: "本机关决定准予行政许可",
    Notice.Kind.DENIAL: "本机关决定不予行政许可",
}
# The article of the Administrative Licensing Law each notice rests on (none: a local rule).
LAW = "《中华人民共和国行政许可法》"
LEGAL_BASIS = {
    Notice.Kind.ACCEPTANCE: f"{LAW}第三十二条", Notice.Kind.SUPPLEMENT: f"{LAW}第三十二条",
    Notice.Kind.NOT_ACCEPTED: f"{LAW}第三十二条", Notice.Kind.DEEMED_ACCEPTANCE: f"{LAW}第三十二条",
    Notice.Kind.SUSPENSION: f"{LAW}第四十五条", Notice.Kind.EXTENSION: f"{LAW}第四十二条",
    Notice.Kind.APPROVAL: f"{LAW}第三十八条第一款", Notice.Kind.DENIAL: f"{LAW}第三十八条第二款",
}
REVIEW_KINDS = [Notice.Kind.REVIEW_SUPPLEMENT, Notice.Kind.SUSPENSION, Notice.Kind.EXTENSION, Notice.Kind.APPROVAL,
                Notice.Kind.DENIAL]


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def chinese_date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def notice_of(application: Application, kind: str) -> Notice:
    return Notice.objects.select_related("application__applicant", "department").get(
        application=application, kind=kind)


@pytest.fixture
def clerk(people):
    return people["clerk"]


@pytest.fixture
def make_notice(people, clerk, person_a, walk_in, published_version, work_calendar):
    """The notice of `kind`, issued the way the portal issues it."""

    def rongque() -> Application:
        application = submitted(clerk, walk_in, published_version, skip=("营业执照复印件",))
        due = work_calendar.add_working_days(application.received_on, 3)
        return intake.application_accept_rongque(actor=clerk, application=application, signed_name="王五", due=due,
                                                 missing=[material(application, "营业执照复印件").pk])

    def in_review() -> tuple[Case, object]:
        """Accepted, its case opened (one task, department X) and claimed by reviewer_x."""
        application = intake.application_accept(
            actor=clerk, application=submitted(people["applicant_a"], person_a, published_version))
        case = case_open(application_id=application.pk)
        return case, task_claim(actor=people["reviewer_x"], task=case.tasks.get())

    def review(kind: str) -> Application:
        reviewer, head = people["reviewer_x"], people["head_x"]
        case, task = in_review()
        if kind == Notice.Kind.REVIEW_SUPPLEMENT:
            task_return(actor=reviewer, task=task, problems=[
                {"material": material(case.application, "食品安全管理制度").pk, "problem": "未包含进货查验制度"},
                {"subject": "经营面积", "problem": "请说明后厨面积与平面图不一致的原因"},
            ])
        elif kind == Notice.Kind.SUSPENSION:
            pause_start(actor=reviewer, task=task, kind=Pause.Kind.EXPERT_REVIEW,
                        reason="排烟设施需组织专家论证", expected_days=15)
        elif kind == Notice.Kind.EXTENSION:
            extension = extension_request(actor=reviewer, task=task, reasons="需现场核查的经营场所较多")
            extension_decide(actor=head, extension=extension, grant=True)
        elif kind == Notice.Kind.APPROVAL:
            task_approve(actor=reviewer, task=task, text="符合条件")
            case_decide(actor=head, case=case, approve=True)
        else:
            task_reject(actor=reviewer, task=task, text="经营场所与住宅楼同一出入口")
            case_decide(actor=head, case=case, approve=False, reasons="经营场所与住宅楼共用出入口，不符合选址要求",
                        how_to_succeed="另行选择设有独立出入口的经营场所后重新申请")
        return case.application

    def make(kind: str) -> Notice:
        if kind in REVIEW_KINDS:
            application = review(kind)
        elif kind == Notice.Kind.ACCEPTANCE:
            application = intake.application_accept(
                actor=clerk, application=submitted(people["applicant_a"], person_a, published_version))
        elif kind == Notice.Kind.SUPPLEMENT:
            application = submitted(people["applicant_a"], person_a, published_version)
            application = intake.application_request_supplement(actor=clerk, application=application, problems=[
                {"material": material(application, "营业执照复印件").pk, "problem": "复印件不清晰，请提供清晰复印件"},
                {"subject": "经营地址", "problem": "与租赁合同载明的地址不一致"},
                {"subject": "经营面积", "problem": "请补充经营场所平面图并标注面积"},
            ])
        elif kind == Notice.Kind.NOT_ACCEPTED:
            application = intake.application_refuse(
                actor=clerk, application=submitted(people["applicant_a"], person_a, published_version),
                reasons="申请事项不属于本机关职权范围", competent_authority="湖州市卫生健康委员会",
                how_to_succeed="向湖州市卫生健康委员会提出申请")
        elif kind == Notice.Kind.RONGQUE:
            application = rongque()
        elif kind == Notice.Kind.DEEMED_ACCEPTANCE:
            application = intake.application_deem_accepted(
                application=submitted(people["applicant_a"], person_a, published_version), today=LATER)
        else:
            application = intake.application_terminate_rongque(application=rongque(), today=LATER)
        return notice_of(application, kind)

    return make


LATER = date(2030, 1, 1)  # every deadline of these applications has passed by then


@pytest.mark.parametrize("kind", Notice.Kind.values)
def test_every_kind_of_notice_names_the_applicant_the_application_and_the_department(kind, make_notice):
    notice = make_notice(kind)
    text = pdf_text(notice_render_pdf(notice))
    application = notice.application
    assert notice.get_kind_display() in text
    assert application.applicant.name in text
    assert application.number in text
    assert application.title in text
    assert notice.department.name in text
    assert notice.number in text
    assert chinese_date(timezone.localtime(notice.issued_at)) in text
    assert KEY_PHRASES[kind] in text
    assert "扫码查询办理进度" in text
    if kind in LEGAL_BASIS:
        assert LEGAL_BASIS[kind] in text
    assert ("特此决定" if kind in (Notice.Kind.APPROVAL, Notice.Kind.DENIAL) else "特此通知") in text


def test_the_supplement_notice_lists_every_problem_at_once(make_notice):
    notice = make_notice(Notice.Kind.SUPPLEMENT)
    text = pdf_text(notice_render_pdf(notice))
    assert len(notice.content["problems"]) == 3
    for problem in notice.content["problems"]:
        assert problem["subject"] in text and problem["problem"] in text
    assert chinese_date(notice.application.supplement_due) in text
    assert "共3项" in text


def test_the_refusal_gives_reasons_competent_authority_remedies_and_how_to_succeed(make_notice):
    notice = make_notice(Notice.Kind.NOT_ACCEPTED)
    text = pdf_text(notice_render_pdf(notice))
    assert "申请事项不属于本机关职权范围" in text
    assert "请你向湖州市卫生健康委员会提出申请" in text
    assert "六十日内" in text and "行政复议" in text and "六个月内" in text and "行政诉讼" in text


def test_the_rongque_notice_lists_owed_materials_deadline_and_commitment(make_notice):
    notice = make_notice(Notice.Kind.RONGQUE)
    text = pdf_text(notice_render_pdf(notice))
    assert "营业执照复印件" in text
    assert "你单位" in text  # an enterprise is addressed as a unit
    assert chinese_date(notice.application.rongque_due) in text
    assert re.sub(r"\s+", "", notice.content["commitment"]) in text


def test_the_review_supplement_notice_lists_what_the_department_asked_and_how_to_supply(make_notice):
    notice = make_notice(Notice.Kind.REVIEW_SUPPLEMENT)
    text = pdf_text(notice_render_pdf(notice))
    assert "共2项" in text
    for subject, problem in [("食品安全管理制度", "未包含进货查验制度"),
                             ("经营面积", "请说明后厨面积与平面图不一致的原因")]:
        assert subject in text and problem in text
    assert "现由部门X依法进行审查" in text
    assert "补正方式" in text and "其他已提交的材料无需重复提交" in text
    assert "不计算在审批期限内" in text


def test_the_suspension_notice_states_the_procedure_reasons_and_expected_time(make_notice):
    notice = make_notice(Notice.Kind.SUSPENSION)
    text = pdf_text(notice_render_pdf(notice))
    assert "依法组织专家评审" in text
    assert "排烟设施需组织专家论证" in text
    assert "预计需要15个工作日" in text
    assert chinese_date(date.fromisoformat(notice.content["started_on"])) in text
    assert "所需时间不计算在法定期限内" in text


def test_the_extension_notice_states_reasons_days_and_the_new_due_dates(make_notice):
    notice = make_notice(Notice.Kind.EXTENSION)
    text = pdf_text(notice_render_pdf(notice))
    case = Case.objects.get(application=notice.application)
    assert notice.content["days"] == 10 and "审批期限延长10个工作日" in text  # one department: Art. 42 ¶1
    assert "需现场核查的经营场所较多" in text
    assert f"本机关承诺于{chinese_date(case.promised_due)}前作出决定" in text
    assert f"最迟不超过法定期限{chinese_date(case.statutory_due)}" in text
    assert "审批期限只延长一次" in text


def test_the_approval_states_the_legal_basis_and_the_licence_to_come(make_notice):
    notice = make_notice(Notice.Kind.APPROVAL)
    text = pdf_text(notice_render_pdf(notice))
    assert "申请符合法定条件、标准" in text
    assert "《中华人民共和国食品安全法》第三十五条" in text  # the item's 设定依据
    assert "第四十四条" not in text  # the item names no licence
    notice.application.version.result_name = "食品经营许可证"  # as an item naming its licence would
    text = pdf_text(notice_render_pdf(notice))
    assert "许可证件食品经营许可证" in text
    assert f"自本决定作出之日起{notice.application.version.issue_limit}个工作日内" in text
    assert "第四十四条" in text


def test_the_denial_gives_reasons_how_to_succeed_and_remedies(make_notice):
    notice = make_notice(Notice.Kind.DENIAL)
    text = pdf_text(notice_render_pdf(notice))
    assert "经营场所与住宅楼共用出入口，不符合选址要求" in text
    assert "符合条件的途径" in text and "另行选择设有独立出入口的经营场所后重新申请" in text
    assert "六十日内" in text and "行政复议" in text and "六个月内" in text and "行政诉讼" in text


@pytest.mark.parametrize("kind", REVIEW_KINDS)
def test_markup_in_a_review_notice_stays_text(kind, make_notice):
    notice = make_notice(kind)
    applicant = notice.application.applicant
    applicant.name = '<img src="file:///etc/passwd">李四'
    applicant.save(update_fields=["name"])
    notice = notice_of(notice.application, kind)
    notice.content = {**notice.content, "reasons": "<b>理由</b>&amp;"}
    text = pdf_text(notice_render_pdf(notice))
    assert '<imgsrc="file:///etc/passwd">李四' in text
    if kind != Notice.Kind.REVIEW_SUPPLEMENT and kind != Notice.Kind.APPROVAL:
        assert "<b>理由</b>&amp;" in text


def test_the_qr_code_points_at_the_public_tracking_page(make_notice, settings, monkeypatch):
    settings.PORTAL_BASE_URL = "https://zwfw.example.gov.cn"
    asked = []
    monkeypatch.setattr("applications.services.notices.qr_data_uri", lambda url: asked.append(url) or qr_data_uri(url))
    notice = make_notice(Notice.Kind.ACCEPTANCE)
    notice_render_pdf(notice)
    [url] = asked
    assert url.startswith("https://zwfw.example.gov.cn/")
    # The tracking page of this application (the signed token carries a timestamp, so compare what it names).
    match = resolve(urlsplit(url).path)
    [token] = [*match.args, *match.kwargs.values()]
    assert signing.loads(token, salt=TRACKING_SALT) == notice.application.number


def test_applicant_markup_in_a_notice_stays_text(make_notice):
    notice = make_notice(Notice.Kind.ACCEPTANCE)
    applicant = notice.application.applicant
    applicant.name = '<img src="file:///etc/passwd">李四'
    applicant.save(update_fields=["name"])
    notice = notice_of(notice.application, Notice.Kind.ACCEPTANCE)
    assert '<imgsrc="file:///etc/passwd">李四' in pdf_text(notice_render_pdf(notice))


def test_notice_render_stores_one_file_with_its_sha256(make_notice, media_root):
    notice = make_notice(Notice.Kind.ACCEPTANCE)
    notice_render(notice_id=notice.pk)
    notice_render(notice_id=notice.pk)  # delivered twice: nothing more happens
    notice.refresh_from_db()
    assert re.fullmatch(rf"notices/{timezone.localtime(notice.issued_at).year}/[0-9a-f]{{32}}\.pdf", notice.pdf.name)
    stored = list((media_root / "notices").rglob("*"))
    assert [p for p in stored if p.is_file()] == [media_root / notice.pdf.name]
    with default_storage.open(notice.pdf.name, "rb") as file:
        data = file.read()
    assert data.startswith(b"%PDF-")
    assert notice.pdf_sha256 == hashlib.sha256(data).hexdigest()
    assert notice.application.number in pdf_text(data)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_renders_at_once_store_one_file(make_notice, media_root):
    """The render task delivered twice at the same moment: the row lock lets one store its file."""
    notice = make_notice(Notice.Kind.ACCEPTANCE)
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def render():
        try:
            barrier.wait()
            notice_render(notice_id=notice.pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=render) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    notice.refresh_from_db()
    assert [p for p in (media_root / "notices").rglob("*") if p.is_file()] == [media_root / notice.pdf.name]
    assert notice.pdf_sha256 == hashlib.sha256((media_root / notice.pdf.name).read_bytes()).hexdigest()
