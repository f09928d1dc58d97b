from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("办件受理")

    def ready(self) -> None:
        from applications import receivers, tasks, tasks_queue  # noqa: F401  (registers the Celery tasks)

        receivers.connect()
