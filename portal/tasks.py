"""Celery tasks of the core: thin wrappers that call services."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from portal import outbox
from portal.models import OutboxMessage
from portal.services import audit, notifications


@outbox.outbox_task("portal.deliver_notification")
def deliver_notification(*, notification_id: int) -> None:
    notifications.notification_deliver(notification_id=notification_id)


@shared_task(name="portal.outbox_relay", ignore_result=True)
def outbox_relay() -> int:
    return outbox.relay()


@shared_task(name="portal.outbox_purge", ignore_result=True)
def outbox_purge(days: int = 30) -> int:
    """Forget messages that were done more than `days` ago."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _by_model = OutboxMessage.objects.filter(done_at__lt=cutoff).delete()
    return deleted


@shared_task(name="portal.audit_purge_expired", ignore_result=True)
def audit_purge_expired() -> int:
    return audit.audit_purge_expired()
