from datetime import date, timedelta

from django.db.models import QuerySet

from portal.models import CalendarYear, Notification


def calendar_missing_years(*, today: date) -> list[int]:
    """Years within the next 12 months whose holiday notice is not loaded (the admin dashboard warns)."""
    horizon = today + timedelta(days=365)
    wanted = set(range(today.year, horizon.year + 1))
    known = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return sorted(wanted - known)


def notifications_for(*, user) -> QuerySet[Notification]:  # type: ignore[no-untyped-def]
    return Notification.objects.filter(recipient=user)


def unread_count(*, user) -> int:  # type: ignore[no-untyped-def]
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
