from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from portal.models import Department, User
from portal.services.audit import audit_record
from portal.services.notifications import notify


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    role: str,
    display_name: str = "",
    department: Department | None = None,
    email: str = "",
    phone: str = "",
    id_number: str = "",
    uscc: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    user = User(
        username=username, role=role, display_name=display_name, department=department, email=email,
        phone=phone, id_number=id_number, uscc=uscc, is_staff=is_staff, is_superuser=is_superuser,
    )
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_record(actor=actor, action="user.create", obj=user,
                 after={"role": role, "department": department.code if department else ""})
    return user


@transaction.atomic
def user_set_password(*, actor: Any, user: User, password: str) -> User:
    """Change a password; other sessions end (Django checks the session's password hash) and the user is told."""
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    Token.objects.filter(user=user).delete()
    audit_record(actor=actor, action="user.password_change", obj=user)
    notify(recipient=user, subject=_("您的登录密码已修改"),
           body=_("如果这不是您本人的操作，请立即联系政务服务大厅。"), email=True, sms=True)
    return user


@transaction.atomic
def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    """Enable or disable a user. A disabled user's sessions and API token stop working at once."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        Token.objects.filter(user=user).delete()
    audit_record(actor=actor, action="user.enable" if active else "user.disable", obj=user,
                 before={"is_active": not active}, after={"is_active": active})
    return user


def token_for(*, user: User) -> Token:
    token, _created = Token.objects.get_or_create(user=user)
    return token
