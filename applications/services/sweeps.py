"""Beat sweeps of intake. Each selects only what is due through an indexed deadline column, acts through
the same services as people, and skips what someone else changed meanwhile: safe to run twice or at once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django_fsm import ConcurrentTransition, TransitionNotAllowed

from applications.models import Application, Notice, Status
from applications.services.intake import application_deem_accepted, application_lapse, application_terminate_rongque
from portal import outbox
from portal.errors import DomainError

logger = logging.getLogger(__name__)
BATCH = 500


def _sweep(ids: list[int], act: Callable[..., Application], today: date) -> int:
    done = 0
    for pk in ids:
        application = Application.objects.filter(pk=pk).first()
        if application is None:
            continue
        try:
            act(application=application, today=today)
        except (TransitionNotAllowed, ConcurrentTransition, DomainError):  # Conflict is a DomainError
            logger.info("sweep: %s changed meanwhile, skipped", pk)
            continue
        done += 1
    return done


def applications_deem_accepted(*, today: date) -> int:
    """Submissions with no outcome by the end of their acceptance period (Art. 32(4))."""
    due = Application.objects.filter(status=Status.SUBMITTED, acceptance_due__lt=today)
    return _sweep(list(due.order_by("acceptance_due").values_list("pk", flat=True)[:BATCH]),
                  application_deem_accepted, today)


def applications_lapse_supplements(*, today: date) -> int:
    due = Application.objects.filter(status=Status.SUPPLEMENT_REQUESTED, supplement_due__lt=today)
    return _sweep(list(due.order_by("supplement_due").values_list("pk", flat=True)[:BATCH]), application_lapse,
                  today)


def applications_terminate_rongque(*, today: date) -> int:
    due = Application.objects.filter(rongque_pending=True, rongque_due__lt=today,
                                     status__in=[Status.ACCEPTED, Status.IN_REVIEW])
    return _sweep(list(due.order_by("rongque_due").values_list("pk", flat=True)[:BATCH]),
                  application_terminate_rongque, today)


def notices_render_missing(*, now: datetime, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Notices whose PDF is still missing a while after issue (the render task failed for good): enqueue
    them again. Rendering is idempotent, so a notice rendered meanwhile is left alone."""
    ids = list(Notice.objects.filter(pdf="", issued_at__lt=now - older_than).order_by("issued_at")
               .values_list("pk", flat=True)[:BATCH])
    for pk in ids:
        outbox.enqueue("applications.render_notice", notice_id=pk)
    return len(ids)
