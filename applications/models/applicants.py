"""申请人: the people and enterprises who apply, with their credit standing (DOMAIN.md §4, §9)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.validators import mask_id_number, validate_id_number, validate_uscc


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人或其他组织")


class CreditGrade(models.TextChoices):
    """Enterprise credit grade kept by an administrator (local practice; 3A is the top)."""

    AAA = "AAA", _("AAA（守信激励）")
    AA = "AA", _("AA")
    A = "A", _("A")
    B = "B", _("B")
    C = "C", _("C（重点关注）")
    D = "D", _("D（失信惩戒）")


class Applicant(models.Model):
    """A natural person (居民身份证号码) or an enterprise (统一社会信用代码) that applies for items.

    An applicant may have no account (a walk-in at the window) or several (an enterprise's staff, through
    ApplicantMember). The credit fields decide 容缺受理, 告知承诺 and the green channel.
    """

    kind = models.CharField(_("申请人类型"), max_length=16, choices=ApplicantKind.choices)
    name = models.CharField(_("姓名/名称"), max_length=200)
    id_number = models.CharField(_("身份证号码"), max_length=18, blank=True, validators=[validate_id_number])
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc])
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)

    credit_grade = models.CharField(_("信用等级"), max_length=3, choices=CreditGrade.choices, blank=True)
    dishonest = models.BooleanField(_("失信记录"), default=False,
                                    help_text=_("有严重失信记录或曾作出虚假承诺的，不适用容缺受理和告知承诺。"))
    credit_note = models.CharField(_("信用说明"), max_length=200, blank=True)
    credit_updated_at = models.DateTimeField(_("信用更新时间"), null=True, blank=True)
    # Sent back more than INTAKE_INTERVIEW_AFTER times → 约谈 (seed 004); cleared by a clerk after the interview.
    interview_required = models.BooleanField(_("需约谈"), default=False)

    users: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ApplicantMember", related_name="applicants", blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["id_number"], condition=Q(kind="person") & ~Q(id_number=""),
                                    name="applicant_person_id_unique",
                                    violation_error_message=_("该身份证号码已登记。")),
            models.UniqueConstraint(fields=["uscc"], condition=Q(kind="enterprise") & ~Q(uscc=""),
                                    name="applicant_enterprise_uscc_unique",
                                    violation_error_message=_("该统一社会信用代码已登记。")),
            models.CheckConstraint(condition=Q(kind="person", uscc="") | Q(kind="enterprise", id_number=""),
                                   name="applicant_one_identity_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == ApplicantKind.PERSON and not self.id_number:
            raise ValidationError({"id_number": _("个人申请人须填写身份证号码。")})
        if self.kind == ApplicantKind.ENTERPRISE and not self.uscc:
            raise ValidationError({"uscc": _("企业申请人须填写统一社会信用代码。")})

    @property
    def is_enterprise(self) -> bool:
        return self.kind == ApplicantKind.ENTERPRISE

    @property
    def identity_masked(self) -> str:
        """The identity number as lists show it (PIPL): an ID number masked, a USCC in full (it is public)."""
        return self.uscc if self.is_enterprise else mask_id_number(self.id_number)

    @property
    def green_channel(self) -> bool:
        """绿色通道: top-credit enterprises (seed 001) — 容缺, 告知承诺 and priority in the queue."""
        return (self.is_enterprise and not self.dishonest
                and self.credit_grade in settings.INTAKE_GREEN_CHANNEL_GRADES)

    @staticmethod
    def green_channel_q(prefix: str = "") -> Q:
        """`green_channel` as a query condition (for queues ordered green channel first)."""
        return Q(**{f"{prefix}kind": ApplicantKind.ENTERPRISE, f"{prefix}dishonest": False,
                    f"{prefix}credit_grade__in": settings.INTAKE_GREEN_CHANNEL_GRADES})

    @property
    def may_use_leniency(self) -> bool:
        """容缺受理 and 告知承诺 are not for applicants with a dishonesty record or a low grade (DOMAIN.md §4)."""
        return not self.dishonest and self.credit_grade not in settings.INTAKE_EXCLUDED_GRADES


class ApplicantMember(models.Model):
    """An account that files for an applicant: the person themself, or an enterprise's staff member."""

    class Role(models.TextChoices):
        OWNER = "owner", _("本人/管理员")
        STAFF = "staff", _("经办人")

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("身份"), max_length=8, choices=Role.choices, default=Role.STAFF)
    added_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请人账号")
        verbose_name_plural = _("申请人账号")
        constraints = [models.UniqueConstraint(fields=["applicant", "user"], name="applicant_member_unique")]

    def __str__(self) -> str:
        return f"{self.applicant} · {self.user}"
