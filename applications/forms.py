"""Forms of the applicant's pages: they check input shape only; the filing services decide the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.models import Document
from portal.uploads import DOCUMENT_TYPES

ACCEPT = ",".join(DOCUMENT_TYPES)


class StartForm(forms.Form):
    """The guide page's "在线申报" button: a fresh key per rendering, so a double click opens one draft."""

    idempotency_key = forms.CharField(max_length=64, required=False,
                                      validators=[RegexValidator(r"^[A-Za-z0-9-]*$")])


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the filing service (size, type by content, pixels)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data or self.required else []


class UploadForm(forms.Form):
    file = MultipleFileField(label=_("选择文件"), error_messages={"required": _("请选择要上传的文件。")},
                              help_text=_("可多选；PDF、Word、Excel 或图片，每个文件不超过 10 MB。"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # filing.js warns before sending more files than one request may carry.
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        if limit:
            self.fields["file"].widget.attrs.update({
                "data-max-files": limit,
                "data-max-files-message": gettext("一次最多上传 %(n)s 个文件，请分批上传。") % {"n": limit}})


class ReuseForm(forms.Form):
    """Pick one of the applicant's earlier files for this material (免提交)."""

    document = forms.ChoiceField(label=_("使用以前提交过的文件"),
                                 error_messages={"required": _("请选择要复用的文件。"),
                                                 "invalid_choice": _("请选择要复用的文件。")})

    def __init__(self, *args: Any, documents: list[Document], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents = {str(d.pk): d for d in documents}
        field = self.fields["document"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(key, f"{d.original_name}（{timezone.localtime(d.uploaded_at):%Y-%m-%d}）")
                         for key, d in self.documents.items()]

    def clean_document(self) -> Document:
        return self.documents[self.cleaned_data["document"]]


class CommitmentForm(forms.Form):
    signed_name = forms.CharField(label=_("承诺人签名（请输入姓名或单位名称）"), max_length=100,
                                  error_messages={"required": _("请签署承诺人姓名。")})


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因（可不填）"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class TrackForm(forms.Form):
    number = forms.CharField(label=_("申请编号"), max_length=32,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    query_code = forms.CharField(label=_("查询码"), max_length=8,
                                 widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))


class StaffForm(forms.Form):
    ADD, REMOVE = "add", "remove"

    username = forms.CharField(label=_("经办人用户名"), max_length=150)
    action = forms.ChoiceField(choices=[(ADD, _("添加")), (REMOVE, _("移除"))], initial=ADD,
                               widget=forms.HiddenInput)
