"""The outbox: nothing is sent for a rolled-back write; a failed publish is kept and relayed; acts once."""

from unittest import mock

import pytest
from django.core import mail
from django.db import transaction

from portal import outbox
from portal.models import Notification, OutboxMessage
from portal.services.notifications import notify


def test_a_rolled_back_write_sends_nothing(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify(recipient=people["applicant_a"], subject="rolled back", email=True)
        raise RuntimeError
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_publish_on_commit_runs_the_task_once(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=people["applicant_a"], subject="受理通知", email=True)
    message = OutboxMessage.objects.get()
    assert message.published_at and message.done_at
    assert len(mail.outbox) == 1


def test_broker_down_keeps_the_message_and_the_relay_sends_it_later(people, django_capture_on_commit_callbacks):
    task = "portal.deliver_notification"
    with mock.patch("celery.app.task.Task.apply_async", side_effect=ConnectionError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(3):
                notify(recipient=people["applicant_a"], subject=f"n{i}", email=True)
        assert outbox.relay() == 0
    pending = OutboxMessage.objects.filter(task=task, published_at__isnull=True)
    assert pending.count() == 3
    assert all(m.attempts == 2 and "broker down" in m.last_error for m in pending[:1])
    assert len(mail.outbox) == 0
    assert outbox.relay() == 3
    assert OutboxMessage.objects.filter(done_at__isnull=True).count() == 0
    assert len(mail.outbox) == 3
    assert outbox.relay() == 0


def test_a_message_delivered_twice_acts_once(people, django_capture_on_commit_callbacks):
    from portal.tasks import deliver_notification

    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=people["applicant_a"], subject="twice", email=True, sms=True)
    message = OutboxMessage.objects.get()
    deliver_notification.apply(kwargs={"notification_id": notification.pk, "outbox_id": str(message.pk)})
    deliver_notification.apply(kwargs={"notification_id": notification.pk, "outbox_id": str(message.pk)})
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.emailed_at and notification.texted_at


def test_the_relay_runs_from_beat_as_a_task(people):
    from portal.tasks import outbox_relay

    with transaction.atomic():
        OutboxMessage.objects.create(task="portal.deliver_notification",
                                     kwargs={"notification_id": Notification.objects.create(
                                         recipient=people["applicant_a"], subject="x", send_email=True).pk})
    assert outbox_relay.apply().get() == 1
    assert len(mail.outbox) == 1
