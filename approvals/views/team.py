"""The head's pages: extension requests of the cases the department leads, and the A/B posts (AB岗) of the
department's staff. A reviewer sees the posts and marks themself absent or back."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from approvals.forms import BackupForm, ExtensionDecisionForm
from approvals.models import Extension
from approvals.selectors import backups_of, department_staff, extensions_for_head
from approvals.services.procedures import extension_decide
from approvals.services.team import backup_mark_absent, backup_set
from approvals.views.common import REFUSALS, back_to, error_messages, put_errors, refused
from portal.models import Role
from portal.permissions import role_required

head_only = role_required(Role.HEAD)
department_staff_only = role_required(Role.REVIEWER, Role.HEAD)
DECIDED_SHOWN = 50


# --- extensions (延期) -----------------------------------------------------------------------------------------
def _extension_form(extension: Extension, data: Any = None) -> ExtensionDecisionForm:
    return ExtensionDecisionForm(data, auto_id=f"id_ext{extension.pk}_%s")


def _extensions_page(request: HttpRequest, bound: dict[int, ExtensionDecisionForm] | None = None) -> HttpResponse:
    bound = bound or {}
    extensions = extensions_for_head(user=request.user)
    waiting = list(extensions.filter(status=Extension.Status.REQUESTED))
    decided = list(extensions.exclude(status=Extension.Status.REQUESTED)[:DECIDED_SHOWN])
    rows = [{"extension": e, "form": bound.get(e.pk) or _extension_form(e)} for e in waiting]
    return render(request, "approvals/extensions.html", {"rows": rows, "decided": decided})


@head_only
@require_GET
def review_extensions(request: HttpRequest) -> HttpResponse:
    return _extensions_page(request)


@head_only
@require_POST
def review_extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """批准 or 不予批准 (a refusal needs the reasons); a grant moves the dates and the applicant is told."""
    extension = get_object_or_404(extensions_for_head(user=request.user), pk=pk)
    form = _extension_form(extension, request.POST)
    if form.is_valid():
        grant = form.cleaned_data["decision"] == "grant"
        try:
            extension_decide(actor=request.user, extension=extension, grant=grant,
                             comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            put_errors(form, exc)
        except REFUSALS as exc:
            return refused(request, exc, "review_extensions")
        else:
            messages.success(request, _("已批准延期，办结日期已顺延并书面告知申请人。") if grant
                             else _("已不予批准延期。"))
            return back_to("review_extensions")
    messages.error(request, _("未能提交，请按提示更正。"))
    return _extensions_page(request, {extension.pk: form})


# --- A/B posts (AB岗) ------------------------------------------------------------------------------------------
def _team_page(request: HttpRequest, bound: dict[int, BackupForm] | None = None) -> HttpResponse:
    user: Any = request.user
    bound = bound or {}
    staff = list(department_staff(department_id=user.department_id))
    posts = backups_of(department_id=user.department_id)
    head = user.role == Role.HEAD
    rows = []
    for member in staff:
        post = posts.get(member.pk)
        form = None
        if head:
            form = bound.get(member.pk) or BackupForm(
                auto_id=f"id_b{member.pk}_%s", staff=_others(user.department_id, member.pk),
                initial={"backup": post.backup_id if post else None})
        rows.append({"member": member, "post": post, "form": form,
                     "may_mark": post is not None and (head or member.pk == user.pk)})
    standing_in = [p for p in posts.values() if p.backup_id == user.pk and p.primary_absent]
    return render(request, "approvals/team.html", {"rows": rows, "is_head": head, "standing_in": standing_in})


def _others(department_id: int | None, member_id: int) -> Any:
    return department_staff(department_id=department_id).exclude(pk=member_id)


def _member(request: HttpRequest, pk: int) -> Any:
    return get_object_or_404(department_staff(department_id=request.user.department_id), pk=pk)  # type: ignore[union-attr]


@department_staff_only
@require_GET
def review_team(request: HttpRequest) -> HttpResponse:
    return _team_page(request)


@head_only
@require_POST
def review_team_backup(request: HttpRequest, pk: int) -> HttpResponse:
    """The head names the B岗 of a member of the department."""
    member = _member(request, pk)
    form = BackupForm(request.POST, auto_id=f"id_b{member.pk}_%s",
                      staff=_others(request.user.department_id, member.pk))  # type: ignore[union-attr]
    if form.is_valid():
        try:
            backup_set(actor=request.user, primary=member, backup=form.cleaned_data["backup"])
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("已设置 %(a)s 的B岗为 %(b)s。") % {
                "a": member, "b": form.cleaned_data["backup"]})
            return back_to("review_team")
    messages.error(request, _("未能提交，请按提示更正。"))
    return _team_page(request, {member.pk: form})


@department_staff_only
@require_POST
def review_team_absent(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark A absent (B sees and acts on A's tasks) or back; the head for anyone, a reviewer for themself."""
    member = _member(request, pk)
    if member.pk != request.user.pk and request.user.role != Role.HEAD:  # type: ignore[union-attr]
        raise PermissionDenied
    absent = request.POST.get("absent") == "1"
    try:
        backup_mark_absent(actor=request.user, primary=member, absent=absent)
    except ValidationError as exc:
        error_messages(request, exc)
    except REFUSALS as exc:
        return refused(request, exc, "review_team")
    else:
        messages.success(request, (_("已标记 %(a)s 缺席，其审查任务由B岗代办。") if absent
                                   else _("已标记 %(a)s 在岗。")) % {"a": member})
    return back_to("review_team")
