"""AB岗: a head names a backup (B) for each reviewer (A); while A is marked absent, B sees and acts on A's tasks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from approvals.models import Backup
from portal.models import Role
from portal.services.audit import audit_record
from portal.services.notifications import notify


def _require_head_of(actor: Any, *users: Any) -> None:
    if getattr(actor, "role", None) != Role.HEAD:
        raise PermissionDenied
    for user in users:
        if user.department_id != actor.department_id:
            raise PermissionDenied


@transaction.atomic
def backup_set(*, actor: Any, primary: Any, backup: Any) -> Backup:
    _require_head_of(actor, primary)
    if backup.department_id != actor.department_id or backup.role not in (Role.REVIEWER, Role.HEAD) \
            or not backup.is_active:
        raise ValidationError({"backup": _("B岗须为本部门在岗的审批人员。")})
    if backup.pk == primary.pk:
        raise ValidationError({"backup": _("B岗不能是本人。")})
    post, _created = Backup.objects.select_for_update().update_or_create(
        primary=primary, defaults={"backup": backup, "set_by": actor})
    audit_record(actor=actor, action="backup.set", obj=post, after={"primary": primary.pk, "backup": backup.pk})
    notify(recipient=backup, subject=_("您已被设为 %(name)s 的B岗") % {"name": primary}, link="/review/")
    return post


@transaction.atomic
def backup_mark_absent(*, actor: Any, primary: Any, absent: bool) -> Backup:
    """The head, or A themself, marks A absent (or back); B is told when A leaves."""
    if actor.pk != primary.pk:
        _require_head_of(actor, primary)
    post = Backup.objects.select_for_update(of=("self",)).filter(primary=primary).select_related("backup").first()
    if post is None:
        raise ValidationError({"primary": _("请先为其设置B岗。")})
    post.primary_absent = absent
    post.save(update_fields=["primary_absent", "updated_at"])
    audit_record(actor=actor, action="backup.absent" if absent else "backup.present", obj=post)
    if absent:
        notify(recipient=post.backup, subject=_("%(name)s 缺席，其审查任务由您代办") % {"name": primary},
               link="/review/")
    return post
