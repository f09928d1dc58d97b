"""The staff desk (证照管理) under /licences/desk/: the licences a clerk, reviewer, head or supervisor may see,
their progress while the PDF is made, delivery at the result window or by express (Art. 44), and revocation
or cancellation by the issuing department's head (Arts. 69, 70).

Who may see a licence is licences.selectors.licences_visible_to (404 otherwise); who may act is the
services' business (403); a state that no longer allows the action is a message on the reloaded page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from licences import selectors
from licences.forms import DeskFilterForm, DispatchForm, EndForm, PickupForm
from licences.models import DeliveryMethod, Licence, Status
from licences.services import (
    licence_end,
    licence_record_dispatch,
    licence_record_pickup,
    may_end,
)
from licences.views.common import DELIVERY_ROLES, REFUSALS, VERDICTS, licence_pdf_response, put_errors, refused
from portal.models import Role
from portal.permissions import has_role, role_required
from portal.services.audit import audit_record

DESK_ROLES = (Role.CLERK, Role.REVIEWER, Role.HEAD, Role.SUPERVISOR)
desk_staff = role_required(*DESK_ROLES)
PAGE_SIZE = 50


def _row(licence: Licence, today: Any) -> dict[str, Any]:
    verdict = licence.validity(today)
    return {"licence": licence, "verdict": verdict, "verdict_label": VERDICTS[verdict]}


@desk_staff
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    filters = DeskFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    today = timezone.localdate()
    licences = selectors.licences_filtered(selectors.licences_visible_to(request.user),
                                           validity=data.get("status") or "", delivery=data.get("delivery") or "",
                                           q=data.get("q") or "", today=today)
    page = Paginator(licences, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(request, "licences/desk.html", {
        "filters": filters, "page": page, "rows": [_row(licence, today) for licence in page],
        "page_query": kept.urlencode(), "today": today,
    })


@desk_staff
@require_GET
def desk_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """A row's status badge: htmx polls it while the licence is being made, and stops once it is ready."""
    licence = selectors.licence_get_for_user(user=request.user, pk=pk)
    return render(request, "licences/_progress.html", _row(licence, timezone.localdate()))


def _page(request: HttpRequest, licence: Licence, **bound: Any) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    # A paper licence to hand over (pick-up or express), even if it reached the holder electronically first.
    may_deliver = has_role(user, DELIVERY_ROLES) and licence.status == Status.VALID and licence.awaiting_handover
    context: dict[str, Any] = {
        **_row(licence, today),
        "today": today,
        "overdue": licence.delivered_at is None and (licence.deliver_overdue or licence.deliver_due < today),
        "may_end": may_end(user, licence) and licence.status == Status.VALID,
    }
    if may_deliver and licence.delivery_method == DeliveryMethod.PICKUP:
        context["pickup_form"] = bound.get("pickup_form") or PickupForm()
    if may_deliver and licence.delivery_method == DeliveryMethod.EXPRESS:
        context["dispatch_form"] = bound.get("dispatch_form") or DispatchForm()
    if context["may_end"]:
        context["end_form"] = bound.get("end_form") or EndForm()
    return render(request, "licences/desk_detail.html", context, status=bound.get("status", 200))


@desk_staff
@require_GET
def desk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.licence_get_for_user(user=request.user, pk=pk))


@login_required
@require_GET
def desk_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The signed PDF for staff (a personal document: every download is audited)."""
    if not has_role(request.user, DESK_ROLES):
        raise PermissionDenied
    licence = selectors.licence_get_for_user(user=request.user, pk=pk)
    response = licence_pdf_response(licence)
    audit_record(actor=request.user, action="licence.download", obj=licence, after={"by": "staff"})
    return response


@desk_staff
@require_POST
def desk_pickup(request: HttpRequest, pk: int) -> HttpResponse:
    """窗口领取: the clerk records who collected it (their ID number is stored masked)."""
    licence = selectors.licence_get_for_user(user=request.user, pk=pk)
    if not has_role(request.user, DELIVERY_ROLES):
        raise PermissionDenied
    form = PickupForm(request.POST)
    if form.is_valid():
        try:
            licence_record_pickup(licence=licence, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        except REFUSALS as exc:
            return refused(request, exc, "licence_desk_detail", licence.pk)
        else:
            messages.success(request, _("已登记领取，证照已送达。"))
            return redirect("licence_desk_detail", licence.pk)
    messages.error(request, _("未能登记，请按提示更正。"))
    return _page(request, licence, pickup_form=form)


@desk_staff
@require_POST
def desk_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    """免费邮寄: the clerk records the express company and tracking number."""
    licence = selectors.licence_get_for_user(user=request.user, pk=pk)
    if not has_role(request.user, DELIVERY_ROLES):
        raise PermissionDenied
    form = DispatchForm(request.POST)
    if form.is_valid():
        try:
            licence_record_dispatch(licence=licence, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        except REFUSALS as exc:
            return refused(request, exc, "licence_desk_detail", licence.pk)
        else:
            messages.success(request, _("已登记寄出，证照已送达。"))
            return redirect("licence_desk_detail", licence.pk)
    messages.error(request, _("未能登记，请按提示更正。"))
    return _page(request, licence, dispatch_form=form)


@desk_staff
@require_POST
def desk_end(request: HttpRequest, pk: int) -> HttpResponse:
    """撤销 / 注销 in two steps: the form, then a page that repeats it and asks to confirm (`confirmed=yes`)."""
    licence = selectors.licence_get_for_user(user=request.user, pk=pk)
    if not may_end(request.user, licence):
        raise PermissionDenied
    form = EndForm(request.POST)
    if form.is_valid():
        if request.POST.get("confirmed") != "yes":
            return render(request, "licences/desk_end_confirm.html", {
                **_row(licence, timezone.localdate()), "form": form,
                "kind_label": dict(form.fields["kind"].choices)[form.cleaned_data["kind"]],  # type: ignore[attr-defined]
            })
        try:
            licence_end(licence=licence, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        except REFUSALS as exc:
            return refused(request, exc, "licence_desk_detail", licence.pk)
        else:
            messages.success(request, _("证照已撤销，核验页面即时显示。") if form.cleaned_data["kind"] == "revoke"
                             else _("证照已注销，核验页面即时显示。"))
            return redirect("licence_desk_detail", licence.pk)
    messages.error(request, _("未能提交，请按提示更正。"))
    return _page(request, licence, end_form=form)


@desk_staff
@require_GET
def case_licences(request: HttpRequest, number: str) -> HttpResponse:
    """The licences an approved application yielded, for its case page; htmx polls it while any is being
    made."""
    today = timezone.localdate()
    rows = [_row(licence, today) for licence in
            selectors.licences_of_application(user=request.user, application_number=number)]
    return render(request, "licences/_case_licences.html", {
        "rows": rows, "application_number": number,
        "rendering": any(row["verdict"] == "rendering" for row in rows),
    })
