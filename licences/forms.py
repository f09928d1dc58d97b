"""Forms of the licence pages: public verification, the staff desk (delivery, revocation) and the template
editor. They check the shape of the input and name the field at fault; the rules stay in licences.services,
whose ValidationErrors the views put back on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from licences.rendering import MAX_TEMPLATE_LENGTH, template_errors
from licences.services import COLLECTOR_ID, TRACKING_NUMBER
from portal.uploads import MAX_DOCUMENT_BYTES, validate_document

TEXTAREA = {"rows": 3}

VALIDITY_CHOICES = [
    ("", _("全部")),
    ("rendering", _("制证中")),
    ("valid", _("有效")),
    ("expired", _("已过期")),
    ("revoked", pgettext_lazy("licence", "已撤销")),
    ("cancelled", _("已注销")),
    ("replaced", _("已换发")),
]
DELIVERY_CHOICES = [
    ("", _("全部")),
    ("awaiting_pickup", _("待窗口领取")),
    ("awaiting_express", _("待邮寄")),
    ("delivered", _("已送达")),
    ("overdue", _("送达超期")),
]


# --- public verification ---------------------------------------------------------------------------------
class VerifyForm(forms.Form):
    """By number and holder code together, as printed on the licence."""

    number = forms.CharField(label=_("证照编号"), max_length=48,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                             error_messages={"required": _("请填写证照编号。")})
    holder_code = forms.CharField(label=_("持证主体代码"), max_length=18,
                                  help_text=_("身份证号码或统一社会信用代码。"),
                                  widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                                  error_messages={"required": _("请填写持证主体代码。")})


class UploadForm(forms.Form):
    """A PDF someone was given as a licence: is it the one issued, and is its signature sound?"""

    file = forms.FileField(label=_("证照 PDF 文件"),
                           help_text=_("不超过 10 MB 的 PDF 文件；文件只用于核验，不会保存。"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
                           error_messages={"required": _("请选择要核验的 PDF 文件。")})

    def clean_file(self) -> UploadedFile:
        file = self.cleaned_data["file"]
        try:
            validate_document(file, allowed=(".pdf",), max_bytes=MAX_DOCUMENT_BYTES)
        except ValidationError as exc:
            raise ValidationError(_("请上传证照的 PDF 文件：%(reason)s") % {"reason": " ".join(exc.messages)}) from exc
        return file


# --- the staff desk --------------------------------------------------------------------------------------
class DeskFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("证照状态"), choices=VALIDITY_CHOICES, required=False)
    delivery = forms.ChoiceField(label=_("送达情况"), choices=DELIVERY_CHOICES, required=False)
    q = forms.CharField(label=_("证照编号、申请编号或持证主体"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))


class PickupForm(forms.Form):
    collected_by = forms.CharField(label=_("领取人姓名"), max_length=100,
                                   error_messages={"required": _("请填写领取人姓名。")})
    id_number = forms.RegexField(label=_("领取人证件号码"), regex=rf"^(?:{COLLECTOR_ID})$", max_length=18,
                                 required=False, help_text=_("只保存遮盖后的号码。"),
                                 widget=forms.TextInput(attrs={"autocomplete": "off"}),
                                 error_messages={"invalid": _("请填写正确的领取人证件号码。")})


class DispatchForm(forms.Form):
    company = forms.CharField(label=_("快递公司"), max_length=50, error_messages={"required": _("请填写快递公司。")})
    tracking_number = forms.RegexField(label=_("快递单号"), regex=rf"^(?:{TRACKING_NUMBER})$", max_length=40,
                                       error_messages={"required": _("请填写快递单号。"),
                                                       "invalid": _("请填写正确的快递单号（6–40 位字母或数字）。")})


class EndForm(forms.Form):
    """撤销 (Art. 69) or 注销 (Art. 70), with the reasons; confirmed on a second page before it is done."""

    kind = forms.ChoiceField(label=_("处理方式"), choices=[("revoke", _("撤销")), ("cancel", _("注销"))],
                             widget=forms.RadioSelect, error_messages={"required": _("请选择撤销或注销。")})
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA),
                             error_messages={"required": _("请写明撤销或注销的理由。")})
    basis = forms.CharField(label=_("法律依据"), max_length=200, required=False,
                            help_text=_("例如：《中华人民共和国行政许可法》第六十九条。"))

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("请写明撤销或注销的理由。"))
        return reason


# --- the template editor ---------------------------------------------------------------------------------
class TemplateForm(forms.Form):
    body = forms.CharField(label=_("证照版式"), strip=False, max_length=MAX_TEMPLATE_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false"}),
                           help_text=_("HTML，用 {{ 占位符 }} 插入证照信息；申请人填写的内容会被转义。"),
                           error_messages={"required": _("证照版式不能为空。")})

    def clean_body(self) -> Any:
        body = self.cleaned_data["body"]
        errors = template_errors(body)
        if errors:
            raise ValidationError(errors)
        return body
