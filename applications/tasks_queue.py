"""Celery tasks of the queue and appointments: thin, idempotent, they call the services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models.queue import Ticket
from applications.services.appointments import appointments_mark_no_shows as mark_no_shows
from applications.services.appointments import slots_ensure as ensure
from portal.outbox import outbox_task
from portal.sms import send_sms


@shared_task(name="applications.slots_ensure", ignore_result=True)
def slots_ensure() -> int:
    """Daily: appointment slots for the next APPOINTMENT_DAYS_AHEAD days."""
    return ensure(start=timezone.localdate(), days=settings.APPOINTMENT_DAYS_AHEAD)


@shared_task(name="applications.appointments_mark_no_shows", ignore_result=True)
def appointments_mark_no_shows() -> int:
    return mark_no_shows(now=timezone.now())


@outbox_task("applications.ticket_called_sms")
def ticket_called_sms(*, ticket_id: int) -> None:
    """A walk-in who left a phone number at the kiosk is told by SMS that their number is called."""
    ticket = Ticket.objects.select_related("window").filter(pk=ticket_id).first()
    if ticket is None or not ticket.phone or ticket.window is None:
        return
    send_sms(phone=ticket.phone, text=_("【政务服务】请 %(number)s 号到 %(window)s 号窗口办理。")
             % {"number": ticket.number, "window": ticket.window.number})
