"""Public catalogue pages: browse, search, the service guide (办事指南) with print view and QR code."""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import Any

import segno
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import cache_control

from items.models import ItemType, ItemVersion, Material, ServiceObject, Topic, VersionStatus
from items.selectors import (
    bundle_items,
    bundle_merged_form,
    bundle_merged_materials,
    item_by_code,
    items_for_audience,
    published_bundles,
    published_items,
    search_published_items,
)
from portal.models import Department

PAGE_SIZE = 20


def catalogue(request: HttpRequest) -> HttpResponse:
    """Browse by department, topic, life event and audience, or search by words or pinyin."""
    q = request.GET.get("q", "").strip()[:50]
    department = request.GET.get("department", "")
    topic = request.GET.get("topic", "")
    audience = request.GET.get("audience", "")
    item_type = request.GET.get("type", "")
    items: Any
    if q:
        items = search_published_items(q)
    else:
        qs = published_items()
        if department:
            qs = qs.filter(department__code=department)
        if topic.isdigit():
            qs = qs.filter(published__topics=int(topic))
        if audience in (ServiceObject.PERSON, ServiceObject.ENTERPRISE):
            qs = items_for_audience(qs, audience)
        if item_type in ItemType.values:
            qs = qs.filter(published__item_type=item_type)
        items = qs
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page, "q": q, "department": department, "topic": topic, "audience": audience,
        "item_type": item_type,
        "departments": Department.objects.filter(is_active=True, items__published__isnull=False).distinct(),
        "topics": Topic.objects.all(),
        "types": ItemType.choices,
        "bundles": published_bundles() if not (q or department or topic or item_type) else [],
        "query_string": _without_page(request),
    }
    template = "items/_results.html" if request.htmx else "items/catalogue.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _guide_context(code: str) -> dict:
    item = item_by_code(code)
    if item is None:
        raise Http404
    version = item.published
    assert version is not None
    return {
        "item": item,
        "v": version,
        "materials": version.materials.all(),
        "form_fields": version.form_fields.all(),
        "steps": version.steps.all(),
        "joint": version.joint_departments.select_related("department"),
        "topics": version.topics.all(),
        "children": published_items().filter(parent=item),
    }


def guide(request: HttpRequest, code: str) -> HttpResponse:
    context = _guide_context(code)
    context["qr_url"] = reverse("item_qr", args=[code])
    template = "items/guide_print.html" if request.GET.get("print") else "items/guide.html"
    return render(request, template, context)


@cache_control(max_age=3600, public=True)
def guide_qr(request: HttpRequest, code: str) -> HttpResponse:
    """A QR code (SVG) that opens the guide on a phone."""
    if item_by_code(code) is None:
        raise Http404
    url = request.build_absolute_uri(reverse("item_guide", args=[code]))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False, dark="#1f2328")
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


def catalogue_file(request: HttpRequest, name: str) -> FileResponse:
    """A blank form, filled sample or result sample of a published version, as a download."""
    published = VersionStatus.PUBLISHED
    listed = (
        Material.objects.filter(version__status=published).filter(Q(blank_form=name) | Q(sample=name)).exists()
        or ItemVersion.objects.filter(status=published, result_sample=name).exists()
    )
    if not listed or not default_storage.exists(name):
        raise Http404
    return FileResponse(default_storage.open(name, "rb"), as_attachment=True, filename=PurePath(name).name)


def bundles(request: HttpRequest) -> HttpResponse:
    return render(request, "items/bundles.html", {"bundles": published_bundles()})


def bundle_guide(request: HttpRequest, pk: int) -> HttpResponse:
    bundle = get_object_or_404(published_bundles(), pk=pk)
    stages = list(bundle.stages.select_related("lead_department").prefetch_related(
        "entries__item__published", "entries__item__department"))
    return render(request, "items/bundle_guide.html", {
        "bundle": bundle,
        "stages": stages,
        "items": bundle_items(bundle),
        "form": bundle_merged_form(bundle),
        "materials": bundle_merged_materials(bundle),
        "print": bool(request.GET.get("print")),
    })
