"""The working-day calendar: weekends, Vietnamese public holidays, and the
Saturdays or Sundays the government declares working days.

Which day is a working day is the maintained ``holidays`` package's own answer
(``HolidayBase.is_working_day``): Tết by the lunar calendar, Hùng Kings' day,
substituted days off, and the make-up working days given in exchange for a
bridged holiday (e.g. Saturday 26/04/2025), never a hand-written table.
A deadline of N working days counted from a date D is the N-th working day
after D (D itself is not counted). A deadline date is met until the end of
that local day, so ``deadline_at`` is the following local midnight, in UTC.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
import sqlalchemy as sa

from core import clock

ONE_DAY = dt.timedelta(days=1)


@lru_cache(maxsize=64)
def _calendar_for(year: int) -> holidays.HolidayBase:
    """The library's Vietnamese calendar for ``year``, built with the years on
    either side (a make-up working day can be declared with the holiday of the
    next year, e.g. Saturday 27/12/2014 for Tết 2015). Built whole and never
    expanded afterwards (``expand=False``), so threads may share it."""
    return holidays.country_holidays("VN", years=range(year - 1, year + 2), expand=False)


def is_working_day(day: dt.date) -> bool:
    return _calendar_for(day.year).is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start`` (n >= 0; n == 0 returns ``start``)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day = start
    while n:
        day += ONE_DAY
        if is_working_day(day):
            n -= 1
    return day


@lru_cache(maxsize=64)
def _cumulative(year: int) -> tuple[int, ...]:
    """Working days of ``year`` from 1 January through each day (index: day of the year - 1)."""
    out, n, day = [], 0, dt.date(year, 1, 1)
    while day.year == year:
        n += is_working_day(day)
        out.append(n)
        day += ONE_DAY
    return tuple(out)


def _through(day: dt.date) -> int:
    return _cumulative(day.year)[day.timetuple().tm_yday - 1]


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when ``end`` is before ``start``. Counted
    from each year's running totals (a page of 200 deadlines reads no day twice)."""
    if end < start:
        return -working_days_between(end, start)
    if start.year == end.year:
        return _through(end) - _through(start)
    count = _cumulative(start.year)[-1] - _through(start)
    for year in range(start.year + 1, end.year):
        count += _cumulative(year)[-1]
    return count + _through(end)


def end_of_local_day(day: dt.date) -> dt.datetime:
    """The UTC instant when the local (Vietnam) day ``day`` ends."""
    midnight = dt.datetime.combine(day + ONE_DAY, dt.time(), tzinfo=clock.LOCAL_TZ)
    return midnight.astimezone(dt.timezone.utc).replace(tzinfo=None)


def deadline_at(start: dt.date, working_days: int) -> dt.datetime:
    return end_of_local_day(add_working_days(start, working_days))


def overdue_filter(case_table=None, now: dt.datetime | None = None):
    """SQL criterion for overdue cases (served by ``ix_wf_case_open_deadline``)."""
    if case_table is None:
        from .models import Case as case_table
    now = now or clock.now()
    return sa.and_(
        case_table.closed_at.is_(None),
        case_table.deadline_at.is_not(None),
        case_table.deadline_at < now,
    )
