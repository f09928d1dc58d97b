"""The site shell: home, sign-in, workspaces, the inbox and the work calendar pages."""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from items.models import ItemVersion, Topic, VersionStatus
from items.selectors import coverage, most_used_items, published_bundles, versions_awaiting_review
from portal import clock
from portal.forms import CalendarImportForm, DueDateForm, PortalPasswordChangeForm
from portal.models import CalendarYear, Department, Role, User
from portal.permissions import role_required
from portal.selectors import calendar_missing_years, notifications_for, unread_count
from portal.services.accounts import user_set_password
from portal.services.calendar import CalendarImportError, calendar_import_year
from portal.services.notifications import notification_mark_read
from portal.workspaces import BY_SLUG, WORKSPACES


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {
        "departments": Department.objects.filter(is_active=True, items__published__isnull=False)
        .annotate(n=Count("items", filter=Q(items__published__isnull=False))).order_by("-n", "code"),
        "most_used": most_used_items(8),
        "topics": Topic.objects.all(),
        "bundles": published_bundles()[:6],
        "due_form": DueDateForm(initial={"start": date.today(), "days": 20}),
    })


class PortalLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """Send each user to the workspace of their role."""
    ws = WORKSPACES.get(request.user.role)  # type: ignore[union-attr]
    if ws is None:
        raise Http404
    return redirect("workspace_page", slug=ws.slug)


@login_required
def workspace_page(request: HttpRequest, slug: str) -> HttpResponse:
    ws = BY_SLUG.get(slug)
    if ws is None:
        raise Http404
    if request.user.role != ws.role:  # type: ignore[union-attr]
        return render(request, "403.html", status=403)
    context: dict[str, Any] = {"workspace": ws}
    if ws.role == Role.SYSADMIN:
        context.update(_admin_dashboard())
    if ws.role == Role.CATALOGUE_ADMIN:
        context.update(
            awaiting=versions_awaiting_review(reviewer=request.user)[:10],
            my_drafts=ItemVersion.objects.filter(created_by=request.user, status=VersionStatus.DRAFT)
            .select_related("item")[:10],
            overall=coverage()[-1],
        )
    return render(request, [f"workspace/{ws.slug}.html", "workspace/base_workspace.html"], context)


def _admin_dashboard() -> dict[str, Any]:
    return {
        "missing_years": calendar_missing_years(today=date.today()),
        "calendar_years": CalendarYear.objects.order_by("-year")[:5],
        "user_counts": {
            label: User.objects.filter(role=value, is_active=True).count() for value, label in Role.choices
        },
        "department_count": Department.objects.filter(is_active=True).count(),
    }


@role_required(Role.SYSADMIN)
@require_http_methods(["GET", "POST"])
def calendar_import(request: HttpRequest) -> HttpResponse:
    form = CalendarImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            calendar_import_year(year=form.cleaned_data["year"], entries=form.cleaned_data["notice"],
                                 actor=request.user, source=form.cleaned_data["source"])
        except CalendarImportError as exc:
            for line, msg in exc.errors:
                form.add_error("notice", _("第 %(line)s 项：%(msg)s") % {"line": line, "msg": msg})
        else:
            messages.success(request, _("%(year)s 年工作日历已载入。") % {"year": form.cleaned_data["year"]})
            return redirect("workspace_page", slug="admin")
    return render(request, "portal/calendar_import.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PortalPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_set_password(actor=request.user, user=request.user,  # type: ignore[arg-type]
                                 password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改。"))
        return redirect("workspace")
    return render(request, "registration/password_change.html", {"form": form})


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_for(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "portal/inbox.html", {"page": page})


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    notification_mark_read(user=request.user, notification_ids=ids)
    if request.htmx and ids and len(ids) == 1:  # type: ignore[attr-defined]
        # Swap the one message in place, and the header's unread badge out of band.
        n = get_object_or_404(notifications_for(user=request.user), pk=ids[0])
        return render(request, "portal/_marked_read.html", {"n": n, "unread": unread_count(user=request.user)})
    return redirect("inbox")


def calendar_page(request: HttpRequest) -> HttpResponse:
    """办结期限计算: the public due-date calculator, the same clock the deadlines use."""
    form = DueDateForm(request.GET or None, initial={"start": date.today(), "days": 20})
    result = None
    if form.is_valid():
        cal = clock.get_calendar()
        try:
            due = cal.due_date(form.cleaned_data["start"], form.cleaned_data["days"])
            result = {"due": due.date, "provisional": due.provisional, **form.cleaned_data}
        except clock.CalendarRangeError:
            form.add_error("start", _("超出工作日历的范围。"))
    template = "portal/_due_result.html" if request.htmx else "portal/calendar.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "result": result})


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes: too many failed logins. JSON for the API, a page for people."""
    message = _("登录失败次数过多，账户已临时锁定，请 30 分钟后再试或到窗口求助。")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "registration/locked_out.html", {"message": message}, status=429)


def healthz(request: HttpRequest) -> HttpResponse:
    Department.objects.exists()  # the database answers
    return JsonResponse({"status": "ok"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)

