from datetime import date

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from portal.api import MAX_PERIOD_WORKING_DAYS
from portal.services.calendar import CalendarImportError, NoticeEntry, parse_notice


class PortalPasswordChangeForm(PasswordChangeForm):
    """Validates only; the change itself is portal.services.accounts.user_set_password."""

    def save(self, commit: bool = True):  # type: ignore[no-untyped-def]
        raise RuntimeError("use user_set_password")


class DueDateForm(forms.Form):
    start = forms.DateField(
        label=_("起算日期（受理日）"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    days = forms.IntegerField(label=_("工作日数"), min_value=0, max_value=MAX_PERIOD_WORKING_DAYS, initial=20)


class CalendarImportForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    source = forms.CharField(label=_("依据"), max_length=200,
                             help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）"))
    notice = forms.CharField(
        label=_("放假与调休安排"), widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("每行一项：“起始日期[~结束日期] 休/班 名称”，例如 2027-01-01~2027-01-03 休 元旦；"
                    "2027-02-14 班 春节调休。未列出的日期按周一至周五上班、周六周日休息。"),
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = date.today().year + 1

    def clean_notice(self) -> list[NoticeEntry]:
        try:
            return parse_notice(self.cleaned_data["notice"])
        except CalendarImportError as exc:
            raise forms.ValidationError(
                [_("第 %(line)s 行：%(msg)s") % {"line": line, "msg": msg} for line, msg in exc.errors]
            ) from exc
