"""A smoke test of every page: the demo data of `make run`, then each demo login (and a visitor) opens every
page that needs no object and follows every link the portal shows it from there; no page answers with a
server error.

Each distinct page (URL route) is opened a few times per role, with different objects, so that the walk covers
every page a role can reach without opening every one of thousands of objects. It runs again in .ci/run's
SQLite pass: SQLite has answered differently from PostgreSQL before (schemathesis found SQLite-only 500s).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html import unescape
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from portal.demo import DEMO_LOGINS
from portal.models import User
from tests.conftest import demo_seeded_once

pytestmark = [pytest.mark.embedded, pytest.mark.timeout(600)]

HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"', re.IGNORECASE)
PER_ROUTE = 3  # objects opened per distinct page and role
SKIP = ("/static/", "/media/", "/admin/")  # files, and Django's own admin (its first page is opened)


def routes_without_arguments(patterns=None, prefix: str = "") -> list[str]:
    """Every page of the URLconf that needs no object (the API and the admin apart)."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += routes_without_arguments(pattern.url_patterns, route)
        elif "<" not in route and not route.startswith(("admin/", "api/", "^")) and route != "accounts/logout/":
            found.append("/" + route)
    return found


STARTS = ["/", "/workspace/", "/admin/", "/api/docs/", *routes_without_arguments()]


@pytest.fixture(scope="module")
def demo(django_db_blocker, tmp_path_factory):
    """The demo data of `make run`, seeded once for this module (rolled back after it)."""
    yield from demo_seeded_once(django_db_blocker, tmp_path_factory.mktemp("demo"))


def links(html: str, base: str) -> list[str]:
    """The page's links as paths of this site, relative ones (a pager's `?page=2`) resolved against `base`."""
    return [urldefrag(urljoin(base, unescape(href))).url for href in HREF.findall(html)]


def walk(client: Client) -> tuple[dict[str, int], Counter]:
    """Every page reachable by links (and redirects) from STARTS: {url: status} and the pages per route."""
    seen: dict[str, int] = {}
    per_route: Counter = Counter()
    queue = deque(STARTS)
    while queue:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or url in seen:
            continue
        if parts.path.startswith(SKIP) and url not in STARTS:
            continue
        try:
            route = resolve(parts.path).route
        except Resolver404:
            route = parts.path  # a link to nowhere: opened once, and must say 404, not fail
        if per_route[route] >= PER_ROUTE:
            continue
        per_route[route] += 1
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code in (301, 302, 303):
            queue.append(urljoin(url, response["Location"]))
        elif response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            queue.extend(links(response.content.decode("utf-8", errors="replace"), url))
    return seen, per_route


@pytest.mark.parametrize("username", [None, *[login.username for login in DEMO_LOGINS]])
def test_every_page_a_role_can_reach_answers_without_a_server_error(db, demo, username):
    client = Client(raise_request_exception=False)  # every server error is listed, not only the first
    if username:
        client.force_login(User.objects.get(username=username))
    seen, per_route = walk(client)
    errors = {url: status for url, status in seen.items() if status >= 500}
    assert not errors, f"{username or 'a visitor'}: server errors on {errors}"
    assert seen["/"] == 200
    if username:
        assert seen["/workspace/"] in (200, 302)
        assert len(per_route) >= 5, f"{username} reached only {sorted(per_route)}"
