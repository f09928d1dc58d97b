from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from portal.middleware import client_ip
from portal.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    result: str = AuditEvent.Result.SUCCESS,
    ip_address: str | None = None,
) -> AuditEvent:
    """Write one audit row. `actor` is a user, or None for the system (a beat sweep, a task)."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if is_user else "system"),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=(object_label or (str(obj) if obj is not None else ""))[:200],
        before=before or {},
        after=after or {},
        ip_address=ip_address or client_ip.get(),
        result=result,
    )


def audit_purge_expired() -> int:
    """Delete audit rows past the retention period (AUDIT_RETENTION_DAYS, at least 180)."""
    days = max(settings.AUDIT_RETENTION_DAYS, 180)
    cutoff = timezone.now() - timedelta(days=days)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    # Raw SQL on purpose: the model refuses deletes, the database trigger allows only these.
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE at < %s", [cutoff])  # noqa: S608
        return cursor.rowcount
