"""Which reminder a deadline calls for, counted in Vietnamese working days."""

from __future__ import annotations

import datetime as dt

from notifications.create import last_day, reminder_kind
from workflow import calendar


def _at_ten(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(3, 0))  # 10:00 in Hà Nội, naive UTC


def test_notifications__reminders_count_working_days_across_tet():
    # The last day is Tuesday 16/02/2027; Tết 2027 closes offices from 04/02 to 10/02.
    last = dt.date(2027, 2, 16)
    deadline_at = calendar.deadline_at(dt.date(2027, 2, 15), 1)
    assert last_day(deadline_at) == last
    seen = {}
    day = last - dt.timedelta(days=40)
    while day <= last:
        kind = reminder_kind(deadline_at, _at_ten(day), [5, 1])
        away = calendar.working_days_between(day, last)
        expected = None if away > 5 else ("deadline_1" if away <= 1 else "deadline_5")
        assert kind == expected, (day, away, kind)
        seen.setdefault(kind, day)
        day += dt.timedelta(days=1)
    # Five working days before 16/02 is Tuesday 02/02, before the holiday week (14 calendar days).
    assert seen["deadline_5"] == dt.date(2027, 2, 2) and seen["deadline_1"] == dt.date(2027, 2, 15)
    assert reminder_kind(deadline_at, deadline_at, [5, 1]) == "overdue"
    assert reminder_kind(deadline_at, deadline_at - dt.timedelta(seconds=1), [5, 1]) == "deadline_1"
