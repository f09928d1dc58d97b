"""Celery tasks of review: thin, idempotent, calling services."""

from celery import shared_task
from django.utils import timezone

from approvals.models import Case
from approvals.services import sweeps
from approvals.signals import case_approved
from portal.outbox import outbox_task


# Retried: a transient failure (a deadlock, a database restart) must not lose the case's licences.
@outbox_task("approvals.case_approved", autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def case_approved_task(*, case_id: int) -> None:
    case = Case.objects.select_related("application").get(pk=case_id)
    case_approved.send(sender=Case, case=case)


@shared_task(name="approvals.review_sweep")
def review_sweep() -> dict[str, int]:
    """Deemed approval, reminders and licences still to issue, as of today."""
    return sweeps.review_sweep(today=timezone.localdate())
