from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ItemsConfig(AppConfig):
    name = "items"
    verbose_name = _("事项清单")

    def ready(self) -> None:
        from items import tasks  # noqa: F401  (registers the tasks so any process can publish them)
