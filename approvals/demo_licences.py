"""Demo licences: what 张晓明 (demo_applicant) and 湖州绿源餐饮 (demo_enterprise) hold, made through the services.

- The enterprise's 营业执照 (企业设立登记, 市场监管局), so that its restaurant filings take "营业执照" from the
  licence library instead of an upload.
- The citizen's 食品经营许可 application, approved by 市场监管局 (李强 and 陈静 sign, Art. 34) and decided: its
  licence, signed with the department's demo certificate, verifiable by its QR code; downloaded, and the paper
  licence to be collected at the result window (the clerk's licence desk).
- A second 食品经营许可证 of the citizen that expires in 20 days: the sweep reminds (Art. 50) and the account
  offers a renewal prefilled from it.

Idempotent: licences are issued by source; the approved case by its idempotency key.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from applications.demo import DEMO_ITEM, demo_version
from applications.models import Application
from applications.services.applicants import applicant_for_user
from approvals.demo import Staff, _approve, _filed, _opened, _task
from approvals.licensing import issue_licences
from approvals.services.cases import case_decide
from items.models import Item
from licences.models import DeliveryMethod, HolderCodeType, Licence, Status
from licences.services import licence_choose_delivery, licence_issue, licence_render
from portal.models import User

BUSINESS_LICENCE_ITEM = "企业设立登记"
# Not KEY_PREFIX: seed_review skips its cases when an application with that prefix exists.
APPROVED_KEY = "demo-licence-1"


def _render_all() -> None:
    for pk in Licence.objects.filter(status=Status.RENDERING).values_list("pk", flat=True):
        licence_render(licence_id=pk)


def seed_licences() -> int:
    """Licences of the demo applicants; returns how many were issued now."""
    users = {u.username: u for u in User.objects.filter(
        username__in=["demo_reviewer", "demo_head", "demo_clerk", "demo_applicant", "demo_enterprise"])}
    if len(users) < 5:
        return 0
    before = Licence.objects.count()
    with transaction.atomic():
        _business_licence(users["demo_enterprise"])
        _approved_case(Staff(reviewer=users["demo_reviewer"], head=users["demo_head"], clerk=users["demo_clerk"]),
                       users["demo_applicant"])
    _render_all()
    # The citizen also asked for the paper licence at the result window: the clerk's desk has it to hand over.
    approved = Licence.objects.filter(application_number__in=Application.objects.filter(
        idempotency_key=APPROVED_KEY).values("number"), delivery_method=DeliveryMethod.DOWNLOAD).first()
    if approved is not None:
        licence_choose_delivery(licence=approved, actor=users["demo_applicant"], method=DeliveryMethod.PICKUP)
    return Licence.objects.count() - before


def seed_business_licence() -> None:
    """The enterprise's 营业执照 alone: seeded before the demo filings, which then take it from the library."""
    enterprise_user = User.objects.filter(username="demo_enterprise").first()
    if enterprise_user is not None:
        with transaction.atomic():
            _business_licence(enterprise_user)
        _render_all()


def _business_licence(enterprise_user: User) -> None:
    item = Item.objects.filter(published__name=BUSINESS_LICENCE_ITEM).select_related("published").first()
    if item is None or item.published is None:
        return
    enterprise = applicant_for_user(user=enterprise_user)
    licence_issue(source="demo-business-licence", version=item.published, holder_name=enterprise.name,
                  holder_code=enterprise.uscc, holder_code_type=HolderCodeType.USCC,
                  decided_on=timezone.localdate(), facts=[["住所", enterprise.address or "湖州市吴兴区"],
                                                          ["法定代表人", enterprise.legal_representative or ""]])


def _approved_case(staff: Staff, citizen_user: User) -> None:
    version = demo_version(DEMO_ITEM)
    if version is None:
        return
    citizen = applicant_for_user(user=citizen_user)
    application = Application.objects.filter(idempotency_key=APPROVED_KEY).first()
    if application is None:
        case = _opened(staff, _filed(citizen_user, citizen, version=version, key=APPROVED_KEY))
        _approve(_task(case, version.item.department), staff.reviewer, staff.head,
                 text="现场核查经营场所与布局图一致，设施设备符合要求，同意。")
        case.refresh_from_db()
        case = case_decide(actor=staff.head, case=case, approve=True)
        issue_licences(case)  # as the outbox message will (idempotent)
    # An older licence of the same holder that expires in 20 days: the renewal demo (Art. 50).
    expiring = licence_issue(source="demo-expiring-licence", version=version, holder_name=citizen.name,
                             holder_code=citizen.id_number, holder_code_type=HolderCodeType.RESIDENT_ID,
                             decided_on=timezone.localdate(), facts=[["经营场所", "湖州市吴兴区红旗路 88 号"]])
    if expiring.valid_to and expiring.valid_to > timezone.localdate() + timedelta(days=20):
        valid_to = timezone.localdate() + timedelta(days=20)
        Licence.objects.filter(pk=expiring.pk).update(
            valid_from=valid_to - timedelta(days=5 * 365), issued_on=valid_to - timedelta(days=5 * 365),
            valid_to=valid_to, expiry_remind_on=valid_to - timedelta(days=30))
