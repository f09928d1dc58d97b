from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.validators import mask_id_number, validate_id_number, validate_uscc


class DepartmentLevel(models.TextChoices):
    """行使层级 — exercising level, from the State Council down to the village (GB/T 39554.1)."""

    NATIONAL = "national", _("国家级")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡级")
    VILLAGE = "village", _("村级")


class Department(models.Model):
    """A government department (部门) of the service hall; the unit that scopes what reviewers see."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    code = models.CharField(_("部门编码"), max_length=32, unique=True)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc]
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("上级部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("层级"), max_length=16, choices=DepartmentLevel.choices,
                             default=DepartmentLevel.CITY)
    is_active = models.BooleanField(_("在用"), default=True)
    # 印章: the image stamped on the department's notices and licences; a drawn seal stands in when empty.
    seal = models.ImageField(_("印章图片"), upload_to="seals/", blank=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    APPLICANT_PERSON = "applicant_person", _("申请人（个人）")
    APPLICANT_ENTERPRISE = "applicant_enterprise", _("申请人（企业）")
    CLERK = "clerk", _("窗口人员")
    REVIEWER = "reviewer", _("审批人员")
    HEAD = "head", _("部门负责人")
    SUPERVISOR = "supervisor", _("电子监察")
    CATALOGUE_ADMIN = "catalogue_admin", _("事项管理员")
    AGENCY = "agency", _("中介机构")
    SYSADMIN = "sysadmin", _("系统管理员")


APPLICANT_ROLES = frozenset({Role.APPLICANT_PERSON, Role.APPLICANT_ENTERPRISE})
# Roles whose work is scoped to one department: they must belong to one.
DEPARTMENT_ROLES = frozenset({Role.REVIEWER, Role.HEAD})


class PortalUserManager(UserManager["User"]):
    def create_superuser(self, username, email=None, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("role", Role.SYSADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """Everyone who signs in: applicants, hall staff, supervisors, administrators and agency staff."""

    role = models.CharField(_("角色"), max_length=24, choices=Role.choices, default=Role.APPLICANT_PERSON,
                            db_index=True)
    display_name = models.CharField(_("姓名/名称"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("所属部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="staff",
    )
    # 居民身份证号码 for a person, 统一社会信用代码 for an enterprise: sensitive (PIPL Art. 28).
    id_number = models.CharField(_("身份证号码"), max_length=18, blank=True, validators=[validate_id_number])
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc])
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)

    objects: ClassVar[PortalUserManager] = PortalUserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(DEPARTMENT_ROLES)) | models.Q(department__isnull=False),
                name="department_staff_have_department",
                violation_error_message=_("审批人员和部门负责人必须属于一个部门。"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_applicant(self) -> bool:
        return self.role in APPLICANT_ROLES

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)
