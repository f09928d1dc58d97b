"""Celery tasks of licences: thin, idempotent, calling services."""

from celery import shared_task
from django.utils import timezone

from licences import sweeps
from portal.outbox import outbox_task


# A failed render (a font, storage or key hiccup) is retried; the sweep renders whatever is left over.
@outbox_task("licences.render", autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def render(*, licence_id: int) -> None:
    from licences.services import licence_render

    licence_render(licence_id=licence_id)


@shared_task(name="licences.sweep")
def sweep() -> dict[str, int]:
    return sweeps.licence_sweep(today=timezone.localdate())
