from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "licences"
    verbose_name = _("电子证照")

    def ready(self) -> None:
        from licences import tasks  # noqa: F401  (registers the Celery tasks the outbox publishes)
