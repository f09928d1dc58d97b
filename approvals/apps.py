from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("并联审批")

    def ready(self) -> None:
        from approvals import receivers, tasks  # noqa: F401  (registers the Celery tasks the outbox publishes)

        receivers.connect()
