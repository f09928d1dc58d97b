"""The queue and appointments under real parallel transactions on PostgreSQL (SQLite serialises writers)."""

import threading
from datetime import time, timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from applications.models import Appointment, AppointmentSlot, Ticket, Window
from applications.models.queue import AppointmentStatus, TicketSource, TicketStatus
from applications.services.appointments import appointment_book, appointments_mark_no_shows
from applications.services.queue import ticket_call_next, ticket_serve, ticket_take, window_open
from portal.errors import Conflict
from portal.models import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PHONE = "13912345678"


def _in_threads(targets):
    """Run each target in its own thread and connection, all released at once; results in target order.
    A Conflict is a result (someone else won), any other exception fails the test."""
    barrier = threading.Barrier(len(targets))
    results, errors = [None] * len(targets), []

    def run(i, target):
        try:
            barrier.wait()
            results[i] = target()
        except Conflict as exc:
            results[i] = exc
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_fifty_people_book_the_last_ten_places():
    window = Window.objects.create(number="01", name="综合受理1号窗口")
    slot = AppointmentSlot.objects.create(window=window, date=timezone.localdate() + timedelta(days=2),
                                          start=time(10, 0), end=time(10, 30), capacity=12)
    for user in UserFactory.create_batch(2, role=Role.APPLICANT_PERSON):
        appointment_book(actor=user, slot=slot, phone=PHONE)
    people = UserFactory.create_batch(50, role=Role.APPLICANT_PERSON)
    results = _in_threads([lambda u=u: appointment_book(actor=u, slot=slot, phone=PHONE) for u in people])
    booked = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(booked) == 10 and len(refused) == 40
    assert all("约满" in str(r) for r in refused)
    slot.refresh_from_db()
    assert slot.booked == slot.capacity == 12
    assert Appointment.objects.filter(slot=slot, status=AppointmentStatus.BOOKED).count() == 12


def test_one_person_booking_two_slots_of_a_day_at_once_gets_one():
    window = Window.objects.create(number="01", name="综合受理1号窗口")
    day = timezone.localdate() + timedelta(days=2)
    slots = [AppointmentSlot.objects.create(window=window, date=day, start=time(h, 0), end=time(h, 30), capacity=2)
             for h in (9, 10, 14, 15)]
    user = UserFactory(role=Role.APPLICANT_PERSON)
    results = _in_threads([lambda s=s: appointment_book(actor=user, slot=s, phone=PHONE) for s in slots])
    assert sum(isinstance(r, Appointment) for r in results) == 1
    assert Appointment.objects.filter(user=user).count() == 1
    assert sum(AppointmentSlot.objects.values_list("booked", flat=True)) == 1  # the refused places were given back


def test_twenty_tickets_taken_at_once_get_twenty_numbers():
    tickets = _in_threads([lambda: ticket_take(source=TicketSource.KIOSK)] * 20)
    numbers = sorted(t.number for t in tickets)
    assert numbers == [f"A{n:03d}" for n in range(1, 21)]  # distinct, and without gaps
    assert Ticket.objects.values("number").distinct().count() == 20


def test_two_clerks_calling_at_once_get_different_tickets():
    clerks = UserFactory.create_batch(2, role=Role.CLERK)
    windows = [Window.objects.create(number=f"0{n}", name=f"综合受理{n}号窗口") for n in (1, 2)]
    for clerk, window in zip(clerks, windows, strict=True):
        window_open(actor=clerk, window=window)
    for _ in range(10):
        ticket_take(source=TicketSource.KIOSK)
    seen = []
    for _round in range(5):
        called = _in_threads([lambda c=c, w=w: ticket_call_next(actor=c, window=w)
                              for c, w in zip(clerks, windows, strict=True)])
        assert all(isinstance(t, Ticket) for t in called), called
        assert called[0].pk != called[1].pk
        seen += [t.number for t in called]
        for clerk, ticket in zip(clerks, called, strict=True):
            ticket_serve(actor=clerk, ticket=ticket)
    assert sorted(seen) == [f"A{n:03d}" for n in range(1, 11)]
    assert Ticket.objects.filter(status=TicketStatus.SERVED).count() == 10


def test_two_no_show_sweeps_at_once_mark_each_appointment_once():
    window = Window.objects.create(number="01", name="综合受理1号窗口")
    slot = AppointmentSlot.objects.create(window=window, date=timezone.localdate() + timedelta(days=1),
                                          start=time(9, 0), end=time(9, 30), capacity=30)
    for user in UserFactory.create_batch(30, role=Role.APPLICANT_PERSON):
        appointment_book(actor=user, slot=slot, phone=PHONE)
    marked = _in_threads([lambda: appointments_mark_no_shows(now=slot.ends_at)] * 2)
    assert sum(marked) == 30
    assert Appointment.objects.filter(status=AppointmentStatus.NO_SHOW).count() == 30
