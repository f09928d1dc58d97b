"""Domain errors, and the one place where they become HTTP answers (409 for conflicts)."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    """A rule of the domain refused the action; the message is meant for the user."""


class Conflict(DomainError):
    """Someone else changed the object first, or its state does not allow the action."""


CONFLICTS = (Conflict, TransitionNotAllowed, ConcurrentTransition)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, CONFLICTS):
        return Response({"detail": str(exc) or "conflict"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = DRFValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    elif isinstance(exc, DomainError):
        exc = DRFValidationError({"detail": [str(exc)]})
    return exception_handler(exc, context)
