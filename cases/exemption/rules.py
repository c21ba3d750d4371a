"""The exemption rules of DOMAIN.md ("Exemption from work and activity") as plain functions.

Source: Điều lệ Đảng, Điều 7 (a member who is old, weak or ill may ask to be
exempted from party work or from both work and activity, and the branch
decides); Quy định 24-QĐ/TW (2021), điểm 5; the branch meeting decides by a
majority of those present, the grassroots committee is informed.
"""

from __future__ import annotations

import datetime as dt

from cases.dates import d
from workflow.i18n import _
from workflow.votes import VoteRule

# The branch meeting decides by a majority of the members present (not of those entitled).
MAJORITY_OF_PRESENT = VoteRule(1, 2, strict=True, base="present")


def period_check(start: dt.date | None, until: dt.date | None) -> str | None:
    """An exemption ends (``until``, optional) on or after it begins (``start``)."""
    if start is not None and until is not None and until < start:
        return _("The exemption cannot end (%(until)s) before it begins (%(start)s).", until=d(until), start=d(start))
    return None
