"""办件: an application from its draft to its intake outcome, with its materials, notices and timeline.

Status (DESIGN.md): draft → submitted → {accepted | supplement_requested | not_accepted | withdrawn};
supplement_requested → submitted | withdrawn | lapsed; accepted → terminated when 容缺 materials are not
supplied in time; accepted → in_review → approved | denied, moved by the approvals app through the services
here (an instant item goes from accepted to its decision at once).
"""

from __future__ import annotations

import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from applications.models.applicants import Applicant
from portal.models import Department

TRACKING_SALT = "applications.track"


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待预审")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("待补正")
    ACCEPTED = "accepted", _("已受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")
    LAPSED = "lapsed", _("补正逾期")
    TERMINATED = "terminated", _("已终止")
    IN_REVIEW = "in_review", _("审查中")
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")


# Not yet decided: the applicant may still withdraw.
OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED, Status.ACCEPTED, Status.IN_REVIEW)
CLOSED_STATUSES = (Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.LAPSED, Status.TERMINATED, Status.APPROVED,
                   Status.DENIED)
DECIDABLE = [Status.ACCEPTED, Status.IN_REVIEW]


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申报")
    WINDOW = "window", _("窗口受理")
    PROXY = "proxy", _("帮办代办")


class Application(ConcurrentTransitionMixin, models.Model):
    """One application (办件) for an item, or for a bundle (一件事) of items filed together."""

    number = models.CharField(_("申请编号"), max_length=32, unique=True, editable=False)
    query_code = models.CharField(_("查询码"), max_length=8, editable=False)
    applicant = models.ForeignKey(Applicant, verbose_name=_("申请人"), on_delete=models.PROTECT,
                                  related_name="applications")
    # The version filed against (an application keeps it), or the bundle with its items' versions at filing.
    version = models.ForeignKey("items.ItemVersion", verbose_name=_("事项版本"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="applications")
    bundle = models.ForeignKey("items.Bundle", verbose_name=_("一件事"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="applications")
    bundle_versions = models.ManyToManyField("items.ItemVersion", verbose_name=_("套餐事项版本"), blank=True,
                                             related_name="+")
    title = models.CharField(_("事项名称"), max_length=200)
    # The authority that accepts: its name and seal are on the notices.
    department = models.ForeignKey(Department, verbose_name=_("受理部门"), on_delete=models.PROTECT,
                                   related_name="applications")
    channel = models.CharField(_("申报渠道"), max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    status = FSMField(_("状态"), max_length=24, choices=Status.choices, default=Status.DRAFT, protected=True)
    form_data = models.JSONField(_("申请表"), default=dict, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT,
                                   related_name="+")
    # 帮办代办: who files for the applicant, and the applicant's authorisation.
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("代办人"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    authorisation = models.ForeignKey("Document", verbose_name=_("授权委托书"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    authorisation_note = models.CharField(_("委托说明"), max_length=200, blank=True)
    # 首问负责: the first clerk who handled it stays responsible.
    responsible_clerk = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("首问责任人"), null=True,
                                          blank=True, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(_("幂等键"), max_length=64, blank=True, editable=False)
    # 延续 (Art. 50): the licence this application asks to renew; its approval replaces that licence.
    renews = models.ForeignKey("licences.Licence", verbose_name=_("延续的证照"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")

    # Each submission is a revision; a supplement notice answers one revision (one notice per submission).
    revision = models.PositiveIntegerField(_("提交次数"), default=0)
    fingerprint = models.CharField(_("提交内容摘要"), max_length=64, blank=True, editable=False)
    supplement_rounds = models.PositiveSmallIntegerField(_("补正次数"), default=0)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    received_on = models.DateField(_("材料收到日期"), null=True, blank=True)
    # Deadlines are columns that beat sweeps read (never task ETAs).
    acceptance_due = models.DateField(_("受理期限"), null=True, blank=True)
    supplement_due = models.DateField(_("补正期限"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("受理人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    deemed_accepted = models.BooleanField(_("视为受理"), default=False)
    promised_due = models.DateField(_("承诺办结日期"), null=True, blank=True)
    statutory_due = models.DateField(_("法定办结日期"), null=True, blank=True)
    # 容缺受理: secondary materials still owed, and by when.
    rongque_pending = models.BooleanField(_("容缺待补"), default=False)
    rongque_due = models.DateField(_("容缺补齐期限"), null=True, blank=True)
    # A reviewing department returned it for supplements (审查补正): the flagged materials may be replaced.
    review_supplement = models.BooleanField(_("审查补正中"), default=False)
    review_supplement_at = models.DateTimeField(_("审查补正要求时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closing_note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(version__isnull=False, bundle__isnull=True)
                                   | Q(version__isnull=True, bundle__isnull=False),
                                   name="application_item_or_bundle"),
            models.UniqueConstraint(fields=["created_by", "idempotency_key"], condition=~Q(idempotency_key=""),
                                    name="application_idempotency_key_unique"),
        ]
        indexes = [
            # The sweeps: what is due, through the status and its deadline column.
            models.Index(fields=["status", "acceptance_due"], name="application_acceptance_due"),
            models.Index(fields=["status", "supplement_due"], name="application_supplement_due"),
            models.Index(fields=["rongque_pending", "rongque_due"], name="application_rongque_due"),
            # The shared pre-review queue, oldest first.
            models.Index(fields=["status", "submitted_at"], name="application_queue"),
            models.Index(fields=["applicant", "-created_at"], name="application_by_applicant"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_bundle(self) -> bool:
        return self.bundle_id is not None

    def tracking_token(self) -> str:
        return signing.dumps(self.number, salt=TRACKING_SALT, compress=True)

    def tracking_path(self) -> str:
        """The public tracking page of this application, for QR codes: status and timeline only."""
        return reverse("application_track_token", args=[self.tracking_token()])

    # --- transitions: state and their own fields only; services lock, save, audit and notify ---
    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED)
    def submit(self) -> None:
        pass

    @transition(field=status, source=Status.SUPPLEMENT_REQUESTED, target=Status.SUBMITTED)
    def resubmit(self) -> None:
        self.supplement_due = None

    @transition(field=status, source=Status.SUBMITTED, target=Status.SUPPLEMENT_REQUESTED)
    def request_supplement(self) -> None:
        self.supplement_rounds += 1
        self.acceptance_due = None

    @transition(field=status, source=Status.SUBMITTED, target=Status.ACCEPTED)
    def accept(self) -> None:
        self.acceptance_due = None

    @transition(field=status, source=Status.SUBMITTED, target=Status.ACCEPTED)
    def deem_accept(self) -> None:
        """视为受理 (Art. 32): no notice within the period → accepted as of the day the materials arrived."""
        self.acceptance_due = None
        self.deemed_accepted = True

    @transition(field=status, source=Status.SUBMITTED, target=Status.NOT_ACCEPTED)
    def refuse(self) -> None:
        self._close()

    @transition(field=status, source=list(OPEN_STATUSES), target=Status.WITHDRAWN)
    def withdraw(self) -> None:
        self._close()

    @transition(field=status, source=Status.SUPPLEMENT_REQUESTED, target=Status.LAPSED)
    def lapse(self) -> None:
        self._close()

    @transition(field=status, source=DECIDABLE, target=Status.TERMINATED)
    def terminate(self) -> None:
        self._close()

    @transition(field=status, source=Status.ACCEPTED, target=Status.IN_REVIEW)
    def start_review(self) -> None:
        pass

    @transition(field=status, source=DECIDABLE, target=Status.APPROVED)
    def approve(self) -> None:
        self.decided_at = timezone.now()
        self._close()

    @transition(field=status, source=DECIDABLE, target=Status.DENIED)
    def deny(self) -> None:
        self.decided_at = timezone.now()
        self._close()

    def _close(self) -> None:
        self.closed_at = timezone.now()
        self.acceptance_due = self.supplement_due = None
        self.rongque_pending = False
        self.review_supplement = False


def document_path(instance: Document, filename: str) -> str:
    """Stored under a generated name: the applicant's file name never reaches the file system."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    """A file an applicant gave (or a clerk scanned): stored once, reusable in the applicant's later filings."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(_("文件"), upload_to=document_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    material_name = models.CharField(_("材料名称"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("材料文件")
        verbose_name_plural = _("材料文件")
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["applicant", "material_name"], name="document_by_material")]

    def __str__(self) -> str:
        # Not the file name: it often holds personal data (身份证_3305….jpg) and this goes into audit rows.
        return f"{self.material_name or self._meta.verbose_name} {str(self.pk)[:8]}"


class MaterialStatus(models.TextChoices):
    MISSING = "missing", _("未提交")
    PROVIDED = "provided", _("已提交")
    REUSED = "reused", _("复用已有材料")
    COMMITMENT = "commitment", _("告知承诺替代")
    DEFERRED = "deferred", _("容缺后补")
    LICENCE = "licence", _("电子证照调取")


class ApplicationMaterial(models.Model):
    """One required or optional material of an application, copied from the version at filing."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey("items.Material", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("材料名称"), max_length=200)
    required = models.BooleanField(_("必要"), default=True)
    may_be_missing = models.BooleanField(_("可容缺"), default=False)
    commitment_allowed = models.BooleanField(_("可告知承诺"), default=False)
    # 申请人自备, or obtained by the authority itself (政府部门核发 / 电子证照库): not asked of the applicant.
    source = models.CharField(_("来源渠道"), max_length=20, default="applicant")
    status = models.CharField(_("状态"), max_length=12, choices=MaterialStatus.choices,
                              default=MaterialStatus.MISSING)
    documents = models.ManyToManyField(Document, verbose_name=_("文件"), blank=True, related_name="uses")
    # 免提交: a material of source 电子证照库 filled at filing from the holder's licence library.
    licence = models.ForeignKey("licences.Licence", verbose_name=_("电子证照"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    # What the last supplement notice asked for this material (empty when nothing).
    problem = models.TextField(_("补正要求"), blank=True)

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["application", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def from_applicant(self) -> bool:
        return self.source == "applicant"

    @property
    def is_satisfied(self) -> bool:
        """Given, reused, committed or deferred — or not the applicant's to give (the authority obtains it)."""
        return self.status != MaterialStatus.MISSING or not self.from_applicant


class Commitment(models.Model):
    """A signed commitment: 告知承诺 (replaces a proof) or 容缺承诺 (promises a missing material by a date)."""

    class Kind(models.TextChoices):
        NOTIFY_COMMIT = "notify_commit", _("告知承诺")
        RONGQUE = "rongque", _("容缺受理承诺")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="commitments")
    material = models.ForeignKey(ApplicationMaterial, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="commitments")
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("承诺内容"))
    signed_name = models.CharField(_("承诺人签名"), max_length=100)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    signed_at = models.DateTimeField(_("签署时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("承诺书")
        verbose_name_plural = _("承诺书")
        ordering = ["application", "signed_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.signed_name}"


class Notice(models.Model):
    """A written notice with the authority's seal and date (Art. 32), rendered as a PDF in the background."""

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", _("受理通知书")
        SUPPLEMENT = "supplement", _("补正材料通知书")
        NOT_ACCEPTED = "not_accepted", _("不予受理通知书")
        RONGQUE = "rongque", _("容缺受理通知书")
        DEEMED_ACCEPTANCE = "deemed_acceptance", _("视为受理通知书")
        TERMINATION = "termination", _("终止办理通知书")
        REVIEW_SUPPLEMENT = "review_supplement", _("审查补正通知书")
        SUSPENSION = "suspension", _("特别程序告知书")
        EXTENSION = "extension", _("延长审查期限告知书")
        APPROVAL = "approval", _("准予行政许可决定书")
        DENIAL = "denial", _("不予行政许可决定书")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("文书编号"), max_length=48, unique=True)
    department = models.ForeignKey(Department, verbose_name=_("出具部门"), on_delete=models.PROTECT,
                                   related_name="+")
    revision = models.PositiveIntegerField(_("对应提交次数"))
    issued_at = models.DateTimeField(_("出具时间"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("出具人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    content = models.JSONField(_("内容"), default=dict, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="notices/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("通知书")
        verbose_name_plural = _("通知书")
        ordering = ["application", "issued_at", "id"]
        constraints = [
            # 一次性告知: one supplement notice per submission, enforced by the database too.
            models.UniqueConstraint(fields=["application", "revision"], condition=Q(kind="supplement"),
                                    name="notice_one_supplement_per_submission"),
        ]
        # The sweep for PDFs still missing: only those rows are in the index.
        indexes = [models.Index(fields=["issued_at"], condition=Q(pdf=""), name="notice_pdf_missing")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def is_ready(self) -> bool:
        return bool(self.pdf)

    def tracking_url(self) -> str:
        return self.application.tracking_path()


class ApplicationEvent(models.Model):
    """One step of an application's timeline. `summary` is public (tracking pages); `detail` is not."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), default=timezone.now)
    kind = models.CharField(_("环节"), max_length=32)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    # Who acted, as the public may read it: a department or "系统", never a person's name.
    actor_label = models.CharField(_("办理单位"), max_length=100, blank=True)
    summary = models.CharField(_("摘要"), max_length=200)
    detail = models.TextField(_("详情"), blank=True)
    due = models.DateField(_("期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["application", "at", "id"]

    def __str__(self) -> str:
        return self.summary

    @staticmethod
    def public_fields() -> tuple[str, ...]:
        return ("at", "kind", "actor_label", "summary", "due")

    def as_public(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.public_fields()}
