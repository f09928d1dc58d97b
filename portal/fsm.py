"""The one way a status changes (STYLE.md §2): lock the row, check the transition and the user's right to
it, call it, save, audit. Services call `transition()` and add their own side effects on commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from portal.services.audit import audit_record

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def transition(
    obj: M,
    name: str,
    *,
    actor: Any,
    action: str,
    check: Callable[[M], None] | None = None,
    audit_after: dict[str, Any] | None = None,
    **kwargs: Any,
) -> M:
    """Run the transition `name` on a freshly locked copy of `obj` and return that copy.

    `check` runs on the locked copy before the transition (domain rules that raise DomainError).
    Raises TransitionNotAllowed (409) when the state does not allow it, PermissionDenied when the
    transition's `permission=` refuses the actor.
    """
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    return transition_locked(locked, name, actor=actor, action=action, check=check, audit_after=audit_after,
                             **kwargs)


def transition_locked(
    locked: M,
    name: str,
    *,
    actor: Any,
    action: str,
    check: Callable[[M], None] | None = None,
    audit_after: dict[str, Any] | None = None,
    **kwargs: Any,
) -> M:
    """`transition` on an object whose row the caller has locked in this transaction already (so the
    caller's copy stays the current one)."""
    method = getattr(locked, name)
    if not can_proceed(method):
        raise TransitionNotAllowed(f"{name} is not allowed from {_state(locked)}")
    if actor is not None and not has_transition_perm(method, actor):
        raise PermissionDenied
    if check is not None:
        check(locked)
    before = _state(locked)
    method(**kwargs)
    locked.save()
    audit_record(actor=actor, action=action, obj=locked, before={"status": before},
                 after={"status": _state(locked), **(audit_after or {})})
    return locked


def _state(obj: models.Model) -> str:
    return str(getattr(obj, "status", ""))
