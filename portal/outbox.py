"""The transactional outbox: side effects recorded with the write that caused them, then relayed to Celery.

A service calls `enqueue("portal.deliver_notification", notification_id=...)` inside its transaction.
After commit the message is published at once (when OUTBOX_PUBLISH_ON_COMMIT); whatever could not be
published — the broker was down, the process died — the beat relay publishes later. A task declared with
`@outbox_task` runs its body and marks the message done in one transaction, so a message delivered
twice acts once.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from celery import current_app, shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.models import OutboxMessage

logger = logging.getLogger(__name__)


def enqueue(task: str, **kwargs: Any) -> OutboxMessage:
    """Record a task to run once the current transaction commits; nothing is sent if it rolls back."""
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs)
    if settings.OUTBOX_PUBLISH_ON_COMMIT:
        transaction.on_commit(functools.partial(publish, message.pk))
    return message


def publish(message_id: Any) -> bool | None:
    """Send one unpublished message to the broker.

    True when sent; False when the broker refused (the row stays for the relay); None when there was
    nothing to do (published already, or another relay holds the row).
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, published_at__isnull=True)
            .first()
        )
        if message is None:
            return None
        message.attempts += 1
        try:
            current_app.tasks[message.task].apply_async(
                kwargs={**message.kwargs, "outbox_id": str(message.pk)},
                task_id=str(message.pk),
                retry=False,
            )
        except Exception as exc:  # the broker is down or refuses: keep the row, the relay retries
            logger.warning("outbox: could not publish %s (%s): %s", message.task, message.pk, exc)
            message.last_error = repr(exc)[:2000]
            message.save(update_fields=["attempts", "last_error"])
            return False
        message.published_at = timezone.now()
        message.save(update_fields=["attempts", "published_at"])
    return True


def relay(*, limit: int = 500) -> int:
    """Publish the oldest unpublished messages; stops at the first failure (the broker is likely down)."""
    published = 0
    pending = (
        OutboxMessage.objects.filter(published_at__isnull=True)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in list(pending):
        outcome = publish(message_id)
        if outcome is False:
            break
        published += bool(outcome)
    return published


def outbox_task(name: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """A Celery task whose body runs at most once per outbox message (and always when called directly)."""

    def decorate(body: Callable[..., Any]) -> Any:
        @shared_task(name=name, **options)
        @functools.wraps(body)
        def run(*, outbox_id: str | None = None, **kwargs: Any) -> Any:
            if outbox_id is None:
                return body(**kwargs)
            with transaction.atomic():
                message = OutboxMessage.objects.select_for_update().filter(pk=outbox_id).first()
                if message is None or message.done_at is not None:
                    logger.info("outbox: %s %s already done", name, outbox_id)
                    return None
                result = body(**kwargs)
                now = timezone.now()
                message.done_at = now
                message.published_at = message.published_at or now
                message.save(update_fields=["done_at", "published_at"])
            return result

        return run

    return decorate
