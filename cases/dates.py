"""Date helpers shared by the processes' rules."""

from __future__ import annotations

import calendar
import datetime as dt

from core import clock

MONTHS_PER_YEAR = 12


def d(day: dt.date | None) -> str:
    """A date as Vietnamese users write it: 20/11/2026."""
    return day.strftime("%d/%m/%Y") if day else "—"


def as_date(value) -> dt.date | None:
    """A payload or case-data value (ISO string, date or datetime) as a date;
    None or "" gives None; a malformed string raises ``ValueError``."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st clamps to the month's end)."""
    year0, month0 = divmod(day.month - 1 + months, MONTHS_PER_YEAR)
    year, month = day.year + year0, month0 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def full_months(born: dt.date, on: dt.date) -> int:
    """Whole months from ``born`` to ``on``."""
    months = (on.year - born.year) * MONTHS_PER_YEAR + (on.month - born.month)
    if add_months(born, months) > on:
        months -= 1
    return months


def local_midnight(day: dt.date) -> dt.datetime:
    """The UTC instant when the local (Vietnam) day ``day`` begins."""
    moment = dt.datetime.combine(day, dt.time(), tzinfo=clock.LOCAL_TZ)
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
