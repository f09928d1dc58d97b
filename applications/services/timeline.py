"""The application's timeline and the messages to its applicant: shared by every intake service."""

from __future__ import annotations

from datetime import date
from typing import Any

from applications.models import Application, ApplicationEvent
from portal import outbox
from portal.services.notifications import notify


def event_record(
    *, application: Application, kind: str, summary: str, actor: Any = None, actor_label: str = "",
    detail: str = "", due: date | None = None,
) -> ApplicationEvent:
    """Add one step to the timeline. `summary` and `actor_label` are public: no personal data in them."""
    return ApplicationEvent.objects.create(
        application=application, kind=kind, summary=summary[:200], detail=detail, due=due,
        actor=actor if getattr(actor, "pk", None) else None, actor_label=actor_label[:100],
    )


def applicant_tell(*, application: Application, subject: str, body: str = "") -> None:
    """Tell the applicant: every account that files for them gets an inbox message (with SMS); an applicant
    with no account (a walk-in) gets an SMS to the phone on record."""
    link = f"/applications/{application.pk}/"
    recipients = {u.pk: u for u in application.applicant.users.all()}
    if application.created_by.is_applicant:
        recipients.setdefault(application.created_by_id, application.created_by)
    for user in recipients.values():
        notify(recipient=user, subject=subject, body=body, link=link, sms=True)
    if not recipients and application.applicant.phone:
        # The phone number is read by the task: personal data stays out of outbox rows and the broker.
        outbox.enqueue("applications.sms_applicant", application_id=application.pk, subject=subject)
