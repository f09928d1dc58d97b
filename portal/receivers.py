"""Login, logout and failed logins go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from portal.models import AuditEvent
from portal.services.audit import audit_record


def _ip(request) -> str | None:  # type: ignore[no-untyped-def]
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
    audit_record(actor=user, action="auth.login", obj=user, ip_address=_ip(request))


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
    if user is not None:
        audit_record(actor=user, action="auth.logout", obj=user, ip_address=_ip(request))


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):  # type: ignore[no-untyped-def]
    audit_record(actor=None, action="auth.login_failed", object_label=str(credentials.get("username", ""))[:150],
                 ip_address=_ip(request), result=AuditEvent.Result.FAILURE)
