"""The transfer rules of DOMAIN.md ("Transfer of party activity") as plain functions.

Source: Điều lệ Đảng, Điều 6 (a member's activity follows them); Quy định
24-QĐ/TW (2021), điểm 9 (thủ tục chuyển sinh hoạt đảng chính thức, tạm thời),
and Hướng dẫn 06-HD/TW (2025); the deadlines (60 working days to start an
official transfer, 30 working days to present the letter) are the rulebook's
``transfer_start`` and ``transfer_letter`` (:mod:`cases.rulebooks`).
"""

from __future__ import annotations

import datetime as dt

from cases.dates import add_months, d
from workflow.calendar import add_working_days
from workflow.i18n import _

OFFICIAL, TEMPORARY = "official", "temporary"
STUDY = "study"
# Temporary transfer: away from 3 months to under 1 year (work, residence), or study up to 2 years.
MIN_MONTHS_AWAY = 3
MAX_MONTHS_AWAY = 12  # exclusive for work and residence
MAX_MONTHS_STUDY = 24  # inclusive for study


def destination_check(kind: str, unit_id: int | None, text: str | None, home_unit_id: int) -> str | None:
    """Exactly one destination: a branch of the system (``unit_id``) or a text outside it;
    never the home branch itself; a temporary transfer names a branch of the system (it
    must be received there and return)."""
    text = (text or "").strip()
    if bool(unit_id) == bool(text):
        return _("Give the destination either as a branch of the system or as a text outside the system, not both.")
    if unit_id and unit_id == home_unit_id:
        return _("The destination is the member's own branch.")
    if kind == TEMPORARY and not unit_id:
        return _("A temporary transfer names the host branch in the system.")
    return None


def temporary_period_check(kind: str, purpose: str | None, start: dt.date | None,
                           until: dt.date | None) -> str | None:
    """A temporary transfer: away from 3 months to under 1 year for work or residence,
    or from 3 months to 2 years for full-time study, from ``start`` to ``until``."""
    if kind != TEMPORARY:
        return None
    if not purpose:
        return _("Choose the purpose of the temporary transfer.")
    if start is None or until is None:
        return _("A temporary transfer needs its planned end date.")
    if until < add_months(start, MIN_MONTHS_AWAY):
        return _("A temporary transfer lasts at least 3 months; %(start)s to %(until)s is shorter.",
                 start=d(start), until=d(until))
    if purpose == STUDY:
        if until > add_months(start, MAX_MONTHS_STUDY):
            return _("A temporary transfer for study lasts at most 2 years; %(start)s to %(until)s is longer.",
                     start=d(start), until=d(until))
    elif until >= add_months(start, MAX_MONTHS_AWAY):
        return _("A temporary transfer for work or residence lasts less than 1 year; %(start)s to %(until)s is "
                 "not.", start=d(start), until=d(until))
    return None


def last_day(anchor: dt.date, working_days: int) -> dt.date:
    """The last day of a deadline of ``working_days`` working days counted from ``anchor``."""
    return add_working_days(anchor, working_days)


def lateness_check(anchor: dt.date | None, day: dt.date | None, working_days: int, reason: str | None,
                   what: str) -> tuple[bool, str | None]:
    """``(late, refusal)``: ``day`` is after the ``working_days``-th working day from
    ``anchor``; a late step is accepted only with a reason (DOMAIN: "later arrivals are
    accepted with a reason and counted as late"). ``what`` names the step in the refusal."""
    if anchor is None or day is None:
        return False, None
    deadline = last_day(anchor, working_days)
    if day <= deadline:
        return False, None
    if not (reason or "").strip():
        return True, _("%(what)s on %(day)s is after the deadline of %(n)s working days (%(deadline)s); give the "
                       "reason for the delay.", what=what, day=d(day), n=working_days, deadline=d(deadline))
    return True, None
