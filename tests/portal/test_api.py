from datetime import date

import pytest
from django.urls import reverse

from portal.models import Notification


@pytest.fixture
def api(client, people):
    client.force_login(people["applicant_a"])
    return client


def test_me_shows_the_user_with_the_id_number_masked(api, people):
    Notification.objects.create(recipient=people["applicant_a"], subject="x")
    body = api.get(reverse("api-me")).json()
    assert body["username"] == "applicant_a"
    assert body["role"] == "applicant_person"
    assert body["id_number"] == people["applicant_a"].masked_id_number
    assert people["applicant_a"].id_number not in str(body)
    assert body["unread_notifications"] == 1


def test_me_without_credentials_is_401(client, db):
    response = client.get(reverse("api-me"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_due_date_is_public_and_lists_what_it_skipped(client, work_calendar):
    body = client.get(reverse("api-calendar-due"), {"start": "2025-09-30", "days": 5}).json()
    assert body["due"] == "2025-10-14"
    assert body["provisional"] is False
    skipped = {d["date"]: d for d in body["skipped"]}
    assert skipped["2025-10-01"]["name"] == "国庆节"
    assert "2025-10-11" not in skipped  # a make-up working day


def test_due_date_in_a_year_without_a_notice_is_provisional(client, work_calendar):
    last = max(work_calendar.known_years)
    body = client.get(reverse("api-calendar-due"), {"start": f"{last}-12-20", "days": 15}).json()
    assert body["provisional"] is True


@pytest.mark.parametrize("params, field", [
    ({"days": 5}, "start"),
    ({"start": "2025-02-30", "days": 5}, "start"),
    ({"start": "2025-01-01", "days": -1}, "days"),
    ({"start": "2025-01-01", "days": 100000}, "days"),
    ({"start": "1900-01-01", "days": 5}, "start"),
])
def test_due_date_bad_input_names_the_field(client, work_calendar, params, field):
    response = client.get(reverse("api-calendar-due"), params)
    assert response.status_code == 400
    assert field in response.json()


def test_calendar_range_counts_working_days(client, work_calendar):
    body = client.get(reverse("api-calendar"), {"start": "2025-10-01", "end": "2025-10-31"}).json()
    assert len(body["days"]) == 31
    assert body["working_days"] == 18  # (Oct 1, Oct 31]: 23 weekdays − 6 holidays + 1 make-up Saturday
    assert body["days"][10] == {"date": "2025-10-11", "kind": "makeup_workday", "name": "国庆节调休上班",
                                "working": True}


def test_calendar_defaults_to_this_month_and_limits_the_span(client, work_calendar):
    body = client.get(reverse("api-calendar")).json()
    assert body["start"] == date.today().replace(day=1).isoformat()
    response = client.get(reverse("api-calendar"), {"start": "2020-01-01", "end": "2025-01-01"})
    assert response.status_code == 400 and "end" in response.json()
    response = client.get(reverse("api-calendar"), {"start": "2025-02-01", "end": "2025-01-01"})
    assert response.status_code == 400 and "end" in response.json()


def test_schema_and_docs_are_served(client, db):
    schema = client.get(reverse("api-schema"))
    assert schema.status_code == 200
    assert b"/api/v1/calendar/due/" in schema.content
    assert client.get(reverse("api-docs")).status_code == 200
