"""What the licence API reads and shows. Serializers validate input (400, naming the field) and shape output;
they never save: every write goes through licences.services.

Holder codes (ID numbers) are shown masked everywhere (PIPL; DOMAIN.md §9): a holder knows their own number,
and staff who need the full one have the application.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from items.api import DepartmentRefSerializer
from licences.forms import DELIVERY_CHOICES, VALIDITY_CHOICES
from licences.models import DeliveryMethod, HolderCodeType, Licence
from licences.rendering import MAX_TEMPLATE_LENGTH, template_errors
from licences.services import COLLECTOR_ID, PHONE, TRACKING_NUMBER
from portal.pdf import public_url
from portal.uploads import MAX_DOCUMENT_BYTES, validate_document

VALIDITY = [(value, label) for value, label in VALIDITY_CHOICES if value]
# As applications.serializers.LicenceRefSerializer lists them (plain values, in this order): one enum in the
# schema for every licence's `validity`.
VALIDITY_VALUES = ["valid", "expired", "revoked", "cancelled", "replaced", "rendering"]
DELIVERY = [(value, label) for value, label in DELIVERY_CHOICES if value]
MAX_REASON = 2000


class ReadOnlySerializer(serializers.Serializer):
    """Validates and shows, never writes: writes go through licences.services."""

    def create(self, validated_data: Any) -> Any:
        raise TypeError("licence writes go through licences.services")

    def update(self, instance: Any, validated_data: Any) -> Any:
        raise TypeError("licence writes go through licences.services")


def _validity(licence: Licence) -> str:
    return licence.validity(timezone.localdate())


# --- output ----------------------------------------------------------------------------------------------
class DeliveryBriefSerializer(ReadOnlySerializer):
    method = serializers.ChoiceField(DeliveryMethod.choices, source="delivery_method", help_text="领取方式.")
    due = serializers.DateField(source="deliver_due", help_text="送达期限: 10 working days from the decision.")
    overdue = serializers.BooleanField(source="deliver_overdue", help_text="Flagged by the sweep after the due "
                                                                            "date (stays set if delivered late).")
    delivered_at = serializers.DateTimeField(allow_null=True, help_text="Null until delivered.")


class DeliverySerializer(DeliveryBriefSerializer):
    address = serializers.CharField(source="delivery_address", help_text="Express only.")
    recipient = serializers.CharField(source="delivery_recipient")
    phone = serializers.CharField(source="delivery_phone")
    express_company = serializers.CharField()
    tracking_number = serializers.CharField()
    collected_by = serializers.CharField(help_text="Who collected it at the result window.")
    collected_id_masked = serializers.CharField(help_text="The collector's ID number, masked (all that is kept).")
    handed_over_at = serializers.DateTimeField(allow_null=True, help_text="When the paper licence was collected "
                                                                          "or posted.")
    downloaded_at = serializers.DateTimeField(allow_null=True, help_text="The holder's first download.")


class LicenceSummarySerializer(ReadOnlySerializer):
    """A licence in a list."""

    id = serializers.IntegerField()
    number = serializers.CharField(help_text="证照编号, unique per issuing department and year.")
    name = serializers.CharField(help_text="证照名称.")
    validity = serializers.SerializerMethodField(help_text="What the verification page says (expired is derived "
                                                           "from valid_to).")
    department = DepartmentRefSerializer(help_text="颁证单位.")
    item = serializers.CharField(source="version.name", help_text="许可事项.")
    holder_name = serializers.CharField(help_text="持证主体.")
    holder_code_masked = serializers.CharField(help_text="持证主体代码, masked.")
    issued_on = serializers.DateField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True, help_text="Null: 长期有效.")
    ready = serializers.SerializerMethodField(help_text="False while the PDF is being made and signed.")
    delivery = DeliveryBriefSerializer(source="*", help_text="送达 (Art. 44).")

    @extend_schema_field(serializers.ChoiceField(VALIDITY_VALUES))
    def get_validity(self, licence: Licence) -> str:
        return _validity(licence)

    @extend_schema_field(serializers.BooleanField())
    def get_ready(self, licence: Licence) -> bool:
        return bool(licence.pdf)


class LicenceDetailSerializer(LicenceSummarySerializer):
    """A licence with everything its holder and the staff who see it may read."""

    identifier = serializers.CharField(help_text="证照标识 (GB/T 36904), with its check character.")
    type_code = serializers.CharField(help_text="证照类型代码.")
    holder_code_type = serializers.ChoiceField(HolderCodeType.choices)
    application_number = serializers.CharField(help_text="申请编号 of the application it was issued on.")
    decided_on = serializers.DateField()
    facts = serializers.ListField(child=serializers.ListField(child=serializers.CharField()),
                                  help_text="[label, value] rows the licence states beyond its metadata.")
    pdf_sha256 = serializers.CharField(help_text="SHA-256 of the signed PDF (empty while it is being made).")
    signer = serializers.CharField(help_text="The signing certificate's subject.")
    ready_at = serializers.DateTimeField(allow_null=True)
    delivery = DeliverySerializer(source="*", help_text="送达 (Art. 44).")
    deemed_renewed = serializers.BooleanField(help_text="视为准予延续 (Art. 50).")
    renewal_application = serializers.CharField(help_text="The renewal application under way, if any.")
    replaced_by = serializers.CharField(source="replaced_by.number", allow_null=True, default=None,
                                        help_text="换发: the number of the licence that replaced it.")
    ended_at = serializers.DateTimeField(allow_null=True, help_text="撤销/注销 time.")
    end_reason = serializers.CharField()
    end_basis = serializers.CharField()
    verify_url = serializers.SerializerMethodField(help_text="The public verification page its QR code opens.")

    @extend_schema_field(serializers.URLField())
    def get_verify_url(self, licence: Licence) -> str:
        return public_url(licence.verify_path())


class PublicLicenceSerializer(ReadOnlySerializer):
    """What the public verification says of a licence: the verdict and its public metadata."""

    validity = serializers.SerializerMethodField(help_text="The verdict: 有效 / 已过期 / 已撤销 / 已注销 / 已换发 / "
                                                           "制证中.")
    name = serializers.CharField()
    number = serializers.CharField()
    identifier = serializers.CharField()
    department = serializers.CharField(source="department.name", help_text="颁证单位.")
    issued_on = serializers.DateField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True, help_text="Null: 长期有效.")
    holder_name = serializers.CharField()
    holder_code_masked = serializers.CharField()
    holder_code_type = serializers.ChoiceField(HolderCodeType.choices)
    item = serializers.CharField(source="version.name")
    deemed_renewed = serializers.BooleanField()
    ended_at = serializers.DateTimeField(allow_null=True)
    end_reason = serializers.CharField()
    end_basis = serializers.CharField()
    replaced_by = serializers.CharField(source="replaced_by.number", allow_null=True, default=None)

    @extend_schema_field(serializers.ChoiceField(VALIDITY_VALUES))
    def get_validity(self, licence: Licence) -> str:
        return _validity(licence)


class SignatureCheckSerializer(ReadOnlySerializer):
    signed = serializers.BooleanField(help_text="The file carries a signature at all.")
    intact = serializers.BooleanField(help_text="The signed bytes are unchanged.")
    covers_all = serializers.BooleanField(help_text="Nothing was added after signing.")
    trusted = serializers.BooleanField(help_text="The certificate chains to a trusted CA.")
    signer = serializers.CharField()
    ok = serializers.BooleanField(help_text="All four hold.")


class UploadCheckSerializer(ReadOnlySerializer):
    sha256 = serializers.CharField(help_text="SHA-256 of the uploaded file.")
    matches = serializers.BooleanField(help_text="It is the file issued (of the licence named by `token`, or of "
                                                 "any licence without one).")
    licence = PublicLicenceSerializer(allow_null=True, help_text="The licence it is the file of, if it matches.")
    signature = SignatureCheckSerializer()


# --- input -----------------------------------------------------------------------------------------------
class LicenceFilterQuery(serializers.Serializer):
    status = serializers.ChoiceField(VALIDITY, required=False, help_text="As the verification page says it; "
                                                                         "expired = valid but past valid_to.")
    delivery = serializers.ChoiceField(DELIVERY, required=False)
    q = serializers.CharField(required=False, max_length=100, help_text="证照编号, 申请编号 or holder name.")


class DeliveryChoiceSerializer(serializers.Serializer):
    method = serializers.ChoiceField(DeliveryMethod.choices)
    address = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                    help_text="Express only: the postal address.")
    recipient = serializers.CharField(required=False, allow_blank=True, max_length=100)
    phone = serializers.RegexField(rf"^(?:{PHONE})$", required=False, allow_blank=True, max_length=20,
                                   error_messages={"invalid": _("请填写正确的收件人电话。")})


class PickupSerializer(serializers.Serializer):
    collected_by = serializers.CharField(max_length=100)
    id_number = serializers.RegexField(rf"^(?:{COLLECTOR_ID})$", required=False, allow_blank=True, max_length=18,
                                       error_messages={"invalid": _("请填写正确的领取人证件号码。")},
                                       help_text="The collector's ID number: stored masked only.")


class DispatchSerializer(serializers.Serializer):
    company = serializers.CharField(max_length=50)
    tracking_number = serializers.RegexField(rf"^(?:{TRACKING_NUMBER})$", max_length=40, error_messages={
        "invalid": _("请填写正确的快递单号（6–40 位字母或数字）。")})


class EndSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_REASON, help_text="撤销/注销的理由 (shown on the verification "
                                                                     "page).")
    basis = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="The legal basis.")


class VerifySerializer(serializers.Serializer):
    """The QR code's token, or the number and holder code together."""

    token = serializers.CharField(required=False, max_length=400)
    number = serializers.CharField(required=False, max_length=48)
    holder_code = serializers.CharField(required=False, max_length=18)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("token"):
            return attrs
        errors = {}
        if not attrs.get("number"):
            errors["number"] = [_("请填写证照编号（或提供二维码中的 token）。")]
        if not attrs.get("holder_code"):
            errors["holder_code"] = [_("请填写持证主体代码。")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class VerifyUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=f"The PDF to check (at most {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB).")
    token = serializers.CharField(required=False, max_length=400,
                                  help_text="The QR code's token: compare with that licence only.")

    def validate_file(self, file: Any) -> Any:
        try:
            validate_document(file, allowed=(".pdf",), max_bytes=MAX_DOCUMENT_BYTES)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return file


class TemplateItemSerializer(ReadOnlySerializer):
    item = serializers.IntegerField(source="pk")
    implementation_code = serializers.CharField()
    name = serializers.CharField(source="published.name")
    licence_name = serializers.CharField(source="published.result_name")
    department = DepartmentRefSerializer()
    custom = serializers.BooleanField(help_text="False: the default layout.")


class PlaceholderSerializer(ReadOnlySerializer):
    name = serializers.CharField(help_text="Written as {{ name }} in the body.")
    description = serializers.CharField()


class TemplateSerializer(ReadOnlySerializer):
    item = serializers.IntegerField()
    body = serializers.CharField()
    custom = serializers.BooleanField(help_text="False: the default layout.")
    placeholders = PlaceholderSerializer(many=True)


class TemplateBodySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_TEMPLATE_LENGTH, trim_whitespace=False,
                                 help_text="HTML with {{ placeholder }} fields; no template tags.")

    def validate_body(self, body: str) -> str:
        errors = template_errors(body)
        if errors:
            raise serializers.ValidationError(errors)
        return body
