from typing import Any

from django.conf import settings
from django.http import HttpRequest

from portal.selectors import unread_count
from portal.workspaces import WORKSPACES


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout shows on every page: the city, the user's workspace, unread notifications."""
    context: dict[str, Any] = {"PORTAL_CITY": settings.PORTAL_CITY}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context.update(my_workspace=WORKSPACES.get(user.role), unread=unread_count(user=user))
    return context
