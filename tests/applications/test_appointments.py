"""预约: slots by the work calendar, booking rules, the state machine, check-in, the no-show sweep, pages, API."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed
from rest_framework.test import APIClient

from applications.models import Appointment, AppointmentSlot, Ticket, Window
from applications.models.queue import AppointmentStatus, TicketSource, WindowKind
from applications.services.appointments import (
    SLOT_CAPACITY,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointments_mark_no_shows,
    hall_open_days,
    slot_times,
    slots_ensure,
)
from applications.tasks_queue import appointments_mark_no_shows as no_show_task
from applications.tasks_queue import slots_ensure as slots_task
from portal.errors import Conflict, DomainError
from portal.models import AuditEvent, Notification
from tests.matrix import EVERYONE, Row, check_matrix, only

APPLICANTS = only("applicant_a", "applicant_b", "enterprise")
PHONE = "13912345678"


@pytest.fixture
def windows(db):
    return [
        Window.objects.create(number="01", name="综合受理1号窗口"),
        Window.objects.create(number="02", name="综合受理2号窗口"),
        Window.objects.create(number="07", name="企业开办专窗", kind=WindowKind.SPECIAL),
        Window.objects.create(number="08", name="出件窗口", kind=WindowKind.DELIVERY, takes_appointments=False),
        Window.objects.create(number="09", name="停用窗口", is_active=False),
    ]


@pytest.fixture
def soon():
    """A day three days from now (bookable: its slots have not started)."""
    return timezone.localdate() + timedelta(days=3)


def make_slot(window, day, start=time(10, 0), end=time(10, 30), capacity=SLOT_CAPACITY, **kwargs):
    return AppointmentSlot.objects.create(window=window, date=day, start=start, end=end, capacity=capacity, **kwargs)


@pytest.fixture
def slot(windows, soon):
    return make_slot(windows[0], soon)


@pytest.fixture
def freeze(monkeypatch):
    def set_now(moment: datetime) -> datetime:
        aware = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
        monkeypatch.setattr(timezone, "now", lambda: aware)
        return aware

    return set_now


def book(user, slot, **kwargs) -> Appointment:
    return appointment_book(actor=user, slot=slot, phone=kwargs.pop("phone", PHONE), **kwargs)


# --- slots --------------------------------------------------------------------------------------------
def test_the_hall_has_thirteen_half_hours():
    times = slot_times()
    assert len(times) == 13
    assert times[0] == (time(9, 0), time(9, 30)) and times[5] == (time(11, 30), time(12, 0))
    assert times[6] == (time(13, 30), time(14, 0)) and times[-1] == (time(16, 30), time(17, 0))


NATIONAL_DAY_2026 = [date(2026, 10, d) for d in range(1, 8)]
START = date(2026, 9, 28)  # Monday; the fortnight runs to Sunday 11 October


def test_slots_on_working_days_across_national_day(work_calendar, windows, settings):
    settings.APPOINTMENT_WEEKEND_SLOTS = False
    made = slots_ensure(start=START, days=14)
    days = sorted(set(AppointmentSlot.objects.values_list("date", flat=True)))
    # Saturday 10 October 2026 is an official make-up working day (调休上班): it counts.
    assert days == [date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 8), date(2026, 10, 9),
                    date(2026, 10, 10)]
    takers = 3  # 01, 02, 07: active and taking appointments
    assert made == len(days) * takers * 13 == AppointmentSlot.objects.count()
    assert not AppointmentSlot.objects.filter(window__number__in=["08", "09"]).exists()
    assert set(AppointmentSlot.objects.values_list("capacity", flat=True)) == {SLOT_CAPACITY}


def test_weekend_slots_when_the_setting_is_on_but_never_on_holidays(work_calendar, windows, settings):
    settings.APPOINTMENT_WEEKEND_SLOTS = True
    days = hall_open_days(start=START, days=14)
    assert date(2026, 10, 11) in days  # an ordinary Sunday
    assert not set(NATIONAL_DAY_2026) & set(days)  # 3 and 4 October are a weekend inside the holiday
    settings.APPOINTMENT_WEEKEND_SLOTS = False
    assert date(2026, 10, 11) not in hall_open_days(start=START, days=14)


def test_slots_ensure_is_idempotent(work_calendar, windows):
    first = slots_ensure(start=START, days=14)
    slot = AppointmentSlot.objects.first()
    AppointmentSlot.objects.filter(pk=slot.pk).update(booked=1)
    assert slots_ensure(start=START, days=14) == 0
    assert AppointmentSlot.objects.count() == first
    slot.refresh_from_db()
    assert slot.booked == 1  # kept as it was


def test_the_daily_task_makes_the_next_days(work_calendar, windows, settings):
    settings.APPOINTMENT_DAYS_AHEAD = 7
    slots_task()
    dates = set(AppointmentSlot.objects.values_list("date", flat=True))
    today = timezone.localdate()
    assert dates and all(today <= d < today + timedelta(days=7) for d in dates)


# --- booking ------------------------------------------------------------------------------------------
def test_booking_takes_a_place_and_tells_the_booker(people, slot, person_a):
    appointment = book(people["applicant_a"], slot)
    slot.refresh_from_db()
    assert slot.booked == 1
    assert (appointment.status, appointment.applicant, appointment.date) == (AppointmentStatus.BOOKED, person_a,
                                                                             slot.date)
    assert appointment.starts_at == slot.starts_at and len(appointment.code) == 6
    assert Notification.objects.filter(recipient=people["applicant_a"], subject__contains="预约成功").exists()
    assert AuditEvent.objects.filter(action="appointment.book", actor=people["applicant_a"]).exists()


def test_a_full_slot_is_refused(people, slot):
    book(people["applicant_a"], slot)
    book(people["applicant_b"], slot)
    with pytest.raises(Conflict, match="该时段已约满"):
        book(people["enterprise"], slot)
    slot.refresh_from_db()
    assert slot.booked == slot.capacity == 2
    assert Appointment.objects.count() == 2


def test_a_past_or_started_slot_is_refused(people, windows, freeze, soon):
    slot = make_slot(windows[0], soon)
    freeze(datetime.combine(soon, time(10, 0)))
    with pytest.raises(DomainError, match="已开始或已过去"):
        book(people["applicant_a"], slot)
    slot.refresh_from_db()
    assert slot.booked == 0


def test_one_booked_appointment_a_day(people, windows, soon):
    first = book(people["applicant_a"], make_slot(windows[0], soon))
    later = make_slot(windows[1], soon, start=time(15, 0), end=time(15, 30))
    with pytest.raises(Conflict, match="每人每天限约一次"):
        book(people["applicant_a"], later)
    later.refresh_from_db()
    assert later.booked == 0
    book(people["applicant_a"], make_slot(windows[0], soon + timedelta(days=1)))  # another day is fine
    appointment_cancel(actor=people["applicant_a"], appointment=first)
    assert book(people["applicant_a"], later).slot == later  # after cancelling, the day is free again


def test_cancelling_frees_the_place(people, slot):
    a = book(people["applicant_a"], slot)
    book(people["applicant_b"], slot)
    appointment_cancel(actor=people["applicant_a"], appointment=a)
    slot.refresh_from_db()
    assert slot.booked == 1
    assert book(people["enterprise"], slot).status == AppointmentStatus.BOOKED


def test_only_the_booker_cancels_and_only_before_the_slot(people, slot, freeze):
    appointment = book(people["applicant_a"], slot)
    with pytest.raises(PermissionDenied):
        appointment_cancel(actor=people["applicant_b"], appointment=appointment)
    freeze(slot.starts_at + timedelta(minutes=1))
    with pytest.raises(Conflict, match="不能取消"):
        appointment_cancel(actor=people["applicant_a"], appointment=appointment)
    slot.refresh_from_db()
    assert slot.booked == 1


def test_booking_refuses_a_bad_phone_an_unbookable_item_and_a_closed_window(people, slot, published_version,
                                                                              windows, soon):
    with pytest.raises(ValidationError) as caught:
        book(people["applicant_a"], slot, phone="110")
    assert "phone" in caught.value.message_dict
    item = published_version.item
    item.published.appointment = False
    item.published.save()
    with pytest.raises(DomainError, match="不支持预约"):
        book(people["applicant_a"], slot, item=item)
    with pytest.raises(DomainError, match="暂不接受预约"):
        book(people["applicant_a"], make_slot(windows[3], soon))
    slot.refresh_from_db()
    assert slot.booked == 0 and not Appointment.objects.exists()


# --- the appointment state machine --------------------------------------------------------------------
TRANSITIONS = ["cancel", "check_in", "mark_no_show"]


@pytest.mark.parametrize(("state", "allowed"), [
    (AppointmentStatus.BOOKED, {"cancel", "check_in", "mark_no_show"}),
    (AppointmentStatus.CANCELLED, set()),
    (AppointmentStatus.CHECKED_IN, set()),
    (AppointmentStatus.NO_SHOW, set()),
])
def test_appointment_transitions_from_each_state(state, allowed):
    appointment = Appointment(status=state)
    assert {name for name in TRANSITIONS if can_proceed(getattr(appointment, name))} == allowed


def test_a_cancelled_appointment_cannot_be_cancelled_again(people, slot):
    appointment = appointment_cancel(actor=people["applicant_a"], appointment=book(people["applicant_a"], slot))
    with pytest.raises(TransitionNotAllowed):
        appointment_cancel(actor=people["applicant_a"], appointment=appointment)
    slot.refresh_from_db()
    assert slot.booked == 0


# --- check-in -----------------------------------------------------------------------------------------
def test_check_in_gives_a_priority_ticket(people, slot, freeze, person_a):
    appointment = book(people["applicant_a"], slot)
    freeze(slot.starts_at - timedelta(minutes=10))
    checked = appointment_check_in(actor=None, code=appointment.code.lower())
    ticket = checked.ticket
    assert checked.status == AppointmentStatus.CHECKED_IN and checked.checked_in_at is not None
    assert (ticket.number, ticket.priority, ticket.source) == ("Y001", 1, TicketSource.APPOINTMENT)
    assert (ticket.holder, ticket.applicant, ticket.hall_day) == (people["applicant_a"], person_a, slot.date)
    with pytest.raises(Conflict, match="已签到"):
        appointment_check_in(actor=people["clerk"], code=appointment.code)
    assert Ticket.objects.count() == 1


def test_check_in_opens_an_hour_before_and_closes_at_the_end(people, slot, freeze):
    appointment = book(people["applicant_a"], slot)
    freeze(slot.starts_at - timedelta(minutes=61))
    with pytest.raises(DomainError, match="签到尚未开始"):
        appointment_check_in(actor=None, code=appointment.code)
    freeze(slot.ends_at + timedelta(minutes=1))
    with pytest.raises(Conflict, match="预约时段已过"):
        appointment_check_in(actor=None, code=appointment.code)
    assert not Ticket.objects.exists()


def test_check_in_with_an_unknown_code_or_on_another_day(people, slot, freeze):
    appointment = book(people["applicant_a"], slot)
    freeze(slot.starts_at - timedelta(days=1))
    with pytest.raises(DomainError, match="签到码无效"):
        appointment_check_in(actor=None, code=appointment.code)
    freeze(slot.starts_at)
    with pytest.raises(DomainError, match="签到码无效"):
        appointment_check_in(actor=None, code="ZZZZZZ")


def test_only_clerks_check_in_for_others(people, slot, freeze):
    appointment = book(people["applicant_a"], slot)
    freeze(slot.starts_at)
    with pytest.raises(PermissionDenied):
        appointment_check_in(actor=people["applicant_b"], code=appointment.code)
    assert appointment_check_in(actor=people["clerk"], code=appointment.code).status == AppointmentStatus.CHECKED_IN


# --- the no-show sweep --------------------------------------------------------------------------------
def test_no_shows_are_marked_once(people, windows, soon, freeze):
    early = make_slot(windows[0], soon, start=time(9, 0), end=time(9, 30))
    late = make_slot(windows[0], soon, start=time(16, 0), end=time(16, 30))
    missed = book(people["applicant_a"], early)
    cancelled = appointment_cancel(actor=people["applicant_b"], appointment=book(people["applicant_b"], early))
    came = book(people["enterprise"], early)
    pending = book(people["clerk"], late)  # any signed-in person may book through the service
    freeze(early.starts_at)
    appointment_check_in(actor=None, code=came.code)
    after = early.ends_at
    assert appointments_mark_no_shows(now=after - timedelta(seconds=1)) == 0
    assert appointments_mark_no_shows(now=after) == 1
    assert appointments_mark_no_shows(now=after) == 0  # run twice: nothing more
    statuses = dict(Appointment.objects.values_list("pk", "status"))
    assert statuses == {missed.pk: AppointmentStatus.NO_SHOW, cancelled.pk: AppointmentStatus.CANCELLED,
                        came.pk: AppointmentStatus.CHECKED_IN, pending.pk: AppointmentStatus.BOOKED}
    assert AuditEvent.objects.filter(action="appointment.no_show", actor=None).count() == 1


def test_the_no_show_task_sweeps_up_to_now(people, slot, freeze):
    appointment = book(people["applicant_a"], slot)
    freeze(slot.ends_at + timedelta(hours=1))
    assert no_show_task() == 1
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW


def test_the_sweep_reads_through_its_partial_index():
    index = next(i for i in Appointment._meta.indexes if i.name == "appointment_due_no_show")
    assert index.fields == ["ends_at"] and index.condition is not None


# --- pages --------------------------------------------------------------------------------------------
def test_booking_in_three_steps_without_javascript(client, people, slot, published_version):
    client.force_login(people["applicant_a"])
    first = client.get(reverse("appointment_new"))
    assert first.status_code == 200 and slot.date.isoformat() in first.content.decode()
    slots = client.get(reverse("appointment_new"), {"date": slot.date.isoformat()}).content.decode()
    confirm_url = reverse("appointment_confirm", args=[slot.pk])
    assert confirm_url in slots and "10:00" in slots
    assert client.get(confirm_url).status_code == 200
    code = published_version.item.implementation_code
    response = client.post(confirm_url, {"phone": PHONE, "item": code})
    assert response.status_code == 302 and response["Location"] == reverse("appointments_mine")
    appointment = Appointment.objects.get()
    assert appointment.item == published_version.item
    mine = client.get(reverse("appointments_mine")).content.decode()
    assert appointment.code in mine and published_version.name in mine


def test_booking_page_errors_are_messages(client, people, slot):
    client.force_login(people["applicant_a"])
    url = reverse("appointment_confirm", args=[slot.pk])
    bad = client.post(url, {"phone": "12", "item": "NO-SUCH"}).content.decode()
    assert "请输入 11 位手机号码" in bad and "没有这个事项" in bad
    book(people["applicant_b"], slot)
    book(people["enterprise"], slot)
    full = client.post(url, {"phone": PHONE}, follow=True).content.decode()
    assert "该时段已约满" in full
    assert client.get(reverse("appointment_new"), {"date": "2000-01-01"}).status_code == 200  # a choice error
    assert client.get(reverse("appointment_confirm", args=[999999])).status_code == 404


def test_the_page_offers_each_half_hour_once_with_the_places_of_all_windows(client, people, windows, soon):
    first, second, special = (make_slot(window, soon) for window in windows[:3])
    book(people["applicant_b"], first)
    client.force_login(people["applicant_a"])
    html = client.get(reverse("appointment_new"), {"date": soon.isoformat()}).content.decode()
    assert html.count("10:00–10:30") == 1 and "余 3 个名额" in html  # the enterprise window is not offered
    assert reverse("appointment_confirm", args=[second.pk]) in html  # the window with the most places left
    assert reverse("appointment_confirm", args=[first.pk]) not in html
    client.force_login(people["enterprise"])
    html = client.get(reverse("appointment_new"), {"date": soon.isoformat()}).content.decode()
    assert "余 5 个名额" in html and special.window.kind == WindowKind.SPECIAL


def test_the_slot_list_swaps_in_with_htmx(client, people, slot):
    client.force_login(people["applicant_a"])
    partial = client.get(reverse("appointment_new"), {"date": slot.date.isoformat()}, HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert "<html" not in text and reverse("appointment_confirm", args=[slot.pk]) in text


def test_cancel_on_the_page_and_others_get_404(client, people, slot):
    appointment = book(people["applicant_a"], slot)
    url = reverse("appointment_cancel", args=[appointment.pk])
    client.force_login(people["applicant_b"])
    assert client.post(url).status_code == 404
    client.force_login(people["applicant_a"])
    assert client.post(url).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_the_clerk_sees_todays_appointments_and_checks_one_in(client, people, windows, freeze):
    today = timezone.localdate()
    slot = make_slot(windows[0], today, start=time(23, 0), end=time(23, 30))
    freeze(datetime.combine(today, time(8, 0)))
    appointment = book(people["applicant_a"], slot)
    client.force_login(people["clerk"])
    page = client.get(reverse("appointments_today")).content.decode()
    assert appointment.code in page and "综合受理1号窗口" in page
    freeze(datetime.combine(today, time(22, 30)))
    response = client.post(reverse("queue_check_in"), {"code": appointment.code}, follow=True)
    assert "签到成功" in response.content.decode() and "Y001" in response.content.decode()


def test_kiosk_check_in_leads_to_the_ticket(client, people, slot, freeze):
    appointment = book(people["applicant_a"], slot)
    freeze(slot.starts_at)
    response = client.post(reverse("queue_check_in"), {"code": appointment.code})
    assert response.status_code == 302 and "/hall/tickets/" in response["Location"]
    assert "Y001" in client.get(response["Location"]).content.decode()
    wrong = client.post(reverse("queue_check_in"), {"code": "ZZZZZZ"}, follow=True).content.decode()
    assert "签到码无效" in wrong


# --- API ----------------------------------------------------------------------------------------------
def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_api_slots_are_public_with_places_left(db, people, windows, soon):
    open_slot = make_slot(windows[0], soon)
    full = make_slot(windows[1], soon, capacity=1)
    book(people["applicant_a"], full)
    response = api().get("/api/v1/appointment-slots/", {"date": soon.isoformat()})
    assert response.status_code == 200
    assert [(s["id"], s["places_left"], s["window"]["number"]) for s in response.data] == [(open_slot.pk, 2, "01")]
    assert api().get("/api/v1/appointment-slots/", {"date": "2026-02-30"}).status_code == 400
    assert "date" in api().get("/api/v1/appointment-slots/", {"date": "tomorrow"}).data


def test_api_book_list_and_cancel(db, people, slot, published_version):
    client = api(people["applicant_a"])
    response = client.post("/api/v1/appointments/", {"slot": slot.pk, "phone": PHONE,
                                                     "item": published_version.item.implementation_code},
                           format="json")
    assert response.status_code == 201, response.content
    assert (response.data["status"], response.data["item"], response.data["slot"]["id"]) == (
        "booked", published_version.item.implementation_code, slot.pk)
    assert [a["id"] for a in client.get("/api/v1/appointments/").data["results"]] == [response.data["id"]]
    assert api(people["applicant_b"]).get("/api/v1/appointments/").data["results"] == []
    again = client.post("/api/v1/appointments/", {"slot": slot.pk, "phone": PHONE}, format="json")
    assert again.status_code == 409 and "每人每天限约一次" in again.data["detail"]
    pk = response.data["id"]
    assert api(people["applicant_b"]).post(f"/api/v1/appointments/{pk}/cancel/").status_code == 404
    assert client.post(f"/api/v1/appointments/{pk}/cancel/").data["status"] == "cancelled"
    assert client.post(f"/api/v1/appointments/{pk}/cancel/").status_code == 409
    assert client.post("/api/v1/appointments/999999/cancel/").status_code == 404


@pytest.mark.parametrize(("body", "field"), [
    ({"phone": PHONE}, "slot"),
    ({"slot": 999999, "phone": PHONE}, "slot"),
    ({"slot": "x", "phone": PHONE}, "slot"),
    ({"slot": "SLOT"}, "phone"),
    ({"slot": "SLOT", "phone": "12"}, "phone"),
    ({"slot": "SLOT", "phone": PHONE, "item": "NO-SUCH"}, "item"),
])
def test_api_bad_booking_input_is_a_400_naming_the_field(db, people, slot, body, field):
    body = {k: slot.pk if v == "SLOT" else v for k, v in body.items()}
    response = api(people["applicant_a"]).post("/api/v1/appointments/", body, format="json")
    assert response.status_code == 400 and field in response.data
    assert not Appointment.objects.exists()


def test_api_full_slot_is_409_and_past_slot_400(db, people, windows, soon, freeze):
    full = make_slot(windows[0], soon, capacity=1)
    book(people["applicant_b"], full)
    response = api(people["applicant_a"]).post("/api/v1/appointments/", {"slot": full.pk, "phone": PHONE},
                                               format="json")
    assert response.status_code == 409 and "约满" in response.data["detail"]
    past = make_slot(windows[1], soon)
    freeze(past.ends_at)
    response = api(people["applicant_a"]).post("/api/v1/appointments/", {"slot": past.pk, "phone": PHONE},
                                               format="json")
    assert response.status_code == 400 and "已开始或已过去" in str(response.data)


def test_api_check_in_by_a_clerk(db, people, slot, freeze):
    appointment = book(people["applicant_a"], slot)
    freeze(slot.starts_at)
    assert api(people["applicant_a"]).post("/api/v1/appointments/check-in/", {"code": appointment.code},
                                           format="json").status_code == 403
    assert api(people["clerk"]).post("/api/v1/appointments/check-in/", {}, format="json").data.keys() == {"code"}
    response = api(people["clerk"]).post("/api/v1/appointments/check-in/", {"code": appointment.code},
                                         format="json")
    assert (response.status_code, response.data["status"], response.data["ticket"]) == (200, "checked_in", "Y001")
    again = api(people["clerk"]).post("/api/v1/appointments/check-in/", {"code": appointment.code}, format="json")
    assert again.status_code == 409
    listed = api(people["clerk"]).get("/api/v1/appointments/", {"date": slot.date.isoformat()}).data["results"]
    assert [a["code"] for a in listed] == [appointment.code]


# --- who may do what ----------------------------------------------------------------------------------
def appointment_rows() -> list[Row]:
    def mine(p):
        return p["appointment"]

    return [
        Row("get", "/hall/appointments/", APPLICANTS),
        Row("get", "/hall/appointments/new/", APPLICANTS),
        Row("get", lambda p: f"/hall/appointments/new/{p['slot'].pk}/", APPLICANTS),
        Row("get", "/hall/appointments/today/", only("clerk")),
        Row("post", "/hall/check-in/", EVERYONE, data={"code": "ZZZZZZ"}),  # the kiosk: a message, nothing changes
        Row("post", lambda p: f"/hall/appointments/{mine(p).pk}/cancel/", only("applicant_a")),
        Row("get", "/api/v1/appointment-slots/", EVERYONE),
        Row("get", "/api/v1/appointments/", only("clerk", "applicant_a", "applicant_b", "enterprise")),
        Row("post", "/api/v1/appointments/", APPLICANTS, ok=frozenset({400})),  # an empty body
        Row("post", "/api/v1/appointments/check-in/", only("clerk"), data={"code": "ZZZZZZ"}, ok=frozenset({400})),
        Row("post", lambda p: f"/api/v1/appointments/{mine(p).pk}/cancel/", only("applicant_a"),
            ok=frozenset({409})),  # cancelled on the page already
    ]


def test_every_role_against_the_appointment_pages_and_endpoints(people, slot):
    appointment = book(people["applicant_a"], slot)
    assert check_matrix(Client, {**people, "appointment": appointment, "slot": slot}, appointment_rows()) == []
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert not Ticket.objects.exists()
