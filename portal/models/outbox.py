import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """A side effect recorded in the same transaction as the write that caused it (transactional outbox).

    The relay publishes unpublished rows to Celery; the task marks the row done in its own transaction,
    so a message published twice (a relay that died between publishing and marking) still acts once.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(_("任务"), max_length=200)
    kwargs = models.JSONField(_("参数"), default=dict)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("发布次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        indexes = [
            # The relay reads only what is unpublished: cheap however long the history is.
            models.Index(fields=["created_at"], condition=models.Q(published_at__isnull=True),
                         name="outbox_unpublished"),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.id}"
