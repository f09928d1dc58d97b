"""Who holds what: the holder codes (ID numbers, USCCs) a user may act for.

Licences know holders by code only; who may act for a code is the applicants' business, a higher app.
That app registers its resolver here when it starts (applications/apps.py), so this app never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_resolver: Callable[[Any], list[str]] | None = None


def register(resolver: Callable[[Any], list[str]]) -> None:
    global _resolver
    _resolver = resolver


def holder_codes(user: Any) -> list[str]:
    """The codes of the applicants `user` may act for (none for an anonymous user or staff)."""
    if _resolver is None or user is None or not getattr(user, "is_authenticated", False):
        return []
    return [code for code in _resolver(user) if code]
