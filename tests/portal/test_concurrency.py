"""Real parallel transactions on PostgreSQL (SQLite serialises writers and cannot show these races)."""

import threading

import pytest
from django.db import close_old_connections, connection

from portal import outbox
from portal.models import Notification, OutboxMessage

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_threads(target, n):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_two_relays_at_once_publish_each_message_exactly_once(people, settings):
    settings.OUTBOX_PUBLISH_ON_COMMIT = False
    for i in range(40):
        n = Notification.objects.create(recipient=people["applicant_a"], subject=f"n{i}", send_email=True)
        OutboxMessage.objects.create(task="portal.deliver_notification", kwargs={"notification_id": n.pk})
    published = _in_threads(outbox.relay, 2)
    assert sum(published) == 40
    assert OutboxMessage.objects.filter(published_at__isnull=True).count() == 0
    assert OutboxMessage.objects.filter(done_at__isnull=False).count() == 40
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 40
