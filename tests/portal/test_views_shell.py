import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Notification, Role
from portal.workspaces import WORKSPACES
from tests.factories import DepartmentFactory


def test_home_is_public_and_in_chinese(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "政务服务大厅" in html
    assert "vendor/htmx/htmx.min.js" in html
    assert "//cdn" not in html and "unpkg" not in html


def test_english_is_one_switch_away(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Government Service Hall" in html


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_its_own_workspace_only(client, people, role):
    user = next(u for u in people.values() if u.role == role)
    client.force_login(user)
    landing = client.get(reverse("workspace"))
    assert landing["Location"] == reverse("workspace_page", args=[WORKSPACES[role].slug])
    page = client.get(landing["Location"])
    assert page.status_code == 200
    assert str(WORKSPACES[role].title) in page.content.decode()
    for other in WORKSPACES.values():
        if other.role != role:
            assert client.get(reverse("workspace_page", args=[other.slug])).status_code == 403


def test_workspaces_need_a_login(client, db):
    response = client.get(reverse("workspace_page", args=["clerk"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get("/workspace/nonsense/").status_code == 302


def test_unknown_workspace_is_404(client, people):
    client.force_login(people["clerk"])
    assert client.get("/workspace/nonsense/").status_code == 404


def test_due_date_page_and_its_htmx_partial(client, work_calendar):
    page = client.get(reverse("calendar"), {"start": "2025-09-30", "days": 5})
    assert "2025年10月14日" in page.content.decode()
    partial = client.get(reverse("calendar"), {"start": "2025-09-30", "days": 5}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert "2025年10月14日" in partial.content.decode()
    bad = client.get(reverse("calendar"), {"start": "not a date", "days": 5})
    assert bad.status_code == 200 and "起算日期" in bad.content.decode()


def test_inbox_lists_only_my_notifications_and_marks_them_read(client, people):
    mine = Notification.objects.create(recipient=people["applicant_a"], subject="我的通知")
    Notification.objects.create(recipient=people["applicant_b"], subject="别人的通知")
    client.force_login(people["applicant_a"])
    html = client.get(reverse("inbox")).content.decode()
    assert "我的通知" in html and "别人的通知" not in html
    response = client.post(reverse("inbox_mark_read"), {"id": mine.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="unread-badge"' in response.content.decode()
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_marking_someone_elses_notification_changes_nothing(client, people):
    theirs = Notification.objects.create(recipient=people["applicant_b"], subject="别人的通知")
    client.force_login(people["applicant_a"])
    client.post(reverse("inbox_mark_read"), {"id": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_healthz(client, db):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_security_headers(client, db):
    response = client.get(reverse("home"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/", "/inbox/", "/workspace/applicant/"])
def test_pages_answer_in_a_constant_number_of_queries(client, people, url):
    client.force_login(people["applicant_a"])
    Notification.objects.bulk_create([Notification(recipient=people["applicant_a"], subject="n") for _ in range(3)])
    few = _queries(client, url)
    Notification.objects.bulk_create([Notification(recipient=people["applicant_a"], subject="m") for _ in range(60)])
    DepartmentFactory.create_batch(30)
    assert _queries(client, url) == few
