"""The inbox as a keyset-paginated list.

Order: cases with a deadline first, soonest first, then the rest; ties by id.
The SQL prefilter is :func:`cases.service._inbox_criteria` (the pages' inbox
uses the same), and every row is confirmed with the engine's
``available_actions``. The cursor is the sort key of the last row examined.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from cases import service
from cases.people import decode_key, encode_key
from workflow import access
from workflow.models import Case


def _after(cursor: str | None):
    values = decode_key(cursor, 3)
    if values is None:
        return None
    no_deadline, deadline, case_id = values
    if no_deadline not in (0, 1) or not isinstance(case_id, int) or not 0 <= case_id < 2 ** 31:
        raise ValueError("bad cursor")
    if no_deadline:
        return sa.and_(Case.deadline_at.is_(None), Case.id > case_id)
    if not isinstance(deadline, str):
        raise ValueError("bad cursor")
    at = dt.datetime.fromisoformat(deadline).replace(tzinfo=None)
    return sa.or_(Case.deadline_at.is_(None), Case.deadline_at > at,
                  sa.and_(Case.deadline_at == at, Case.id > case_id))


def _key(case: Case) -> str:
    if case.deadline_at is None:
        return encode_key(1, None, case.id)
    return encode_key(0, case.deadline_at.isoformat(), case.id)


def inbox_page(session: Session, user, cursor: str | None, limit: int):
    after = _after(cursor)
    stmt = (service.visible_cases(session, user)
            .where(Case.closed_at.is_(None), service._inbox_criteria(session, user))
            .order_by(Case.deadline_at.is_(None), Case.deadline_at, Case.id))
    if after is not None:
        stmt = stmt.where(after)
    scan = limit * 2
    rows = list(session.scalars(stmt.limit(scan + 1)))
    items, last = [], None
    for case in rows[:scan]:
        actions = access.available_actions(session, case.id, user)
        last = case
        if actions:
            items.append((case, actions))
            if len(items) == limit:
                break
    more = len(rows) > scan or (last is not None and rows.index(last) < len(rows) - 1)
    return items, (_key(last) if more and last is not None else None)
