"""Connections to licences' domain signals (DESIGN.md: a lower app tells, a higher app listens), and the
holder resolver licences asks who may act for a holder code. The work is in applications.services.licences."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from applications.services.licences import (
    holder_codes,
    licence_told_changed,
    licence_told_expiring,
    licence_told_ready,
)
from licences import holders
from licences.signals import licence_changed, licence_expiring, licence_ready


def _ready(sender: Any, licence: Any, **kwargs: Any) -> None:
    with transaction.atomic():  # sent after the licence's commit: the messages and the timeline row together
        licence_told_ready(licence)


def _expiring(sender: Any, licence: Any, **kwargs: Any) -> None:
    licence_told_expiring(licence)  # sent inside the sweep's transaction


def _changed(sender: Any, licence: Any, change: str = "", **kwargs: Any) -> None:
    with transaction.atomic():
        licence_told_changed(licence, change)


def connect() -> None:
    holders.register(holder_codes)
    licence_ready.connect(_ready, dispatch_uid="applications.licence_ready")
    licence_expiring.connect(_expiring, dispatch_uid="applications.licence_expiring")
    licence_changed.connect(_changed, dispatch_uid="applications.licence_changed")
