"""Who may do what, by role; views and API views both use these."""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import BasePermission

from portal.models import Role


def has_role(user: Any, roles: Iterable[str]) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in set(roles))


def role_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A page for signed-in users of the given roles: others are sent to log in, or refused (403)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


class HasRole(BasePermission):
    """DRF permission: `permission_classes = [HasRole.of(Role.CLERK, ...)]`."""

    roles: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *roles: str) -> type["HasRole"]:
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": frozenset(roles)})

    def has_permission(self, request: Any, view: Any) -> bool:
        return has_role(request.user, self.roles)


STAFF_ROLES = frozenset({Role.CLERK, Role.REVIEWER, Role.HEAD, Role.SUPERVISOR, Role.CATALOGUE_ADMIN,
                         Role.SYSADMIN})
