"""The work calendar as data: seeded from chinese-calendar, extended by importing each year's notice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import chinese_calendar
from chinese_calendar import constants as cc_constants
from django.db import transaction
from django.utils.translation import gettext as _

from portal import clock
from portal.models import CalendarDay, CalendarYear, DayKind
from portal.services.audit import audit_record


class CalendarImportError(ValueError):
    """A notice that cannot be loaded; `errors` lists (line number, message) pairs."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__("; ".join(f"{line}: {msg}" for line, msg in errors))
        self.errors = errors


@dataclass(frozen=True)
class NoticeEntry:
    first: date
    last: date
    kind: str  # DayKind.HOLIDAY or DayKind.MAKEUP_WORKDAY
    name: str


# chinese-calendar names holidays in English; the notices name them so.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def package_years() -> range:
    """The years whose official notices the installed chinese-calendar package carries."""
    return range(min(cc_constants.holidays).year, max(cc_constants.holidays).year + 1)


def _year_days(year: int, exceptions: dict[date, tuple[str, str]]) -> list[CalendarDay]:
    days, d = [], date(year, 1, 1)
    while d.year == year:
        kind, name = exceptions.get(d, (DayKind.WEEKEND if d.weekday() >= 5 else DayKind.WORKDAY, ""))
        days.append(CalendarDay(date=d, kind=kind, name=name))
        d += timedelta(days=1)
    return days


def _replace_year(*, year: int, days: list[CalendarDay], source: str, actor: Any) -> CalendarYear:
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(days)
    calendar_year, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": source, "loaded_by": actor if getattr(actor, "pk", None) else None}
    )
    transaction.on_commit(clock.invalidate)
    return calendar_year


@transaction.atomic
def calendar_seed_from_package(*, actor: Any = None, overwrite: bool = False) -> list[int]:
    """Load every year chinese-calendar knows; years already loaded are kept unless `overwrite`."""
    loaded = set(CalendarYear.objects.values_list("year", flat=True))
    source = f"chinese-calendar {getattr(chinese_calendar, '__version__', '')}".strip()
    seeded = []
    for year in package_years():
        if year in loaded and not overwrite:
            continue
        exceptions: dict[date, tuple[str, str]] = {}
        for d, name in cc_constants.holidays.items():
            if d.year == year:
                exceptions[d] = (DayKind.HOLIDAY, HOLIDAY_NAMES.get(name, name))
        for d, name in cc_constants.workdays.items():
            if d.year == year:
                exceptions[d] = (DayKind.MAKEUP_WORKDAY, HOLIDAY_NAMES.get(name, name) + "调休上班")
        _replace_year(year=year, days=_year_days(year, exceptions), source=source, actor=actor)
        seeded.append(year)
    if seeded:
        audit_record(actor=actor, action="calendar.seed", object_label=f"{seeded[0]}–{seeded[-1]}",
                     after={"years": seeded, "source": source})
    return seeded


_KINDS = {"休": DayKind.HOLIDAY, "holiday": DayKind.HOLIDAY, "班": DayKind.MAKEUP_WORKDAY,
          "workday": DayKind.MAKEUP_WORKDAY, "makeup_workday": DayKind.MAKEUP_WORKDAY}
_LINE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:\s*[~至到\-–]\s*(\d{4}-\d{1,2}-\d{1,2}))?\s+(\S+)\s*(.*)$")


def parse_notice(text: str) -> list[NoticeEntry]:
    """Parse a notice typed from the State Council's text, one line per holiday or make-up day:

        2027-01-01~2027-01-03 休 元旦
        2027-02-14 班 春节调休

    Raises CalendarImportError listing every bad line.
    """
    entries, errors = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().replace("～", "~")
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            errors.append((number, _("格式应为“起始日期[~结束日期] 休/班 名称”，例如 2027-01-01~2027-01-03 休 元旦")))
            continue
        first_s, last_s, kind_s, name = match.groups()
        try:
            first = date.fromisoformat(_pad(first_s))
            last = date.fromisoformat(_pad(last_s)) if last_s else first
        except ValueError:
            errors.append((number, _("日期无效")))
            continue
        kind = _KINDS.get(kind_s.lower())
        if kind is None:
            errors.append((number, _("类型应为“休”（放假）或“班”（调休上班）")))
        elif last < first:
            errors.append((number, _("结束日期早于起始日期")))
        else:
            entries.append(NoticeEntry(first, last, kind, name.strip()[:60]))
    if errors:
        raise CalendarImportError(errors)
    if not entries:
        raise CalendarImportError([(0, _("没有任何放假或调休安排"))])
    return entries


def _pad(value: str) -> str:
    y, m, d = value.split("-")
    return f"{y}-{int(m):02d}-{int(d):02d}"


@transaction.atomic
def calendar_import_year(*, year: int, entries: list[NoticeEntry], actor: Any, source: str) -> CalendarYear:
    """Load one year's official notice, replacing whatever that year had. All or nothing."""
    errors: list[tuple[int, str]] = []
    exceptions: dict[date, tuple[str, str]] = {}
    for number, entry in enumerate(entries, start=1):
        d = entry.first
        while d <= entry.last:
            if d.year != year:
                errors.append((number, _("%(date)s 不在 %(year)s 年内") % {"date": d, "year": year}))
                break
            if entry.kind == DayKind.MAKEUP_WORKDAY and d.weekday() < 5:
                errors.append((number, _("%(date)s 是周一至周五，不需要调休上班") % {"date": d}))
            if d in exceptions:
                errors.append((number, _("%(date)s 重复出现") % {"date": d}))
            exceptions[d] = (entry.kind, entry.name)
            d += timedelta(days=1)
    if errors:
        raise CalendarImportError(errors)
    before = CalendarYear.objects.filter(year=year).values("source").first()
    calendar_year = _replace_year(year=year, days=_year_days(year, exceptions), source=source, actor=actor)
    audit_record(
        actor=actor, action="calendar.import", obj=calendar_year, before=dict(before or {}),
        after={"source": source, "holidays": sum(k == DayKind.HOLIDAY for k, _n in exceptions.values()),
               "makeup_workdays": sum(k == DayKind.MAKEUP_WORKDAY for k, _n in exceptions.values())},
    )
    return calendar_year
