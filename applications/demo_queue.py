"""Demo data for the hall: its windows, and appointment slots for the coming days. Idempotent."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from applications.models.queue import Window, WindowKind
from applications.services.appointments import slots_ensure

# (number, name, kind, takes appointments)
DEMO_WINDOWS = [
    *[(f"{n:02d}", f"综合受理{n}号窗口", WindowKind.GENERAL, True) for n in range(1, 7)],
    ("07", "企业开办专窗", WindowKind.SPECIAL, True),
    ("08", "出件窗口", WindowKind.DELIVERY, False),
]


@transaction.atomic
def seed_queue() -> int:
    """Create the demo windows that are missing and the slots of the next APPOINTMENT_DAYS_AHEAD days;
    returns how many slots were made."""
    for number, name, kind, takes_appointments in DEMO_WINDOWS:
        Window.objects.get_or_create(number=number, defaults={
            "name": name, "kind": kind, "takes_appointments": takes_appointments})
    return slots_ensure(start=timezone.localdate(), days=settings.APPOINTMENT_DAYS_AHEAD)
