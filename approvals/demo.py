"""Demo review data: work for the demo reviewer (李强) and head (陈静) of 市场监管局, made through the services.

The restaurant bundle (开办餐饮店“一件事”) filed by the demo enterprise and accepted at the window is reviewed by
seven departments in parallel: in one case 市场监管局 has returned it for a supplement (the enterprise sees what
to supply on its detail page) while 消防支队 has approved; in another every department has approved and it
waits for 市场监管局's decision. The demo citizen's 食品经营许可 applications leave one task in review with an
extension asked of the head, one in an Art. 45 procedure, and one waiting to be claimed; the intake demo's
accepted application waits to be claimed too. 刘洋 (demo_reviewer2) is 李强's B岗.

Idempotent: run again, it adds nothing (the applications carry idempotency keys; users and the B岗 are kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from applications.demo import DEMO_ITEM, demo_form_data, demo_pdf, demo_version
from applications.models import Applicant, Application, Status
from applications.services import filing, intake
from applications.services.applicants import applicant_for_user
from approvals.models import Backup, Case, Pause, ReviewTask, TaskStatus
from approvals.services.cases import case_open
from approvals.services.procedures import extension_request, pause_start
from approvals.services.tasks import task_approve, task_claim, task_return
from approvals.services.team import backup_set
from items.models import Bundle, FieldType, ItemVersion
from items.selectors import published_bundles
from portal.demo import DEMO_PASSWORD, make_id_number
from portal.models import Department, Role, User
from portal.services.accounts import user_create

DEMO_BUNDLE = "开办餐饮店“一件事”"
LEAD = "SCJG"
KEY_PREFIX = "demo-review-"
REPRESENTATIVE_ID = make_id_number("33050219850612341")  # 吴兴区
# The B岗 of demo_reviewer, in the same department.
BACKUP = ("demo_reviewer2", "刘洋")


@dataclass(frozen=True)
class Staff:
    reviewer: User
    head: User
    clerk: User


def colleague_username(department: Department) -> str:
    """The demo reviewer of another department of the bundle (password as every demo login)."""
    return f"demo_reviewer_{department.code.lower()}"


def _user(username: str, *, role: str, display_name: str, department: Department) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(actor=None, username=username, password=DEMO_PASSWORD, role=role,
                           display_name=display_name, department=department,
                           email=f"{username}@demo.zwfw.example.cn", phone="13800000000")
    return user


def _filed(actor: Any, applicant: Applicant, *, key: str, version: ItemVersion | None = None,
           bundle: Bundle | None = None) -> Application:
    """Filed online, form filled, every required material the applicant gives uploaded, submitted."""
    application = filing.application_start(actor=actor, applicant=applicant, version=version, bundle=bundle,
                                           idempotency_key=key)
    fields = filing.form_fields_of(application)
    data = demo_form_data(fields, applicant)
    for field in fields:  # an enterprise has no ID number: its legal representative's, valid
        if field.field_type == FieldType.ID_NUMBER and not applicant.id_number:
            data[field.key] = REPRESENTATIVE_ID
    filing.application_save_form(actor=actor, application=application, data=data)
    for material in application.materials.all():
        if material.required and material.from_applicant:
            filing.material_upload(actor=actor, application=application, material=material,
                                   files=[demo_pdf(f"{material.name[:20]}.pdf")])
    return filing.application_submit(actor=actor, application=application)


def _opened(staff: Staff, application: Application) -> Case:
    """Accepted at the window by the demo clerk and its case opened (as the outbox message would)."""
    intake.application_accept(actor=staff.clerk, application=application)
    case = case_open(application_id=application.pk)
    assert case is not None
    return case


def _task(case: Case, department: Department) -> ReviewTask:
    return case.tasks.select_related("department").get(department=department)


def _approve(task: ReviewTask, *people: User, text: str) -> None:
    """Claimed by the first, approved; where the item asks two staff to verify (Art. 34), the second signs."""
    claimed = task_claim(actor=people[0], task=task)
    for person in people:
        claimed = task_approve(actor=person, task=claimed, text=text)
        if claimed.status != TaskStatus.IN_REVIEW:
            return


def _colleagues(case: Case, lead: Department) -> dict[int, User]:
    """A demo reviewer for each other department of the case, so that its tasks can move."""
    return {
        task.department_id: _user(colleague_username(task.department), role=Role.REVIEWER,
                                  display_name=f"{task.department.short_name or task.department.name}审批员",
                                  department=task.department)
        for task in case.tasks.select_related("department").exclude(department=lead)
    }


def _bundle_cases(staff: Staff, lead: Department, bundle: Bundle, enterprise_user: User) -> int:
    enterprise = applicant_for_user(user=enterprise_user)
    # 1. Returned by 市场监管局 for a supplement; 消防支队 has approved meanwhile; the others are pending.
    returned = _opened(staff, _filed(enterprise_user, enterprise, bundle=bundle, key=f"{KEY_PREFIX}1"))
    colleagues = _colleagues(returned, lead)
    fire = returned.tasks.filter(department__code="XFZD").first()
    if fire is not None:
        _approve(fire, colleagues[fire.department_id], text="消防设施设置符合要求，同意。")
    own = task_claim(actor=staff.reviewer, task=_task(returned, lead))
    flagged = returned.application.materials.filter(name__contains="经营布局").first()
    problems: list[dict[str, Any]] = [
        {"subject": "经营范围", "problem": "请明确是否含生食类食品制售，并与经营布局一致"}]
    if flagged is not None:
        problems.insert(0, {"material": flagged.pk,
                            "problem": "布局图未标明食品处理区与就餐区的面积，请补充后重新上传"})
    task_return(actor=staff.reviewer, task=own, problems=problems, text="请补正后继续审查")

    # 2. Every department has approved: it waits for 市场监管局's decision (准予 / 不予许可).
    deciding = _opened(staff, _filed(enterprise_user, enterprise, bundle=bundle, key=f"{KEY_PREFIX}2"))
    colleagues = _colleagues(deciding, lead)
    for task in deciding.tasks.select_related("department").exclude(department=lead):
        _approve(task, colleagues[task.department_id], text="经审查，符合本部门许可条件，同意。")
    _approve(_task(deciding, lead), staff.reviewer, staff.head, text="营业执照、食品经营许可材料齐全，符合条件，同意。")
    return 2


def _item_cases(staff: Staff, lead: Department, version: ItemVersion, citizen_user: User) -> int:
    citizen = applicant_for_user(user=citizen_user)
    # 3. In review by demo_reviewer, who asked the head for the one extension (Art. 42).
    extended = _opened(staff, _filed(citizen_user, citizen, version=version, key=f"{KEY_PREFIX}3"))
    task = task_claim(actor=staff.reviewer, task=_task(extended, lead))
    extension_request(actor=staff.reviewer, task=task, reasons="经营场所位于商住楼，需会同街道核实油烟排放投诉情况。")
    # 4. In an Art. 45 procedure: the clock is paused and the applicant was told in writing.
    paused = _opened(staff, _filed(citizen_user, citizen, version=version, key=f"{KEY_PREFIX}4"))
    task = task_claim(actor=staff.reviewer, task=_task(paused, lead))
    pause_start(actor=staff.reviewer, task=task, kind=Pause.Kind.TESTING,
                reason="对集中用餐配送的食品样品进行抽样检验。", expected_days=5)
    # 5. Waiting to be claimed.
    _opened(staff, _filed(citizen_user, citizen, version=version, key=f"{KEY_PREFIX}5"))
    return 3


@transaction.atomic
def seed_review() -> int:
    """Cases for the demo reviewer and head; returns how many cases were opened."""
    users = {u.username: u for u in User.objects.filter(
        username__in=["demo_reviewer", "demo_head", "demo_clerk", "demo_applicant", "demo_enterprise"])}
    lead = Department.objects.filter(code=LEAD).first()
    if len(users) < 5 or lead is None:
        return 0
    staff = Staff(reviewer=users["demo_reviewer"], head=users["demo_head"], clerk=users["demo_clerk"])
    backup = _user(BACKUP[0], role=Role.REVIEWER, display_name=BACKUP[1], department=lead)
    if not Backup.objects.filter(primary=staff.reviewer).exists():
        backup_set(actor=staff.head, primary=staff.reviewer, backup=backup)
    opened = 0
    # The intake demo's accepted applications: opened by the worker later anyway (case_open is idempotent).
    for application in Application.objects.filter(
            status=Status.ACCEPTED, case__isnull=True,
            applicant__members__user__in=[users["demo_applicant"], users["demo_enterprise"]]).distinct():
        opened += case_open(application_id=application.pk) is not None
    if Application.objects.filter(idempotency_key__startswith=KEY_PREFIX,
                                  created_by__in=[users["demo_applicant"], users["demo_enterprise"]]).exists():
        return opened
    bundle = published_bundles().filter(name=DEMO_BUNDLE).first()
    if bundle is not None:
        opened += _bundle_cases(staff, lead, bundle, users["demo_enterprise"])
    version = demo_version(DEMO_ITEM)
    if version is not None and version.item.department_id == lead.pk:
        opened += _item_cases(staff, lead, version, users["demo_applicant"])
    return opened
