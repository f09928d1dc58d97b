"""The licence sweep (beat, hourly): delivery deadlines (Art. 44), expiry reminders and deemed renewal
(Art. 50), and PDFs still being made after a failure. Each part selects only what is due through a partial
index, re-checks on the locked row, and is safe to run twice or concurrently."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from licences import signals
from licences.models import Licence, Status
from licences.services import licence_render, next_expiry_reminder, notify_department, renewal_in_time, valid_to_for
from portal.models import Role, User
from portal.services.audit import audit_record
from portal.services.notifications import notify

logger = logging.getLogger(__name__)

BATCH = 500
# A licence still being made this long after its issue has lost its render task: render it again.
RENDER_GRACE = timedelta(minutes=10)


def licence_sweep(*, today: date) -> dict[str, int]:
    return {
        "delivery_reminded": _delivery(today, overdue=False),
        "delivery_overdue": _delivery(today, overdue=True),
        "expiry_reminded": _expiry(today),
        "deemed_renewed": _renewals(today),
        "rendered": _stuck(),
    }


def _each(part: str, pks: list[int], act: Callable[[int], bool]) -> int:
    """Act on each licence in its own transaction; one that fails (a receiver's bug, a missing key) is logged
    and left for the next run, and does not hold up the others behind it."""
    done = 0
    for pk in pks:
        try:
            with transaction.atomic():
                done += bool(act(pk))
        except Exception:
            logger.exception("licence sweep (%s): licence %s failed, left for the next run", part, pk)
    return done


def _delivery(today: date, *, overdue: bool) -> int:
    """Art. 44: the issuing department's heads are reminded on `deliver_remind_on` (N working days before the
    due date, or at once when that day had passed before the licence was issued); the day after the due date
    an undelivered licence is flagged and the supervisors are told. Each licence is reminded once and flagged
    once: the remind day moves to the day after the due date, then is cleared."""
    due = Licence.objects.filter(delivered_at__isnull=True, deliver_remind_on__lte=today)
    due = due.filter(deliver_due__lt=today) if overdue else due.filter(deliver_due__gte=today)
    pks = list(due.order_by("deliver_remind_on").values_list("pk", flat=True)[:BATCH])
    return _each("delivery", pks, partial(_deliver_one, today=today))


def _deliver_one(pk: int, *, today: date) -> bool:
    licence = Licence.objects.select_for_update().filter(
        pk=pk, delivered_at__isnull=True, deliver_remind_on__lte=today).first()
    if licence is None:
        return False
    if licence.status not in (Status.RENDERING, Status.VALID):
        licence.deliver_remind_on = None
        licence.save(update_fields=["deliver_remind_on"])
        return False
    link = f"/licences/desk/{licence.pk}/"
    if licence.deliver_due < today:
        licence.deliver_overdue = True
        licence.deliver_remind_on = None
        subject = _("证照送达超期：%(name)s %(number)s") % {"name": licence.name, "number": licence.number}
        body = _("《行政许可法》第四十四条：证照应于 %(due)s 前送达申请人，现已超期。") % {"due": licence.deliver_due}
        for supervisor in User.objects.filter(role=Role.SUPERVISOR, is_active=True):
            notify(recipient=supervisor, subject=subject, body=body, link=link)
    else:
        licence.deliver_remind_on = licence.deliver_due + timedelta(days=1)
        subject = _("证照待送达：%(name)s %(number)s") % {"name": licence.name, "number": licence.number}
        body = _("请于 %(due)s 前送达申请人（《行政许可法》第四十四条）。") % {"due": licence.deliver_due}
    licence.save(update_fields=["deliver_overdue", "deliver_remind_on"])
    notify_department(licence, subject=subject, body=body, link=link)
    audit_record(actor=None, action="licence.delivery_overdue" if licence.deliver_overdue
                 else "licence.delivery_remind", obj=licence)
    return True


def _expiry(today: date) -> int:
    """Art. 50: the holder is reminded before expiry (LICENCE_EXPIRY_REMIND_DAYS: 60 and 30 days; the higher apps
    listen to `licence_expiring` and offer a renewal prefilled from the licence), each reminder once, a late
    run sending one; not when a renewal is filed already."""
    due = Licence.objects.filter(expiry_remind_on__isnull=False, expiry_remind_on__lte=today)
    pks = list(due.order_by("expiry_remind_on").values_list("pk", flat=True)[:BATCH])
    return _each("expiry", pks, partial(_expiry_one, today=today))


def _expiry_one(pk: int, *, today: date) -> bool:
    licence = Licence.objects.select_for_update().filter(pk=pk, expiry_remind_on__lte=today).first()
    if licence is None:
        return False
    licence.expiry_remind_on = next_expiry_reminder(licence.valid_to, after=today)
    licence.save(update_fields=["expiry_remind_on"])
    if licence.status != Status.VALID or licence.is_expired(today) or licence.renewal_application:
        return False
    # Inside the transaction: the reminder and whatever the receivers write commit together, or neither.
    signals.licence_expiring.send(sender=Licence, licence=licence)
    audit_record(actor=None, action="licence.expiry_remind", obj=licence)
    return True


def _renewals(today: date) -> int:
    """Art. 50 ¶2: a renewal filed in time (30 days before expiry) and not decided by the expiry date is
    deemed granted: the validity runs on for another period from the day after it expired. A renewal filed
    late is only forgotten here (the application goes on being decided as any other)."""
    due = Licence.objects.exclude(renewal_application="").filter(valid_to__lt=today)
    pks = list(due.order_by("valid_to").values_list("pk", flat=True)[:BATCH])
    return _each("renewal", pks, partial(_renew_one, today=today))


def _renew_one(pk: int, *, today: date) -> bool:
    licence = (Licence.objects.select_for_update().select_related("version")
               .exclude(renewal_application="").filter(pk=pk, valid_to__lt=today).first())
    if licence is None or licence.valid_to is None:
        return False
    application = licence.renewal_application
    licence.renewal_application = ""
    if licence.status != Status.VALID or licence.renewal_filed_on is None \
            or not renewal_in_time(licence, licence.renewal_filed_on):
        licence.save(update_fields=["renewal_application"])
        audit_record(actor=None, action="licence.renewal_late", obj=licence, after={"application": application})
        return False
    before = licence.valid_to
    licence.valid_to = valid_to_for(licence.version, before + timedelta(days=1))
    licence.deemed_renewed = True
    licence.expiry_remind_on = next_expiry_reminder(licence.valid_to, after=today)
    licence.save(update_fields=["renewal_application", "valid_to", "deemed_renewed", "expiry_remind_on"])
    audit_record(actor=None, action="licence.deemed_renewed", obj=licence,
                 before={"valid_to": str(before)},
                 after={"valid_to": str(licence.valid_to), "application": application})
    transaction.on_commit(partial(signals.licence_changed.send, sender=Licence, licence=licence,
                                  change="deemed_renewed"))
    return True


def _stuck() -> int:
    """Licences still `rendering` RENDER_GRACE after their issue (the task gave up: no key yet, storage down):
    render them now. One that fails again stays for the next run."""
    cutoff = timezone.now() - RENDER_GRACE
    pks = list(Licence.objects.filter(status=Status.RENDERING, created_at__lt=cutoff)
               .order_by("created_at").values_list("pk", flat=True)[:50])
    done = 0
    for pk in pks:
        try:
            done += licence_render(licence_id=pk).status == Status.VALID
        except Exception:
            logger.exception("licence sweep: licence %s still cannot be rendered", pk)
    return done
