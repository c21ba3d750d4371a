"""Guards shared by the case types (small named functions: a reason or None)."""

from __future__ import annotations

import sqlalchemy as sa

from core.enums import PersonStatus
from core.models import Person
from workflow.i18n import _

from .dates import as_date, d


def date_not_in_future(field: str):
    """A guard factory: the payload date ``field`` may not be after today."""

    def check(ctx):
        day = as_date(ctx.payload.get(field))
        if day and day > ctx.today:
            return _("The date %(date)s is in the future.", date=d(day))
        return None

    check.__name__ = f"{field}_not_in_future"
    return check


def entitled_not_more_than_members(ctx):
    """A branch vote cannot count more voters than the branch's official members."""
    official = ctx.session.scalar(sa.select(sa.func.count()).select_from(Person).where(
        Person.unit_id == ctx.case.unit_id, Person.status == PersonStatus.official))
    entitled = ctx.payload.get("entitled") or 0
    if entitled > official:
        return _("%(entitled)s entitled to vote is more than the %(official)s official members of the branch.",
                 entitled=entitled, official=official)
    return None


def vote_passed(ctx):
    """For a decision that needs its vote to pass (no 'failed' target)."""
    if ctx.vote is not None and not ctx.vote.passed:
        return ctx.vote.message
    return None
