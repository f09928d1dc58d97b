"""Forms of the clerk's one-window desk (综合窗口) and the administrator's credit page.

They check the shape of the input (required, lengths, choices) and name the field at fault; the rules of
intake stay in the services, whose ValidationErrors are put back on these forms by the views.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.models import ApplicantKind, ApplicationMaterial, CreditGrade, MaterialStatus
from items.application_form import validate_phone
from items.models import FormField

OTHER_ROWS = 3  # blank "other" rows of the one-time notice; desk.js adds more (up to MAX_OTHER_ROWS)
MAX_OTHER_ROWS = 20
TEXTAREA = {"rows": 2}


# --- finding and registering applicants -------------------------------------------------------------
class ApplicantSearchForm(forms.Form):
    """Sent by POST: an ID number typed into a search box must not end up in a URL (PIPL)."""

    q = forms.CharField(label=_("身份证号码、统一社会信用代码或姓名/名称"), max_length=50,
                        help_text=_("证件号码须输入完整的 18 位；名称可输入其中一部分。"),
                        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))


class ApplicantRegisterForm(forms.Form):
    kind = forms.ChoiceField(label=_("申请人类型"), choices=ApplicantKind.choices, initial=ApplicantKind.PERSON,
                             widget=forms.RadioSelect)
    name = forms.CharField(label=_("姓名/名称"), max_length=200)
    id_number = forms.CharField(label=_("身份证号码"), max_length=18, required=False,
                                help_text=_("自然人填写。"),
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False, help_text=_("企业填写。"),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=100, required=False,
                                           help_text=_("企业填写。"))
    contact_name = forms.CharField(label=_("联系人"), max_length=100, required=False, help_text=_("企业填写。"))
    phone = forms.CharField(label=_("联系电话"), max_length=20, validators=[validate_phone],
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        if kind == ApplicantKind.PERSON and not data.get("id_number"):
            self.add_error("id_number", _("个人申请人须填写身份证号码。"))
        if kind == ApplicantKind.ENTERPRISE:
            if not data.get("uscc"):
                self.add_error("uscc", _("企业申请人须填写统一社会信用代码。"))
            if not data.get("legal_representative"):
                self.add_error("legal_representative", _("企业申请人须填写法定代表人。"))
        return data

    def service_kwargs(self) -> dict[str, str]:
        """What `applicant_register` takes: only the identity of the chosen kind, and the profile given."""
        data = self.cleaned_data
        kwargs = {"kind": data["kind"], "name": data["name"], "phone": data["phone"]}
        if data["kind"] == ApplicantKind.PERSON:
            kwargs["id_number"] = data["id_number"]
        else:
            kwargs.update(uscc=data["uscc"], legal_representative=data["legal_representative"],
                          contact_name=data["contact_name"])
        return kwargs


# --- starting an application at the window ---------------------------------------------------------
class ItemSearchForm(forms.Form):
    q = forms.CharField(label=_("搜索事项"), max_length=50, required=False,
                        help_text=_("输入事项名称、拼音或首字母。"),
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))


class IntakeStartForm(forms.Form):
    """Which item (or bundle) for which applicant; `key` makes a double-clicked button start one draft."""

    applicant = forms.IntegerField(widget=forms.HiddenInput)
    item = forms.IntegerField(required=False, widget=forms.HiddenInput)
    bundle = forms.IntegerField(required=False, widget=forms.HiddenInput)
    ticket = forms.IntegerField(required=False, widget=forms.HiddenInput)
    key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (data.get("item") is None) == (data.get("bundle") is None):
            raise forms.ValidationError(_("请选择一个事项或一个“一件事”。"))
        return data


# --- the intake page -----------------------------------------------------------------------------------
class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadForm(forms.Form):
    """One material's scans; the view passes every file to `material_upload`, which checks them all."""

    scans = forms.FileField(label=_("扫描件"),
                            widget=MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx"}),
                            help_text=_("可多选；PDF、图片或 Office 文件，每个不超过 10 MB。"))


class CommitForm(forms.Form):
    signed_name = forms.CharField(label=_("承诺人签名（输入申请人姓名/名称）"), max_length=100)


class ProxyForm(forms.Form):
    """帮办代办: the agent who came for the applicant, and the signed authorisation (scanned)."""

    agent = forms.CharField(label=_("代办人姓名及联系电话"), max_length=200)
    authorisation = forms.FileField(label=_("授权委托书（扫描件）"))


class InterviewForm(forms.Form):
    note = forms.CharField(label=_("约谈情况"), max_length=500, widget=forms.Textarea(attrs=TEXTAREA))


class RefuseForm(forms.Form):
    """不予受理 with the 双告知: why not, and how the applicant could succeed."""

    reasons = forms.CharField(label=_("不予受理的理由"), max_length=1000, widget=forms.Textarea(attrs=TEXTAREA))
    competent_authority = forms.CharField(label=_("有权受理的机关"), max_length=200, required=False,
                                          help_text=_("不属于本机关职权范围的，告知有权受理的机关。"))
    how_to_succeed = forms.CharField(label=_("如何才能符合条件（双告知）"), max_length=1000,
                                     widget=forms.Textarea(attrs=TEXTAREA))


class RongqueForm(forms.Form):
    """容缺受理: only secondary materials (可容缺) are offered; the deadline is at most `latest`."""

    missing = forms.TypedMultipleChoiceField(label=_("容缺后补的材料"), coerce=int,
                                             widget=forms.CheckboxSelectMultiple)
    due = forms.DateField(label=_("补齐期限"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    signed_name = forms.CharField(label=_("申请人签名（输入申请人姓名/名称）"), max_length=100)

    def __init__(self, *args: Any, materials: Iterable[ApplicationMaterial], latest: date, **kwargs: Any) -> None:
        offered = [m for m in materials if m.may_be_missing]
        kwargs.setdefault("initial", {}).update(
            due=latest, missing=[m.pk for m in offered if m.status == MaterialStatus.MISSING])
        super().__init__(*args, **kwargs)
        self.latest = latest
        missing = self.fields["missing"]
        assert isinstance(missing, forms.ChoiceField)
        missing.choices = [(m.pk, m.name) for m in offered]
        self.fields["due"].help_text = _("不得晚于承诺办结期限 %(latest)s。") % {"latest": latest}
        self.fields["due"].widget.attrs["max"] = latest.isoformat()

    def clean_due(self) -> date:
        due: date = self.cleaned_data["due"]
        if due > self.latest:
            raise forms.ValidationError(_("补齐期限不得晚于承诺办结期限 %(latest)s。") % {"latest": self.latest})
        return due


class SupplementForm(forms.Form):
    """一次性告知: every material and every form field with a tick and what to correct, plus free rows.

    All problems are sent at once in ONE notice; a ticked row needs its text, and text alone ticks its row.
    """

    other_rows = forms.IntegerField(min_value=OTHER_ROWS, max_value=MAX_OTHER_ROWS, initial=OTHER_ROWS,
                                    required=False, widget=forms.HiddenInput(attrs={"data-other-rows": ""}))

    def __init__(self, *args: Any, materials: Iterable[ApplicationMaterial], fields: Iterable[FormField],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.material_rows: list[tuple[ApplicationMaterial, str, str]] = []
        self.field_rows: list[tuple[FormField, str, str]] = []
        self.other_row_names: list[tuple[str, str]] = []
        for material in materials:
            tick, text = f"m{material.pk}", f"m{material.pk}_problem"
            missing = material.required and material.status == MaterialStatus.MISSING
            self.fields[tick] = forms.BooleanField(label=material.name, required=False, initial=missing)
            self.fields[text] = forms.CharField(
                label=_("“%(name)s”需补正的内容") % {"name": material.name}, max_length=1000, required=False,
                initial=_("未提交该材料。") if missing else "", widget=forms.Textarea(attrs=TEXTAREA))
            self.material_rows.append((material, tick, text))
        seen = set()
        for spec in fields:
            if spec.key in seen or spec.field_type == "file":
                continue
            seen.add(spec.key)
            tick, text = f"f_{spec.key}", f"f_{spec.key}_problem"
            self.fields[tick] = forms.BooleanField(label=spec.label, required=False)
            self.fields[text] = forms.CharField(
                label=_("“%(name)s”需补正的内容") % {"name": spec.label}, max_length=1000, required=False,
                widget=forms.Textarea(attrs=TEXTAREA))
            self.field_rows.append((spec, tick, text))
        for i in range(self._other_count()):
            subject, text = f"other{i}_subject", f"other{i}_problem"
            self.fields[subject] = forms.CharField(label=_("其他事项 %(n)s") % {"n": i + 1}, max_length=200,
                                                   required=False)
            self.fields[text] = forms.CharField(label=_("其他事项 %(n)s 需补正的内容") % {"n": i + 1},
                                                max_length=1000, required=False, widget=forms.Textarea(attrs=TEXTAREA))
            self.other_row_names.append((subject, text))

    def _other_count(self) -> int:
        raw = self.data.get("other_rows") if self.is_bound else None
        try:
            return max(OTHER_ROWS, min(MAX_OTHER_ROWS, int(raw or OTHER_ROWS)))
        except (TypeError, ValueError):
            return OTHER_ROWS

    def bound_material_rows(self) -> list[tuple[ApplicationMaterial, forms.BoundField, forms.BoundField]]:
        return [(m, self[tick], self[text]) for m, tick, text in self.material_rows]

    def bound_field_rows(self) -> list[tuple[FormField, forms.BoundField, forms.BoundField]]:
        return [(f, self[tick], self[text]) for f, tick, text in self.field_rows]

    def bound_other_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[subject], self[text]) for subject, text in self.other_row_names]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        problems: list[dict[str, Any]] = []
        need_text = _("已勾选，请写明需要补正的内容。")
        for material, tick, text in self.material_rows:
            if data.get(tick) or data.get(text):
                if not (data.get(text) or "").strip():
                    self.add_error(text, need_text)
                else:
                    problems.append({"material": material.pk, "problem": data[text].strip()})
        for spec, tick, text in self.field_rows:
            if data.get(tick) or data.get(text):
                if not (data.get(text) or "").strip():
                    self.add_error(text, need_text)
                else:
                    problems.append({"subject": str(spec.label), "problem": data[text].strip()})
        for subject, text in self.other_row_names:
            if (data.get(subject) or "").strip() and not (data.get(text) or "").strip():
                self.add_error(text, _("请写明“%(subject)s”需要补正的内容。") % {"subject": data[subject].strip()})
            elif (data.get(text) or "").strip():
                problems.append({"subject": (data.get(subject) or "").strip() or str(_("其他")),
                                 "problem": data[text].strip()})
        if not problems and not self.errors:
            raise forms.ValidationError(_("请至少列出一项需要补正的材料或内容。"))
        data["problems"] = problems
        return data


# --- the administrator's credit page -----------------------------------------------------------------
class CreditFilterForm(forms.Form):
    q = forms.CharField(label=_("企业名称或统一社会信用代码"), max_length=50, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    grade = forms.ChoiceField(label=_("信用等级"), required=False,
                              choices=[("", _("全部")), ("none", _("未评级")), *CreditGrade.choices])
    dishonest = forms.ChoiceField(label=_("失信记录"), required=False,
                                  choices=[("", _("全部")), ("yes", _("有")), ("no", _("无"))])


class CreditEditForm(forms.Form):
    applicant = forms.IntegerField(widget=forms.HiddenInput)
    grade = forms.ChoiceField(label=_("信用等级"), required=False, choices=[("", _("未评级")), *CreditGrade.choices])
    dishonest = forms.BooleanField(label=_("失信记录"), required=False)
    note = forms.CharField(label=_("信用说明"), max_length=200, required=False)

    def __init__(self, *args: Any, form_id: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if form_id:  # a row of the list table: its inputs belong to a form outside the table
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id


class CreditImportForm(forms.Form):
    file = forms.FileField(
        label=_("信用等级工作簿"),
        help_text=_("按模板填写的 .xlsx 文件：统一社会信用代码、信用等级、失信记录（是/否）、说明。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
