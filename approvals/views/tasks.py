"""A review task's page and the actions taken on it, each its own POST: claim and release, the opinions
(approve, reject, return for supplements), Art. 45 procedures, the extension request, joint inspections,
and the head's reassignment.

Who sees the page: task_get_for_user (404 for anyone else). Who may act: the selectors (may_claim, may_act);
the page offers only what is allowed, and a forged POST gets 403. Writes go through approvals.services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from approvals.forms import (
    ApproveForm,
    ExtensionRequestForm,
    InspectionForm,
    InspectionRecordForm,
    PauseForm,
    ReassignForm,
    RejectForm,
    ReturnForm,
)
from approvals.models import Extension, Inspection, Opinion, Pause, ReviewTask, TaskStatus
from approvals.selectors import (
    attachment_get_for_user,
    case_document_get_for_user,
    department_staff,
    may_act,
    may_claim,
    may_countersign,
    task_get_for_user,
    time_left,
)
from approvals.services.procedures import (
    extension_request,
    inspection_record,
    inspection_schedule,
    pause_end,
    pause_start,
)
from approvals.services.tasks import task_approve, task_claim, task_reassign, task_reject, task_release, task_return
from approvals.views.common import REFUSALS, attachment, back_to, put_errors, refused
from approvals.views.parts import case_parts, form_rows, may_record
from portal.models import Department, Role
from portal.services.audit import audit_record

ATTACHMENTS = {"files": "attachments"}  # the services' name for the opinion's files → the forms' field


# --- the page ------------------------------------------------------------------------------------------
def _is_head_of(user: Any, task: ReviewTask) -> bool:
    return user.role == Role.HEAD and user.department_id == task.department_id


def _materials(task: ReviewTask) -> list[Any]:
    return list(task.case.application.materials.select_related("licence").prefetch_related("documents"))


def _inspection_departments(task: ReviewTask) -> Any:
    return Department.objects.filter(is_active=True).exclude(pk=task.department_id).order_by("code", "name")


def _signoffs(task: ReviewTask, opinions: list[Opinion]) -> list[Opinion]:
    """The approvals of the current round (Art. 34): a return for supplements starts a new round."""
    this_round = sum(1 for o in opinions if o.kind == Opinion.Kind.RETURN) + 1
    return [o for o in opinions if o.kind == Opinion.Kind.APPROVE and o.round == this_round]


def _page(request: HttpRequest, pk: int, *, status: int = 200, active: str = "", **bound: Any) -> HttpResponse:
    """The task page; `bound` carries a form sent back with its errors (by its context name)."""
    user = request.user
    task = task_get_for_user(user=user, pk=pk)
    case = task.case
    application = case.application
    materials = _materials(task)
    parts = case_parts(user, case, record_forms=bound.pop("record_forms", None))
    this = next(t for t in parts["tasks"] if t.pk == task.pk)
    signed = _signoffs(task, list(this.opinions.all()))
    acting = may_act(user, task)
    in_review = task.status == TaskStatus.IN_REVIEW
    procedure = next((p for p in parts["pauses"] if p.task_id == task.pk and p.ended_on is None
                      and p.kind != Pause.Kind.SUPPLEMENT), None)
    extension_taken = any(e.status in (Extension.Status.REQUESTED, Extension.Status.GRANTED)
                          for e in parts["extensions"])
    opinions_allowed = acting and in_review
    countersign = not opinions_allowed and may_countersign(user, task, {o.author_id for o in signed})
    context: dict[str, Any] = {
        **parts,
        "task": task, "application": application, "applicant": application.applicant,
        "materials": materials, "form_rows": form_rows(application),
        "left": time_left(task), "active": active,
        "signed": signed, "awaiting_second": in_review and bool(signed) and len(signed) < task.signoffs_required,
        "signed_by_me": any(o.author_id == user.pk for o in signed),
        "may_claim": task.status == TaskStatus.PENDING and may_claim(user, task),
        "may_release": acting and in_review,
        "may_give_opinion": opinions_allowed,
        "may_countersign": countersign,
        "procedure": procedure,
        "may_end_procedure": acting and procedure is not None,
        "may_pause": opinions_allowed and procedure is None,
        "may_request_extension": acting and task.is_open and case.is_open and not extension_taken,
        "may_inspect": acting and task.is_open,
        "may_reassign": _is_head_of(user, task) and task.is_open,
    }
    if opinions_allowed or countersign:
        context.update(approve_form=bound.get("approve_form") or ApproveForm(prefix="approve"))
    if opinions_allowed:
        context.update(
            reject_form=bound.get("reject_form") or RejectForm(prefix="reject"),
            return_form=bound.get("return_form") or ReturnForm(prefix="return", materials=materials),
        )
    if context["may_pause"]:
        context["pause_form"] = bound.get("pause_form") or PauseForm(prefix="pause")
    if context["may_request_extension"]:
        context["extension_form"] = bound.get("extension_form") or ExtensionRequestForm(prefix="extension")
    if context["may_inspect"]:
        context["inspection_form"] = bound.get("inspection_form") or InspectionForm(
            prefix="inspection", departments=_inspection_departments(task))
    if context["may_reassign"]:
        context["reassign_form"] = bound.get("reassign_form") or ReassignForm(
            prefix="reassign", staff=department_staff(department_id=task.department_id))
    return render(request, "approvals/task.html", context, status=status)


@login_required
@require_GET
def review_task(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


def _task(request: HttpRequest, pk: int, *, act: bool = True) -> ReviewTask:
    """The task, if this user sees it (else 404) and may act on it (else 403)."""
    task = task_get_for_user(user=request.user, pk=pk)
    if act and not may_act(request.user, task):
        raise PermissionDenied
    return task


def _done(request: HttpRequest, task: ReviewTask, message: str, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    return back_to("review_task", task.pk, anchor=anchor)


def _again(request: HttpRequest, task: ReviewTask, active: str, **bound: Any) -> HttpResponse:
    messages.error(request, _("未能提交，请按提示更正。"))
    return _page(request, task.pk, active=active, **bound)


# --- claim and release ----------------------------------------------------------------------------------
@login_required
@require_POST
def review_task_claim(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk, act=False)
    if not may_claim(request.user, task):
        raise PermissionDenied
    try:
        task_claim(actor=request.user, task=task)
    except REFUSALS as exc:
        return refused(request, exc, "review_task", task.pk)
    return _done(request, task, _("已认领，请审查并出具意见。"))


@login_required
@require_POST
def review_task_release(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    try:
        task_release(actor=request.user, task=task)
    except REFUSALS as exc:
        return refused(request, exc, "review_task", task.pk)
    return _done(request, task, _("已取消认领，任务回到待认领。"))


# --- opinions -------------------------------------------------------------------------------------------
@login_required
@require_POST
def review_task_approve(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk, act=False)  # the service lets a colleague give the second sign-off (Art. 34)
    form = ApproveForm(request.POST, request.FILES, prefix="approve")
    if form.is_valid():
        try:
            updated = task_approve(actor=request.user, task=task, text=form.cleaned_data["text"],
                                   files=form.cleaned_data["attachments"])
        except ValidationError as exc:
            put_errors(form, exc, ATTACHMENTS)
        except REFUSALS as exc:
            return refused(request, exc, "review_task", task.pk)
        else:
            if updated.status == TaskStatus.IN_REVIEW:
                return _done(request, task, _("您的签核已记录，等待第二人签核。"))
            return _done(request, task, _("已出具同意意见。"))
    return _again(request, task, "approve", approve_form=form)


@login_required
@require_POST
def review_task_reject(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = RejectForm(request.POST, request.FILES, prefix="reject")
    if form.is_valid():
        try:
            task_reject(actor=request.user, task=task, text=form.cleaned_data["text"],
                        files=form.cleaned_data["attachments"])
        except ValidationError as exc:
            put_errors(form, exc, ATTACHMENTS)
        except REFUSALS as exc:
            return refused(request, exc, "review_task", task.pk)
        else:
            return _done(request, task, _("已出具不同意意见。"))
    return _again(request, task, "reject", reject_form=form)


@login_required
@require_POST
def review_task_return(request: HttpRequest, pk: int) -> HttpResponse:
    """退回补正: exactly what is needed; the applicant is told and the clock waits for the supplement."""
    task = _task(request, pk)
    form = ReturnForm(request.POST, request.FILES, prefix="return", materials=_materials(task))
    if form.is_valid():
        try:
            task_return(actor=request.user, task=task, problems=form.cleaned_data["problems"],
                        text=form.cleaned_data["text"], files=form.cleaned_data["attachments"])
        except ValidationError as exc:
            put_errors(form, exc, ATTACHMENTS)
        except REFUSALS as exc:
            return refused(request, exc, "review_task", task.pk)
        else:
            return _done(request, task, _("已退回补正，补正通知已发给申请人；补正期间暂停计时。") + " "
                         + _("共 %(n)s 项。") % {"n": len(form.cleaned_data["problems"])})
    return _again(request, task, "return", return_form=form)


# --- procedures that move the clock --------------------------------------------------------------------------
@login_required
@require_POST
def review_task_pause(request: HttpRequest, pk: int) -> HttpResponse:
    """《行政许可法》第四十五条: start a procedure whose time is not counted."""
    task = _task(request, pk)
    form = PauseForm(request.POST, prefix="pause")
    if form.is_valid():
        try:
            pause_start(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc, ATTACHMENTS)
        except REFUSALS as exc:
            return refused(request, exc, "review_task", task.pk)
        else:
            return _done(request, task, _("已启动特别程序，书面告知已发给申请人；程序期间不计入审查时限。"), "clock")
    return _again(request, task, "pause", pause_form=form)


@login_required
@require_POST
def review_pause_end(request: HttpRequest, pk: int, pause_pk: int) -> HttpResponse:
    task = _task(request, pk)
    pause = get_object_or_404(Pause, pk=pause_pk, task=task)
    try:
        pause_end(actor=request.user, pause=pause)
    except REFUSALS as exc:
        return refused(request, exc, "review_task", task.pk)
    return _done(request, task, _("特别程序已结束，审查时限恢复计算。"), "clock")


@login_required
@require_POST
def review_task_extension(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = ExtensionRequestForm(request.POST, prefix="extension")
    if form.is_valid():
        try:
            extension_request(actor=request.user, task=task, reasons=form.cleaned_data["reasons"])
        except ValidationError as exc:
            put_errors(form, exc, ATTACHMENTS)
        except REFUSALS as exc:
            return refused(request, exc, "review_task", task.pk)
        else:
            return _done(request, task, _("延期申请已提交，等待牵头部门负责人审批。"), "clock")
    return _again(request, task, "extension", extension_form=form)


@login_required
@require_POST
def review_task_inspection(request: HttpRequest, pk: int) -> HttpResponse:
    """联合踏勘: schedule one site visit with the other departments."""
    task = _task(request, pk)
    form = InspectionForm(request.POST, prefix="inspection", departments=_inspection_departments(task))
    if form.is_valid():
        data = form.cleaned_data
        try:
            inspection_schedule(actor=request.user, task=task, scheduled_on=data["scheduled_on"],
                                place=data["place"], departments=list(data["departments"]),
                                participants=data["participants"])
        except ValidationError as exc:
            put_errors(form, exc, ATTACHMENTS)
        except REFUSALS as exc:
            return refused(request, exc, "review_task", task.pk)
        else:
            return _done(request, task, _("已安排联合踏勘，已通知参加部门。"), "inspections")
    return _again(request, task, "inspection", inspection_form=form)


@login_required
@require_POST
def review_task_inspection_record(request: HttpRequest, pk: int, inspection_pk: int) -> HttpResponse:
    task = _task(request, pk, act=False)
    inspection = get_object_or_404(Inspection.objects.select_related("task"), pk=inspection_pk, case=task.case_id)
    if not may_record(request.user, inspection):
        raise PermissionDenied
    form = InspectionRecordForm(request.POST, auto_id=f"id_rec{inspection.pk}_%s")
    if form.is_valid():
        try:
            inspection_record(actor=request.user, inspection=inspection, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc, ATTACHMENTS)
        except REFUSALS as exc:
            return refused(request, exc, "review_task", task.pk)
        else:
            return _done(request, task, _("踏勘记录已保存。"), "inspections")
    return _again(request, task, "record", record_forms={inspection.pk: form})


# --- the head ---------------------------------------------------------------------------------------------
@login_required
@require_POST
def review_task_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """改派: the head gives the task to another reviewer of the department."""
    task = _task(request, pk, act=False)
    if not _is_head_of(request.user, task):
        raise PermissionDenied
    form = ReassignForm(request.POST, prefix="reassign", staff=department_staff(department_id=task.department_id))
    if form.is_valid():
        try:
            task_reassign(actor=request.user, task=task, to=form.cleaned_data["to"])
        except ValidationError as exc:
            put_errors(form, exc, ATTACHMENTS)
        except REFUSALS as exc:
            return refused(request, exc, "review_task", task.pk)
        else:
            return _done(request, task, _("已改派给 %(name)s。") % {"name": form.cleaned_data["to"]})
    return _again(request, task, "reassign", reassign_form=form)


# --- files ------------------------------------------------------------------------------------------------
@login_required
@require_GET
def review_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An opinion's attachment, to those who see its case (404 for anyone else)."""
    found = attachment_get_for_user(user=request.user, pk=pk)
    audit_record(actor=request.user, action="opinion_attachment.download", obj=found,
                 after={"opinion": found.opinion_id})
    return attachment(found.file, found.original_name, found.content_type or "application/octet-stream")


@login_required
@require_GET
def review_case_document(request: HttpRequest, pk: int, document: Any) -> FileResponse:
    """A material file of the case's application, to those who see the case (404 for anyone else); the
    download of a personal document is audited as on the applicant's side."""
    found = case_document_get_for_user(user=request.user, case_pk=pk, document_pk=document)
    audit_record(actor=request.user, action="document.download", obj=found, after={"applicant": found.applicant_id})
    return attachment(found.file, found.original_name, found.content_type or "application/octet-stream")
