"""Applicants: registering people and enterprises, their accounts, and their credit standing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Applicant, ApplicantKind, ApplicantMember, CreditGrade
from portal.errors import DomainError
from portal.models import Role
from portal.services.audit import audit_record

PROFILE_FIELDS = ("name", "phone", "legal_representative", "contact_name", "address", "email")


def _identity(kind: str, id_number: str, uscc: str) -> dict[str, str]:
    if kind == ApplicantKind.PERSON:
        return {"id_number": id_number.strip().upper()}
    return {"uscc": uscc.strip().upper()}


@transaction.atomic
def applicant_register(
    *, actor: Any, kind: str, name: str, id_number: str = "", uscc: str = "", **profile: str,
) -> Applicant:
    """Find the applicant with this ID number / USCC, or register a new one (a clerk at the window, or an
    account's first filing). Profile fields given update an existing record's contact details."""
    if kind not in ApplicantKind.values:
        raise ValidationError({"kind": _("申请人类型无效。")})
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown applicant fields: {sorted(unknown)}")
    identity = _identity(kind, id_number, uscc)
    existing = Applicant.objects.select_for_update().filter(kind=kind, **identity).first() if all(
        identity.values()) else None
    applicant = existing or Applicant(kind=kind, **identity)
    if existing is None:  # a registered name is kept: a clerk's typo must not rename an enterprise
        applicant.name = name.strip()
    for field, value in profile.items():
        if value:
            setattr(applicant, field, value.strip())
    applicant.full_clean()
    try:
        with transaction.atomic():
            applicant.save()
    except IntegrityError as exc:  # registered by someone else a moment ago: that record is the applicant
        registered = Applicant.objects.filter(kind=kind, **identity).first()
        if registered is None:
            raise ValidationError({next(iter(identity)): _("该申请人刚被登记，请重新查询。")}) from exc
        return registered
    audit_record(actor=actor, action="applicant.update" if existing else "applicant.register", obj=applicant,
                 after={"kind": kind, "name": applicant.name})
    return applicant


@transaction.atomic
def applicant_for_user(*, user: Any) -> Applicant:
    """The applicant an applicant account files for: the one it owns, else one registered from its profile."""
    # "owner" sorts before "staff": an account that owns an applicant files for it first.
    membership = (ApplicantMember.objects.select_related("applicant")
                  .filter(user=user).order_by("role", "added_at").first())
    if membership is not None:
        return membership.applicant
    if not user.is_applicant:
        raise PermissionDenied
    kind = ApplicantKind.ENTERPRISE if user.role == Role.APPLICANT_ENTERPRISE else ApplicantKind.PERSON
    if kind == ApplicantKind.PERSON and not user.id_number:
        raise DomainError(_("请先在账户中登记身份证号码，再办理申请。"))
    if kind == ApplicantKind.ENTERPRISE and not user.uscc:
        raise DomainError(_("请先在账户中登记统一社会信用代码，再办理申请。"))
    identity = _identity(kind, user.id_number, user.uscc)
    if Applicant.objects.filter(kind=kind, **identity).exists():
        # An account's profile number is not proof of who it is: it may not claim an applicant already on
        # record (registered at a window, or owned by another account). The enterprise's owner adds staff.
        raise DomainError(_("该证件号码已登记为申请人。企业经办人请由企业管理员账号添加；"
                            "个人请携带身份证到综合受理窗口核验绑定。"))
    applicant = applicant_register(actor=user, kind=kind, name=user.display_name or user.username,
                                   id_number=user.id_number, uscc=user.uscc, phone=user.phone, email=user.email)
    ApplicantMember.objects.get_or_create(applicant=applicant, user=user,
                                          defaults={"role": ApplicantMember.Role.OWNER})
    return applicant


@transaction.atomic
def applicant_member_add(*, actor: Any, applicant: Applicant, user: Any) -> ApplicantMember:
    """An enterprise's owner account adds a staff account (经办人) that may file for the enterprise."""
    if not applicant.members.filter(user=actor, role=ApplicantMember.Role.OWNER).exists():
        raise PermissionDenied
    if not applicant.is_enterprise:
        raise DomainError(_("只有企业申请人可以添加经办人。"))
    if user.role != Role.APPLICANT_ENTERPRISE:
        raise ValidationError({"username": _("经办人须是企业用户账号。")})
    member, created = ApplicantMember.objects.get_or_create(applicant=applicant, user=user)
    if created:
        audit_record(actor=actor, action="applicant.member_add", obj=applicant, after={"user": user.username})
    return member


@transaction.atomic
def applicant_member_remove(*, actor: Any, applicant: Applicant, user: Any) -> None:
    if not applicant.members.filter(user=actor, role=ApplicantMember.Role.OWNER).exists():
        raise PermissionDenied
    if user.pk == actor.pk:
        raise DomainError(_("不能移除自己的管理员账号。"))
    deleted, _rows = applicant.members.filter(user=user).delete()
    if deleted:
        audit_record(actor=actor, action="applicant.member_remove", obj=applicant, after={"user": user.username})


@transaction.atomic
def applicant_set_credit(
    *, actor: Any, applicant: Applicant, grade: str, dishonest: bool, note: str = "",
) -> Applicant:
    """An administrator records an enterprise's credit grade and dishonesty flag (maintained or imported)."""
    if grade and grade not in CreditGrade.values:
        raise ValidationError({"credit_grade": _("信用等级须为 %(grades)s 之一。") % {
            "grades": "、".join(CreditGrade.values)}})
    locked = Applicant.objects.select_for_update().get(pk=applicant.pk)
    before = {"credit_grade": locked.credit_grade, "dishonest": locked.dishonest}
    locked.credit_grade, locked.dishonest, locked.credit_note = grade, dishonest, note[:200]
    locked.credit_updated_at = timezone.now()
    locked.save(update_fields=["credit_grade", "dishonest", "credit_note", "credit_updated_at"])
    audit_record(actor=actor, action="applicant.credit", obj=locked, before=before,
                 after={"credit_grade": grade, "dishonest": dishonest})
    return locked


@transaction.atomic
def applicant_clear_interview(*, actor: Any, applicant: Applicant, note: str) -> Applicant:
    """A clerk records that the interview (约谈) took place."""
    if not note.strip():
        raise ValidationError({"note": _("请填写约谈情况。")})
    locked = Applicant.objects.select_for_update().get(pk=applicant.pk)
    locked.interview_required = False
    locked.save(update_fields=["interview_required"])
    audit_record(actor=actor, action="applicant.interview", obj=locked, after={"note": note[:500]})
    return locked
