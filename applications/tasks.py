"""Celery tasks of intake: thin, idempotent, calling services."""

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.services import sweeps
from applications.signals import application_accepted
from portal.outbox import outbox_task
from portal.sms import send_sms


# A failed render (a font or storage hiccup) is retried; the intake sweep re-enqueues whatever is still missing.
@outbox_task("applications.render_notice", autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render_notice(*, notice_id: int) -> None:
    from applications.services.notices import notice_render

    notice_render(notice_id=notice_id)


@outbox_task("applications.sms_applicant")
def sms_applicant(*, application_id: int, subject: str) -> None:
    """A walk-in applicant with no account is told by SMS, at the phone number on record."""
    application = Application.objects.select_related("applicant").get(pk=application_id)
    if application.applicant.phone:
        send_sms(phone=application.applicant.phone,
                 text=_("【政务服务】%(subject)s 申请编号 %(number)s") % {"subject": subject,
                                                                       "number": application.number})


@outbox_task("applications.accepted")
def accepted(*, application_id: int) -> None:
    """Tell the higher apps (approvals) that an application was accepted; through the outbox, so a crash
    after the commit cannot lose it. Receivers must be idempotent (a message may be delivered twice)."""
    application = Application.objects.get(pk=application_id)
    application_accepted.send(sender=Application, application=application)


@shared_task(name="applications.intake_sweep")
def intake_sweep() -> dict[str, int]:
    """Deemed acceptance, lapsed supplements and overdue 容缺 materials, as of today."""
    today = timezone.localdate()
    return {
        "deemed_accepted": sweeps.applications_deem_accepted(today=today),
        "lapsed": sweeps.applications_lapse_supplements(today=today),
        "terminated": sweeps.applications_terminate_rongque(today=today),
        "notices_requeued": sweeps.notices_render_missing(now=timezone.now()),
    }
