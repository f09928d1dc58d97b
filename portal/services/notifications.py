from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from portal import outbox
from portal.models import Notification
from portal.sms import send_sms


@transaction.atomic
def notify(
    *, recipient: Any, subject: str, body: str = "", link: str = "", email: bool = False, sms: bool = False
) -> Notification:
    """Put a message in the user's inbox, and send it by email or SMS once the transaction commits."""
    notification = Notification.objects.create(
        recipient=recipient, subject=subject[:200], body=body, link=link,
        send_email=email and bool(recipient.email), send_sms=sms and bool(recipient.phone),
    )
    if notification.send_email or notification.send_sms:
        outbox.enqueue("portal.deliver_notification", notification_id=notification.pk)
    return notification


@transaction.atomic
def notification_deliver(*, notification_id: int) -> None:
    """Send the email and SMS of a notification; each channel at most once."""
    notification = (
        Notification.objects.select_for_update().select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None:
        return
    user = notification.recipient
    fields = []
    if notification.send_email and notification.emailed_at is None:
        text = notification.body + (f"\n\n{notification.link}" if notification.link else "")
        send_mail(notification.subject, text, None, [user.email])
        notification.emailed_at = timezone.now()
        fields.append("emailed_at")
    if notification.send_sms and notification.texted_at is None:
        send_sms(phone=user.phone, text=f"【政务服务】{notification.subject}")
        notification.texted_at = timezone.now()
        fields.append("texted_at")
    if fields:
        notification.save(update_fields=fields)


def notification_mark_read(*, user: Any, notification_ids: list[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
