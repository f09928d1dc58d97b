"""The statutory clock: every deadline of the portal, in working days (行政许可法 Art. 82).

Rules (DOMAIN.md §1–2):
- a period counts working days; statutory holidays are excluded and official make-up working days
  (调休上班日) are included;
- the day a period starts is not counted (民法典 Art. 201): counting runs over the days in (start, end];
- a pause (补正期间, 听证, 检验检测, 专家评审 …; Art. 45) is the interval (stopped_on, resumed_on]: the day the
  clock stops was already running, and the day it resumes is the new "start day" that is not counted.
  A pause with no resumed_on is still running and leaves the due date open.

The calendar is loaded once into arrays (a prefix count of working days and the index of every working
day), so each call is O(1) in the calendar's size, plus O(p log p) in the number p of pauses.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from portal.models import CalendarDay, CalendarYear, DayKind

# Years past the last loaded one that the clock still counts, by weekends only and flagged provisional.
PROVISIONAL_YEARS_AHEAD = 10


class CalendarRangeError(ValueError):
    """A date outside the years the calendar covers."""


@dataclass(frozen=True)
class Pause:
    stopped_on: date
    resumed_on: date | None = None  # None: still paused


@dataclass(frozen=True)
class Due:
    """A computed due date; provisional when a year it crosses has no official notice loaded."""

    date: date | None  # None while a pause is still running
    provisional: bool


class WorkCalendar:
    """An immutable, array-backed view of the work calendar from `first` to `last` inclusive."""

    def __init__(self, first: date, last: date, working: Sequence[bool], known_years: Iterable[int]):
        if len(working) != (last - first).days + 1:
            raise ValueError("one entry a day is needed")
        self.first, self.last = first, last
        self.known_years = frozenset(known_years)
        self._working = bytes(working)
        # _cum[i]: working days among days 0..i; _nth[k]: index of the (k+1)-th working day.
        cum, nth, running = [], [], 0
        for i, w in enumerate(working):
            if w:
                running += 1
                nth.append(i)
            cum.append(running)
        self._cum, self._nth = cum, nth

    # --- construction ---------------------------------------------------------------------------------
    @classmethod
    def from_days(cls, days: dict[date, str], known_years: Iterable[int], *, first_year: int,
                  last_year: int) -> WorkCalendar:
        """Days with a kind; a day with none falls back to Monday–Friday (for years not loaded)."""
        first, last = date(first_year, 1, 1), date(last_year, 12, 31)
        working_kinds = DayKind.working()
        working = []
        d = first
        while d <= last:
            kind = days.get(d)
            working.append(kind in working_kinds if kind is not None else d.weekday() < 5)
            d += timedelta(days=1)
        return cls(first, last, working, known_years)

    @classmethod
    def load(cls, today: date | None = None) -> WorkCalendar:
        known = list(CalendarYear.objects.values_list("year", flat=True))
        this_year = (today or date.today()).year
        first_year = min([*known, this_year - 1])
        last_year = max([*known, this_year]) + PROVISIONAL_YEARS_AHEAD
        days = dict(CalendarDay.objects.values_list("date", "kind"))
        return cls.from_days(days, known, first_year=first_year, last_year=last_year)

    # --- queries --------------------------------------------------------------------------------------
    def _index(self, d: date) -> int:
        if not self.first <= d <= self.last:
            raise CalendarRangeError(f"{d} is outside the work calendar ({self.first} to {self.last})")
        return (d - self.first).days

    def is_working_day(self, d: date) -> bool:
        return bool(self._working[self._index(d)])

    def is_provisional(self, *dates: date) -> bool:
        """True when a year between the earliest and latest of the dates has no notice loaded."""
        years = range(min(dates).year, max(dates).year + 1)
        return any(y not in self.known_years for y in years)

    def add_working_days(self, start: date, n: int) -> date:
        """The day on which a period of n working days starting on `start` ends (start not counted)."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return start
        k = self._cum[self._index(start)] + n
        if k > len(self._nth):
            raise CalendarRangeError(f"{n} working days after {start} is past the end of the work calendar")
        return self.first + timedelta(days=self._nth[k - 1])

    def working_days_before(self, end: date, n: int) -> date:
        """The working day n working days before `end` (so that n working days run from it to `end`)."""
        if n < 0:
            raise ValueError("n must not be negative")
        k = self._cum[self._index(end)] - n
        if k <= 0:
            return self.first
        return self.first + timedelta(days=self._nth[k - 1])

    def working_days_between(self, start: date, end: date, pauses: Iterable[Pause] = ()) -> int:
        """Working days in (start, end], less those inside pauses; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start, pauses)
        total = self._cum[self._index(end)] - self._cum[self._index(start)]
        for stopped, resumed in _merged(pauses, until=end):
            lo, hi = max(stopped, start), min(resumed or end, end)
            if hi > lo:
                total -= self._cum[self._index(hi)] - self._cum[self._index(lo)]
        return total

    def due_date(self, start: date, n: int, pauses: Iterable[Pause] = ()) -> Due:
        """The end of a period of n working days from `start`, extended by every pause inside it."""
        due = self.add_working_days(start, n)
        for stopped, resumed in _merged(pauses, until=None):
            if stopped >= due:
                break
            if resumed is None:
                return Due(None, self.is_provisional(start, stopped))
            lo = max(stopped, start)
            if resumed > lo:
                due = self.add_working_days(due, self._cum[self._index(resumed)] - self._cum[self._index(lo)])
        return Due(due, self.is_provisional(start, due))


def _merged(pauses: Iterable[Pause], *, until: date | None) -> list[tuple[date, date | None]]:
    """Pauses sorted and merged where they overlap; a running pause is cut at `until` when one is given."""
    spans = sorted(
        ((p.stopped_on, p.resumed_on if p.resumed_on is not None else until) for p in pauses),
        key=lambda span: (span[0], span[1] is None, span[1] or span[0]),  # a running pause sorts last of its day
    )
    merged: list[tuple[date, date | None]] = []
    for stopped, resumed in spans:
        if merged:
            last_stopped, last_resumed = merged[-1]
            if last_resumed is None or stopped <= last_resumed:
                end = None if last_resumed is None or resumed is None else max(last_resumed, resumed)
                merged[-1] = (last_stopped, end)
                continue
        merged.append((stopped, resumed))
    return merged


# --- the process-wide calendar ------------------------------------------------------------------------
_lock = threading.Lock()
_cached: tuple[float, WorkCalendar] | None = None


def get_calendar() -> WorkCalendar:
    """The calendar, reloaded at most every CALENDAR_CACHE_SECONDS or at once after a local change."""
    global _cached
    ttl = getattr(settings, "CALENDAR_CACHE_SECONDS", 60)
    now = time.monotonic()
    with _lock:
        if _cached is None or now - _cached[0] > ttl:
            _cached = (now, WorkCalendar.load())
        return _cached[1]


def invalidate() -> None:
    global _cached
    with _lock:
        _cached = None
