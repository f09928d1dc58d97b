"""The statutory clock against official notices, pauses, unknown years, and its own properties."""

from datetime import date, timedelta

import pytest
from chinese_calendar import constants as cc
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.clock import CalendarRangeError, Pause, WorkCalendar
from portal.models import DayKind
from tests.conftest import examples

KNOWN = range(min(cc.holidays).year, max(cc.holidays).year + 1)


def _package_calendar() -> WorkCalendar:
    days = {d: DayKind.HOLIDAY for d in cc.holidays} | {d: DayKind.MAKEUP_WORKDAY for d in cc.workdays}
    return WorkCalendar.from_days(days, KNOWN, first_year=KNOWN.start, last_year=KNOWN.stop - 1 + 10)


CAL = _package_calendar()


def test_national_day_2025_with_its_makeup_saturday_and_sunday():
    # 国办发明电〔2024〕12号: 10月1日至8日放假，9月28日（周日）、10月11日（周六）上班.
    assert CAL.is_working_day(date(2025, 9, 28))
    assert not CAL.is_working_day(date(2025, 10, 1))
    assert not CAL.is_working_day(date(2025, 10, 8))
    assert CAL.is_working_day(date(2025, 10, 11))
    # Accepted on Tue 30 Sep: Oct 9, 10, 11 (make-up Saturday), 13, 14.
    assert CAL.add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)


def test_spring_festival_2024():
    # 国办发明电〔2023〕7号: 2月10日至17日放假，2月4日（周日）、2月18日（周日）上班.
    assert CAL.is_working_day(date(2024, 2, 4))
    assert CAL.is_working_day(date(2024, 2, 18))
    assert not CAL.is_working_day(date(2024, 2, 12))
    assert CAL.add_working_days(date(2024, 2, 9), 1) == date(2024, 2, 18)
    assert CAL.working_days_between(date(2024, 2, 9), date(2024, 2, 19)) == 2


def test_start_day_is_not_counted_and_zero_days_is_the_start():
    monday = date(2025, 3, 3)
    assert CAL.add_working_days(monday, 0) == monday
    assert CAL.add_working_days(monday, 1) == date(2025, 3, 4)
    # From a Friday, one working day is the Monday.
    assert CAL.add_working_days(date(2025, 3, 7), 1) == date(2025, 3, 10)


def test_twenty_working_days_statutory_limit_across_national_day():
    # 行政许可法 Art. 42: accepted Thu 2025-09-25. Counted: Sep 26, 28 (make-up Sunday), 29, 30; Oct 9, 10,
    # 11 (make-up Saturday), 13–17, 20–24, 27, 28, 29 — the 20th working day is Wed 29 Oct.
    due = CAL.due_date(date(2025, 9, 25), 20)
    assert due.date == date(2025, 10, 29)
    assert not due.provisional


def test_pause_extends_the_due_date_by_the_working_days_it_covers():
    start = date(2025, 3, 3)  # Monday
    plain = CAL.due_date(start, 10).date
    # Supplement notice on Wed 5 Mar, materials back Wed 12 Mar: 5 working days not counted.
    paused = CAL.due_date(start, 10, [Pause(date(2025, 3, 5), date(2025, 3, 12))]).date
    assert plain == date(2025, 3, 17)
    assert paused == CAL.add_working_days(plain, 5)
    assert CAL.working_days_between(start, paused, [Pause(date(2025, 3, 5), date(2025, 3, 12))]) == 10


def test_overlapping_pauses_count_once_and_a_running_pause_leaves_the_date_open():
    start = date(2025, 3, 3)
    one = CAL.due_date(start, 10, [Pause(date(2025, 3, 5), date(2025, 3, 12))]).date
    overlapping = CAL.due_date(
        start, 10, [Pause(date(2025, 3, 5), date(2025, 3, 10)), Pause(date(2025, 3, 7), date(2025, 3, 12))]
    ).date
    assert overlapping == one
    running = CAL.due_date(start, 10, [Pause(date(2025, 3, 5))])
    assert running.date is None


def test_two_pauses_of_one_day_one_still_running_leave_the_date_open():
    """Regression: sorting (start, end) pairs compared a running pause's None with a date (a TypeError)."""
    start = date(2025, 3, 3)
    pauses = [Pause(date(2025, 3, 5)), Pause(date(2025, 3, 5), date(2025, 3, 5))]
    assert CAL.due_date(start, 10, pauses).date is None
    assert CAL.due_date(start, 10, list(reversed(pauses))).date is None
    assert CAL.working_days_between(start, date(2025, 3, 10), pauses) == 2


def test_a_pause_after_the_due_date_changes_nothing():
    start = date(2025, 3, 3)
    assert CAL.due_date(start, 5, [Pause(date(2025, 4, 1), date(2025, 4, 10))]).date == CAL.add_working_days(start, 5)


def test_a_year_without_a_notice_is_counted_by_weekends_and_flagged_provisional():
    last_known = KNOWN.stop - 1
    due = CAL.due_date(date(last_known, 12, 28), 10)
    assert due.provisional
    assert due.date.year == last_known + 1
    first_saturday = date(last_known + 1, 1, 1) + timedelta(days=(5 - date(last_known + 1, 1, 1).weekday()) % 7)
    assert not CAL.is_working_day(first_saturday)


def test_dates_outside_the_calendar_are_refused():
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days(date(1999, 1, 1), 1)
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days(date(KNOWN.stop - 1 + 10, 12, 20), 100)
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2025, 1, 1), -1)


dates = st.dates(min_value=date(2004, 1, 1), max_value=date(KNOWN.stop - 1, 12, 31))


@settings(max_examples=examples(300), deadline=None)
@given(start=dates, n=st.integers(min_value=0, max_value=400))
def test_adding_and_counting_agree(start, n):
    due = CAL.add_working_days(start, n)
    assert CAL.working_days_between(start, due) == n
    if n:
        assert CAL.is_working_day(due)
        assert CAL.add_working_days(start, n - 1) < due


@settings(max_examples=examples(200), deadline=None)
@given(start=dates, n=st.integers(min_value=1, max_value=200),
       pauses=st.lists(st.tuples(st.integers(0, 300), st.integers(0, 60)), max_size=4))
def test_a_paused_period_still_counts_exactly_n_working_days(start, n, pauses):
    intervals = [Pause(start + timedelta(days=a), start + timedelta(days=a + b)) for a, b in pauses]
    due = CAL.due_date(start, n, intervals).date
    assert CAL.working_days_between(start, due, intervals) == n
    assert CAL.is_working_day(due)
    assert not any(p.stopped_on < due <= p.resumed_on for p in intervals)


@settings(max_examples=examples(200), deadline=None)
@given(a=dates, b=dates)
def test_counting_matches_a_day_by_day_walk(a, b):
    lo, hi = min(a, b), max(a, b)
    hi = min(hi, lo + timedelta(days=120))
    walked = sum(CAL.is_working_day(lo + timedelta(days=i)) for i in range(1, (hi - lo).days + 1))
    assert CAL.working_days_between(lo, hi) == walked


def test_the_calendar_loaded_from_the_database_matches_the_package(work_calendar):
    assert work_calendar.add_working_days(date(2025, 9, 30), 5) == date(2025, 10, 14)
    assert work_calendar.known_years >= set(KNOWN)
