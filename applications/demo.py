"""Demo intake data: applicant records for the demo logins (the enterprise is 3A, green channel), a walk-in
with a dishonesty record, and a few applications at different steps. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from applications.models import Applicant, ApplicantKind, Application
from applications.services import filing, intake
from applications.services.applicants import applicant_for_user, applicant_register, applicant_set_credit
from items.models import FieldType, FormField, Item, ItemVersion
from portal.demo import make_id_number, make_uscc
from portal.models import User

DEMO_ITEM = "食品经营许可（新办）"
# A tiny but real PDF, standing in for a scanned material.
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def demo_pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def demo_form_data(fields: list[FormField], applicant: Applicant) -> dict[str, Any]:
    """Valid values for every field of a form (demo data, the bench and browser tests)."""
    data: dict[str, Any] = {}
    for field in fields:
        kind = field.field_type
        if kind == FieldType.FILE:
            continue
        if kind == FieldType.NUMBER:
            number = max(field.min_value or 0, 80)
            value: Any = str(min(number, field.max_value) if field.max_value is not None else number)
        elif kind == FieldType.DATE:
            value = timezone.localdate().isoformat()
        elif kind == FieldType.CHOICE:
            value = field.choices[0] if field.choices else ""
        elif kind == FieldType.ID_NUMBER:
            value = applicant.id_number or make_id_number("33052119900101123")
        elif kind == FieldType.USCC:
            value = applicant.uscc or make_uscc("91330502MA2B3C4D5")
        elif kind == FieldType.PHONE:
            value = applicant.phone or "13905720000"
        elif kind == FieldType.ADDRESS:
            value = "湖州市吴兴区人民路1号"
        else:
            value = applicant.name if "名称" in field.label or "姓名" in field.label else "示例"
        data[field.key] = value[: field.max_length] if isinstance(value, str) and field.max_length else value
    return data


def demo_version(name: str = DEMO_ITEM) -> ItemVersion | None:
    item = Item.objects.filter(published__name=name).select_related("published").first()
    return item.published if item else None


def _file(actor: Any, applicant: Applicant, version: ItemVersion, *, skip: tuple[str, ...] = (),
          **start: Any) -> Application:
    application = filing.application_start(actor=actor, applicant=applicant, version=version, **start)
    filing.application_save_form(actor=actor, application=application,
                                 data=demo_form_data(filing.form_fields_of(application), applicant))
    for material in application.materials.all():
        if material.required and material.from_applicant and material.name not in skip:
            filing.material_upload(actor=actor, application=application, material=material,
                                   files=[demo_pdf(f"{material.name[:20]}.pdf")])
    return application


@transaction.atomic
def seed_intake() -> int:
    """Applicants and a few applications for the demo logins; returns how many applications were added."""
    version = demo_version()
    citizen_user = User.objects.filter(username="demo_applicant").first()
    enterprise_user = User.objects.filter(username="demo_enterprise").first()
    clerk = User.objects.filter(username="demo_clerk").first()
    admin = User.objects.filter(username="demo_admin").first()
    if not (version and citizen_user and enterprise_user and clerk):
        return 0
    citizen = applicant_for_user(user=citizen_user)
    enterprise = applicant_for_user(user=enterprise_user)
    if enterprise.credit_grade != "AAA":
        applicant_set_credit(actor=admin, applicant=enterprise, grade="AAA", dishonest=False,
                             note="2026年度守信激励对象（演示）")
    dishonest = applicant_register(actor=clerk, kind=ApplicantKind.ENTERPRISE, name="湖州某某食品商行（演示失信）",
                                   uscc=make_uscc("92330502MA2B9X8Y7"), phone="13905729999",
                                   legal_representative="钱某")
    if not dishonest.dishonest:
        applicant_set_credit(actor=admin, applicant=dishonest, grade="D", dishonest=True,
                             note="列入严重失信主体名单（演示）")
    if Application.objects.filter(applicant__in=[citizen, enterprise]).exists():
        return 0
    # The citizen: one awaiting pre-review, one sent back with a one-time supplement notice.
    waiting = _file(citizen_user, citizen, version, idempotency_key="demo-1")
    filing.application_submit(actor=citizen_user, application=waiting)
    sent_back = _file(citizen_user, citizen, version, idempotency_key="demo-2")
    sent_back = filing.application_submit(actor=citizen_user, application=sent_back)
    first = sent_back.materials.filter(source="applicant", required=True).first()
    intake.application_request_supplement(actor=clerk, application=sent_back, problems=[
        {"material": first.pk if first else None, "problem": "平面布局图未标明功能区，请补充标注后重新上传"},
        {"subject": "经营场所", "problem": "地址应具体到门牌号，与租赁合同一致"}])
    # The 3A enterprise: one accepted at the window, one draft.
    accepted = _file(enterprise_user, enterprise, version, idempotency_key="demo-3")
    accepted = filing.application_submit(actor=enterprise_user, application=accepted)
    intake.application_accept(actor=clerk, application=accepted)
    _file(enterprise_user, enterprise, version, idempotency_key="demo-4")
    return 4

