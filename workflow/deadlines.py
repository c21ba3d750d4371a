"""The deadline a transition leaves on a case: set (in working days from an
anchor date, from the case's rulebook or a fixed number), extended once, kept
or cleared. Working days are counted by :mod:`workflow.calendar`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from core import clock

from . import calendar
from .definition import CLEAR
from .errors import GuardFailed
from .i18n import _


def next_deadline(ct, ctx, snap) -> tuple[Any, Any, Any, bool]:
    """The case's (deadline_at, kind, label, extended) after transition ``ct``.

    ``deadline_at`` is a naive UTC datetime (the end of the last working day in
    Vietnam). Raises :class:`~workflow.errors.GuardFailed` for an extension
    that is not possible (no such deadline, already extended once, or the
    rulebook allows none).
    """
    current = (snap.deadline_at, snap.deadline_kind, snap.deadline_label, bool(snap.deadline_extended))
    spec = ct.deadline
    if spec is None:
        return current
    if spec is CLEAR or spec.kind == CLEAR.kind or (spec.when is not None and not spec.when(ctx)):
        return None, None, None, False
    if spec.extend:
        if snap.deadline_at is None or snap.deadline_kind != spec.kind:
            raise GuardFailed([_("There is no %(kind)s deadline to extend.", kind=spec.kind)])
        if snap.deadline_extended:
            raise GuardFailed([_("The deadline has already been extended once.")])
        days = spec.working_days if isinstance(spec.working_days, int) else ctx.rulebook.deadline(spec.kind)[1]
        if days <= 0:
            raise GuardFailed([_("The rulebook allows no extension of this deadline.")])
        last_day = clock.local(snap.deadline_at).date() - dt.timedelta(days=1)
        return calendar.deadline_at(last_day, days), spec.kind, snap.deadline_label, True
    if isinstance(spec.working_days, int):
        days = spec.working_days
    else:
        days = ctx.rulebook.deadline(spec.working_days or spec.kind)[0]
    if spec.anchor is None:
        anchor = ctx.today
    elif callable(spec.anchor):
        anchor = spec.anchor(ctx)
    else:
        anchor = dt.date.fromisoformat(str(ctx.payload[spec.anchor])[:10])
    return calendar.deadline_at(anchor, days), spec.kind, spec.label or spec.kind, False
