"""Make-up working days (issue 11, class 10): a Saturday the government declares a
working day, in exchange for a bridged holiday, counts like any working day.

The expected days below are counted by hand from the decrees:
- 2024: Mon 29/4 off (bridging to 30/4 and 1/5), Saturday 4/5 worked instead;
- 2025: Fri 2/5 off (bridging from 30/4 and 1/5), Saturday 26/4 worked instead;
- 2026: Mon 31/8 off (bridging to 1/9 and 2/9), Saturday 22/8 worked instead.
"""

from __future__ import annotations

import datetime as dt

import pytest

from workflow.calendar import add_working_days, deadline_at, is_working_day, working_days_between

D = dt.date
MAKE_UP_SATURDAYS = [D(2024, 5, 4), D(2025, 4, 26), D(2026, 8, 22)]


@pytest.mark.parametrize("day", MAKE_UP_SATURDAYS, ids=str)
def test_rule__rulebooks__make_up_days_are_working_days(day):
    assert day.weekday() == 5
    assert is_working_day(day)
    assert not is_working_day(day + dt.timedelta(days=1))  # the Sunday after is still a day off


@pytest.mark.parametrize("day", [D(2024, 4, 29), D(2025, 5, 2), D(2026, 8, 31)], ids=str)
def test_calendar__the_bridged_weekday_is_a_day_off(day):
    assert day.weekday() < 5
    assert not is_working_day(day)


@pytest.mark.parametrize("start,n,expected", [
    # Thu 24/4/2025: Fri 25 (1), Sat 26 (2), Mon 28 (3), Tue 29 (4); 30/4, 1/5, 2/5 off; Mon 5/5 (5).
    (D(2025, 4, 24), 5, D(2025, 5, 5)),
    (D(2025, 4, 25), 1, D(2025, 4, 26)),
    # Fri 26/4/2024: weekend, Mon 29, Tue 30, Wed 1/5 off; Thu 2 (1), Fri 3 (2), Sat 4 (3), Mon 6 (4).
    (D(2024, 4, 26), 4, D(2024, 5, 6)),
    (D(2024, 5, 3), 1, D(2024, 5, 4)),
    # Fri 21/8/2026: Sat 22 (1), Mon 24 (2), Tue 25 (3), Wed 26 (4), Thu 27 (5).
    (D(2026, 8, 21), 5, D(2026, 8, 27)),
    # Thu 27/8/2026: Fri 28 (1); weekend, Mon 31/8, Tue 1/9, Wed 2/9 off; Thu 3/9 (2), Fri 4/9 (3).
    (D(2026, 8, 27), 3, D(2026, 9, 4)),
], ids=lambda v: str(v))
def test_calendar__deadline_across_a_make_up_week(start, n, expected):
    assert add_working_days(start, n) == expected
    assert working_days_between(start, expected) == n
    # met until the end of that local day: midnight in Vietnam is 17:00 UTC the day before
    assert deadline_at(start, n) == dt.datetime.combine(expected, dt.time(17, 0))


@pytest.mark.parametrize("day", [
    D(2025, 1, 29), D(2026, 2, 17), D(2026, 2, 18),  # Tết (lunar)
    D(2025, 9, 2), D(2026, 9, 2), D(2024, 9, 2),  # National Day
    D(2025, 4, 30), D(2025, 5, 1),
], ids=str)
def test_calendar__holidays_stay_days_off(day):
    assert not is_working_day(day)


def test_calendar__make_up_day_declared_with_the_next_years_holiday():
    # Saturday 27/12/2014 was worked in exchange for a day off at Tết 2015.
    assert is_working_day(D(2014, 12, 27))
