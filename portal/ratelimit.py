"""A fixed-window rate limit per client address, for public pages anyone may post to (the hall kiosk, the
appointment check-in, public tracking): enough to stop a script, never in a person's way."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def hit(*, scope: str, who: str, limit: int, seconds: int) -> bool:
    """Count one request; True while the client is within `limit` requests per `seconds`."""
    key = f"ratelimit:{scope}:{who}:{int(time.time() // seconds)}"
    if cache.add(key, 1, seconds + 1):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:  # the window expired between add() and incr()
        cache.add(key, 1, seconds + 1)
        return True


def limit_posts(scope: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse a client's POSTs beyond settings.PUBLIC_POST_LIMITS[scope] = (count, seconds) with a 429 page."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                limit, seconds = settings.PUBLIC_POST_LIMITS[scope]
                if not hit(scope=scope, who=request.META.get("REMOTE_ADDR") or "-", limit=limit, seconds=seconds):
                    return render(request, "429.html", status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
