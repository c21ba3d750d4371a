"""Working days (weekends, Vietnamese holidays incl. lunar Tết) and rulebooks."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from cases.rulebooks import QD24_2021, QD294_2025, get_rulebook, rulebook_for
from workflow.calendar import add_working_days, deadline_at, end_of_local_day, is_working_day, working_days_between

D = dt.date


def test_rule__rulebooks__working_days_skip_weekends_and_holidays():
    # Tết At Ty: Mon 27 Jan .. Sat 1 Feb 2025 are holidays; Fri 24 Jan is a working day.
    assert is_working_day(D(2025, 1, 24))
    assert not any(is_working_day(D(2025, 1, d)) for d in range(25, 32))
    assert not is_working_day(D(2025, 2, 1)) and not is_working_day(D(2025, 2, 2))
    assert add_working_days(D(2025, 1, 24), 1) == D(2025, 2, 3)
    assert working_days_between(D(2025, 1, 24), D(2025, 2, 3)) == 1


def test_rule__rulebooks__tet_follows_the_lunar_calendar():
    # Tết 2026 falls on 17 February (lunar new year), not on a fixed solar date.
    assert not is_working_day(D(2026, 2, 17))
    assert is_working_day(D(2025, 2, 17))


def test_national_days_and_plain_weeks():
    assert not is_working_day(D(2025, 9, 2))
    assert not is_working_day(D(2025, 4, 30))
    assert add_working_days(D(2025, 3, 3), 5) == D(2025, 3, 10)  # Monday + 5 = next Monday
    assert add_working_days(D(2025, 3, 3), 0) == D(2025, 3, 3)


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=D(2021, 1, 1), max_value=D(2030, 12, 31)), n=st.integers(0, 120))
def test_add_and_count_are_inverse(start, n):
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    assert n == 0 or is_working_day(end)


def test_deadline_is_the_end_of_the_local_day_in_utc():
    assert end_of_local_day(D(2025, 3, 10)) == dt.datetime(2025, 3, 10, 17, 0)
    assert deadline_at(D(2025, 3, 3), 5) == dt.datetime(2025, 3, 10, 17, 0)


def test_rulebooks_by_date_and_values():
    assert rulebook_for(D(2024, 1, 1)) is QD24_2021
    assert rulebook_for(D(2025, 6, 30)) is QD24_2021
    assert rulebook_for(D(2025, 7, 1)) is QD294_2025
    assert QD24_2021.deadline("admission_decision") == (60, 30)
    assert QD294_2025.deadline("admission_decision") == (45, 15)
    assert QD24_2021.deadline("recognition_decision") == (30, 30)
    assert QD294_2025.deadline("recognition_decision") == (30, 15)
    assert QD294_2025.deadline("ceremony")[0] == 30 == QD24_2021.deadline("ceremony")[0]
    assert QD24_2021.deciding_level.value == QD294_2025.deciding_level.value == "superior"
    assert get_rulebook("qd294_2025") is QD294_2025
