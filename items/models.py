"""事项清单 — the item catalogue (GB/T 39554.1; DOMAIN.md §3).

An `Item` is the stable identity of a service item (its codes, its place in the hierarchy, its department);
its content lives in `ItemVersion`s that go `draft → in_review → published → retired`. At most one version
of an item is published at a time, and an application keeps the version it was filed against.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from items import auto_rules
from portal.models import Department, DepartmentLevel
from portal.validators import validate_uscc


class ItemType(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    CONFIRMATION = "confirmation", _("行政确认")
    ADJUDICATION = "adjudication", _("行政裁决")
    PAYMENT = "payment", _("行政给付")
    REWARD = "reward", _("行政奖励")
    FILING = "filing", _("行政备案")
    OTHER_POWER = "other_power", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")


class ServiceObject(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人")
    BOTH = "both", _("自然人、法人")


class OnlineDepth(models.IntegerChoices):
    """网上办理深度."""

    INFORMATION = 1, _("一级：信息公开")
    DOWNLOAD = 2, _("二级：在线预约、下载表格")
    ONLINE_FILING = 3, _("三级：在线申报")
    FULLY_ONLINE = 4, _("四级：全程网办")


class ResultType(models.TextChoices):
    LICENCE = "licence", _("证照")
    APPROVAL_DOCUMENT = "approval_document", _("批文")
    CERTIFICATE = "certificate", _("证明")
    OTHER = "other", _("其他")


class Topic(models.Model):
    """A theme (主题) or a life event (人生事件 / 企业全生命周期) to browse the catalogue by."""

    class Kind(models.TextChoices):
        THEME = "theme", _("主题")
        LIFE_EVENT = "life_event", _("人生事件")

    name = models.CharField(_("名称"), max_length=40, unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.THEME)
    audience = models.CharField(_("服务对象"), max_length=16, choices=ServiceObject.choices,
                                default=ServiceObject.BOTH)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("主题")
        verbose_name_plural = _("主题")
        ordering = ["kind", "order", "name"]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """The identity of a service item: its codes, hierarchy and department. Content is in versions."""

    class Node(models.TextChoices):
        MAIN = "main", _("主项")
        SUB = "sub", _("子项")
        BUSINESS = "business", _("业务办理项")

    # GB/T 39554.1 codes: opaque strings, never parsed.
    basic_code = models.CharField(_("基本编码"), max_length=12, db_index=True)
    implementation_code = models.CharField(_("实施编码"), max_length=36, unique=True)
    business_code = models.CharField(_("业务办理项编码"), max_length=50, blank=True)
    node = models.CharField(_("层级"), max_length=16, choices=Node.choices, default=Node.BUSINESS)
    parent = models.ForeignKey("self", verbose_name=_("上级事项"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    department = models.ForeignKey(Department, verbose_name=_("实施部门"), on_delete=models.PROTECT,
                                   related_name="items")
    # The version the public sees; kept by the publish and retire services.
    published = models.OneToOneField("ItemVersion", verbose_name=_("现行版本"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # Name, full pinyin and initials of the published version, for search (kept by the publish service).
    search_text = models.TextField(_("检索文本"), blank=True)
    applications_count = models.PositiveIntegerField(_("办件量"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        ordering = ["implementation_code"]
        # The home page's most-used items: read in this order, stopping after a few.
        indexes = [models.Index(fields=["-applications_count", "implementation_code"], name="item_most_used")]
        constraints = [
            models.UniqueConstraint(fields=["business_code"], condition=~Q(business_code=""),
                                    name="item_business_code_unique",
                                    violation_error_message=_("该业务办理项编码已存在。")),
        ]

    def __str__(self) -> str:
        return self.implementation_code


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("待审核")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class ItemVersion(ConcurrentTransitionMixin, models.Model):
    """One version of an item's content: every element of the service guide (办事指南)."""

    item = models.ForeignKey(Item, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    status = FSMField(_("状态"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT,
                      protected=True)

    # --- 六统一: name, basis, materials, procedure, limit, fee ---
    name = models.CharField(_("事项名称"), max_length=200)
    item_type = models.CharField(_("事项类型"), max_length=20, choices=ItemType.choices)
    legal_basis = models.TextField(_("设定依据"), blank=True)  # a draft may lack it; submitting needs it
    level = models.CharField(_("行使层级"), max_length=16, choices=DepartmentLevel.choices,
                             default=DepartmentLevel.CITY)
    service_object = models.CharField(_("服务对象"), max_length=16, choices=ServiceObject.choices)
    conditions = models.TextField(_("受理条件"), blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("主题"), blank=True, related_name="versions")

    # --- time limits, in working days (行政许可法 Arts. 42, 82) ---
    statutory_limit = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"), default=20)
    statutory_note = models.CharField(_("法定时限说明"), max_length=200, blank=True)
    promised_limit = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"), default=20)
    promised_note = models.CharField(_("承诺时限说明"), max_length=200, blank=True)
    instant = models.BooleanField(_("即办件"), default=False)
    acceptance_limit = models.PositiveSmallIntegerField(_("受理时限（工作日）"), default=5)
    issue_limit = models.PositiveSmallIntegerField(_("发证时限（工作日）"), default=10)
    extension_limit = models.PositiveSmallIntegerField(_("可延长时限（工作日）"), default=10)

    # --- 最多跑一次 ---
    visits = models.PositiveSmallIntegerField(_("到现场次数"), default=0)
    visits_reason = models.CharField(_("需到现场的原因"), max_length=200, blank=True)
    online_depth = models.PositiveSmallIntegerField(_("网上办理深度"), choices=OnlineDepth.choices,
                                                    default=OnlineDepth.FULLY_ONLINE)
    citywide = models.BooleanField(_("全城通办"), default=False)
    id_card_only = models.BooleanField(_("一证通办"), default=False)
    appointment = models.BooleanField(_("支持预约"), default=True)
    express = models.BooleanField(_("支持快递送达"), default=True)
    online_payment = models.BooleanField(_("支持网上支付"), default=False)

    # --- fees (行政许可法 Art. 58: none unless a law provides) ---
    charged = models.BooleanField(_("收费"), default=False)
    fee_basis = models.TextField(_("收费依据"), blank=True)
    fee_standard = models.TextField(_("收费标准"), blank=True)
    fee_waiver = models.TextField(_("减免政策"), blank=True)

    # --- result and remedies ---
    result_type = models.CharField(_("结果类型"), max_length=20, choices=ResultType.choices,
                                   default=ResultType.LICENCE)
    result_name = models.CharField(_("结果名称"), max_length=200, blank=True)
    result_sample = models.FileField(_("结果样本"), upload_to="items/samples/", blank=True)
    # 电子证照 (DOMAIN.md §7): how long a licence of this item is valid (0: 长期有效) and its type code (the
    # three digits after the defining authority's code in the licence identifier).
    licence_validity_months = models.PositiveSmallIntegerField(
        _("证照有效期（月）"), default=0, help_text=_("0 表示长期有效；例如食品经营许可证 60 个月。"))
    # 证照定义机构 (e.g. 国家市场监督管理总局 for 营业执照): its 统一社会信用代码 leads the type code; empty: the
    # implementing department defines it.
    licence_definer_uscc = models.CharField(_("证照定义机构统一社会信用代码"), max_length=18, blank=True,
                                            validators=[validate_uscc],
                                            help_text=_("留空则为实施部门。"))
    licence_type_code = models.CharField(_("证照类型代码"), max_length=3, default="001",
                                         validators=[RegexValidator(r"\A[0-9]{3}\Z", _("证照类型代码为 3 位数字。"))])
    reconsideration = models.TextField(_("行政复议"), blank=True)
    litigation = models.TextField(_("行政诉讼"), blank=True)

    # --- joint review (DOMAIN.md §5) ---
    all_must_approve = models.BooleanField(_("会签（全部同意）"), default=True,
                                           help_text=_("否则任一部门同意即可（或签）"))
    one_veto = models.BooleanField(_("一票否决"), default=True)
    timeout_consent = models.BooleanField(_("超时默许"), default=False)
    absence_consent = models.BooleanField(_("缺席默认"), default=False)
    # 行政许可法 Art. 34: verifying the substance of materials needs at least two staff.
    verification_signoffs = models.PositiveSmallIntegerField(
        _("实质审查签核人数"), choices=[(1, _("一人")), (2, _("二人（核查材料实质内容）"))], default=1)
    # 智能审批: the system approves by itself when every rule holds (see items/auto_rules.py).
    auto_rules = models.TextField(_("智能审批规则"), blank=True,
                                  help_text=_("每行一条：字段 运算符 值，例如 area <= 200；留空则不自动审批。"))

    # --- who did what ---
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("编辑人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_comment = models.TextField(_("审核意见"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="item_version_number_unique"),
            models.UniqueConstraint(fields=["item"], condition=Q(status=VersionStatus.PUBLISHED),
                                    name="item_one_published_version"),
            models.UniqueConstraint(fields=["item"], condition=Q(status__in=[VersionStatus.DRAFT,
                                                                             VersionStatus.IN_REVIEW]),
                                    name="item_one_open_version"),
        ]
        indexes = [models.Index(fields=["status", "item"])]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

    def is_own(self, user: Any) -> bool:
        """Four eyes: whoever edited or submitted a version may not review it."""
        return user is not None and user.pk in {self.created_by_id, self.submitted_by_id}

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.promised_limit > self.statutory_limit:
            errors["promised_limit"] = _("承诺时限不能长于法定时限。")
        if self.visits and not self.visits_reason.strip():
            errors["visits_reason"] = _("到现场次数不为 0 时，须说明需到现场的原因。")
        if self.charged and not (self.fee_basis.strip() and self.fee_standard.strip()):
            errors["fee_basis"] = _("收费事项须写明收费依据和收费标准（《行政许可法》第五十八条）。")
        if self.instant and self.promised_limit > 1:
            errors["promised_limit"] = _("即办件当场办结，承诺时限应为 0 或 1 个工作日。")
        try:
            auto_rules.parse(self.auto_rules)
        except ValueError as exc:
            errors["auto_rules"] = str(exc)
        if errors:
            raise ValidationError(errors)

    # --- transitions: state and their own fields only; the services lock, save, audit and notify ---
    @transition(field=status, source=VersionStatus.DRAFT, target=VersionStatus.IN_REVIEW)
    def submit(self, *, by: Any) -> None:
        self.submitted_by = by
        self.review_comment = ""

    @transition(field=status, source=VersionStatus.IN_REVIEW, target=VersionStatus.DRAFT)
    def send_back(self, *, by: Any, comment: str) -> None:
        self.reviewed_by = by
        self.review_comment = comment

    @transition(field=status, source=VersionStatus.IN_REVIEW, target=VersionStatus.PUBLISHED)
    def publish(self, *, by: Any, comment: str = "") -> None:
        self.reviewed_by = by
        self.review_comment = comment
        self.published_at = timezone.now()

    @transition(field=status, source=VersionStatus.PUBLISHED, target=VersionStatus.RETIRED)
    def retire(self) -> None:
        self.retired_at = timezone.now()


# The elements of a version that the editor edits, the diff compares and the spreadsheet carries.
CONTENT_FIELDS = (
    "name", "item_type", "legal_basis", "level", "service_object", "conditions",
    "statutory_limit", "statutory_note", "promised_limit", "promised_note", "instant", "acceptance_limit",
    "issue_limit", "extension_limit", "visits", "visits_reason", "online_depth", "citywide", "id_card_only",
    "appointment", "express", "online_payment", "charged", "fee_basis", "fee_standard", "fee_waiver",
    "result_type", "result_name", "licence_validity_months", "licence_definer_uscc",
    "licence_type_code", "reconsideration", "litigation",
    "all_must_approve", "one_veto", "timeout_consent", "absence_consent", "verification_signoffs", "auto_rules",
)
MATERIAL_FIELDS = ("name", "required", "form", "copies", "source", "standard", "may_be_missing",
                   "commitment_allowed")
FORM_FIELD_FIELDS = ("key", "label", "field_type", "required", "choices", "help_text", "min_value", "max_value",
                     "max_length")
STEP_FIELDS = ("name", "description")


class Material(models.Model):
    """申请材料: one material of a version."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("原件")
        COPY = "copy", _("复印件")
        ELECTRONIC = "electronic", _("电子件")

    class Source(models.TextChoices):
        APPLICANT = "applicant", _("申请人自备")
        AUTHORITY = "authority", _("政府部门核发")
        LICENCE_LIBRARY = "licence_library", _("电子证照库")

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("材料名称"), max_length=200)
    required = models.BooleanField(_("必要"), default=True)
    form = models.CharField(_("材料形式"), max_length=16, choices=Form.choices, default=Form.ELECTRONIC)
    copies = models.PositiveSmallIntegerField(_("纸质份数"), default=0)
    source = models.CharField(_("来源渠道"), max_length=20, choices=Source.choices, default=Source.APPLICANT)
    standard = models.TextField(_("受理标准"), blank=True)
    may_be_missing = models.BooleanField(_("可容缺"), default=False)
    commitment_allowed = models.BooleanField(_("可告知承诺"), default=False)
    blank_form = models.FileField(_("空白表格"), upload_to="items/forms/", blank=True)
    sample = models.FileField(_("示例样表"), upload_to="items/forms/", blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name


class FieldType(models.TextChoices):
    TEXT = "text", _("文本")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    CHOICE = "choice", _("选项")
    ID_NUMBER = "id_number", _("身份证号码")
    USCC = "uscc", _("统一社会信用代码")
    ADDRESS = "address", _("地址")
    PHONE = "phone", _("电话")
    FILE = "file", _("文件")


class FormField(models.Model):
    """One field of an item's application form (申请表), as data that intake renders and validates."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="form_fields")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    key = models.SlugField(_("字段标识"), max_length=50)
    label = models.CharField(_("字段名称"), max_length=100)
    field_type = models.CharField(_("类型"), max_length=16, choices=FieldType.choices, default=FieldType.TEXT)
    required = models.BooleanField(_("必填"), default=True)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    help_text = models.CharField(_("填写说明"), max_length=200, blank=True)
    min_value = models.DecimalField(_("最小值"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("最大值"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_length = models.PositiveSmallIntegerField(_("最大长度"), null=True, blank=True)

    class Meta:
        verbose_name = _("表单字段")
        verbose_name_plural = _("表单字段")
        ordering = ["version", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="form_field_key_unique")]

    def __str__(self) -> str:
        return self.label


class Step(models.Model):
    """办理流程: one step of the processing."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("环节"), max_length=60)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["version", "order", "id"]

    def __str__(self) -> str:
        return self.name


class JointDepartment(models.Model):
    """A department that reviews in parallel (并联审批) with the implementing one, and its review period."""

    version = models.ForeignKey(ItemVersion, on_delete=models.CASCADE, related_name="joint_departments")
    department = models.ForeignKey(Department, verbose_name=_("部门"), on_delete=models.PROTECT,
                                   related_name="+")
    review_days = models.PositiveSmallIntegerField(_("审查时限（工作日）"), default=5)

    class Meta:
        verbose_name = _("联办部门")
        verbose_name_plural = _("联办部门")
        ordering = ["version", "department__code"]
        constraints = [models.UniqueConstraint(fields=["version", "department"], name="joint_department_unique")]

    def __str__(self) -> str:
        return str(self.department)


class Bundle(models.Model):
    """一件事 / 一个项目: items across departments under a lead department, with one guide, form and list."""

    class Kind(models.TextChoices):
        ONE_THING = "one_thing", _("一件事")
        ONE_PROJECT = "one_project", _("一个项目")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.ONE_THING)
    lead_department = models.ForeignKey(Department, verbose_name=_("牵头部门"), on_delete=models.PROTECT,
                                        related_name="+")
    audience = models.CharField(_("服务对象"), max_length=16, choices=ServiceObject.choices,
                                default=ServiceObject.BOTH)
    topic = models.ForeignKey(Topic, verbose_name=_("主题"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="bundles")
    guide = models.TextField(_("办事指南"), blank=True)
    promised_limit = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"), default=0)
    is_published = models.BooleanField(_("已发布"), default=False)
    search_text = models.TextField(_("检索文本"), blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("主题套餐")
        verbose_name_plural = _("主题套餐")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BundleStage(models.Model):
    """A stage of a bundle (e.g. 立项用地规划许可); its items are reviewed in parallel, led by 段长."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("阶段名称"), max_length=60)
    lead_department = models.ForeignKey(Department, verbose_name=_("牵头部门（段长）"), on_delete=models.PROTECT,
                                        related_name="+")

    class Meta:
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        ordering = ["bundle", "order"]

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="entries")
    stage = models.ForeignKey(BundleStage, null=True, blank=True, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(Item, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="bundle_entries")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)

    class Meta:
        verbose_name = _("套餐事项")
        verbose_name_plural = _("套餐事项")
        ordering = ["bundle", "stage__order", "order"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="bundle_item_unique")]

    def __str__(self) -> str:
        return f"{self.bundle}: {self.item}"


class CatalogueImport(ConcurrentTransitionMixin, models.Model):
    """An uploaded catalogue workbook, checked and imported in the background (it can take a minute)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("处理中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("未通过")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file = models.FileField(_("工作簿"), upload_to="catalogue-imports/")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT,
                              related_name="+")
    dry_run = models.BooleanField(_("只校验"), default=False)
    status = FSMField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED, protected=True)
    summary = models.JSONField(_("结果"), default=dict, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)  # the first MAX_ERRORS_KEPT
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    MAX_ERRORS_KEPT = 1000

    class Meta:
        verbose_name = _("事项清单导入")
        verbose_name_plural = _("事项清单导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @transition(field=status, source=Status.QUEUED, target=Status.RUNNING)
    def start(self) -> None:
        pass

    @transition(field=status, source=Status.RUNNING, target=Status.SUCCEEDED)
    def succeed(self, *, summary: dict[str, int]) -> None:
        self.summary = summary
        self.finished_at = timezone.now()

    @transition(field=status, source=[Status.QUEUED, Status.RUNNING], target=Status.FAILED)
    def fail(self, *, errors: list[dict[str, Any]]) -> None:
        self.errors = errors[: self.MAX_ERRORS_KEPT]
        self.error_count = len(errors)
        self.finished_at = timezone.now()
