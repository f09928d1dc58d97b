"""Reads of the hall queue and appointments, shared by the pages, the API and the tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core import signing
from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from applications.models import Applicant, ApplicantMember
from applications.models.queue import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    Ticket,
    TicketStatus,
    Window,
)
from portal.models import Role

TICKET_SALT = "applications.queue.ticket"
DISPLAY_LAST_CALLED = 8


def is_clerk(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.role == Role.CLERK)


def applicant_of(user: Any) -> Applicant | None:
    """The applicant record a signed-in account belongs to (the one it owns first), or None."""
    if user is None or not user.is_authenticated:
        return None
    membership = (ApplicantMember.objects.select_related("applicant").filter(user=user)
                  .order_by("role", "added_at").first())  # "owner" sorts before "staff"
    return membership.applicant if membership is not None else None


# --- tickets ------------------------------------------------------------------------------------------
def ticket_key(ticket: Ticket) -> str:
    return signing.dumps(ticket.pk, salt=TICKET_SALT)


def ticket_by_key(key: str) -> Ticket | None:
    try:
        pk = signing.loads(key, salt=TICKET_SALT)
    except signing.BadSignature:
        return None
    return Ticket.objects.select_related("window").filter(pk=pk).first()


def tickets_visible_to(user: Any) -> QuerySet[Ticket]:
    """Clerks see every ticket; an applicant the tickets they hold; anyone else none."""
    tickets = Ticket.objects.select_related("window")
    if is_clerk(user):
        return tickets
    if user is not None and user.is_authenticated and user.is_applicant:
        return tickets.filter(holder=user)
    return tickets.none()


def ticket_get_for_user(*, user: Any, pk: int) -> Ticket | None:
    return tickets_visible_to(user).filter(pk=pk).first()


def tickets_ahead(ticket: Ticket) -> int:
    """How many waiting tickets of the day come before this one (priority first, then the order taken)."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    return Ticket.objects.filter(
        Q(priority__gt=ticket.priority) | Q(priority=ticket.priority, pk__lt=ticket.pk),
        hall_day=ticket.hall_day, status=TicketStatus.WAITING,
    ).count()


def with_ahead(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate `ahead` (what tickets_ahead computes) in the same query, for lists."""
    before = (Ticket.objects.filter(hall_day=OuterRef("hall_day"), status=TicketStatus.WAITING)
              .filter(Q(priority__gt=OuterRef("priority")) | Q(priority=OuterRef("priority"), pk__lt=OuterRef("pk")))
              .order_by().values("hall_day").annotate(n=Count("pk")).values("n"))
    return tickets.annotate(ahead=Case(When(status=TicketStatus.WAITING, then=Coalesce(Subquery(before), 0)),
                                       default=Value(0)))


def waiting_tickets(*, day: date) -> QuerySet[Ticket]:
    return Ticket.objects.filter(hall_day=day, status=TicketStatus.WAITING).order_by("-priority", "id")


@dataclass(frozen=True)
class Board:
    """What the hall display shows: numbers and windows only — no names, no phones."""

    last_called: list[dict[str, Any]]
    waiting: int
    open_windows: int


def hall_board(*, day: date) -> Board:
    called = (Ticket.objects.filter(hall_day=day, called_at__isnull=False,
                                    status__in=[TicketStatus.CALLED, TicketStatus.SERVED])
              .select_related("window").order_by("-called_at")[:DISPLAY_LAST_CALLED])
    return Board(
        last_called=[{"number": t.number, "window": t.window.number if t.window else "",
                      "serving": t.status == TicketStatus.SERVED} for t in called],
        waiting=Ticket.objects.filter(hall_day=day, status=TicketStatus.WAITING).count(),
        open_windows=Window.objects.filter(is_active=True, clerk__isnull=False).count(),
    )


def window_of_clerk(user: Any) -> Window | None:
    return Window.objects.filter(clerk=user).first() if is_clerk(user) else None


def window_current_ticket(*, window: Window, day: date) -> Ticket | None:
    """The ticket called to the window, else the one it is serving (the latest)."""
    return (Ticket.objects.filter(window=window, hall_day=day, status__in=[TicketStatus.CALLED, TicketStatus.SERVED])
            .select_related("applicant").order_by("status", "-called_at").first())  # "called" before "served"


def skipped_tickets(*, day: date) -> QuerySet[Ticket]:
    return Ticket.objects.filter(hall_day=day, status=TicketStatus.SKIPPED).order_by("-skipped_at")


# --- appointments -------------------------------------------------------------------------------------
def slots_with_places(*, day: date) -> QuerySet[AppointmentSlot]:
    """The day's slots that can still be booked: places left, not started, at a window taking appointments."""
    return (AppointmentSlot.objects.filter(date=day, booked__lt=F("capacity"), window__is_active=True,
                                           window__takes_appointments=True)
            .filter(Q(date__gt=timezone.localdate())
                    | Q(date=timezone.localdate(), start__gt=timezone.localtime().time()))
            .select_related("window").order_by("start", "window__number"))


def bookable_dates(*, start: date, days: int) -> list[date]:
    """Days from `start` with at least one slot left to book."""
    end = date.fromordinal(start.toordinal() + max(days, 1) - 1)
    rows = (AppointmentSlot.objects.filter(date__range=(start, end), booked__lt=F("capacity"),
                                           window__is_active=True, window__takes_appointments=True)
            .filter(Q(date__gt=timezone.localdate())
                    | Q(date=timezone.localdate(), start__gt=timezone.localtime().time()))
            .values_list("date", flat=True).distinct().order_by("date"))
    return list(rows)


def appointments_visible_to(user: Any) -> QuerySet[Appointment]:
    """Clerks see every appointment; anyone else those they booked."""
    appointments = Appointment.objects.select_related("slot__window", "item__published", "ticket")
    if is_clerk(user):
        return appointments
    if user is not None and user.is_authenticated:
        return appointments.filter(user=user)
    return appointments.none()


def appointment_get_for_user(*, user: Any, pk: int) -> Appointment | None:
    return appointments_visible_to(user).filter(pk=pk).first()


def appointments_of(*, user: Any) -> QuerySet[Appointment]:
    return appointments_visible_to(user).filter(user=user).order_by("-starts_at")


def appointments_for_day(*, day: date) -> dict[Window, list[Appointment]]:
    """The day's appointments (not cancelled) by window, for the clerks."""
    rows = (Appointment.objects.filter(date=day).exclude(status=AppointmentStatus.CANCELLED)
            .select_related("slot__window", "user", "applicant", "item__published", "ticket")
            .order_by("starts_at", "id"))
    by_window: dict[Window, list[Appointment]] = {}
    for row in rows:
        by_window.setdefault(row.slot.window, []).append(row)
    return dict(sorted(by_window.items(), key=lambda kv: kv[0].number))
