"""What every review page shares: where services' refusals become messages or form errors, and downloads.

A conflict (someone acted first) or a domain rule's refusal becomes a message on the reloaded page; bad
input becomes the field's message on the page rendered again; PermissionDenied stays a 403.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from portal.errors import CONFLICTS, DomainError

REFUSALS = (DomainError, *CONFLICTS)


def refused(request: HttpRequest, exc: Exception, to: str, *args: Any, anchor: str = "") -> HttpResponse:
    """A conflict or a domain rule refused the action: say so on the reloaded page."""
    if isinstance(exc, (TransitionNotAllowed, ConcurrentTransition)):
        messages.error(request, _("该任务或案件已被他人处理，当前状态不允许此操作，页面已刷新。"))
    else:
        messages.error(request, str(exc))
    return back_to(to, *args, anchor=anchor)


def back_to(to: str, *args: Any, anchor: str = "") -> HttpResponse:
    response = redirect(to, *args)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def put_errors(form: forms.Form, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the (bound) form: each message on its field (`aliases` maps a
    service's argument name to the form's field name), others on top."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, errors in exc.message_dict.items():
        name = (aliases or {}).get(key, key)
        target = name if name in form.fields else None
        for message in errors:
            form.add_error(target, message)


def error_messages(request: HttpRequest, exc: ValidationError) -> None:
    """A service's ValidationError as page messages (for actions without a form of their own)."""
    for message in exc.messages:
        messages.error(request, message)


def attachment(file: Any, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download: never shown inline, never sniffed, never cached by a shared cache."""
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:  # the row outlived its file
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
