"""Pluggable SMS backends, chosen by settings.SMS_BACKEND (a real gateway is one more subclass)."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from django.conf import settings
from django.utils.module_loading import import_string


class BaseSMSBackend(ABC):
    @abstractmethod
    def send(self, *, phone: str, text: str) -> None:
        """Send one text message."""


class ConsoleSMSBackend(BaseSMSBackend):
    def send(self, *, phone: str, text: str) -> None:
        print(f"[SMS to {phone}] {text}")  # noqa: T201


class FileSMSBackend(BaseSMSBackend):
    """One JSON line per message in SMS_FILE_PATH/sms-YYYYMMDD.log."""

    def send(self, *, phone: str, text: str) -> None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now()
        with (folder / f"sms-{now:%Y%m%d}.log").open("a", encoding="utf-8") as f:
            f.write(json.dumps({"at": now.isoformat(), "phone": phone, "text": text}, ensure_ascii=False) + "\n")


class LocmemSMSBackend(BaseSMSBackend):
    """Keeps messages in memory, for tests."""

    outbox: ClassVar[list[dict[str, str]]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.outbox.append({"phone": phone, "text": text})


def send_sms(*, phone: str, text: str) -> None:
    import_string(settings.SMS_BACKEND)().send(phone=phone, text=text)
