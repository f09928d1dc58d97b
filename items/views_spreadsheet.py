"""The catalogue administrator's workbook pages: export, the empty template, and the import."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from items import spreadsheet
from items.imports import import_progress, import_start
from items.models import CatalogueImport
from portal.models import Role
from portal.permissions import role_required

admin_only = role_required(Role.CATALOGUE_ADMIN)
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
    """Upload a workbook; it is checked and imported in the background while its page shows progress."""
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_start(actor=request.user, upload=form.cleaned_data["file"],
                           dry_run=form.cleaned_data["dry_run"])
        return redirect("catalogue_import_job", pk=job.pk)
    recent = CatalogueImport.objects.filter(actor=request.user)[:5]
    return render(request, "items/catalogue_import.html", {"form": form, "recent": recent})


@admin_only
@require_GET
@never_cache
def catalogue_import_job(request: HttpRequest, pk: str) -> HttpResponse:
    """The job's progress (polled by htmx while it runs) and then its result or every error."""
    job = get_object_or_404(CatalogueImport, pk=pk)
    context = {
        "job": job,
        "progress": import_progress(job),
        "errors": job.errors[:MAX_ERRORS_SHOWN],
    }
    template = "items/_import_job.html" if request.htmx else "items/catalogue_import_job.html"  # type: ignore[attr-defined]
    return render(request, template, context)
