"""The department's inbox (审批工作台): its review tasks by due date, and the cases waiting for its decision."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from approvals.forms import InboxFilterForm
from approvals.selectors import awaiting_decision, department_figures, inbox, times_left
from portal.models import Role
from portal.permissions import role_required

department_staff_only = role_required(Role.REVIEWER, Role.HEAD)
PAGE_SIZE = 50
AWAITING_SHOWN = 20


@department_staff_only
@require_GET
def review_inbox(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    filters = InboxFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    today = timezone.localdate()
    tasks = inbox(user=request.user, state=data.get("state") or "open", overdue=bool(data.get("overdue")),
                  due_soon=bool(data.get("due_soon")), q=data.get("q") or "", today=today)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    tasks_shown = list(page)
    rows = [{"task": task, "left": left} for task, left in zip(tasks_shown, times_left(tasks_shown, today),
                                                                strict=True)]
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(request, "approvals/inbox.html", {
        "filters": filters, "page": page, "rows": rows, "today": today,
        "page_query": kept.urlencode(),
        "awaiting": list(awaiting_decision(user=request.user)[:AWAITING_SHOWN]),
        "figures": department_figures(department_id=user.department_id, today=today) if user.role == Role.HEAD
        else None,
    })
