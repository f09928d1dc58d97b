"""The permission matrix: every role against every page and endpoint.

Each issue adds its rows to MATRIX (or its own list passed to `check_matrix`). A row names the request
and the roles that may make it; every other role must get a refusal (anonymous: a redirect to the login
page or 401; signed in: 403 or 404), never data. A role that may make it must get one of the row's
codes; a redirect to a login page is a refusal, never success, whatever those codes are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ["anonymous", "applicant_a", "applicant_b", "enterprise", "clerk", "reviewer_x", "reviewer_y", "head_x",
         "supervisor", "catalogue_admin", "agency_a", "agency_b", "sysadmin"]
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
EVERYONE = frozenset(ROLES)
ALLOWED_STATUSES = {200, 201, 204, 302}
REFUSED_STATUSES = {401, 403, 404, 405}


@dataclass(frozen=True)
class Row:
    method: str
    url: str | Callable[[dict[str, Any]], str]  # a callable gets the `people` dict (for object URLs)
    allowed: frozenset[str]
    data: dict[str, Any] = field(default_factory=dict)
    ok: frozenset[int] = frozenset(ALLOWED_STATUSES)

    def resolve(self, people: dict[str, Any]) -> str:
        return self.url(people) if callable(self.url) else self.url


def only(*roles: str) -> frozenset[str]:
    return frozenset(roles)


MATRIX: list[Row] = [
    Row("get", "/", EVERYONE),
    Row("get", "/calendar/", EVERYONE),
    Row("get", "/healthz/", EVERYONE),
    Row("get", "/api/v1/calendar/", EVERYONE),
    Row("get", "/api/v1/calendar/due/?start=2025-09-30&days=5", EVERYONE),
    Row("get", "/api/schema/", EVERYONE),
    Row("get", "/api/v1/me/", SIGNED_IN),
    Row("get", "/inbox/", SIGNED_IN),
    Row("post", "/inbox/read/", SIGNED_IN),
    Row("get", "/accounts/password/", SIGNED_IN),
    Row("get", "/workspace/", SIGNED_IN),
    Row("get", "/workspace/applicant/", only("applicant_a", "applicant_b")),
    Row("get", "/workspace/enterprise/", only("enterprise")),
    Row("get", "/workspace/clerk/", only("clerk")),
    Row("get", "/workspace/reviewer/", only("reviewer_x", "reviewer_y")),
    Row("get", "/workspace/head/", only("head_x")),
    Row("get", "/workspace/supervisor/", only("supervisor")),
    Row("get", "/workspace/catalogue/", only("catalogue_admin")),
    Row("get", "/workspace/agency/", only("agency_a", "agency_b")),
    Row("get", "/workspace/admin/", only("sysadmin")),
    Row("get", "/workspace/admin/calendar/import/", only("sysadmin")),
    Row("get", "/admin/", only("sysadmin")),
    Row("get", "/admin/portal/auditevent/", only("sysadmin")),
    Row("get", "/catalogue/export.xlsx", only("catalogue_admin")),
    Row("get", "/catalogue/template.xlsx", only("catalogue_admin")),
    Row("get", "/catalogue/import/", only("catalogue_admin")),
    # The catalogue API (rows for existing objects: tests/items/test_api.py).
    Row("get", "/api/v1/items/", EVERYONE),
    Row("get", "/api/v1/bundles/", EVERYONE),
    Row("post", "/api/v1/items/", only("catalogue_admin"), ok=frozenset({400})),  # an empty body: bad input
    Row("get", "/api/v1/items/NO-SUCH/versions/", only("catalogue_admin"), ok=frozenset({404})),
    # The catalogue: public pages, and the administrator's (an item drafted by catalogue_admin in the test).
    Row("get", "/items/", EVERYONE),
    Row("get", "/items/?q=spjy", EVERYONE),
    Row("get", "/bundles/", EVERYONE),
    Row("get", "/catalogue/items/", only("catalogue_admin")),
    Row("get", "/catalogue/items/new/", only("catalogue_admin")),
    Row("get", "/catalogue/coverage/", only("catalogue_admin")),
    Row("get", "/catalogue/bundles/", only("catalogue_admin")),
    Row("get", "/catalogue/bundles/new/", only("catalogue_admin")),
    Row("get", lambda p: f"/catalogue/versions/{p['draft'].pk}/", only("catalogue_admin")),
    Row("get", lambda p: f"/catalogue/items/{p['draft'].item_id}/", only("catalogue_admin")),
    Row("post", lambda p: f"/catalogue/versions/{p['draft'].pk}/review/", only("catalogue_admin"),
        data={"decision": "approve"}),  # refused for its own editor, with a message: nothing changes
    Row("post", lambda p: f"/catalogue/versions/{p['draft'].pk}/retire/", only("catalogue_admin")),
    Row("get", lambda p: f"/api/v1/versions/{p['draft'].pk}/", only("catalogue_admin")),
    Row("get", lambda p: f"/catalogue/versions/{p['draft'].pk}/form/", only("catalogue_admin")),
]


def check_matrix(client_factory: Callable[[], Any], people: dict[str, Any], rows: list[Row]) -> list[str]:
    """Return a list of violations (empty when every role gets what it should)."""
    problems = []
    for role in ROLES:
        client = client_factory()
        if role != "anonymous":
            client.force_login(people[role])
        for row in rows:
            url = row.resolve(people)
            response = getattr(client, row.method)(url, row.data)
            status = response.status_code
            to_login = status == 302 and "/login/" in response.get("Location", "")
            if role in row.allowed:
                if to_login:  # sent to sign in (again): refused, however the row's codes read
                    problems.append(f"{role} {row.method.upper()} {url}: expected success, "
                                    f"got a redirect to {response['Location']}")
                elif status not in row.ok:
                    problems.append(f"{role} {row.method.upper()} {url}: expected success, got {status}")
            elif role == "anonymous":
                if not (to_login or status in REFUSED_STATUSES):
                    problems.append(f"anonymous {row.method.upper()} {url}: expected refusal, got {status}")
            elif status not in REFUSED_STATUSES and not (
                status == 302 and "/admin/login/" in response.get("Location", "")
            ):
                problems.append(f"{role} {row.method.upper()} {url}: expected refusal, got {status}")
    return problems
