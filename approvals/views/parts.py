"""What the task page and the case page both show of a case: stages, tasks and opinions, the clock, pauses,
the extension, inspections, the application's form and timeline. Reads only; a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _

from applications.models import Application
from applications.services.filing import form_fields_of
from approvals.clock import explain
from approvals.forms import InspectionRecordForm
from approvals.models import Case, Inspection, Opinion, Pause
from approvals.selectors import is_department_staff, may_act, tasks_visible_to


def form_rows(application: Application) -> list[tuple[str, str]]:
    """The application form as label → value, in the form's order (files are materials, shown apart)."""
    data = application.form_data or {}
    rows, seen = [], set()
    for spec in form_fields_of(application):
        if spec.field_type == "file" or spec.key in seen:
            continue
        seen.add(spec.key)
        value = data.get(spec.key)
        if isinstance(value, bool):
            shown = _("是") if value else _("否")
        elif isinstance(value, (list, tuple)):
            shown = "、".join(str(v) for v in value)
        else:
            shown = "" if value is None else str(value)
        rows.append((spec.label, shown or "—"))
    return rows


def may_record(user: Any, inspection: Inspection) -> bool:
    """The inspection's own task's reviewer, or staff of a department invited to it."""
    if may_act(user, inspection.task):
        return True
    return is_department_staff(user) and any(d.pk == user.department_id for d in inspection.departments.all())


def case_parts(user: Any, case: Case, *, record_forms: dict[int, Any] | None = None) -> dict[str, Any]:
    prefetch_related_objects([case], Prefetch("pauses", queryset=Pause.objects.select_related("task__department")))
    tasks = list(case.tasks.select_related("department", "assignee", "stage")
                 .prefetch_related(Prefetch("opinions", queryset=Opinion.objects.select_related("author")
                                            .prefetch_related("attachments")))
                 .order_by("stage__order", "-is_lead", "department__name", "id"))
    stages = list(case.stages.select_related("lead_department"))
    inspections = list(case.inspections.select_related("task__department", "recorded_by")
                       .prefetch_related("departments"))
    record_forms = record_forms or {}
    inspection_rows = [{
        "inspection": i,
        "record_form": record_forms.get(i.pk) or (InspectionRecordForm(auto_id=f"id_rec{i.pk}_%s")
                                                  if not i.record and may_record(user, i) else None),
    } for i in inspections]
    visible = set(tasks_visible_to(user).filter(case=case).values_list("pk", flat=True))
    return {
        "case": case,
        "tasks": tasks,
        "stage_rows": [{"stage": s, "tasks": [t for t in tasks if t.stage_id == s.pk]} for s in stages],
        "visible_task_ids": visible,
        "clock_lines": explain(case),
        "pauses": list(case.pauses.all()),
        "extensions": list(case.extensions.select_related("requested_by", "decided_by", "task__department")),
        "inspection_rows": inspection_rows,
        "events": list(case.application.events.all()),
    }
