"""取号叫号: windows opened by clerks, tickets taken at the kiosk or online and called to a window.

Every status change goes through portal.fsm.transition (lock, check, audit). Rows are locked in one order —
window, then ticket — so two clerks never wait on each other in a cycle.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Applicant
from applications.models.queue import (
    Ticket,
    TicketCounter,
    TicketKind,
    TicketPrefix,
    TicketSource,
    TicketStatus,
    Window,
    WindowKind,
    validate_mobile,
)
from applications.queue_selectors import ticket_key
from portal import outbox
from portal.errors import Conflict
from portal.fsm import transition
from portal.models import Role
from portal.services.audit import audit_record
from portal.services.notifications import notify


class QueueEmpty(Conflict):
    """Nobody is waiting for this window."""


def hall_day() -> date:
    return timezone.localdate()


def ticket_path(ticket: Ticket) -> str:
    """The ticket's own page (number, place in the queue), by a signed key: ids are not guessable there."""
    return reverse("queue_ticket", args=[ticket_key(ticket)])


def _require_clerk(actor: Any) -> None:
    if not (actor is not None and actor.is_authenticated and actor.role == Role.CLERK):
        raise PermissionDenied


# --- windows ------------------------------------------------------------------------------------------
def _called_at(window: Window) -> Ticket | None:
    return Ticket.objects.filter(window=window, hall_day=hall_day(), status=TicketStatus.CALLED).first()


def _refuse_if_busy(window: Window) -> None:
    current = _called_at(window)
    if current is not None:
        raise Conflict(_("请先为当前号码 %(number)s 开始办理或过号。") % {"number": current.number})


@transaction.atomic
def window_open(*, actor: Any, window: Window) -> Window:
    """The clerk sits at `window`; a window they sat at before is closed. Opening one's own window again is
    a no-op."""
    _require_clerk(actor)
    pks = sorted({window.pk, *Window.objects.filter(clerk=actor).values_list("pk", flat=True)})
    locked = {w.pk: w for w in Window.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    target = locked[window.pk]
    if target.clerk_id == actor.pk:
        return target
    if not target.is_active:
        raise Conflict(_("该窗口已停用。"))
    if target.clerk_id is not None:
        raise Conflict(_("该窗口已由其他工作人员开启。"))
    for other in locked.values():
        if other.clerk_id == actor.pk:
            _close(actor, other)
    target.clerk = actor
    target.opened_at = timezone.now()
    try:
        with transaction.atomic():
            target.save(update_fields=["clerk", "opened_at"])
    except IntegrityError:  # the same clerk opened another window at this very moment
        raise Conflict(_("您已在其他窗口办公，请刷新后重试。")) from None
    audit_record(actor=actor, action="window.open", obj=target)
    return target


@transaction.atomic
def window_close(*, actor: Any, window: Window) -> Window:
    """The clerk leaves their window; a ticket still called to it must be served or skipped first."""
    _require_clerk(actor)
    window = Window.objects.select_for_update().get(pk=window.pk)
    if window.clerk_id != actor.pk:
        raise Conflict(_("您没有开启该窗口。"))
    _close(actor, window)
    return window


def _close(actor: Any, window: Window) -> None:
    _refuse_if_busy(window)
    window.clerk = None
    window.opened_at = None
    window.save(update_fields=["clerk", "opened_at"])
    audit_record(actor=actor, action="window.close", obj=window)


def _window_of(actor: Any, window: Window | None = None) -> Window:
    """The window the clerk sits at (locked): `window` if given and theirs, else their open one."""
    _require_clerk(actor)
    rows = Window.objects.select_for_update()
    found = (rows.filter(pk=window.pk) if window is not None else rows.filter(clerk=actor)).first()
    if found is None or found.clerk_id != actor.pk:
        raise Conflict(_("请先开启窗口。") if window is None else _("请先开启该窗口。"))
    return found


# --- tickets ------------------------------------------------------------------------------------------
def _prefix(*, source: str, kind: str, applicant: Applicant | None) -> tuple[str, int]:
    """The number's prefix and the priority: appointments (Y) and the green channel (V) come first."""
    if source == TicketSource.APPOINTMENT:
        return TicketPrefix.APPOINTMENT, 1
    if applicant is not None and applicant.green_channel:
        return TicketPrefix.GREEN, 1
    return (TicketPrefix.ENTERPRISE if kind == TicketKind.ENTERPRISE else TicketPrefix.ORDINARY), 0


def _next_sequence(day: date, prefix: str) -> int:
    """The day's next number for `prefix`. The counter row stays locked until the ticket is committed, so two
    people taking a ticket at once get different numbers and a rolled-back take leaves no gap."""
    counter, _created = TicketCounter.objects.select_for_update().get_or_create(hall_day=day, prefix=prefix)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def ticket_take(
    *,
    source: str,
    kind: str = TicketKind.ORDINARY,
    applicant: Applicant | None = None,
    phone: str = "",
    holder: Any = None,
    actor: Any = None,
) -> Ticket:
    """Take a ticket for today. `holder` is the signed-in person it belongs to (told when called, may
    cancel); `actor` whoever took it for them (a clerk for a phone call), when not the holder."""
    if source not in TicketSource.values:
        raise ValueError(f"unknown source {source!r}")
    if kind not in TicketKind.values:
        raise ValueError(f"unknown kind {kind!r}")
    phone = phone.strip()
    if phone:
        try:
            validate_mobile(phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None
    day = hall_day()
    if holder is not None and source == TicketSource.ONLINE:
        # The holder's account row is the lock: a double click waits for the first ticket, then sees it.
        get_user_model().objects.select_for_update().filter(pk=holder.pk).first()
        open_ticket = Ticket.objects.filter(holder=holder, hall_day=day, status=TicketStatus.WAITING).first()
        if open_ticket is not None:
            raise Conflict(_("您今天已有等候中的号码 %(number)s。") % {"number": open_ticket.number})
    if applicant is not None and applicant.green_channel:
        kind = TicketKind.ENTERPRISE
    prefix, priority = _prefix(source=source, kind=kind, applicant=applicant)
    sequence = _next_sequence(day, prefix)
    ticket = Ticket.objects.create(
        hall_day=day, prefix=prefix, sequence=sequence, number=f"{prefix}{sequence:03d}", kind=kind,
        source=source, priority=priority, applicant=applicant, holder=holder, phone=phone,
    )
    audit_record(actor=actor or holder, action="ticket.take", obj=ticket,
                 after={"source": source, "priority": priority})
    return ticket


@transaction.atomic
def ticket_call_next(*, actor: Any, window: Window) -> Ticket:
    """Call the first waiting ticket (priority, then the order taken) to the clerk's window.

    Waiting rows that another clerk is calling at this moment are skipped (SKIP LOCKED), so two clerks
    calling at once get different tickets. Raises QueueEmpty (409) when nobody is waiting.
    """
    window = _window_of(actor, window)
    _refuse_if_busy(window)
    waiting = Ticket.objects.select_for_update(skip_locked=True).filter(hall_day=hall_day(),
                                                                        status=TicketStatus.WAITING)
    if window.kind == WindowKind.SPECIAL:
        waiting = waiting.filter(kind=TicketKind.ENTERPRISE)
    candidate = waiting.order_by("-priority", "id").first()
    if candidate is None:
        raise QueueEmpty(_("当前没有排队等候的号码。"))
    ticket = transition(candidate, "call", actor=actor, action="ticket.call", window=window, by=actor,
                        audit_after={"window": window.number})
    _announce(ticket, window)
    return ticket


@transaction.atomic
def ticket_recall(*, actor: Any, ticket: Ticket) -> Ticket:
    """Call a ticket again: one still called to this window, or one that was skipped (过号重呼)."""
    window = _window_of(actor)

    def check(locked: Ticket) -> None:
        if locked.hall_day != hall_day():
            raise Conflict(_("只能呼叫当天的号码。"))
        if locked.status == TicketStatus.CALLED and locked.window_id != window.pk:
            raise Conflict(_("该号码正在其他窗口办理。"))
        if locked.status == TicketStatus.SKIPPED:
            _refuse_if_busy(window)

    ticket = transition(ticket, "recall", actor=actor, action="ticket.recall", check=check, window=window,
                        by=actor, audit_after={"window": window.number})
    _announce(ticket, window)
    return ticket


def _at_my_window(actor: Any) -> Any:
    window = _window_of(actor)

    def check(locked: Ticket) -> None:
        if locked.window_id != window.pk:
            raise Conflict(_("该号码没有呼叫到您的窗口。"))

    return check


@transaction.atomic
def ticket_skip(*, actor: Any, ticket: Ticket) -> Ticket:
    """过号: the person called did not come; they may be recalled later today."""
    return transition(ticket, "skip", actor=actor, action="ticket.skip", check=_at_my_window(actor))


@transaction.atomic
def ticket_serve(*, actor: Any, ticket: Ticket) -> Ticket:
    """The person called has come to the window: the clerk starts serving them (intake follows)."""
    return transition(ticket, "serve", actor=actor, action="ticket.serve", check=_at_my_window(actor))


@transaction.atomic
def ticket_cancel(*, actor: Any, ticket: Ticket) -> Ticket:
    """The holder gives up a ticket that is still waiting."""
    return transition(ticket, "cancel", actor=actor, action="ticket.cancel")


def _announce(ticket: Ticket, window: Window) -> None:
    """Tell the holder their number is called: in the inbox and by SMS; a walk-in who left a phone number by
    SMS alone. Both are sent on commit through the outbox."""
    words = {"number": ticket.number, "window": window.number}
    if ticket.holder is not None:
        notify(recipient=ticket.holder, subject=_("请 %(number)s 号到 %(window)s 号窗口办理") % words,
               body=_("您的号码 %(number)s 已被呼叫，请到 %(window)s 号窗口办理。") % words,
               link=ticket_path(ticket), sms=True)
    elif ticket.phone:
        outbox.enqueue("applications.ticket_called_sms", ticket_id=ticket.pk)
