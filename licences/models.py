"""电子证照: a licence outlives its application — it is verified, delivered, expires, is renewed, revoked
or cancelled, and reused as a material in the holder's later applications (DESIGN.md, DOMAIN.md §7).

Status: rendering → valid → revoked | cancelled | replaced. "Expired" is not a status: it follows from
`valid_to` and today, so nothing has to run at midnight for the verification page to say it.
Delivery (Art. 44) and renewal (Art. 50) are columns that the sweep reads through partial indexes.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal.models import Department
from portal.validators import mask_id_number

# GB/T 36904 identifiers of e-licences issued in China start with this root.
IDENTIFIER_ROOT = "1.2.156.3005.2"
# Art. 50 ¶1: renewal is applied for at least this many days before the licence expires.
RENEWAL_LEAD_DAYS = 30


def new_verify_code() -> str:
    return secrets.token_urlsafe(16)


class Status(models.TextChoices):
    RENDERING = "rendering", _("制证中")
    VALID = "valid", _("有效")
    REVOKED = "revoked", pgettext_lazy("licence", "已撤销")  # not a review task's 已撤销 (cancelled)
    CANCELLED = "cancelled", _("已注销")
    REPLACED = "replaced", _("已换发")


class HolderCodeType(models.TextChoices):
    # 持证主体代码类型 (DOMAIN.md §7: 111 = resident ID).
    RESIDENT_ID = "111", _("居民身份证")
    USCC = "001", _("统一社会信用代码")


class DeliveryMethod(models.TextChoices):
    DOWNLOAD = "download", _("电子证照下载")
    PICKUP = "pickup", _("窗口领取")
    EXPRESS = "express", _("免费邮寄")


class LicenceCounter(models.Model):
    """The last serial a department gave in a year. Issuing locks this row, so numbers have no gaps: a
    rolled-back issue rolls its increment back with it (a database sequence would not)."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用流水号"), default=0)

    class Meta:
        verbose_name = _("证照编号计数器")
        verbose_name_plural = _("证照编号计数器")
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="licence_counter_unique")]

    def __str__(self) -> str:
        return f"{self.department} {self.year}: {self.last}"


class Licence(ConcurrentTransitionMixin, models.Model):
    """One issued licence (电子证照) with the metadata of GB/T 36901–36905 and its signed PDF."""

    identifier = models.CharField(_("证照标识"), max_length=120, unique=True)
    # What the QR code carries: random, so serials cannot be walked to list holders, and independent of
    # SECRET_KEY, so rotating the key never breaks a licence printed years ago.
    verify_code = models.CharField(_("核验码"), max_length=32, unique=True, default=new_verify_code,
                                   editable=False)
    number = models.CharField(_("证照编号"), max_length=48, unique=True)
    department = models.ForeignKey(Department, verbose_name=_("颁证单位"), on_delete=models.PROTECT,
                                   related_name="licences")
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("流水号"))
    name = models.CharField(_("证照名称"), max_length=200)
    type_code = models.CharField(_("证照类型代码"), max_length=21)
    item = models.ForeignKey("items.Item", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey("items.ItemVersion", verbose_name=_("事项版本"), on_delete=models.PROTECT,
                                related_name="+")
    holder_name = models.CharField(_("持证主体"), max_length=200)
    holder_code = models.CharField(_("持证主体代码"), max_length=18, db_index=True)
    holder_code_type = models.CharField(_("持证主体代码类型"), max_length=3, choices=HolderCodeType.choices)
    # What the licence states beyond its metadata, from the application form: [[label, value], …].
    facts = models.JSONField(_("证照信息"), default=list, blank=True)
    # Where it came from: one licence per source (the approval of one item of one case), whatever retries.
    source = models.CharField(_("来源"), max_length=64, unique=True, editable=False)
    application_number = models.CharField(_("申请编号"), max_length=32, blank=True, db_index=True)

    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.RENDERING, protected=True)
    decided_on = models.DateField(_("决定日期"))
    issued_on = models.DateField(_("发证日期"))
    valid_from = models.DateField(_("有效期起"))
    valid_to = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("空表示长期有效"))

    pdf = models.FileField(_("PDF"), upload_to="licences/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True, db_index=True)
    signer = models.CharField(_("签名证书"), max_length=200, blank=True)
    ready_at = models.DateTimeField(_("制证完成时间"), null=True, blank=True)

    # 送达 (Art. 44): by the due date, in working days from the decision. `delivered_at` is when the licence
    # first reached the holder by the method they chose, and is never undone: the signed PDF in the account
    # (download, the holder's consent to electronic delivery) or the paper licence collected or posted. A holder
    # who has the electronic licence may still ask for the paper one: that hand-over is `handed_over_at`, an
    # extra service that does not reopen the statutory delivery.
    delivery_method = models.CharField(_("领取方式"), max_length=10, choices=DeliveryMethod.choices,
                                       default=DeliveryMethod.DOWNLOAD)
    delivery_address = models.CharField(_("邮寄地址"), max_length=200, blank=True)
    delivery_recipient = models.CharField(_("收件人"), max_length=100, blank=True)
    delivery_phone = models.CharField(_("收件人电话"), max_length=20, blank=True)
    express_company = models.CharField(_("快递公司"), max_length=50, blank=True)
    tracking_number = models.CharField(_("快递单号"), max_length=50, blank=True)
    collected_by = models.CharField(_("领取人"), max_length=100, blank=True)
    collected_id_masked = models.CharField(_("领取人证件号码"), max_length=18, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("纸质证照交付时间"), null=True, blank=True,
                                          help_text=_("窗口领取或交寄快递的时间"))
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    deliver_due = models.DateField(_("送达期限"))
    deliver_remind_on = models.DateField(_("送达提醒日"), null=True, blank=True)
    deliver_overdue = models.BooleanField(_("送达超期"), default=False)
    downloaded_at = models.DateTimeField(_("首次下载时间"), null=True, blank=True)

    # 延续 (Art. 50): reminded 30 days before expiry; a renewal filed in time and undecided at expiry is
    # deemed granted.
    expiry_remind_on = models.DateField(_("到期提醒日"), null=True, blank=True)
    renewal_application = models.CharField(_("延续申请编号"), max_length=32, blank=True)
    renewal_filed_on = models.DateField(_("延续申请日期"), null=True, blank=True)
    deemed_renewed = models.BooleanField(_("视为准予延续"), default=False)
    replaced_by = models.ForeignKey("self", verbose_name=_("换发证照"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    # 撤销 (Art. 69) / 注销 (Art. 70).
    ended_at = models.DateTimeField(_("撤销/注销时间"), null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撤销/注销人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    end_reason = models.TextField(_("撤销/注销理由"), blank=True)
    end_basis = models.CharField(_("撤销/注销依据"), max_length=200, blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "serial"], name="licence_serial_unique"),
        ]
        indexes = [
            models.Index(fields=["holder_code", "-issued_on"], name="licence_by_holder"),
            # The sweeps select only what is due (DESIGN.md): undelivered, expiring, renewal pending.
            models.Index(fields=["deliver_remind_on"], condition=Q(delivered_at__isnull=True),
                         name="licence_delivery_due"),
            models.Index(fields=["expiry_remind_on"], condition=Q(expiry_remind_on__isnull=False),
                         name="licence_expiry_remind"),
            models.Index(fields=["created_at"], condition=Q(status="rendering"), name="licence_rendering"),
            models.Index(fields=["valid_to"], condition=~Q(renewal_application=""), name="licence_renewal_due"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"

    # --- derived state ---
    def is_expired(self, today: date | None = None) -> bool:
        return self.valid_to is not None and self.valid_to < (today or timezone.localdate())

    def validity(self, today: date | None = None) -> str:
        """What the verification page says: valid, expired, revoked, cancelled, replaced, or being made."""
        if self.status == Status.VALID:
            # Art. 50 ¶2: past its end with a renewal filed in time and undecided, it is deemed renewed
            # already — whether or not the hourly sweep has moved `valid_to` yet.
            return "expired" if self.is_expired(today) and not self.renewal_pending_in_time else "valid"
        return str(self.status)

    @property
    def renewal_due_on(self) -> date | None:
        """The last day to apply for renewal in time (Art. 50 ¶1); None for 长期有效."""
        return self.valid_to - timedelta(days=RENEWAL_LEAD_DAYS) if self.valid_to else None

    def renewal_in_time(self, filed_on: date) -> bool:
        due = self.renewal_due_on
        return due is not None and filed_on <= due

    @property
    def renewal_pending_in_time(self) -> bool:
        """A renewal application is pending that was filed in time (Art. 50 ¶1)."""
        return bool(self.renewal_application and self.renewal_filed_on
                    and self.renewal_in_time(self.renewal_filed_on))

    @property
    def holder_code_masked(self) -> str:
        return mask_id_number(self.holder_code)

    @property
    def is_delivered(self) -> bool:
        return self.delivered_at is not None

    @property
    def awaiting_handover(self) -> bool:
        """A paper licence to collect at the window or to post (whether or not it was delivered electronically
        already); the desk's "待领取 / 待邮寄" lists are `awaiting_handover_q()`."""
        return (self.delivery_method in (DeliveryMethod.PICKUP, DeliveryMethod.EXPRESS)
                and self.handed_over_at is None and self.status in (Status.RENDERING, Status.VALID))

    @staticmethod
    def awaiting_handover_q(method: str | None = None) -> Q:
        methods = [method] if method else [DeliveryMethod.PICKUP, DeliveryMethod.EXPRESS]
        return Q(delivery_method__in=methods, handed_over_at__isnull=True,
                 status__in=(Status.RENDERING, Status.VALID))

    def verify_token(self) -> str:
        return self.verify_code

    def verify_path(self) -> str:
        """The public verification page the QR code opens."""
        return reverse("licence_verify_token", args=[self.verify_token()])

    # --- transitions: state and its own fields; services lock, save, audit and notify ---
    @transition(field=status, source=Status.RENDERING, target=Status.VALID)
    def make_ready(self, *, pdf_name: str, sha256: str, signer: str) -> None:
        self.pdf.name = pdf_name
        self.pdf_sha256 = sha256
        self.signer = signer[:200]
        self.ready_at = timezone.now()

    @transition(field=status, source=Status.VALID, target=Status.REVOKED)
    def revoke(self, *, by: Any, reason: str, basis: str) -> None:
        self._end(by=by, reason=reason, basis=basis)

    @transition(field=status, source=Status.VALID, target=Status.CANCELLED)
    def cancel(self, *, by: Any, reason: str, basis: str) -> None:
        self._end(by=by, reason=reason, basis=basis)

    @transition(field=status, source=Status.VALID, target=Status.REPLACED)
    def replace(self, *, by: Licence) -> None:
        self.replaced_by = by
        self.renewal_application = ""
        self.expiry_remind_on = None

    def _end(self, *, by: Any, reason: str, basis: str) -> None:
        self.ended_at = timezone.now()
        self.ended_by = by
        self.end_reason = reason
        self.end_basis = basis[:200]
        self.expiry_remind_on = None
        self.renewal_application = ""


class LicenceTemplate(models.Model):
    """The body of an item's licence, edited by the catalogue administrator; the default layout otherwise.

    HTML with `{{ placeholder }}` fields from a fixed list (licences/rendering.py); applicant text is
    escaped when it replaces them.
    """

    item = models.OneToOneField("items.Item", verbose_name=_("事项"), on_delete=models.CASCADE,
                                related_name="licence_template")
    body = models.TextField(_("证照版式"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("证照版式")
        verbose_name_plural = _("证照版式")

    def __str__(self) -> str:
        return str(self.item)
