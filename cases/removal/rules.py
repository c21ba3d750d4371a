"""The removal rules of DOMAIN.md (xóa tên đảng viên) as plain functions.

Source: Điều lệ Đảng, Điều 8, khoản 2; Quy định 24-QĐ/TW (2021) on it. The
self-review after 3 unanswered requests is the rule discipline also applies
(:func:`cases.guards.self_review_check`).
"""

from __future__ import annotations

from cases.dates import MONTHS_PER_YEAR
from workflow.i18n import _

# The ground (căn cứ xóa tên) with a rule of its own; the list is forms.removal.GROUNDS_CHOICES.
MISSED_ACTIVITIES_OR_DUES = "missed_activities_or_dues"
MIN_MONTHS_MISSED = 3


def months_missed_check(grounds: str, months) -> str | None:
    """Missed activities or dues: at least 3 months in a year without good reason."""
    if grounds != MISSED_ACTIVITIES_OR_DUES:
        return None
    if not months or months < MIN_MONTHS_MISSED:
        return _("Removal for missed party activities or dues needs at least 3 months missed in a year without "
                 "good reason; %(n)s recorded.", n=months or 0)
    if months > MONTHS_PER_YEAR:
        return _("At most 12 months can be missed in a year; %(n)s recorded.", n=months)
    return None

