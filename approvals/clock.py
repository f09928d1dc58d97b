"""The statutory clock applied to a case: due dates from acceptance, pauses and the extension, explained.

Every date here is recomputed from stored facts (the acceptance day, the limits, the pause intervals and the
granted extension), never adjusted in place, so a figure on a page can always be explained and checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from approvals.models import OPEN_TASK_STATUSES, Case, Pause, ReviewTask
from portal.clock import Pause as ClockPause
from portal.clock import get_calendar


def case_pauses(case: Case) -> list[ClockPause]:
    return [ClockPause(p.started_on, p.ended_on) for p in case.pauses.all()]


def case_due(case: Case, limit: int, pauses: list[ClockPause] | None = None) -> date | None:
    pauses = case_pauses(case) if pauses is None else pauses
    return get_calendar().due_date(case.accepted_on, limit + case.extension_days, pauses).date


def task_due(task: ReviewTask, pauses: list[ClockPause]) -> date | None:
    return get_calendar().due_date(task.opened_on, task.review_days, pauses).date


def remind_on(due: date | None, opened_on: date) -> date | None:
    """The first reminder: REVIEW_REMIND_BEFORE_DAYS working days before the due date (not before opening)."""
    if due is None:
        return None
    return max(get_calendar().working_days_before(due, settings.REVIEW_REMIND_BEFORE_DAYS), opened_on)


def reschedule(case: Case) -> bool:
    """Recompute the case's and its open tasks' due dates and re-arm their reminders; True when the case's
    dates changed. The caller holds the case's row lock."""
    pauses = case_pauses(case)
    before = (case.promised_due, case.statutory_due)
    case.promised_due = case_due(case, case.promised_limit, pauses)
    case.statutory_due = case_due(case, case.statutory_limit, pauses)
    case.save(update_fields=["promised_due", "statutory_due"])
    for task in case.tasks.filter(status__in=OPEN_TASK_STATUSES):
        due = task_due(task, pauses)
        if due != task.due_on or task.remind_on is None:
            task.due_on = due
            task.remind_on = remind_on(due, task.opened_on)
            task.reminders_sent = 0
            task.save(update_fields=["due_on", "remind_on", "reminders_sent"])
    return before != (case.promised_due, case.statutory_due)


@dataclass(frozen=True)
class Line:
    label: str
    value: str


def explain(case: Case) -> list[Line]:
    """How the decision dates were computed, line by line, for the case page."""
    calendar = get_calendar()
    lines = [
        Line(_("受理日期"), str(case.accepted_on)),
        Line(_("承诺时限"), _("%(n)s 个工作日（受理当日不计）") % {"n": case.promised_limit}),
        Line(_("法定时限"), _("%(n)s 个工作日") % {"n": case.statutory_limit}),
    ]
    for pause in case.pauses.all():
        if pause.ended_on is None:
            lines.append(Line(_("暂停：%(kind)s") % {"kind": pause.get_kind_display()},
                              _("自 %(start)s 起，尚未结束（期限待定）") % {"start": pause.started_on}))
        else:
            days = calendar.working_days_between(pause.started_on, pause.ended_on)
            lines.append(Line(_("暂停：%(kind)s") % {"kind": pause.get_kind_display()},
                              _("%(start)s 至 %(end)s，不计 %(n)s 个工作日") % {
                                  "start": pause.started_on, "end": pause.ended_on, "n": days}))
    if case.extension_days:
        lines.append(Line(_("延长"), _("%(n)s 个工作日（经负责人批准）") % {"n": case.extension_days}))
    lines.append(Line(_("承诺办结日期"), str(case.promised_due or _("暂停中"))))
    lines.append(Line(_("法定办结日期"), str(case.statutory_due or _("暂停中"))))
    return lines


def explain_task(task: ReviewTask) -> list[Line]:
    """How a task's due date was computed: its opening day, its days, and the case's pauses inside it."""
    lines = [
        Line(_("开始日期"), str(task.opened_on)),
        Line(_("审查时限"), _("%(n)s 个工作日（开始当日不计）") % {"n": task.review_days}),
    ]
    calendar = get_calendar()
    for pause in task.case.pauses.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=task.opened_on)):
        if pause.ended_on is None:
            lines.append(Line(_("暂停：%(kind)s") % {"kind": pause.get_kind_display()},
                              _("自 %(start)s 起，尚未结束") % {"start": pause.started_on}))
        else:
            days = calendar.working_days_between(pause.started_on, pause.ended_on)
            lines.append(Line(_("暂停：%(kind)s") % {"kind": pause.get_kind_display()},
                              _("不计 %(n)s 个工作日") % {"n": days}))
    lines.append(Line(_("审查期限"), str(task.due_on or _("暂停中"))))
    return lines


def running_pause(case: Case, kind: str | None = None) -> Pause | None:
    pauses = case.pauses.filter(ended_on__isnull=True)
    if kind is not None:
        pauses = pauses.filter(kind=kind)
    return pauses.first()
