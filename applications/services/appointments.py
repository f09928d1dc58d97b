"""预约: slots made for the days the hall is open, booked without ever exceeding their capacity, cancelled,
checked in at the hall (a priority ticket), and swept to no-show when their time has passed."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from applications.models.queue import (
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
    TicketKind,
    TicketSource,
    Window,
    validate_mobile,
)
from applications.queue_selectors import applicant_of
from applications.services.queue import hall_day, ticket_take
from items.models import Item
from portal.clock import get_calendar
from portal.errors import Conflict, DomainError
from portal.fsm import transition
from portal.models import CalendarDay, DayKind
from portal.services.audit import audit_record
from portal.services.notifications import notify

# Hall hours (local practice): mornings 09:00–12:00, afternoons 13:30–17:00, in half hours of 2 places each.
HALL_HOURS = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 0)))
SLOT_MINUTES = 30
SLOT_CAPACITY = 2
# Check-in opens this long before the slot starts and closes when it ends.
CHECK_IN_EARLY = timedelta(minutes=60)
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed at a kiosk
CODE_LENGTH = 6


def slot_times() -> list[tuple[time, time]]:
    times = []
    for opens, closes in HALL_HOURS:
        start = datetime.combine(date.min, opens)
        while (start + timedelta(minutes=SLOT_MINUTES)).time() <= closes:
            end = start + timedelta(minutes=SLOT_MINUTES)
            times.append((start.time(), end.time()))
            start = end
    return times


def hall_open_days(*, start: date, days: int) -> list[date]:
    """The days among `days` from `start` on which appointments are taken: the work calendar's working days
    (official make-up working days included, holidays excluded), and ordinary weekends when
    APPOINTMENT_WEEKEND_SLOTS is on."""
    calendar = get_calendar()
    span = [start + timedelta(days=i) for i in range(max(days, 0))]
    if not span:
        return []
    holidays = set(CalendarDay.objects.filter(date__range=(span[0], span[-1]), kind=DayKind.HOLIDAY)
                   .values_list("date", flat=True))
    weekends = settings.APPOINTMENT_WEEKEND_SLOTS
    return [d for d in span
            if calendar.is_working_day(d) or (weekends and d.weekday() >= 5 and d not in holidays)]


@transaction.atomic
def slots_ensure(*, start: date, days: int) -> int:
    """Make the missing slots of every active window that takes appointments; returns how many were made.
    Safe to run again: slots that exist are kept as they are (unique window + date + start)."""
    open_days = hall_open_days(start=start, days=days)
    windows = list(Window.objects.filter(is_active=True, takes_appointments=True))
    if not open_days or not windows:
        return 0
    existing = set(AppointmentSlot.objects.filter(window__in=windows, date__in=open_days)
                   .values_list("window_id", "date", "start"))
    new = [AppointmentSlot(window=window, date=day, start=s, end=e, capacity=SLOT_CAPACITY)
           for day in open_days for window in windows for s, e in slot_times()
           if (window.pk, day, s) not in existing]
    AppointmentSlot.objects.bulk_create(new, ignore_conflicts=True)  # a concurrent run made the same rows
    return len(new)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def _one_a_day(day: date) -> Conflict:
    return Conflict(_("您在 %(date)s 已有预约，每人每天限约一次。") % {"date": formats.date_format(day)})


@transaction.atomic
def appointment_book(*, actor: Any, slot: AppointmentSlot, phone: str, item: Item | None = None) -> Appointment:
    """Book a place in `slot` for the actor (and their applicant record, if any).

    The place is taken with a conditional UPDATE (booked < capacity), so the capacity is never exceeded
    however many book at once; one booked appointment per person per day is a unique constraint.
    """
    phone = phone.strip()
    try:
        validate_mobile(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None
    slot = AppointmentSlot.objects.select_related("window").get(pk=slot.pk)
    if not (slot.window.is_active and slot.window.takes_appointments):
        raise DomainError(_("该窗口暂不接受预约。"))
    if slot.starts_at <= timezone.now():
        raise DomainError(_("该时段已开始或已过去，请选择其他时段。"))
    if item is not None and (item.published is None or not item.published.appointment):
        raise DomainError(_("该事项不支持预约。"))
    applicant = applicant_of(actor)
    visitor = TicketKind.ENTERPRISE if applicant is not None and applicant.is_enterprise else TicketKind.ORDINARY
    if not slot.window.serves(visitor):
        raise DomainError(_("该窗口只办理企业业务，请选择其他窗口。"))
    booked = Appointment.objects.filter(user=actor, date=slot.date, status=AppointmentStatus.BOOKED)
    if booked.exists():
        raise _one_a_day(slot.date)
    taken = AppointmentSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise Conflict(_("该时段已约满，请选择其他时段。"))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    slot=slot, user=actor, applicant=applicant, item=item, phone=phone,
                    code=_new_code(), date=slot.date, starts_at=slot.starts_at, ends_at=slot.ends_at)
            break
        except IntegrityError:
            if booked.exists():  # the same person booked another slot of that day at the same moment
                raise _one_a_day(slot.date) from None
            # else the code was taken that day already: draw another
    else:
        raise Conflict(_("预约未成功，请重试。"))
    audit_record(actor=actor, action="appointment.book", obj=appointment,
                 after={"slot": slot.pk, "item": item.pk if item else None})
    words = {"date": formats.date_format(slot.date), "time": slot.start.strftime("%H:%M"),
             "window": slot.window.number, "code": appointment.code}
    notify(recipient=actor, subject=_("预约成功：%(date)s %(time)s，%(window)s 号窗口") % words,
           body=_("请于预约时段到大厅自助取号机或窗口出示签到码 %(code)s 签到。") % words)
    return appointment


@transaction.atomic
def appointment_cancel(*, actor: Any, appointment: Appointment) -> Appointment:
    """The booker cancels before the slot starts; the place is free again at once."""

    def check(locked: Appointment) -> None:
        if locked.starts_at <= timezone.now():
            raise Conflict(_("预约时段已开始，不能取消。"))

    appointment = transition(appointment, "cancel", actor=actor, action="appointment.cancel", check=check)
    AppointmentSlot.objects.filter(pk=appointment.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    return appointment


@transaction.atomic
def appointment_check_in(*, actor: Any, code: str) -> Appointment:
    """Check in today's appointment with its code, at the kiosk (actor None) or by a clerk: the person gets
    a priority ticket (Y…). Opens CHECK_IN_EARLY before the slot and closes when the slot ends."""
    code = code.strip().upper()
    found = Appointment.objects.filter(date=hall_day(), code=code).only("pk").first()
    if found is None:
        raise DomainError(_("签到码无效，或不是今天的预约。"))
    appointment = Appointment.objects.select_for_update(of=("self",)).select_related("applicant").get(pk=found.pk)
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict(_("该预约已签到或已失效（%(status)s）。")
                       % {"status": appointment.get_status_display()})
    now = timezone.now()
    if now < appointment.starts_at - CHECK_IN_EARLY:
        opens = timezone.localtime(appointment.starts_at - CHECK_IN_EARLY)
        raise DomainError(_("签到尚未开始，请于 %(time)s 之后签到。") % {"time": opens.strftime("%H:%M")})
    if now > appointment.ends_at:
        raise Conflict(_("预约时段已过，请重新取号。"))
    applicant = appointment.applicant
    ticket = ticket_take(
        source=TicketSource.APPOINTMENT, applicant=applicant, phone=appointment.phone, holder=appointment.user,
        kind=TicketKind.ENTERPRISE if applicant is not None and applicant.is_enterprise else TicketKind.ORDINARY,
        actor=actor,
    )
    return transition(appointment, "check_in", actor=actor, action="appointment.check_in", ticket=ticket,
                      audit_after={"ticket": ticket.number})


def appointments_mark_no_shows(*, now: datetime) -> int:
    """Mark booked appointments whose slot has ended as no-shows. Reads only what is due (a partial index);
    each in its own transaction, skipping rows another sweep holds: safe to run twice or at once."""
    due = list(Appointment.objects.filter(status=AppointmentStatus.BOOKED, ends_at__lte=now)
               .order_by("ends_at", "pk").values_list("pk", flat=True))
    marked = 0
    for pk in due:
        with transaction.atomic():
            appointment = (Appointment.objects.select_for_update(skip_locked=True)
                           .filter(pk=pk, status=AppointmentStatus.BOOKED).first())
            if appointment is None:
                continue
            transition(appointment, "mark_no_show", actor=None, action="appointment.no_show")
            marked += 1
    return marked
