"""The hall's queue pages: the display (TV), the kiosk (also on a phone), the clerk's desk, and appointments.

Every form works without JavaScript (POST, then a redirect); htmx swaps the parts that change in place and
polls the display and the desk. Writes go through applications.services; domain errors and conflicts
become a message on the page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications.models.queue import (
    AppointmentSlot,
    AppointmentStatus,
    Ticket,
    TicketKind,
    TicketSource,
    TicketStatus,
    Window,
    WindowKind,
)
from applications.models.queue import validate_mobile as mobile
from applications.queue_selectors import (
    applicant_of,
    appointment_get_for_user,
    appointments_for_day,
    appointments_of,
    bookable_dates,
    hall_board,
    is_clerk,
    skipped_tickets,
    slots_with_places,
    ticket_by_key,
    ticket_key,
    tickets_ahead,
    waiting_tickets,
    window_current_ticket,
    window_of_clerk,
)
from applications.services.appointments import appointment_book, appointment_cancel, appointment_check_in
from applications.services.queue import (
    hall_day,
    ticket_call_next,
    ticket_cancel,
    ticket_path,
    ticket_recall,
    ticket_serve,
    ticket_skip,
    ticket_take,
    window_close,
    window_open,
)
from items.models import Item
from portal.errors import CONFLICTS, DomainError
from portal.models import Role
from portal.models.accounts import APPLICANT_ROLES
from portal.permissions import role_required
from portal.ratelimit import limit_posts

clerk_only = role_required(Role.CLERK)
applicants_only = role_required(*APPLICANT_ROLES)
REFUSALS = (DomainError, *CONFLICTS)
DESK_WAITING_SHOWN = 20


# --- forms --------------------------------------------------------------------------------------------
class TakeTicketForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("业务类型"), choices=TicketKind.choices, initial=TicketKind.ORDINARY,
                             widget=forms.RadioSelect)
    phone = forms.CharField(label=gettext_lazy("手机号码（选填）"), max_length=11, required=False, validators=[mobile],
                            help_text=gettext_lazy("叫号时短信提醒您；不会显示在大厅屏幕上。"),
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}))


class CheckInForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("预约签到码"), max_length=8, min_length=4,
                           widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}))


class WindowForm(forms.Form):
    window = forms.ModelChoiceField(label=gettext_lazy("窗口"), queryset=Window.objects.filter(is_active=True),
                                    empty_label=None)


class DateForm(forms.Form):
    """The days with places left, as a list to choose from (easier on a phone than typing a date)."""

    date = forms.TypedChoiceField(label=gettext_lazy("预约日期"), coerce=date.fromisoformat, empty_value=None)

    def __init__(self, *args: Any, dates: list[datetime.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].choices = [  # type: ignore[attr-defined]
            (d.isoformat(), f"{formats.date_format(d)} {formats.date_format(d, 'l')}") for d in dates]


class BookForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("手机号码"), max_length=11, validators=[mobile],
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}))
    item = forms.CharField(label=gettext_lazy("办理事项编码（选填）"), max_length=36, required=False,
                           help_text=gettext_lazy("从办事指南进入时已自动填写。"))

    def clean_item(self) -> Item | None:
        code = self.cleaned_data["item"].strip()
        if not code:
            return None
        item = Item.objects.select_related("published").filter(implementation_code=code).first()
        if item is None or item.published is None:
            raise forms.ValidationError(_("没有这个事项。"))
        if not item.published.appointment:
            raise forms.ValidationError(_("该事项不支持预约。"))
        return item


def _refused(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, str(exc))


# --- the hall display (public, no personal data) -------------------------------------------------------
@require_GET
def display(request: HttpRequest) -> HttpResponse:
    return render(request, "applications/queue/display.html", _board_context())


@require_GET
def display_board(request: HttpRequest) -> HttpResponse:
    return render(request, "applications/queue/_board.html", _board_context())


def _board_context() -> dict[str, Any]:
    return {"board": hall_board(day=hall_day()), "now": timezone.localtime()}


# --- the kiosk and a ticket's own page (public) --------------------------------------------------------
@require_http_methods(["GET", "POST"])
@limit_posts("kiosk")
def kiosk(request: HttpRequest) -> HttpResponse:
    """Take an ordinary or enterprise ticket; a signed-in applicant's ticket is theirs (online)."""
    user: Any = request.user
    applicant_user = user.is_authenticated and user.role in APPLICANT_ROLES
    initial = {"phone": user.phone} if applicant_user else {}
    if applicant_user and user.role == Role.APPLICANT_ENTERPRISE:
        initial["kind"] = TicketKind.ENTERPRISE
    form = TakeTicketForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = ticket_take(
                source=TicketSource.ONLINE if applicant_user else TicketSource.KIOSK, kind=form.cleaned_data["kind"],
                phone=form.cleaned_data["phone"], applicant=applicant_of(user) if applicant_user else None,
                holder=user if applicant_user else None)
        except REFUSALS as exc:
            _refused(request, exc)
        else:
            return redirect(ticket_path(ticket))
    return render(request, "applications/queue/kiosk.html", {"form": form, "check_in_form": CheckInForm()})


@require_POST
@limit_posts("check_in")
def check_in(request: HttpRequest) -> HttpResponse:
    """预约签到 at the kiosk (anyone with the code) or by a clerk: the person gets a priority ticket."""
    form = CheckInForm(request.POST)
    clerk = is_clerk(request.user)
    back = "appointments_today" if clerk else "queue_kiosk"
    if not form.is_valid():
        messages.error(request, _("请输入预约签到码。"))
        return redirect(back)
    try:
        appointment = appointment_check_in(actor=request.user if clerk else None, code=form.cleaned_data["code"])
    except REFUSALS as exc:
        _refused(request, exc)
        return redirect(back)
    assert appointment.ticket is not None
    messages.success(request, _("签到成功，您的号码是 %(number)s。") % {"number": appointment.ticket.number})
    return redirect(back if clerk else ticket_path(appointment.ticket))


def _ticket_or_404(key: str) -> Any:
    ticket = ticket_by_key(key)
    if ticket is None:
        raise Http404
    return ticket


def _ticket_context(request: HttpRequest, ticket: Any) -> dict[str, Any]:
    user: Any = request.user
    return {"ticket": ticket, "key": ticket_key(ticket), "ahead": tickets_ahead(ticket),
            "is_holder": user.is_authenticated and ticket.holder_id == user.pk,
            "is_today": ticket.hall_day == hall_day(),
            # Poll while the ticket can still change today.
            "live": ticket.hall_day == hall_day() and ticket.status in (TicketStatus.WAITING, TicketStatus.CALLED)}


@require_GET
def ticket_page(request: HttpRequest, key: str) -> HttpResponse:
    ticket = _ticket_or_404(key)
    return render(request, "applications/queue/ticket.html", _ticket_context(request, ticket))


@require_GET
def ticket_status(request: HttpRequest, key: str) -> HttpResponse:
    ticket = _ticket_or_404(key)
    return render(request, "applications/queue/_ticket_status.html", _ticket_context(request, ticket))


@require_POST
def ticket_cancel_view(request: HttpRequest, key: str) -> HttpResponse:
    ticket = _ticket_or_404(key)
    if not request.user.is_authenticated or ticket.holder_id != request.user.pk:
        raise Http404
    try:
        ticket_cancel(actor=request.user, ticket=ticket)
    except REFUSALS as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已取消号码 %(number)s。") % {"number": ticket.number})
    return redirect("queue_ticket", key=key)


# --- the clerk's desk ----------------------------------------------------------------------------------
def _desk_context(request: HttpRequest) -> dict[str, Any]:
    day = hall_day()
    window = window_of_clerk(request.user)
    waiting = waiting_tickets(day=day)
    return {
        "window": window,
        "window_form": WindowForm(initial={"window": window}),
        "windows": Window.objects.filter(is_active=True).select_related("clerk"),
        "current": window_current_ticket(window=window, day=day) if window else None,
        "waiting": waiting[:DESK_WAITING_SHOWN],
        "waiting_count": waiting.count(),
        "skipped": skipped_tickets(day=day)[:DESK_WAITING_SHOWN],
        "statuses": TicketStatus,
        "show_messages": bool(request.htmx),  # type: ignore[attr-defined]  # a full page shows them in base.html
    }


def _desk_answer(request: HttpRequest) -> HttpResponse:
    """After an action: the panel itself for htmx (with the messages in it), else back to the desk page."""
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "applications/queue/_desk_panel.html", _desk_context(request))
    return redirect("queue_desk")


@clerk_only
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    return render(request, "applications/queue/desk.html", _desk_context(request))


@clerk_only
@require_GET
def desk_panel(request: HttpRequest) -> HttpResponse:
    return render(request, "applications/queue/_desk_panel.html", _desk_context(request))


@clerk_only
@require_POST
def desk_open(request: HttpRequest) -> HttpResponse:
    form = WindowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择窗口。"))
        return _desk_answer(request)
    try:
        window = window_open(actor=request.user, window=form.cleaned_data["window"])
    except REFUSALS as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已开启 %(window)s。") % {"window": window.name})
    return _desk_answer(request)


@clerk_only
@require_POST
def desk_close(request: HttpRequest) -> HttpResponse:
    window = window_of_clerk(request.user)
    if window is None:
        messages.error(request, _("请先开启窗口。"))
        return _desk_answer(request)
    try:
        window_close(actor=request.user, window=window)
    except REFUSALS as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已关闭 %(window)s。") % {"window": window.name})
    return _desk_answer(request)


@clerk_only
@require_POST
def desk_call_next(request: HttpRequest) -> HttpResponse:
    window = window_of_clerk(request.user)
    if window is None:
        messages.error(request, _("请先开启窗口。"))
        return _desk_answer(request)
    try:
        ticket = ticket_call_next(actor=request.user, window=window)
    except REFUSALS as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("已呼叫 %(number)s。") % {"number": ticket.number})
    return _desk_answer(request)


TICKET_ACTIONS = {
    "recall": (ticket_recall, gettext_lazy("已重新呼叫 %(number)s。")),
    "skip": (ticket_skip, gettext_lazy("%(number)s 已过号。")),
    "serve": (ticket_serve, gettext_lazy("开始办理 %(number)s。")),
}


@clerk_only
@require_POST
def desk_ticket_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in TICKET_ACTIONS:
        raise Http404
    service, done = TICKET_ACTIONS[action]
    ticket = get_object_or_404(Ticket, pk=pk)
    try:
        service(actor=request.user, ticket=ticket)
    except REFUSALS as exc:
        _refused(request, exc)
    else:
        messages.success(request, str(done) % {"number": ticket.number})
    return _desk_answer(request)


# --- appointments --------------------------------------------------------------------------------------
@applicants_only
@require_GET
def my_appointments(request: HttpRequest) -> HttpResponse:
    rows = appointments_of(user=request.user)[:50]
    return render(request, "applications/queue/appointments.html",
                  {"appointments": rows, "booked": AppointmentStatus.BOOKED, "now": timezone.now()})


@applicants_only
@require_GET
def appointment_new(request: HttpRequest) -> HttpResponse:
    """Step 1 and 2: choose a day, then a slot with places left."""
    dates = bookable_dates(start=timezone.localdate(), days=settings.APPOINTMENT_DAYS_AHEAD)
    asked = "date" in request.GET
    form = DateForm(request.GET if asked else None, dates=dates,
                    initial={"date": dates[0].isoformat() if dates else None})
    chosen: date | None = None
    if asked and form.is_valid():
        chosen = form.cleaned_data["date"]
    elif not asked and dates:
        chosen = dates[0]
    context = {"form": form, "dates": dates, "chosen": chosen,
               "times": _times(request.user, chosen) if chosen else [],
               "item": request.GET.get("item", "")[:36]}
    template = "applications/queue/_slots.html" if request.htmx else "applications/queue/appointment_new.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@dataclass(frozen=True)
class SlotTime:
    start: datetime.time
    end: datetime.time
    places_left: int
    slot: AppointmentSlot  # the window with the most places left at this time


def _times(user: Any, day: date) -> list[SlotTime]:
    """The day's half hours with the places left at all windows together. The windows are interchangeable
    (无差别全科受理), so a person chooses a time and gets the window with the most places; the enterprise window
    (专窗) is offered to enterprises only."""
    by_start: dict[datetime.time, list[AppointmentSlot]] = {}
    for slot in slots_with_places(day=day):
        if slot.window.kind == WindowKind.SPECIAL and user.role != Role.APPLICANT_ENTERPRISE:
            continue
        by_start.setdefault(slot.start, []).append(slot)
    return [SlotTime(start=start, end=slots[0].end, places_left=sum(s.places_left for s in slots),
                              slot=max(slots, key=lambda s: s.places_left))  # the first by window number among equals
            for start, slots in by_start.items()]


@applicants_only
@require_http_methods(["GET", "POST"])
def appointment_confirm(request: HttpRequest, slot_pk: int) -> HttpResponse:
    """Step 3: the phone number (and the item, if any), then book."""
    slot = get_object_or_404(AppointmentSlot.objects.select_related("window"), pk=slot_pk)
    user: Any = request.user
    form = BookForm(request.POST or None, initial={"phone": user.phone, "item": request.GET.get("item", "")[:36]})
    if request.method == "POST" and form.is_valid():
        try:
            appointment = appointment_book(actor=user, slot=slot, phone=form.cleaned_data["phone"],
                                           item=form.cleaned_data["item"])
        except REFUSALS as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("预约成功，签到码 %(code)s。") % {"code": appointment.code})
            return redirect("appointments_mine")
    return render(request, "applications/queue/appointment_confirm.html", {"slot": slot, "form": form})


@applicants_only
@require_POST
def appointment_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = appointment_get_for_user(user=request.user, pk=pk)
    if appointment is None:
        raise Http404
    try:
        appointment_cancel(actor=request.user, appointment=appointment)
    except REFUSALS as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("预约已取消。"))
    return redirect("appointments_mine")


@clerk_only
@require_GET
def appointments_today(request: HttpRequest) -> HttpResponse:
    day = hall_day()
    return render(request, "applications/queue/appointments_today.html", {
        "day": day, "by_window": appointments_for_day(day=day), "check_in_form": CheckInForm(),
        "booked": AppointmentStatus.BOOKED,
    })
