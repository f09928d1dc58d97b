from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("平台核心")

    def ready(self) -> None:
        # Connect the login audit receivers, and register the tasks so that any process can publish them.
        from portal import receivers, tasks  # noqa: F401
