"""Forms of the catalogue editor. They validate input; the services in items/services.py write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from items.models import (
    CONTENT_FIELDS,
    FORM_FIELD_FIELDS,
    MATERIAL_FIELDS,
    STEP_FIELDS,
    Bundle,
    FormField,
    Item,
    ItemType,
    ItemVersion,
    Material,
    ServiceObject,
    Step,
    Topic,
)
from portal.models import Department
from portal.uploads import validate_document


class ItemCreateForm(forms.Form):
    department = forms.ModelChoiceField(label=_("实施部门"), queryset=Department.objects.filter(is_active=True))
    implementation_code = forms.CharField(label=_("实施编码"), max_length=36)
    basic_code = forms.CharField(label=_("基本编码"), max_length=12)
    business_code = forms.CharField(label=_("业务办理项编码"), max_length=50, required=False)
    node = forms.ChoiceField(label=_("层级"), choices=Item.Node.choices, initial=Item.Node.BUSINESS)
    parent_code = forms.CharField(label=_("上级事项实施编码"), max_length=36, required=False)
    name = forms.CharField(label=_("事项名称"), max_length=200)
    item_type = forms.ChoiceField(label=_("事项类型"), choices=ItemType.choices)
    service_object = forms.ChoiceField(label=_("服务对象"), choices=ServiceObject.choices)

    def clean_implementation_code(self) -> str:
        code = self.cleaned_data["implementation_code"].strip()
        if Item.objects.filter(implementation_code=code).exists():
            raise forms.ValidationError(_("该实施编码已存在。"))
        return code

    def clean_parent_code(self) -> Item | None:
        code = self.cleaned_data["parent_code"].strip()
        if not code:
            return None
        parent = Item.objects.filter(implementation_code=code).first()
        if parent is None:
            raise forms.ValidationError(_("没有实施编码为 %(code)s 的事项。") % {"code": code})
        return parent


class VersionForm(forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(label=_("主题"), queryset=Topic.objects.all(), required=False,
                                            widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ItemVersion
        fields = [*CONTENT_FIELDS, "topics"]
        widgets = {
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.Textarea(attrs={"rows": 3}),
            "fee_basis": forms.Textarea(attrs={"rows": 2}),
            "fee_standard": forms.Textarea(attrs={"rows": 2}),
            "fee_waiver": forms.Textarea(attrs={"rows": 2}),
            "reconsideration": forms.Textarea(attrs={"rows": 2}),
            "litigation": forms.Textarea(attrs={"rows": 2}),
            "auto_rules": forms.Textarea(attrs={"rows": 3}),
        }

    SECTIONS = [
        (_("基本信息"), ["name", "item_type", "level", "service_object", "topics", "legal_basis", "conditions"]),
        (_("办理时限（工作日）"), ["statutory_limit", "statutory_note", "promised_limit", "promised_note", "instant",
                          "acceptance_limit", "issue_limit", "extension_limit"]),
        (_("最多跑一次"), ["visits", "visits_reason", "online_depth", "citywide", "id_card_only", "appointment",
                      "express", "online_payment"]),
        (_("收费"), ["charged", "fee_basis", "fee_standard", "fee_waiver"]),
        (_("办理结果与救济途径"), ["result_type", "result_name", "licence_validity_months", "licence_definer_uscc",
                           "licence_type_code", "reconsideration", "litigation"]),
        (_("并联审批规则"), ["all_must_approve", "one_veto", "timeout_consent", "absence_consent",
                       "verification_signoffs", "auto_rules"]),
    ]

    def sections(self) -> list[tuple[Any, list[Any]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def content(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in CONTENT_FIELDS}


class NamedFileInput(forms.ClearableFileInput):
    """Shows a stored file by name: drafts' files are not public, so there is no link to offer."""

    template_name = "items/widgets/named_file_input.html"


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = [*MATERIAL_FIELDS, "blank_form", "sample"]
        widgets = {"standard": forms.Textarea(attrs={"rows": 2}), "blank_form": NamedFileInput,
                   "sample": NamedFileInput}

    def clean_blank_form(self) -> Any:
        return _checked_file(self.cleaned_data.get("blank_form"))

    def clean_sample(self) -> Any:
        return _checked_file(self.cleaned_data.get("sample"))


def _checked_file(value: Any) -> Any:
    if value and hasattr(value, "content_type"):  # a new upload, not the file already stored
        validate_document(value)
    return value


class FormFieldForm(forms.ModelForm):
    choices = forms.CharField(label=_("选项"), required=False, help_text=_("用顿号“、”分隔"))

    class Meta:
        model = FormField
        fields = list(FORM_FIELD_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = kwargs.get("initial")
        if initial and isinstance(initial.get("choices"), list):
            kwargs["initial"] = {**initial, "choices": "、".join(initial["choices"])}
        super().__init__(*args, **kwargs)

    def clean_choices(self) -> list[str]:
        text = self.cleaned_data.get("choices") or ""
        return [c.strip() for c in text.replace(",", "、").replace("，", "、").split("、") if c.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("field_type") == "choice" and not data.get("choices"):
            self.add_error("choices", _("选项类字段至少要有一个选项。"))
        return data


class StepForm(forms.ModelForm):
    class Meta:
        model = Step
        fields = list(STEP_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class JointDepartmentForm(forms.Form):
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.filter(is_active=True))
    review_days = forms.IntegerField(label=_("审查时限（工作日）"), min_value=1, max_value=60, initial=5)


def _formset(form: type[forms.BaseForm]) -> Any:
    return forms.formset_factory(form, extra=1, can_delete=True, max_num=100, validate_max=True)


MaterialFormSet = _formset(MaterialForm)
FormFieldFormSet = _formset(FormFieldForm)
StepFormSet = _formset(StepForm)
JointDepartmentFormSet = _formset(JointDepartmentForm)


def formset_rows(formset: Any) -> list[dict[str, Any]]:
    """The kept, non-empty rows of a valid formset, in order."""
    return [
        {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("审核通过并发布")), ("send_back", _("退回修改"))],
                                 widget=forms.RadioSelect, label=_("审核结论"))
    comment = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "send_back" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("退回须写明意见。"))
        return data


class BundleForm(forms.ModelForm):
    class Meta:
        model = Bundle
        fields = ["name", "kind", "lead_department", "audience", "topic", "guide", "promised_limit", "is_published"]
        widgets = {"guide": forms.Textarea(attrs={"rows": 5})}


class BundleStageForm(forms.Form):
    name = forms.CharField(label=_("阶段名称"), max_length=60, required=False,
                           help_text=_("不分阶段的套餐留空"))
    lead_department = forms.ModelChoiceField(label=_("牵头部门（段长）"), required=False,
                                             queryset=Department.objects.filter(is_active=True))
    items = forms.CharField(label=_("事项实施编码"), widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("每行一个实施编码；同一阶段内的事项并联审批"))

    def clean_items(self) -> list[Item]:
        codes = [c.strip() for c in self.cleaned_data["items"].split() if c.strip()]
        found = {i.implementation_code: i for i in Item.objects.filter(implementation_code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            raise forms.ValidationError(_("没有这些事项：%(codes)s") % {"codes": "、".join(missing)})
        return [found[c] for c in codes]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("name") and not data.get("lead_department"):
            self.add_error("lead_department", _("分阶段时每个阶段须有牵头部门。"))
        return data


BundleStageFormSet = forms.formset_factory(BundleStageForm, extra=1, can_delete=True, max_num=10)
