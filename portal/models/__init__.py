"""The portal's core: people and departments, the work calendar, audit, notifications and the outbox."""

from portal.models.accounts import Department, DepartmentLevel, Role, User
from portal.models.audit import AuditEvent
from portal.models.calendar import CalendarDay, CalendarYear, DayKind
from portal.models.notifications import Notification
from portal.models.outbox import OutboxMessage

__all__ = [
    "AuditEvent",
    "CalendarDay",
    "CalendarYear",
    "DayKind",
    "Department",
    "DepartmentLevel",
    "Notification",
    "OutboxMessage",
    "Role",
    "User",
]
