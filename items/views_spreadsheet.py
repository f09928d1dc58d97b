"""The catalogue administrator's workbook pages: export, the empty template, and the import."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from items import spreadsheet
from portal.models import Role
from portal.permissions import role_required

admin_only = role_required(Role.CATALOGUE_ADMIN)
SUMMARY_SESSION_KEY = "catalogue_import_summary"
MAX_ERRORS_SHOWN = 1000


class CatalogueImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("事项清单工作簿"),
        help_text=gettext_lazy("导出的清单或下载的模板填写后的 .xlsx 文件，不超过 5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{spreadsheet.XLSX_CONTENT_TYPE}"}),
    )
    dry_run = forms.BooleanField(label=gettext_lazy("只校验，不导入"), required=False)

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        try:
            spreadsheet.check_workbook_file(file)
        except spreadsheet.WorkbookFileError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc
        return file


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=spreadsheet.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin_only
@require_GET
@never_cache
def catalogue_export(request: HttpRequest) -> HttpResponse:
    data = spreadsheet.catalogue_export(actor=request.user)
    return _xlsx(data, f"catalogue-{date.today():%Y%m%d}.xlsx")


@admin_only
@require_GET
def catalogue_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(spreadsheet.workbook_bytes(spreadsheet.template_workbook()), "catalogue-template.xlsx")


@admin_only
@require_http_methods(["GET", "POST"])
def catalogue_import(request: HttpRequest) -> HttpResponse:
    """Check every row of the upload; show every error, or write it all (or, on request, only check)."""
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "errors": None, "preview": None, "summary": None}
    if request.method == "GET":
        context["summary"] = request.session.pop(SUMMARY_SESSION_KEY, None)
        return render(request, "items/catalogue_import.html", context)
    if not form.is_valid():
        return render(request, "items/catalogue_import.html", context)
    dry_run = form.cleaned_data["dry_run"]
    try:
        parsed = spreadsheet.parse_workbook(form.cleaned_data["file"])
    except spreadsheet.CatalogueImportError as exc:
        if not dry_run:
            spreadsheet.catalogue_import_refused(actor=request.user, errors=exc.errors)
        return _errors(request, context, exc)
    if dry_run:
        context["preview"] = parsed.summary().as_dict()
        return render(request, "items/catalogue_import.html", context)
    try:
        summary = spreadsheet.catalogue_import(actor=request.user, parsed=parsed)
    except spreadsheet.CatalogueImportError as exc:  # found while writing; rolled back and audited
        return _errors(request, context, exc)
    request.session[SUMMARY_SESSION_KEY] = summary.as_dict()
    messages.success(request, _("事项清单已导入。导入的事项均为草稿，提交审核并发布后才对公众可见。"))
    return redirect("catalogue_import")


def _errors(request: HttpRequest, context: dict[str, Any], exc: spreadsheet.CatalogueImportError) -> HttpResponse:
    context["errors"] = exc.errors[:MAX_ERRORS_SHOWN]
    context["error_count"] = len(exc.errors)
    return render(request, "items/catalogue_import.html", context)
