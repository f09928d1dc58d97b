"""What the intake API reads and shows. Serializers validate input and shape output; they never save
(every write goes through applications.services).

ID numbers appear masked (`identity`, PIPL Art. 28); a USCC is public and shown in full.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import (
    Applicant,
    ApplicantKind,
    Application,
    ApplicationMaterial,
    Channel,
    CreditGrade,
    MaterialStatus,
    Notice,
    Status,
)
from applications.selectors import awaiting
from applications.services.filing import commitment_text
from items.api import DepartmentRefSerializer
from items.models import Item
from items.selectors import published_bundles
from licences.models import Licence
from portal.validators import is_valid_id_number, is_valid_uscc

MAX_FORM_KEYS = 200
MAX_FORM_VALUE = 10_000
MAX_PROBLEMS = 100
# The number and query code of public tracking: ASCII only (they are compared in constant time).
TRACKING_NUMBER = r"^[0-9A-Za-z-]{1,32}$"
TRACKING_CODE = r"^[0-9A-Za-z]{1,8}$"


class ReadOnlySerializer(serializers.Serializer):
    """A serializer that validates and shows, but never writes: writes go through applications.services."""

    def create(self, validated_data: Any) -> Any:
        raise TypeError("intake writes go through applications.services")

    def update(self, instance: Any, validated_data: Any) -> Any:
        raise TypeError("intake writes go through applications.services")


# --- applicants --------------------------------------------------------------------------------------
class ApplicantSerializer(ReadOnlySerializer):
    """An applicant in a list: the ID number masked."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(ApplicantKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    name = serializers.CharField()
    identity = serializers.CharField(source="identity_masked",
                                     help_text="身份证号码（脱敏）或统一社会信用代码. ID number masked (PIPL).")
    credit_grade = serializers.ChoiceField(CreditGrade.choices, allow_blank=True)
    dishonest = serializers.BooleanField()
    green_channel = serializers.BooleanField(help_text="绿色通道: top-credit enterprise, handled first.")
    interview_required = serializers.BooleanField(help_text="需约谈: sent back more than the allowed times.")


class ApplicantDetailSerializer(ApplicantSerializer):
    legal_representative = serializers.CharField()
    contact_name = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()
    email = serializers.CharField()
    credit_note = serializers.CharField()
    credit_updated_at = serializers.DateTimeField(allow_null=True)


class ApplicantSearchQuery(ReadOnlySerializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100,
                              help_text="Clerks: part of a name. An ID number or USCC never goes into a URL: "
                                        "POST it to /api/v1/applicants/search/.")

    def validate_q(self, value: str) -> str:
        if is_valid_id_number(value.strip().upper()) or is_valid_uscc(value.strip().upper()):
            raise serializers.ValidationError(_("证件号码不能放在网址中，请用 POST /api/v1/applicants/search/ 查询。"))
        return value


class ApplicantSearchSerializer(ReadOnlySerializer):
    q = serializers.CharField(max_length=100, help_text="A full ID number or USCC (18 characters), or part of a name.")


class ApplicantRegisterSerializer(ReadOnlySerializer):
    """A clerk registers a walk-in applicant, or finds the one with this ID number / USCC (and updates the
    contact details given)."""

    kind = serializers.ChoiceField(ApplicantKind.choices)
    name = serializers.CharField(max_length=200)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="",
                                      help_text="居民身份证号码 (a person).")
    uscc = serializers.CharField(max_length=18, required=False, allow_blank=True, default="",
                                 help_text="统一社会信用代码 (an enterprise).")
    legal_representative = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["kind"] == ApplicantKind.PERSON and not attrs["id_number"]:
            raise serializers.ValidationError({"id_number": _("个人申请人须填写身份证号码。")})
        if attrs["kind"] == ApplicantKind.ENTERPRISE and not attrs["uscc"]:
            raise serializers.ValidationError({"uscc": _("企业申请人须填写统一社会信用代码。")})
        return attrs


class ApplicantCreditSerializer(ReadOnlySerializer):
    """Fields sent change; fields not sent keep their value."""

    credit_grade = serializers.ChoiceField(CreditGrade.choices, allow_blank=True, required=False,
                                           help_text="Empty: no grade.")
    dishonest = serializers.BooleanField(required=False, help_text="失信记录: excludes 容缺 and 告知承诺.")
    credit_note = serializers.CharField(max_length=200, allow_blank=True, required=False)


# --- applications: output ----------------------------------------------------------------------------
class ApplicantBriefSerializer(ReadOnlySerializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(ApplicantKind.choices)
    name = serializers.CharField()
    identity = serializers.CharField(source="identity_masked", help_text="ID number masked; USCC in full.")


class AwaitingSerializer(ReadOnlySerializer):
    """What the application waits for, from whom, and by when."""

    who = serializers.CharField()
    what = serializers.CharField()
    due = serializers.DateField(allow_null=True)


def _awaiting(application: Application) -> dict[str, Any] | None:
    waiting = awaiting(application)
    if waiting is None:
        return None
    return {"who": str(waiting.who), "what": str(waiting.what), "due": waiting.due}


class ApplicationSummarySerializer(ReadOnlySerializer):
    """One application in a list."""

    id = serializers.IntegerField()
    number = serializers.CharField(help_text="申请编号.")
    title = serializers.CharField(help_text="事项名称.")
    status = serializers.ChoiceField(Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    channel = serializers.ChoiceField(Channel.choices)
    channel_label = serializers.CharField(source="get_channel_display")
    applicant = ApplicantBriefSerializer()
    department = DepartmentRefSerializer(help_text="受理部门.")
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    acceptance_due = serializers.DateField(allow_null=True, help_text="受理期限 (Art. 32: 5 working days).")
    promised_due = serializers.DateField(allow_null=True, help_text="承诺办结日期.")
    review_supplement = serializers.BooleanField(
        help_text="审查补正: a reviewing department waits for the materials it flagged (their `problem`); answer "
                  "with POST …/supply/.")


class QueueEntrySerializer(ApplicationSummarySerializer):
    """A submission in the clerks' shared pre-review queue."""

    green = serializers.BooleanField(help_text="绿色通道: handled first.")
    revision = serializers.IntegerField(help_text="提交次数: 2 and more are resubmissions after a supplement.")
    received_on = serializers.DateField(allow_null=True)
    interview_required = serializers.BooleanField(source="applicant.interview_required")


class ApplicationDocumentSerializer(ReadOnlySerializer):
    id = serializers.UUIDField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField(help_text="Bytes.")
    content_type = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class LicenceRefSerializer(ReadOnlySerializer):
    """A licence (电子证照) as an application names it: a library material, or the licence a renewal renews."""

    id = serializers.IntegerField()
    name = serializers.CharField(help_text="证照名称.")
    number = serializers.CharField(help_text="证照编号.")
    valid_to = serializers.DateField(allow_null=True, help_text="有效期至 (null: 长期有效).")
    validity = serializers.SerializerMethodField(
        help_text="valid, expired, revoked, cancelled, replaced or rendering (expired follows from valid_to).")
    verify_url = serializers.SerializerMethodField(help_text="The licence's public verification page.")

    @extend_schema_field(serializers.ChoiceField(["valid", "expired", "revoked", "cancelled", "replaced",
                                                  "rendering"]))
    def get_validity(self, licence: Licence) -> str:
        return licence.validity()

    @extend_schema_field(serializers.URLField())
    def get_verify_url(self, licence: Licence) -> str:
        path = licence.verify_path()
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ApplicationMaterialSerializer(ReadOnlySerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    order = serializers.IntegerField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # DRF stubs: Field.required
    may_be_missing = serializers.BooleanField(help_text="可容缺: may be supplied after acceptance.")
    commitment_allowed = serializers.BooleanField(help_text="告知承诺: a signed commitment may replace it.")
    commitment_text = serializers.SerializerMethodField(help_text="What signing the commitment promises.")
    from_applicant = serializers.BooleanField(
        help_text="False when the authority obtains it itself (issuing department, licence library).")
    status = serializers.ChoiceField(MaterialStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    problem = serializers.CharField(help_text="What the last supplement notice asked for (empty: nothing).")
    documents = ApplicationDocumentSerializer(many=True, source="documents.all")
    source = serializers.CharField(  # type: ignore[assignment]  # DRF stubs: Field.source
        help_text="applicant, authority (政府部门核发) or licence_library (电子证照库).")
    licence = LicenceRefSerializer(allow_null=True, help_text=(
        "免提交: the holder's licence taken from the licence library for a licence_library material (status "
        "licence); null when none was found (the window checks it at acceptance)."))

    def get_commitment_text(self, material: ApplicationMaterial) -> str:
        return commitment_text(material) if material.commitment_allowed else ""


class ApplicationNoticeSerializer(ReadOnlySerializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(Notice.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    number = serializers.CharField(help_text="文书编号.")
    issued_at = serializers.DateTimeField()
    ready = serializers.BooleanField(source="is_ready", help_text="The PDF has been rendered.")
    pdf = serializers.SerializerMethodField(help_text="Where to download the PDF (null until it is ready).")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf(self, notice: Notice) -> str | None:
        if not notice.is_ready:
            return None
        path = reverse("api-notice-pdf", args=[notice.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ApplicationEventSerializer(ReadOnlySerializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    actor_label = serializers.CharField(help_text="Who acted: a department or 系统, never a person's name.")
    summary = serializers.CharField()
    detail = serializers.CharField()
    due = serializers.DateField(allow_null=True)


class PublicEventSerializer(ReadOnlySerializer):
    """A step of the timeline as the public sees it (ApplicationEvent.as_public)."""

    at = serializers.DateTimeField()
    kind = serializers.CharField()
    actor_label = serializers.CharField()
    summary = serializers.CharField()
    due = serializers.DateField(allow_null=True)


class ApplicationDetailSerializer(ApplicationSummarySerializer):
    query_code = serializers.CharField(help_text="查询码: with the number, opens the public tracking.")
    item = serializers.SerializerMethodField(help_text="实施编码 of the item (null for a bundle).")
    bundle = serializers.IntegerField(source="bundle_id", allow_null=True, help_text="一件事 id (or null).")
    form_data = serializers.DictField(help_text="申请表, as saved.")
    revision = serializers.IntegerField(help_text="提交次数.")
    supplement_rounds = serializers.IntegerField(help_text="补正次数.")
    received_on = serializers.DateField(allow_null=True, help_text="材料收到日期.")
    supplement_due = serializers.DateField(allow_null=True, help_text="补正期限.")
    accepted_on = serializers.DateField(allow_null=True, help_text="受理日期.")
    deemed_accepted = serializers.BooleanField(help_text="视为受理 (Art. 32(4)).")
    statutory_due = serializers.DateField(allow_null=True, help_text="法定办结日期.")
    rongque_pending = serializers.BooleanField(help_text="容缺 materials still owed.")
    rongque_due = serializers.DateField(allow_null=True, help_text="容缺补齐期限.")
    review_supplement_at = serializers.DateTimeField(
        allow_null=True, help_text="When the review supplement was asked: files uploaded since then answer it.")
    decided_at = serializers.DateTimeField(allow_null=True, help_text="决定时间 (准予 / 不予许可).")
    closed_at = serializers.DateTimeField(allow_null=True)
    closing_note = serializers.CharField()
    awaiting = serializers.SerializerMethodField()
    renews = LicenceRefSerializer(allow_null=True, help_text=(
        "延续 (Art. 50): the licence this application renews; its approval issues a licence that replaces it."))
    materials = ApplicationMaterialSerializer(many=True, source="materials.all")
    notices = ApplicationNoticeSerializer(many=True, source="notices.all")

    def get_item(self, application: Application) -> str | None:
        return application.version.item.implementation_code if application.version is not None else None

    @extend_schema_field(AwaitingSerializer(allow_null=True))
    def get_awaiting(self, application: Application) -> dict[str, Any] | None:
        return _awaiting(application)


class TrackingSerializer(ReadOnlySerializer):
    """Public tracking: no personal data, only the item, the status and the public timeline."""

    number = serializers.CharField()
    title = serializers.CharField()
    department = serializers.CharField(source="department.name")
    status = serializers.ChoiceField(Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    received_on = serializers.DateField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)
    promised_due = serializers.DateField(allow_null=True)
    awaiting = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    @extend_schema_field(AwaitingSerializer(allow_null=True))
    def get_awaiting(self, application: Application) -> dict[str, Any] | None:
        return _awaiting(application)

    @extend_schema_field(PublicEventSerializer(many=True))
    def get_timeline(self, application: Application) -> Any:
        return PublicEventSerializer([e.as_public() for e in application.events.all()], many=True).data


# --- applications: input -----------------------------------------------------------------------------
class FormDataField(serializers.DictField):
    """The application form's values by field key (see the item's form_fields); numbers may be strings."""

    child = serializers.CharField(allow_blank=True, allow_null=True, max_length=MAX_FORM_VALUE,
                                  trim_whitespace=False)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value = super().to_internal_value(data)
        if len(value) > MAX_FORM_KEYS:
            raise serializers.ValidationError(_("申请表最多 %(n)s 项。") % {"n": MAX_FORM_KEYS})
        if any(len(key) > 50 for key in value):
            raise serializers.ValidationError(_("字段标识不能超过50个字符。"))
        return value


def _printable_ascii(value: str) -> None:
    if any(not (" " < c <= "~") for c in value):
        raise serializers.ValidationError(_("幂等键只能包含可打印的ASCII字符，不含空格。"))


class IdempotencyKeyHeader(ReadOnlySerializer):
    """The Idempotency-Key header, checked like the body's field."""

    idempotency_key = serializers.CharField(required=False, allow_blank=True, default="", max_length=64,
                                            trim_whitespace=False, validators=[_printable_ascii])


class ApplicationStartSerializer(ReadOnlySerializer):
    item = serializers.SlugRelatedField(
        slug_field="implementation_code",
        queryset=Item.objects.filter(published__isnull=False).select_related("published", "department"),
        required=False, help_text="实施编码 of a published item (or give `bundle`).")
    bundle = serializers.PrimaryKeyRelatedField(queryset=published_bundles(), required=False,
                                                help_text="A published 一件事 (or give `item`).")
    applicant = serializers.PrimaryKeyRelatedField(
        queryset=Applicant.objects.all(), required=False,
        help_text="Clerks: the applicant served at the window (required). Applicant accounts: one they file "
                  "for (default: their own).")
    form_data = FormDataField(required=False, help_text="Save the form at once (values checked).")
    submit = serializers.BooleanField(default=False,
                                      help_text="Submit at once: all or nothing (nothing is kept if it fails).")
    idempotency_key = serializers.CharField(
        required=False, allow_blank=True, max_length=64, trim_whitespace=False, validators=[_printable_ascii],
        help_text="Or the Idempotency-Key header: a retried request with the same key returns the first "
                  "application.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.context.get("user")
        if user is not None and not self.context.get("clerk"):
            field = self.fields["applicant"]
            field.queryset = Applicant.objects.filter(members__user=user)  # type: ignore[attr-defined]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("item" in attrs) == ("bundle" in attrs):
            raise serializers.ValidationError({"item": _("请选择一个事项或一个“一件事”。")})
        if self.context.get("clerk") and "applicant" not in attrs:
            raise serializers.ValidationError({"applicant": _("窗口受理须指定申请人。")})
        return attrs


class ApplicationFilterQuery(ReadOnlySerializer):
    status = serializers.ChoiceField(Status.choices, required=False)
    channel = serializers.ChoiceField(Channel.choices, required=False)


class FormSerializer(ReadOnlySerializer):
    form_data = FormDataField(help_text="Fields sent change; a field sent as null is cleared; others stay.")


class WithdrawSerializer(ReadOnlySerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class UploadSerializer(ReadOnlySerializer):
    files = serializers.ListField(child=serializers.FileField(), min_length=1,
                                  help_text="One or more files (PDF, DOCX, XLSX, PNG, JPEG; 10 MB each).")


class ReuseSerializer(ReadOnlySerializer):
    document = serializers.UUIDField(help_text="A file the applicant gave in an earlier application.")


class CommitmentSerializer(ReadOnlySerializer):
    signed_name = serializers.CharField(max_length=100, help_text="承诺人签名.")


class SupplySerializer(ReadOnlySerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                 help_text="补正说明: what was supplied; answers the items that are not materials.")


class ProblemSerializer(ReadOnlySerializer):
    material = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                        help_text="The application material concerned (its id).")
    subject = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                    help_text="Or a form field / topic, when it is not a material.")
    problem = serializers.CharField(max_length=1000, help_text="What to correct.")


class SupplementSerializer(ReadOnlySerializer):
    problems = serializers.ListField(child=ProblemSerializer(), min_length=1, max_length=MAX_PROBLEMS,
                                     help_text="一次性告知: every problem, in one notice.")


class RefuseSerializer(ReadOnlySerializer):
    reasons = serializers.CharField(max_length=1000, help_text="不予受理的理由.")
    competent_authority = serializers.CharField(required=False, allow_blank=True, default="", max_length=200,
                                                help_text="The competent authority, when it is not this one.")
    how_to_succeed = serializers.CharField(max_length=1000, help_text="How the applicant can succeed (双告知).")


class RongqueSerializer(ReadOnlySerializer):
    missing = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=100,
                                    help_text="Ids of the secondary materials to be supplied later.")
    due = serializers.DateField(help_text="By when (not later than the item's promised limit).")
    signed_name = serializers.CharField(max_length=100, help_text="The applicant's signature on the commitment.")


class TrackingQuery(ReadOnlySerializer):
    number = serializers.RegexField(TRACKING_NUMBER, help_text="申请编号.",
                                    error_messages={"invalid": _("申请编号格式不正确。")})
    code = serializers.RegexField(TRACKING_CODE, help_text="查询码.",
                                  error_messages={"invalid": _("查询码格式不正确。")})

