"""What the licence pages share: refusals as messages, service errors on forms, the public rate limit,
and PDF responses."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from licences.models import Licence
from licences.services import LicenceConflict
from portal import ratelimit
from portal.errors import CONFLICTS, DomainError
from portal.models import Role

REFUSALS = (LicenceConflict, DomainError, *CONFLICTS)
# Those who hand licences over at the result window or post them (as licences.services checks); a supervisor
# only looks.
DELIVERY_ROLES = (Role.CLERK, Role.REVIEWER, Role.HEAD)
# The public verification pages count their POSTs on their own; PUBLIC_POST_LIMITS["licence_verify"] sets
# the limit, and public tracking's limit applies until it is set.
VERIFY_SCOPE = "licence_verify"

VERDICTS = {
    "valid": gettext_lazy("有效"),
    "expired": gettext_lazy("已过期"),
    "revoked": pgettext_lazy("licence", "已撤销"),
    "cancelled": gettext_lazy("已注销"),
    "replaced": gettext_lazy("已换发"),
    "rendering": gettext_lazy("制证中"),
}


def refused(request: HttpRequest, exc: Exception, to: str, *args: Any) -> HttpResponse:
    """A conflict or a domain rule refused the action: say so on the reloaded page."""
    if isinstance(exc, (TransitionNotAllowed, ConcurrentTransition)):
        messages.error(request, _("该证照已被他人处理，当前状态不允许此操作，页面已刷新。"))
    else:
        messages.error(request, str(exc))
    return redirect(to, *args)


def put_errors(form: forms.Form, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """A service's ValidationError on the bound form: each message on its field, others on top."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, errors in exc.message_dict.items():
        name = (aliases or {}).get(key, key)
        target = name if name in form.fields else None
        for message in errors:
            form.add_error(target, message)


def verify_limit(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse a client's verification POSTs beyond the limit with the 429 page (guessing stays slow)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            limits = settings.PUBLIC_POST_LIMITS
            limit, seconds = limits.get(VERIFY_SCOPE) or limits["track"]
            if not ratelimit.hit(scope=VERIFY_SCOPE, who=request.META.get("REMOTE_ADDR") or "-", limit=limit,
                                 seconds=seconds):
                return render(request, "429.html", status=429)
        return view(request, *args, **kwargs)

    return wrapped


def noindex(response: HttpResponse) -> HttpResponse:
    """Verification results are for the person holding the QR code or the numbers, not for search engines."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


def licence_pdf_response(licence: Licence) -> FileResponse:
    """The signed PDF as a download; 404 while it is being made (or if the file is gone)."""
    if not licence.pdf:
        raise Http404
    try:
        handle = licence.pdf.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=f"{licence.number}.pdf",
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def uploaded_bytes(file: Any) -> bytes:
    return b"".join(file.chunks())
