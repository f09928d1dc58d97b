from datetime import date

import pytest
from django.urls import reverse

from portal import clock
from portal.models import AuditEvent, CalendarDay, CalendarYear, DayKind
from portal.selectors import calendar_missing_years
from portal.services.calendar import (
    CalendarImportError,
    calendar_import_year,
    calendar_seed_from_package,
    package_years,
    parse_notice,
)

NOTICE_2027 = """
# 国务院办公厅关于2027年部分节假日安排的通知 (as typed by the administrator)
2027-01-01~2027-01-03 休 元旦
2027-02-06～2027-02-13 休 春节
2027-02-14 班 春节调休
2027-02-20 班 春节调休
"""


def test_seed_loads_every_year_the_package_knows_and_is_idempotent(no_calendar):
    seeded = calendar_seed_from_package()
    assert seeded == list(package_years())
    assert CalendarDay.objects.filter(date__year=2025).count() == 365
    national_day = CalendarDay.objects.get(date=date(2025, 10, 1))
    assert (national_day.kind, national_day.name) == (DayKind.HOLIDAY, "国庆节")
    assert CalendarDay.objects.get(date=date(2025, 10, 11)).kind == DayKind.MAKEUP_WORKDAY
    assert calendar_seed_from_package() == []


def test_import_a_new_years_notice(db, people):
    entries = parse_notice(NOTICE_2027)
    calendar_import_year(year=2027, entries=entries, actor=people["sysadmin"], source="国办发明电〔2026〕1号")
    assert CalendarYear.objects.get(year=2027).loaded_by == people["sysadmin"]
    assert CalendarDay.objects.filter(date__year=2027).count() == 365
    assert CalendarDay.objects.get(date=date(2027, 2, 8)).kind == DayKind.HOLIDAY  # a Monday
    assert CalendarDay.objects.get(date=date(2027, 2, 14)).kind == DayKind.MAKEUP_WORKDAY
    assert CalendarDay.objects.get(date=date(2027, 3, 1)).kind == DayKind.WORKDAY
    cal = clock.get_calendar()
    assert cal.add_working_days(date(2027, 2, 5), 1) == date(2027, 2, 14)
    assert not cal.is_provisional(date(2027, 6, 1))
    assert AuditEvent.objects.filter(action="calendar.import", actor=people["sysadmin"]).exists()


@pytest.mark.parametrize("text, line", [
    ("2027-13-01 休 元旦", 1),
    ("2027-01-01 放 元旦", 1),
    ("2027-01-05~2027-01-01 休 元旦", 1),
    ("2027-01-01 休 元旦\nnonsense", 2),
])
def test_bad_notice_lines_are_named(text, line):
    with pytest.raises(CalendarImportError) as caught:
        parse_notice(text)
    assert caught.value.errors[0][0] == line


def test_a_notice_with_errors_writes_nothing(db, people):
    entries = parse_notice("2027-01-01 休 元旦\n2027-01-04 班 not a weekend\n2026-12-31 休 wrong year")
    with pytest.raises(CalendarImportError) as caught:
        calendar_import_year(year=2027, entries=entries, actor=people["sysadmin"], source="x")
    assert [line for line, _msg in caught.value.errors] == [2, 3]
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_years_in_the_next_twelve_months_without_a_notice_are_reported(no_calendar):
    CalendarYear.objects.create(year=2026, source="test")
    assert calendar_missing_years(today=date(2026, 11, 22)) == [2027]
    assert calendar_missing_years(today=date(2026, 1, 1)) == [2027]  # 2027-01-01 is within 12 months
    CalendarYear.objects.create(year=2027, source="test")
    assert calendar_missing_years(today=date(2026, 11, 22)) == []


def test_the_admin_dashboard_warns_and_the_import_page_loads_the_year(client, people, work_calendar):
    client.force_login(people["sysadmin"])
    dashboard = client.get(reverse("workspace_page", args=["admin"]))
    missing = calendar_missing_years(today=date.today())
    if missing:
        assert "尚未载入国务院办公厅节假日安排通知" in dashboard.content.decode()
    response = client.post(reverse("calendar_import"), {"year": 2027, "source": "国办发明电〔2026〕1号",
                                                        "notice": NOTICE_2027})
    assert response.status_code == 302
    assert CalendarYear.objects.filter(year=2027).exists()


def test_the_import_page_shows_line_errors_and_writes_nothing(client, people):
    client.force_login(people["sysadmin"])
    response = client.post(reverse("calendar_import"), {"year": 2027, "source": "x",
                                                        "notice": "2027-01-01 休 元旦\n2027-01-04 班 错"})
    assert response.status_code == 200
    assert "第 2 项" in response.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_only_the_system_administrator_may_import(client, people):
    client.force_login(people["catalogue_admin"])
    assert client.get(reverse("calendar_import")).status_code == 403
