"""取号叫号 and 预约: the hall's windows, the queue tickets called to them, and appointments for a time slot.

Ticket status: waiting → called → {served | skipped}; skipped → called and called → called (recall);
waiting → cancelled (by its holder). Appointment status: booked → {cancelled | checked_in | no_show}.
Transitions change the state and their own fields only; applications.services.queue and .appointments lock,
save, audit and notify.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from applications.models.applicants import Applicant
from portal.models import Role

# A mainland mobile number: what the SMS when a ticket is called can reach.
validate_mobile = RegexValidator(r"^1[3-9][0-9]{9}$", _("请输入 11 位手机号码。"))


def _is_clerk(instance: Any, user: Any) -> bool:
    return bool(user and user.is_authenticated and user.role == Role.CLERK)


# --- windows ------------------------------------------------------------------------------------------
class WindowKind(models.TextChoices):
    GENERAL = "general", _("综合受理")
    SPECIAL = "special", _("专窗")
    DELIVERY = "delivery", _("出件")


class Window(models.Model):
    """窗口: a counter of the hall. A clerk opens it (sits at it) and calls tickets to it."""

    number = models.CharField(_("窗口号"), max_length=8, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=12, choices=WindowKind.choices, default=WindowKind.GENERAL)
    is_active = models.BooleanField(_("在用"), default=True)
    takes_appointments = models.BooleanField(_("接受预约"), default=True)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("当前窗口人员"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="queue_windows")
    opened_at = models.DateTimeField(_("开窗时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["number"]
        constraints = [
            # A clerk sits at one window at a time.
            models.UniqueConstraint(fields=["clerk"], condition=Q(clerk__isnull=False), name="window_one_per_clerk"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.clerk_id is not None

    def serves(self, kind: str) -> bool:
        """An enterprise window (企业开办专窗) calls enterprise tickets only; the others call every ticket."""
        return self.kind != WindowKind.SPECIAL or kind == TicketKind.ENTERPRISE


# --- tickets ------------------------------------------------------------------------------------------
class TicketKind(models.TextChoices):
    ORDINARY = "ordinary", _("普通业务")
    ENTERPRISE = "enterprise", _("企业业务")


class TicketPrefix(models.TextChoices):
    ORDINARY = "A", _("普通")
    ENTERPRISE = "B", _("企业")
    GREEN = "V", _("绿色通道")
    APPOINTMENT = "Y", _("预约")


class TicketSource(models.TextChoices):
    KIOSK = "kiosk", _("自助取号机")
    ONLINE = "online", _("网上取号")
    PHONE = "phone", _("电话取号")
    APPOINTMENT = "appointment", _("预约签到")


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVED = "served", _("办理中")
    SKIPPED = "skipped", _("已过号")
    CANCELLED = "cancelled", _("已取消")


class TicketCounter(models.Model):
    """The last sequence given out per hall day and prefix; locked while a ticket is taken, so numbers never
    collide (STYLE.md: a number that must be unique and contiguous needs a counter row)."""

    hall_day = models.DateField(_("日期"))
    prefix = models.CharField(_("号段"), max_length=1, choices=TicketPrefix.choices)
    last = models.PositiveIntegerField(_("已发号数"), default=0)

    class Meta:
        verbose_name = _("取号计数")
        verbose_name_plural = _("取号计数")
        constraints = [models.UniqueConstraint(fields=["hall_day", "prefix"], name="ticket_counter_unique")]

    def __str__(self) -> str:
        return f"{self.hall_day} {self.prefix} {self.last}"


class Ticket(ConcurrentTransitionMixin, models.Model):
    """排队号: a place in the hall's queue for one day, called to a window by a clerk."""

    hall_day = models.DateField(_("日期"))
    prefix = models.CharField(_("号段"), max_length=1, choices=TicketPrefix.choices)
    sequence = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("号码"), max_length=8)
    kind = models.CharField(_("业务类型"), max_length=12, choices=TicketKind.choices, default=TicketKind.ORDINARY)
    source = models.CharField(_("取号方式"), max_length=12, choices=TicketSource.choices)
    # Green-channel applicants and checked-in appointments (1) are called before everyone else (0).
    priority = models.PositiveSmallIntegerField(_("优先级"), default=0)
    applicant = models.ForeignKey(Applicant, verbose_name=_("申请人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="tickets")
    # Who took it online (told when it is called, may cancel it); none for a walk-in at the kiosk.
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("取号人"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="queue_tickets")
    # For the SMS when called; never displayed.
    phone = models.CharField(_("手机号码"), max_length=20, blank=True, validators=[validate_mobile])
    status = FSMField(_("状态"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.WAITING,
                      protected=True)
    window = models.ForeignKey(Window, verbose_name=_("窗口"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="tickets")
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("叫号人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    call_count = models.PositiveSmallIntegerField(_("叫号次数"), default=0)
    taken_at = models.DateTimeField(_("取号时间"), default=timezone.now)
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    served_at = models.DateTimeField(_("开始办理时间"), null=True, blank=True)
    skipped_at = models.DateTimeField(_("过号时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["hall_day", "-priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hall_day", "prefix", "sequence"], name="ticket_number_unique_per_day"),
        ]
        indexes = [
            # call-next: the day's waiting tickets, priority first, then in the order taken.
            models.Index(fields=["hall_day", "status", "-priority", "id"], name="ticket_queue"),
            # the hall display: the day's last calls.
            models.Index(fields=["hall_day", "-called_at"], name="ticket_last_called"),
            models.Index(fields=["holder", "-taken_at"], name="ticket_by_holder"),
        ]

    def __str__(self) -> str:
        return self.number

    # --- transitions ----------------------------------------------------------------------------------
    @transition(field=status, source=TicketStatus.WAITING, target=TicketStatus.CALLED, permission=_is_clerk)
    def call(self, *, window: Window, by: Any) -> None:
        self._called(window, by)

    @transition(field=status, source=[TicketStatus.CALLED, TicketStatus.SKIPPED], target=TicketStatus.CALLED,
                permission=_is_clerk)
    def recall(self, *, window: Window, by: Any) -> None:
        self._called(window, by)

    @transition(field=status, source=TicketStatus.CALLED, target=TicketStatus.SKIPPED, permission=_is_clerk)
    def skip(self) -> None:
        self.skipped_at = timezone.now()

    @transition(field=status, source=TicketStatus.CALLED, target=TicketStatus.SERVED, permission=_is_clerk)
    def serve(self) -> None:
        self.served_at = timezone.now()

    @transition(field=status, source=TicketStatus.WAITING, target=TicketStatus.CANCELLED,
                permission=lambda ticket, user: ticket.holder_id is not None and ticket.holder_id == user.pk)
    def cancel(self) -> None:
        self.cancelled_at = timezone.now()

    def _called(self, window: Window, by: Any) -> None:
        self.window = window
        self.called_by = by
        self.called_at = timezone.now()
        self.call_count += 1


# --- appointments -------------------------------------------------------------------------------------
class AppointmentSlot(models.Model):
    """A half hour at a window that people can book; `booked` never exceeds `capacity` (a conditional UPDATE
    in the service, and a check constraint behind it)."""

    window = models.ForeignKey(Window, verbose_name=_("窗口"), on_delete=models.PROTECT, related_name="slots")
    date = models.DateField(_("日期"))
    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"))
    capacity = models.PositiveSmallIntegerField(_("可预约数"))
    booked = models.PositiveSmallIntegerField(_("已预约数"), default=0)

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["date", "start", "window__number"]
        constraints = [
            models.UniqueConstraint(fields=["window", "date", "start"], name="slot_unique_per_window"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="slot_not_overbooked"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="slot_ends_after_start"),
        ]
        indexes = [models.Index(fields=["date", "start"], name="slot_by_date")]

    def __str__(self) -> str:
        return f"{self.window.number} {self.date} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.booked, 0)

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.start))

    @property
    def ends_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.end))


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CANCELLED = "cancelled", _("已取消")
    CHECKED_IN = "checked_in", _("已签到")
    NO_SHOW = "no_show", _("爽约")


class Appointment(ConcurrentTransitionMixin, models.Model):
    """预约: a booked place in a slot; checked in at the hall it becomes a priority ticket (Y…)."""

    slot = models.ForeignKey(AppointmentSlot, verbose_name=_("预约时段"), on_delete=models.PROTECT,
                             related_name="appointments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("预约人"), on_delete=models.PROTECT,
                             related_name="appointments")
    applicant = models.ForeignKey(Applicant, verbose_name=_("申请人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="appointments")
    item = models.ForeignKey("items.Item", verbose_name=_("办理事项"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="appointments")
    phone = models.CharField(_("手机号码"), max_length=20, validators=[validate_mobile])
    code = models.CharField(_("签到码"), max_length=8)
    status = FSMField(_("状态"), max_length=12, choices=AppointmentStatus.choices,
                      default=AppointmentStatus.BOOKED, protected=True)
    # The slot's day and times, copied at booking: the constraints and the no-show sweep read them by index.
    date = models.DateField(_("日期"))
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    ticket = models.OneToOneField(Ticket, verbose_name=_("排队号"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="appointment")
    booked_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], condition=Q(status=AppointmentStatus.BOOKED),
                                    name="appointment_one_per_day",
                                    violation_error_message=_("您当天已有预约。")),
            models.UniqueConstraint(fields=["date", "code"], name="appointment_code_unique_per_day"),
        ]
        indexes = [
            # The no-show sweep reads only booked appointments whose slot has ended.
            models.Index(fields=["ends_at"], condition=Q(status=AppointmentStatus.BOOKED),
                         name="appointment_due_no_show"),
            models.Index(fields=["user", "-starts_at"], name="appointment_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.slot}"

    # --- transitions ----------------------------------------------------------------------------------
    @transition(field=status, source=AppointmentStatus.BOOKED, target=AppointmentStatus.CANCELLED,
                permission=lambda appointment, user: appointment.user_id == user.pk)
    def cancel(self) -> None:
        self.cancelled_at = timezone.now()

    @transition(field=status, source=AppointmentStatus.BOOKED, target=AppointmentStatus.CHECKED_IN,
                permission=_is_clerk)
    def check_in(self, *, ticket: Ticket) -> None:
        self.ticket = ticket
        self.checked_in_at = timezone.now()

    @transition(field=status, source=AppointmentStatus.BOOKED, target=AppointmentStatus.NO_SHOW)
    def mark_no_show(self) -> None:
        pass
