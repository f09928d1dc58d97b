"""The case page: the stages with their tasks and outcomes, the clock, and the lead department's decision
(准予 / 不予许可). An instant case (即办件) is decided here by the clerk who accepted it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from approvals.forms import ApproveDecisionForm, DenyDecisionForm, InspectionRecordForm
from approvals.models import CaseStatus, Inspection
from approvals.selectors import case_get_for_page, case_of_application_for_page, may_decide
from approvals.services.cases import case_decide
from approvals.services.procedures import inspection_record
from approvals.views.common import REFUSALS, back_to, put_errors, refused
from approvals.views.parts import case_parts, may_record


def _page(request: HttpRequest, pk: int, *, active: str = "", **bound: Any) -> HttpResponse:
    user = request.user
    case = case_get_for_page(user=user, pk=pk)
    deciding = case.status == CaseStatus.DECIDING and may_decide(user, case)
    context: dict[str, Any] = {
        **case_parts(user, case, record_forms=bound.get("record_forms")),
        "application": case.application, "applicant": case.application.applicant,
        "may_decide": deciding, "active": active,
    }
    if deciding:
        if not case.vetoed:
            context["approve_form"] = bound.get("approve_form") or ApproveDecisionForm(prefix="approve")
        context["deny_form"] = bound.get("deny_form") or DenyDecisionForm(prefix="deny")
    return render(request, "approvals/case.html", context)


@login_required
@require_GET
def review_case(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


@login_required
@require_POST
def review_case_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision: `decision=approve` (optional text) or `decision=deny` (reasons and how to succeed)."""
    case = case_get_for_page(user=request.user, pk=pk)
    if not may_decide(request.user, case):
        raise PermissionDenied
    approve = request.POST.get("decision") == "approve"
    form: ApproveDecisionForm | DenyDecisionForm = (ApproveDecisionForm(request.POST, prefix="approve") if approve
                                                     else DenyDecisionForm(request.POST, prefix="deny"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            case_decide(actor=request.user, case=case, approve=approve, reasons=data["reasons"],
                        how_to_succeed=data.get("how_to_succeed", ""))
        except ValidationError as exc:
            put_errors(form, exc)
        except REFUSALS as exc:
            return refused(request, exc, "review_case", case.pk)
        else:
            messages.success(request, _("已作出准予许可决定，决定书正在生成，申请人将收到通知。") if approve
                             else _("已作出不予许可决定，决定书（含理由、救济途径和如何符合条件）正在生成。"))
            return redirect("review_case", pk=case.pk)
    messages.error(request, _("决定未作出，请按提示更正。"))
    if approve:
        return _page(request, case.pk, active="approve", approve_form=form)
    return _page(request, case.pk, active="deny", deny_form=form)


@login_required
@require_GET
def review_application_decide(request: HttpRequest, application_pk: int) -> HttpResponse:
    """The clerk's desk link ("作出决定") for an application: its case page."""
    case = case_of_application_for_page(user=request.user, application_id=application_pk)
    return redirect("review_case", pk=case.pk)


@login_required
@require_POST
def review_case_inspection_record(request: HttpRequest, pk: int, inspection_pk: int) -> HttpResponse:
    """An invited department records the joint inspection from the case page (it may have no task of its own)."""
    case = case_get_for_page(user=request.user, pk=pk)
    inspection = get_object_or_404(Inspection.objects.select_related("task"), pk=inspection_pk, case=case)
    if not may_record(request.user, inspection):
        raise PermissionDenied
    form = InspectionRecordForm(request.POST, auto_id=f"id_rec{inspection.pk}_%s")
    if form.is_valid():
        try:
            inspection_record(actor=request.user, inspection=inspection, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        except REFUSALS as exc:
            return refused(request, exc, "review_case", case.pk)
        else:
            messages.success(request, _("踏勘记录已保存。"))
            return back_to("review_case", case.pk, anchor="inspections")
    messages.error(request, _("未能提交，请按提示更正。"))
    return _page(request, case.pk, active="record", record_forms={inspection.pk: form})
