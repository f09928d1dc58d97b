"""Forms of the review pages (the department's desk, the case page, the head's pages).

They check the shape of the input (required, lengths, choices) and name the field at fault; the rules of
review stay in the services, whose ValidationErrors the views put back on these forms.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from applications.forms import MultipleFileField
from applications.models import ApplicationMaterial
from approvals.models import Pause
from approvals.services.procedures import ART45_KINDS
from approvals.services.tasks import MAX_ATTACHMENTS
from portal.models import Department, User

TEXTAREA = {"rows": 3}
OTHER_ROWS = 3  # free rows of "other items" in the return-for-supplement form
# Interpolated when shown, in the reader's language (a lazy string's % would translate it at import).
ATTACHMENT_HELP = lazy(lambda: _("可多选，最多 %(n)s 个；PDF、图片或 Office 文件，每个不超过 10 MB。") % {
    "n": MAX_ATTACHMENTS}, str)()

STATE_CHOICES = [
    ("open", _("未办结")),
    ("mine", _("我承办的")),
    ("pending", _("待认领")),
    ("in_review", _("审查中")),
    ("returned", _("退回补正")),
    ("approved", _("同意")),
    ("rejected", _("不同意")),
    ("deemed_approved", _("超时默许")),
    ("all", _("全部")),
]


class InboxFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("任务状态"), choices=STATE_CHOICES, required=False, initial="open")
    overdue = forms.BooleanField(label=_("只看已超期"), required=False)
    due_soon = forms.BooleanField(label=_("只看即将到期（3 个工作日内）"), required=False)
    q = forms.CharField(label=_("事项名称或申请编号"), max_length=100, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))


def _attachments(label: Any) -> MultipleFileField:
    return MultipleFileField(label=label, required=False, help_text=ATTACHMENT_HELP)


# --- opinions -------------------------------------------------------------------------------------------
class ApproveForm(forms.Form):
    text = forms.CharField(label=_("同意意见"), max_length=5000, widget=forms.Textarea(attrs=TEXTAREA),
                           error_messages={"required": _("请填写审查意见。")})
    attachments = _attachments(_("同意意见附件"))


class RejectForm(forms.Form):
    text = forms.CharField(label=_("不同意的理由"), max_length=5000, widget=forms.Textarea(attrs=TEXTAREA),
                           error_messages={"required": _("不同意须写明理由。")})
    attachments = _attachments(_("不同意意见附件"))


class ReturnForm(forms.Form):
    """退回补正: tick each material the applicant must give again and say what is needed, or name other items.
    A ticked row needs its text, and text alone ticks its row; at least one row."""

    text = forms.CharField(label=_("退回说明（可选）"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    attachments = _attachments(_("退回补正附件"))

    def __init__(self, *args: Any, materials: Iterable[ApplicationMaterial], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.material_rows: list[tuple[ApplicationMaterial, str, str]] = []
        self.other_row_names: list[tuple[str, str]] = []
        for material in materials:
            tick, text = f"m{material.pk}", f"m{material.pk}_problem"
            self.fields[tick] = forms.BooleanField(label=material.name, required=False)
            self.fields[text] = forms.CharField(
                label=_("“%(name)s”需要补正的内容") % {"name": material.name}, max_length=1000, required=False,
                widget=forms.Textarea(attrs={"rows": 2}))
            self.material_rows.append((material, tick, text))
        for i in range(OTHER_ROWS):
            subject, text = f"other{i}_subject", f"other{i}_problem"
            self.fields[subject] = forms.CharField(label=_("其他事项 %(n)s") % {"n": i + 1}, max_length=200,
                                                   required=False)
            self.fields[text] = forms.CharField(label=_("其他事项 %(n)s 需要补正的内容") % {"n": i + 1},
                                                max_length=1000, required=False,
                                                widget=forms.Textarea(attrs={"rows": 2}))
            self.other_row_names.append((subject, text))

    def bound_material_rows(self) -> list[tuple[ApplicationMaterial, forms.BoundField, forms.BoundField]]:
        return [(m, self[tick], self[text]) for m, tick, text in self.material_rows]

    def bound_other_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[subject], self[text]) for subject, text in self.other_row_names]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        problems: list[dict[str, Any]] = []
        for material, tick, text in self.material_rows:
            said = (data.get(text) or "").strip()
            if data.get(tick) and not said:
                self.add_error(text, _("已勾选，请写明需要补正的内容。"))
            elif said:
                problems.append({"material": material.pk, "problem": said})
        for subject, text in self.other_row_names:
            named, said = (data.get(subject) or "").strip(), (data.get(text) or "").strip()
            if named and not said:
                self.add_error(text, _("请写明“%(subject)s”需要补正的内容。") % {"subject": named})
            elif said:
                problems.append({"subject": named or str(_("其他")), "problem": said})
        if not problems and not self.errors:
            raise forms.ValidationError(_("请至少列出一项需要补正的材料或内容。"))
        data["problems"] = problems
        return data


# --- procedures -------------------------------------------------------------------------------------------
class PauseForm(forms.Form):
    """《行政许可法》第四十五条: a procedure whose time is not counted; the applicant is told in writing."""

    kind = forms.ChoiceField(label=_("特别程序"),
                             choices=[("", "—"), *[(k, Pause.Kind(k).label) for k in ART45_KINDS]])
    reason = forms.CharField(label=_("启动事由"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))
    expected_days = forms.IntegerField(label=_("预计所需时间（工作日）"), min_value=1, max_value=250)


class ExtensionRequestForm(forms.Form):
    reasons = forms.CharField(label=_("延期理由"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA),
                              error_messages={"required": _("请写明延期理由。")})


class InspectionForm(forms.Form):
    """联合踏勘: one visit for every department that needs to see the site."""

    scheduled_on = forms.DateField(label=_("踏勘日期"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("踏勘地点"), max_length=200)
    departments = forms.ModelMultipleChoiceField(label=_("邀请参加的部门"), queryset=Department.objects.none(),
                                                 required=False, widget=forms.CheckboxSelectMultiple)
    participants = forms.CharField(label=_("参加人员"), max_length=2000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments  # type: ignore[attr-defined]


class InspectionRecordForm(forms.Form):
    record = forms.CharField(label=_("踏勘记录"), max_length=5000, widget=forms.Textarea(attrs=TEXTAREA),
                             error_messages={"required": _("请填写踏勘记录。")})
    participants = forms.CharField(label=_("实际参加人员"), max_length=2000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))


class ReassignForm(forms.Form):
    to = forms.ModelChoiceField(label=_("改派给"), queryset=User.objects.none(), empty_label="—")

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = staff  # type: ignore[attr-defined]


# --- decisions ---------------------------------------------------------------------------------------------
class ApproveDecisionForm(forms.Form):
    reasons = forms.CharField(label=_("准予许可的说明（可选）"), max_length=5000, required=False,
                              widget=forms.Textarea(attrs=TEXTAREA))


class DenyDecisionForm(forms.Form):
    """不予许可: the reasons and how the applicant could succeed (双告知); the remedies are added by the service."""

    reasons = forms.CharField(label=_("不予许可的理由"), max_length=5000, widget=forms.Textarea(attrs=TEXTAREA),
                              error_messages={"required": _("请写明不予许可的理由。")})
    how_to_succeed = forms.CharField(label=_("如何才能符合条件"), max_length=5000,
                                     widget=forms.Textarea(attrs=TEXTAREA),
                                     error_messages={"required": _("请告知申请人如何才能符合条件（双告知）。")})


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("grant", _("批准延期")), ("refuse", _("不予批准"))],
                                 widget=forms.HiddenInput)
    comment = forms.CharField(label=_("审批意见"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("不予批准须写明理由。"))


# --- A/B posts ---------------------------------------------------------------------------------------------
class BackupForm(forms.Form):
    backup = forms.ModelChoiceField(label=_("B岗"), queryset=User.objects.none(), empty_label="—")

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["backup"].queryset = staff  # type: ignore[attr-defined]
