"""The catalogue administrator's pages: create, edit, review, publish, retire, diff, history, bundles, figures."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from items import services
from items.application_form import application_form
from items.forms import (
    BundleForm,
    BundleStageFormSet,
    FormFieldFormSet,
    ItemCreateForm,
    JointDepartmentFormSet,
    MaterialFormSet,
    ReviewForm,
    StepFormSet,
    VersionForm,
    formset_rows,
)
from items.models import Bundle, Item, ItemVersion, VersionStatus
from items.selectors import coverage, version_diff, versions_awaiting_review
from portal.errors import CONFLICTS, DomainError
from portal.models import AuditEvent, Role
from portal.permissions import role_required

admin_only = role_required(Role.CATALOGUE_ADMIN)


@admin_only
def item_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    items = Item.objects.select_related("department", "published").order_by("department__code",
                                                                            "implementation_code")
    if q:
        items = items.filter(Q(search_text__icontains=q.lower()) | Q(implementation_code__icontains=q)
                             | Q(versions__name__icontains=q)).distinct()
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    open_versions = {  # the draft or version in review of each item on this page
        v.item_id: v for v in ItemVersion.objects.filter(
            item__in=[item.pk for item in page], status__in=[VersionStatus.DRAFT, VersionStatus.IN_REVIEW])
    }
    rows = [(item, open_versions.get(item.pk)) for item in page]
    return render(request, "items/admin/item_list.html", {
        "page": page, "rows": rows, "q": q,
        "awaiting": versions_awaiting_review(reviewer=request.user)[:20],
        "my_drafts": ItemVersion.objects.filter(created_by=request.user, status=VersionStatus.DRAFT)
        .select_related("item")[:20],
    })


@admin_only
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest) -> HttpResponse:
    form = ItemCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            version = services.item_create(
                actor=request.user, department=d["department"], implementation_code=d["implementation_code"],
                basic_code=d["basic_code"], business_code=d["business_code"], node=d["node"],
                parent=d["parent_code"],
                content={"name": d["name"], "item_type": d["item_type"], "service_object": d["service_object"]},
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("事项已创建，请完善草稿内容。"))
            return redirect("catalogue_version", pk=version.pk)
    return render(request, "items/admin/item_new.html", {"form": form})


def _form_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _formsets(data: Any, files: Any, version: ItemVersion) -> dict[str, Any]:
    children = services.version_children(version)
    # The stored files themselves, so the editor shows their names (version_children has only the names).
    materials = [{**row, "blank_form": m.blank_form, "sample": m.sample}
                 for row, m in zip(children["materials"], version.materials.all(), strict=True)]
    return {
        "materials": MaterialFormSet(data, files, prefix="materials", initial=materials),
        "form_fields": FormFieldFormSet(data, prefix="form_fields", initial=children["form_fields"]),
        "steps": StepFormSet(data, prefix="steps", initial=children["steps"]),
        "joint_departments": JointDepartmentFormSet(data, prefix="joint", initial=children["joint_departments"]),
    }


@admin_only
@require_http_methods(["GET", "POST"])
def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole version on one page; a draft is editable, other states are shown read-only with actions."""
    version = get_object_or_404(ItemVersion.objects.select_related("item__department", "item__published"), pk=pk)
    editable = version.is_editable
    post = request.method == "POST" and editable
    form = VersionForm(request.POST if post else None, instance=version)
    formsets = _formsets(request.POST if post else None, request.FILES if post else None, version)
    if post and form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
        try:
            with transaction.atomic():
                version = services.version_update(
                    actor=request.user, version=version, content=form.content(), topics=form.cleaned_data["topics"],
                    **{name: formset_rows(fs) for name, fs in formsets.items()},
                )
                if request.POST.get("action") == "submit":
                    services.version_submit(actor=request.user, version=version)
        except ValidationError as exc:
            _form_errors(form, exc)
        except (DomainError, *CONFLICTS) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已提交审核。") if request.POST.get("action") == "submit" else _("已保存。"))
            return redirect("catalogue_version", pk=version.pk)
    if not editable and request.method == "POST":
        messages.error(request, _("只有草稿可以修改。"))
    return render(request, "items/admin/version_edit.html", {
        "version": version, "item": version.item, "form": form, "formsets": formsets, "editable": editable,
        "review_form": ReviewForm() if version.status == VersionStatus.IN_REVIEW else None,
        "can_review": version.status == VersionStatus.IN_REVIEW and not version.is_own(request.user),
    })


@admin_only
@require_http_methods(["GET", "POST"])
def version_form_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The application form as intake will render it; a POST only validates (nothing is saved)."""
    version = get_object_or_404(ItemVersion.objects.select_related("item"), pk=pk)
    form_class = application_form(version.form_fields.all())
    form = form_class(request.POST or None, request.FILES or None)
    valid = request.method == "POST" and form.is_valid()
    return render(request, "items/admin/form_preview.html", {"version": version, "form": form, "valid": valid})


@admin_only
@require_POST
def version_review(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ItemVersion, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("catalogue_version", pk=pk)
    try:
        if form.cleaned_data["decision"] == "approve":
            services.version_approve(actor=request.user, version=version, comment=form.cleaned_data["comment"])
            messages.success(request, _("已发布。公众现在看到的是这个版本。"))
        else:
            services.version_send_back(actor=request.user, version=version, comment=form.cleaned_data["comment"])
            messages.success(request, _("已退回编辑人修改。"))
    except (DomainError, ValidationError, *CONFLICTS) as exc:
        messages.error(request, _message(exc))
    return redirect("catalogue_version", pk=pk)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


@admin_only
@require_POST
def version_retire(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ItemVersion, pk=pk)
    try:
        services.version_retire(actor=request.user, version=version)
        messages.success(request, _("已停用。该事项不再对外提供。"))
    except (DomainError, *CONFLICTS) as exc:
        messages.error(request, str(exc))
    return redirect("catalogue_version", pk=pk)


@admin_only
@require_POST
def item_new_draft(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=pk)
    try:
        draft = services.version_new_draft(actor=request.user, item=item)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("catalogue_history", pk=pk)
    return redirect("catalogue_version", pk=draft.pk)


@admin_only
def item_history(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Item.objects.select_related("department", "published"), pk=pk)
    versions = list(item.versions.select_related("created_by", "submitted_by", "reviewed_by"))
    events = AuditEvent.objects.filter(
        object_type__in=["items.item", "items.itemversion"],
        object_id__in=[str(item.pk), *[str(v.pk) for v in versions]],
    ).order_by("-at")[:100]
    changes = None
    a, b = request.GET.get("a"), request.GET.get("b")
    by_number = {str(v.number): v for v in versions}
    if a in by_number and b in by_number:
        changes = version_diff(by_number[a], by_number[b])
    return render(request, "items/admin/item_history.html", {
        "item": item, "versions": versions, "events": events, "changes": changes, "a": a, "b": b,
    })


@admin_only
def coverage_page(request: HttpRequest) -> HttpResponse:
    rows = coverage()
    return render(request, "items/admin/coverage.html", {"rows": rows[:-1], "overall": rows[-1]})


@admin_only
def bundle_list(request: HttpRequest) -> HttpResponse:
    return render(request, "items/admin/bundle_list.html", {
        "bundles": Bundle.objects.select_related("lead_department").order_by("name"),
    })


@admin_only
@require_http_methods(["GET", "POST"])
def bundle_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    bundle = get_object_or_404(Bundle, pk=pk) if pk else None
    initial_stages: list[dict[str, Any]] = []
    if bundle is not None:
        stages = list(bundle.stages.prefetch_related("entries__item"))
        if stages:
            initial_stages = [{"name": s.name, "lead_department": s.lead_department_id,
                               "items": "\n".join(e.item.implementation_code for e in s.entries.all())}
                              for s in stages]
        else:
            initial_stages = [{"items": "\n".join(e.item.implementation_code
                                                  for e in bundle.entries.select_related("item"))}]
    form = BundleForm(request.POST or None, instance=bundle)
    stage_forms = BundleStageFormSet(request.POST or None, prefix="stages", initial=initial_stages)
    if request.method == "POST" and form.is_valid() and stage_forms.is_valid():
        rows = formset_rows(stage_forms)
        staged = [r for r in rows if r.get("name")]
        fields = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            saved = services.bundle_save(
                actor=request.user, bundle=bundle, fields=fields,
                items=[] if staged else [i for r in rows for i in r["items"]],
                stages=staged,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("主题套餐已保存。"))
            return redirect("catalogue_bundle_edit", pk=saved.pk)
    return render(request, "items/admin/bundle_edit.html", {"form": form, "stages": stage_forms, "bundle": bundle})
