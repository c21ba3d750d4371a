"""The inbox's SQL at national scale: the cases a user may act on now, in deadline
order, as a few LIMITed scans an index serves, merged (issue 16; docs/DECISIONS.md,
"The inbox, its badge and the pages' fixed cost").

One OR of every (process, state, level) clause the user may act under is what the
engine's rule says (:func:`workflow.access.actable_cases`), but no index serves it
in deadline order: the planner reads every open case at those steps across the
province, then sorts. Split by step (:func:`workflow.access.actable_steps`), each
part is a range of ``ix_wf_case_open_step_deadline`` (process, state, deadline, id)
read in order until a page of the user's scope is found; PostgreSQL merges them
(Merge Append) and stops at the page. A scope of few units reads its units' open
cases instead (``ix_wf_case_unit_open``), and cases reached through their
reviewing unit alone are read from the reviewing unit's index.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.sql.util import find_tables

from core.models import Unit
from workflow.access import ActableStep
from workflow.models import Case

from .cursor import BadCursor, decode_cursor, is_id

# The inbox's order on a scan an index serves (ix_wf_case_open_step_deadline), and the
# same order as an expression no index serves: such a scan picks its rows by their unit
# or reviewing unit, and sorts them.
BY_DEADLINE = (Case.deadline_at.asc().nulls_last(), Case.id)
SORTED = (Case.deadline_at.is_(None), Case.deadline_at, Case.id)


def windows(cursor: str | None) -> list:
    """The SQL conditions whose union is "after the cursor" in the inbox's order, each
    one a range of an index on (process, state, deadline, id) ([TRUE] for the first
    page): past the cursor's deadline and id, then every case without a deadline.
    Raises :class:`~cases.cursor.BadCursor` for a malformed cursor."""
    values = decode_cursor(cursor, 3)
    if values is None:
        return [sa.true()]
    no_deadline, deadline, case_id = values
    if no_deadline not in (0, 1) or not is_id(case_id):
        raise BadCursor()
    if no_deadline:
        return [sa.and_(Case.deadline_at.is_(None), Case.id > case_id)]
    if not isinstance(deadline, str):
        raise BadCursor()
    try:
        at = dt.datetime.fromisoformat(deadline).replace(tzinfo=None)
    except ValueError:
        raise BadCursor() from None
    return [sa.tuple_(Case.deadline_at, Case.id) > sa.tuple_(sa.literal(at, Case.deadline_at.type), case_id),
            Case.deadline_at.is_(None)]


def _at(step: ActableStep, criterion):
    return sa.and_(Case.process == step.process, Case.process_version == step.version,
                   Case.state == step.state, criterion)


def merged_ids(steps: list[ActableStep], units: list[int] | None, seen: Callable[[], object],
               windows: list, limit: int):
    """Subquery (``id``, ``deadline_at``) of the first ``limit`` open cases matching one
    of ``steps`` in the inbox's order (soonest deadline first, none last, ties by id)
    within ``windows`` (:func:`windows`), or None when there is no step.

    ``units``: the ids of the user's scope when it is small (one scan of their open
    cases), else None (one deadline-ordered scan per step through the units on the
    case's path, each stopping after ``limit`` rows). ``seen()``: the criterion on
    ``Case`` and its joined ``Unit`` of what the user may see, required of a case
    reached through its reviewing unit alone (one scan of the reviewing units'
    index); a case reached through a role on its path is in the user's scope. Every
    scan is LIMITed to ``limit``; no case is in two of them."""
    if not steps:
        return None
    scans = []

    def scan(order, *where):
        for window in windows:
            inner = sa.select(Case.id, Case.deadline_at)
            if any(Unit.__table__ in find_tables(w, check_columns=True) for w in where):  # a path, or seen()
                inner = inner.join(Unit, Unit.id == Case.unit_id)
            inner = inner.where(Case.closed_at.is_(None), *where, window).order_by(*order).limit(limit).subquery()
            scans.append(sa.select(inner.c.id, inner.c.deadline_at))

    if units is not None:
        # The steps' criterion wrapped so that no index serves it: the scan reads the scope's
        # open cases from their units' index (a BitmapOr of every step across the province costs more).
        here = sa.or_(*(_at(s, sa.or_(*(c for c in (s.on_path, s.reviewing) if c is not None))) for s in steps))
        scan(SORTED, Case.unit_id.in_(units), sa.func.coalesce(here, sa.false()))
        elsewhere = [Case.unit_id.not_in(units)]
        reviewed = [s for s in steps if s.reviewing is not None]
    else:
        for s in steps:
            if s.on_path is not None:
                also = [] if s.reviewing is None else [sa.and_(s.reviewing, seen())]
                scan(BY_DEADLINE, _at(s, sa.or_(s.on_path, *also)))
        elsewhere = []
        reviewed = [s for s in steps if s.on_path is None]
    if reviewed:
        scan(SORTED, *elsewhere, seen(), sa.or_(*(_at(s, s.reviewing) for s in reviewed)))
    merged = (sa.union_all(*scans) if len(scans) > 1 else scans[0]).subquery()
    return (sa.select(merged.c.id, merged.c.deadline_at)
            .order_by(merged.c.deadline_at.asc().nulls_last(), merged.c.id).limit(limit).subquery())
