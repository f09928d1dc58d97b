"""并联审批: a case per accepted application, its stages, and one review task per department per stage.

Case: reviewing → deciding → approved | denied; reviewing | deciding → closed (withdrawn or terminated).
Review task: pending → in_review → approved | rejected | returned; returned → in_review when the supplement
arrives; pending | in_review → deemed_approved (超时默许) where the rules say so; in_review → pending
(released); open → cancelled when the stage or the case ends without it.

Deadlines are columns the beat sweeps read through indexes (`due_on`, `remind_on`); every one can be
recomputed from the acceptance day, the limits, the pauses and the extension (`clock.py`).
"""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal.models import Department


class CaseStatus(models.TextChoices):
    REVIEWING = "reviewing", _("并联审查中")
    DECIDING = "deciding", _("待决定")
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")
    CLOSED = "closed", _("已终结")


class DecisionMode(models.TextChoices):
    REVIEW = "review", _("部门审查")
    INSTANT = "instant", _("即办")
    AUTOMATIC = "automatic", _("智能审批")


class Case(ConcurrentTransitionMixin, models.Model):
    """审批案件: the review of one accepted application, led by one department."""

    application = models.OneToOneField("applications.Application", verbose_name=_("办件"),
                                       on_delete=models.PROTECT, related_name="case")
    lead_department = models.ForeignKey(Department, verbose_name=_("牵头部门"), on_delete=models.PROTECT,
                                        related_name="+")
    status = FSMField(_("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.REVIEWING,
                      protected=True)
    mode = models.CharField(_("办理方式"), max_length=12, choices=DecisionMode.choices, default=DecisionMode.REVIEW)
    # The joint-review rules (DOMAIN.md §5), copied from the item versions when the case opens.
    all_must_approve = models.BooleanField(_("会签（全部同意）"), default=True)
    one_veto = models.BooleanField(_("一票否决"), default=True)
    joint = models.BooleanField(_("联合办理"), default=False)  # more than one department: extension 15 days
    current_stage = models.PositiveSmallIntegerField(_("当前阶段"), default=0)

    # The clock: counted in working days from the acceptance day, less pauses, plus the extension.
    accepted_on = models.DateField(_("受理日期"))
    promised_limit = models.PositiveSmallIntegerField(_("承诺时限（工作日）"))
    statutory_limit = models.PositiveSmallIntegerField(_("法定时限（工作日）"))
    extension_days = models.PositiveSmallIntegerField(_("延长（工作日）"), default=0)
    promised_due = models.DateField(_("承诺办结日期"), null=True, blank=True)
    statutory_due = models.DateField(_("法定办结日期"), null=True, blank=True)

    vetoed = models.BooleanField(_("已被否决"), default=False)
    note = models.TextField(_("说明"), blank=True)
    opened_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decision_reasons = models.TextField(_("决定理由"), blank=True)
    # Set once the approval's licences are issued (approvals.licensing): until then the review sweep retries
    # what the approval task could not do.
    licences_issued_at = models.DateTimeField(_("证照签发时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审批案件")
        verbose_name_plural = _("审批案件")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["lead_department", "status"], name="case_by_lead"),
            models.Index(fields=["status", "promised_due"], name="case_due"),
            # Approved cases whose licences are not issued yet (the review sweep's "licences" part, through
            # sweeps.cases_licences_due, which repeats these terms). `status` leads the columns although the
            # condition fixes it: without it SQLite prefers `case_due` for the `status = ?` term.
            models.Index(fields=["status", "decided_at"], name="case_licences_due",
                         condition=Q(status="approved", licences_issued_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return str(self.application)

    @property
    def is_open(self) -> bool:
        return self.status in (CaseStatus.REVIEWING, CaseStatus.DECIDING)

    @property
    def extension_allowed_days(self) -> int:
        """行政许可法 Art. 42: 10 working days; joint handling (联合办理) 15."""
        return 15 if self.joint else 10

    @transition(field=status, source=CaseStatus.REVIEWING, target=CaseStatus.DECIDING)
    def to_decision(self) -> None:
        pass

    @transition(field=status, source=CaseStatus.DECIDING, target=CaseStatus.APPROVED)
    def approve(self, *, by: Any, reasons: str = "") -> None:
        self._decide(by, reasons)

    @transition(field=status, source=CaseStatus.DECIDING, target=CaseStatus.DENIED)
    def deny(self, *, by: Any, reasons: str) -> None:
        self._decide(by, reasons)

    @transition(field=status, source=[CaseStatus.REVIEWING, CaseStatus.DECIDING], target=CaseStatus.CLOSED)
    def close(self) -> None:
        self.decided_at = timezone.now()

    def _decide(self, by: Any, reasons: str) -> None:
        self.decided_at = timezone.now()
        self.decided_by = by if getattr(by, "pk", None) else None
        self.decision_reasons = reasons


class Stage(models.Model):
    """One stage of a case (a bundle's 立项用地规划许可 …, or the single stage of an item). Its tasks are
    created when it opens, from `plan`: [{department, review_days, items, timeout_consent, signoffs}]."""

    class Outcome(models.TextChoices):
        OPEN = "", _("进行中")
        PASSED = "passed", _("通过")
        OBJECTED = "objected", _("有不同意意见")
        VETOED = "vetoed", _("被否决")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("阶段名称"), max_length=60)
    lead_department = models.ForeignKey(Department, verbose_name=_("牵头部门（段长）"), on_delete=models.PROTECT,
                                        related_name="+")
    plan = models.JSONField(_("审查安排"), default=list)
    opened_on = models.DateField(_("开始日期"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices, default=Outcome.OPEN, blank=True)

    class Meta:
        verbose_name = _("审批阶段")
        verbose_name_plural = _("审批阶段")
        ordering = ["case", "order"]
        constraints = [models.UniqueConstraint(fields=["case", "order"], name="stage_order_unique")]

    def __str__(self) -> str:
        return self.name


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("待认领")
    IN_REVIEW = "in_review", _("审查中")
    APPROVED = "approved", _("同意")
    REJECTED = "rejected", _("不同意")
    RETURNED = "returned", _("退回补正")
    DEEMED_APPROVED = "deemed_approved", _("超时默许")
    CANCELLED = "cancelled", _("已撤销")


OPEN_TASK_STATUSES = (TaskStatus.PENDING, TaskStatus.IN_REVIEW, TaskStatus.RETURNED)
ENDED_TASK_STATUSES = (TaskStatus.APPROVED, TaskStatus.REJECTED, TaskStatus.DEEMED_APPROVED, TaskStatus.CANCELLED)
CONSENTING = (TaskStatus.APPROVED, TaskStatus.DEEMED_APPROVED)


class ReviewTask(ConcurrentTransitionMixin, models.Model):
    """One department's review within a stage of a case (并联审批)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="tasks")
    department = models.ForeignKey(Department, verbose_name=_("审查部门"), on_delete=models.PROTECT,
                                   related_name="review_tasks")
    is_lead = models.BooleanField(_("牵头"), default=False)
    items = models.JSONField(_("审查事项"), default=list)  # names of the items this department reviews
    status = FSMField(_("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.PENDING,
                      protected=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("承办人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="review_tasks")
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    timeout_consent = models.BooleanField(_("超时默许"), default=False)
    # The item's joint rules for this department: must it consent (会签) or is one consulted department's
    # consent enough (或签); and does its "no" decide the case (一票否决).
    required = models.BooleanField(_("须同意（会签）"), default=True)
    veto = models.BooleanField(_("一票否决"), default=True)
    signoffs_required = models.PositiveSmallIntegerField(_("签核人数"), default=1)

    review_days = models.PositiveSmallIntegerField(_("审查时限（工作日）"))
    opened_on = models.DateField(_("开始日期"))
    due_on = models.DateField(_("审查期限"), null=True, blank=True)  # None while the clock is paused
    remind_on = models.DateField(_("下次提醒日期"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("已提醒次数"), default=0)
    opinion = models.TextField(_("审查意见"), blank=True)
    ended_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审查任务")
        verbose_name_plural = _("审查任务")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "department"], name="task_one_per_department_per_stage"),
        ]
        indexes = [
            # The inbox: a department's tasks by state, soonest due first.
            models.Index(fields=["department", "status", "due_on"], name="task_inbox"),
            # The sweeps read only what is due: rows leave these indexes once they are done with.
            # (`ended_at IS NULL` rather than a status list: SQLite only uses a partial index whose terms appear
            # literally in the query, and Django binds list values as parameters.)
            models.Index(fields=["due_on"], name="task_deemed_due",
                         condition=Q(timeout_consent=True, ended_at__isnull=True)),
            models.Index(fields=["remind_on"], name="task_remind_due", condition=Q(remind_on__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.case}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    # --- transitions: state and their own fields only; the services lock, save, audit and notify ---
    @transition(field=status, source=TaskStatus.PENDING, target=TaskStatus.IN_REVIEW)
    def claim(self, *, by: Any) -> None:
        self.assignee = by
        self.claimed_at = timezone.now()

    @transition(field=status, source=TaskStatus.IN_REVIEW, target=TaskStatus.PENDING)
    def release(self) -> None:
        self.assignee = None
        self.claimed_at = None

    @transition(field=status, source=TaskStatus.IN_REVIEW, target=TaskStatus.APPROVED)
    def approve(self, *, opinion: str) -> None:
        self._end(opinion)

    @transition(field=status, source=TaskStatus.IN_REVIEW, target=TaskStatus.REJECTED)
    def reject(self, *, opinion: str) -> None:
        self._end(opinion)

    @transition(field=status, source=TaskStatus.IN_REVIEW, target=TaskStatus.RETURNED)
    def return_for_supplement(self, *, opinion: str) -> None:
        self.opinion = opinion
        self.remind_on = None

    @transition(field=status, source=TaskStatus.RETURNED, target=TaskStatus.IN_REVIEW)
    def resume(self) -> None:
        pass

    @transition(field=status, source=[TaskStatus.PENDING, TaskStatus.IN_REVIEW], target=TaskStatus.DEEMED_APPROVED)
    def deem_approve(self) -> None:
        self._end(str(_("审查期限届满未出具意见，按事项规则视为同意（超时默许）。")))

    @transition(field=status, source=list(OPEN_TASK_STATUSES), target=TaskStatus.CANCELLED)
    def cancel(self, *, reason: str) -> None:
        self._end(reason)

    def _end(self, opinion: str) -> None:
        self.opinion = opinion
        self.ended_at = timezone.now()
        self.remind_on = None


class Opinion(models.Model):
    """A reviewer's written opinion on a task; approvals by different staff are the Art. 34 sign-offs."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("同意")
        REJECT = "reject", _("不同意")
        RETURN = "return", _("退回补正")
        COMMENT = "comment", _("意见")

    task = models.ForeignKey(ReviewTask, on_delete=models.CASCADE, related_name="opinions")
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签署人"), on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField(_("意见"))
    # The round of review it belongs to: a return for supplements starts a new one (sign-offs count per round).
    round = models.PositiveSmallIntegerField(_("审查轮次"), default=1)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审查意见")
        verbose_name_plural = _("审查意见")
        ordering = ["task", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.task}"


def attachment_path(instance: OpinionAttachment, filename: str) -> str:
    return f"opinions/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:8]}"


class OpinionAttachment(models.Model):
    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))

    class Meta:
        verbose_name = _("意见附件")
        verbose_name_plural = _("意见附件")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Pause(models.Model):
    """An interval the law does not count (Art. 45; waiting for the applicant's supplement): (started, ended]."""

    class Kind(models.TextChoices):
        SUPPLEMENT = "supplement", _("申请人补正")
        HEARING = "hearing", _("听证")
        TENDERING = "tendering", _("招标、拍卖")
        TESTING = "testing", _("检验、检测、检疫")
        INSPECTION = "inspection", _("鉴定")
        EXPERT_REVIEW = "expert_review", _("专家评审")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    task = models.ForeignKey(ReviewTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="pauses")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("事由"))
    expected_days = models.PositiveSmallIntegerField(_("预计所需时间（工作日）"), null=True, blank=True)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        verbose_name = _("暂停计时")
        verbose_name_plural = _("暂停计时")
        ordering = ["case", "started_on", "id"]
        constraints = [
            # One running supplement pause a case: every department's returns wait on the same supplement.
            models.UniqueConstraint(fields=["case"], condition=Q(kind="supplement", ended_on__isnull=True),
                                    name="pause_one_running_supplement"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_on}"


class Extension(models.Model):
    """延期: +10 working days (joint handling +15), asked with reasons, decided by the head; at most once."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        GRANTED = "granted", _("已批准")
        REFUSED = "refused", _("不予批准")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    task = models.ForeignKey(ReviewTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    days = models.PositiveSmallIntegerField(_("延长（工作日）"))
    reasons = models.TextField(_("理由"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    comment = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["case", "requested_at"]
        constraints = [
            # At most once (Art. 42): one request waiting or granted per case; a refused one may be asked again.
            models.UniqueConstraint(fields=["case"], condition=Q(status__in=["requested", "granted"]),
                                    name="extension_at_most_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case} +{self.days}"


class Inspection(models.Model):
    """联合踏勘: a joint site inspection within a stage, with several departments, and its record."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="inspections")
    task = models.ForeignKey(ReviewTask, on_delete=models.CASCADE, related_name="inspections")
    scheduled_on = models.DateField(_("踏勘日期"))
    place = models.CharField(_("地点"), max_length=200)
    departments = models.ManyToManyField(Department, verbose_name=_("参加部门"), related_name="+")
    participants = models.TextField(_("参加人员"), blank=True)
    record = models.TextField(_("踏勘记录"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("安排时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("联合踏勘")
        verbose_name_plural = _("联合踏勘")
        ordering = ["case", "scheduled_on"]

    def __str__(self) -> str:
        return f"{self.place} {self.scheduled_on}"


class Backup(models.Model):
    """AB岗: B stands in for A; while A is marked absent, B sees and acts on A's tasks."""

    primary = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("A岗"), on_delete=models.CASCADE,
                                   related_name="backup_post")
    backup = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("B岗"), on_delete=models.CASCADE,
                               related_name="standing_in_for")
    primary_absent = models.BooleanField(_("A岗缺席"), default=False)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("AB岗")
        verbose_name_plural = _("AB岗")
        constraints = [models.CheckConstraint(condition=~Q(primary=models.F("backup")), name="backup_not_self")]

    def __str__(self) -> str:
        return f"{self.primary} → {self.backup}"
