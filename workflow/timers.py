"""Durable timers: rows in ``wf_timer`` fired by a periodic task.

Entering a state that has a system transition with a :class:`TimerSpec`
creates a timer (case, state, action, due time); leaving the state cancels it.
:func:`fire_due_timers` (called by the Celery beat task
``tasks.fire_due_timers``) fires each due timer in its own transaction.
Firing is idempotent: the timer is claimed with a conditional UPDATE
(``fired_at IS NULL``) in the same transaction as the act, so of two workers
(or a retry after a crash) exactly one moves the case; the other finds the
timer already fired and changes nothing.

Working-day deadlines are in :mod:`workflow.calendar`.
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core import clock

from .engine import apply
from .errors import WorkflowError
from .models import Timer

log = logging.getLogger(__name__)

_timer_t = Timer.__table__

_CLAIM = (
    _timer_t.update()
    .where(_timer_t.c.id == sa.bindparam("tid"), _timer_t.c.fired_at.is_(None), _timer_t.c.cancelled_at.is_(None),
           _timer_t.c.due_at <= sa.bindparam("now"))
    .values(fired_at=sa.bindparam("now"), outcome=sa.bindparam("outcome"))
    .returning(_timer_t.c.case_id, _timer_t.c.state, _timer_t.c.action)
)
_SET_OUTCOME = _timer_t.update().where(_timer_t.c.id == sa.bindparam("tid")).values(outcome=sa.bindparam("outcome"))
_DUE = (
    sa.select(_timer_t.c.id)
    .where(_timer_t.c.fired_at.is_(None), _timer_t.c.cancelled_at.is_(None), _timer_t.c.due_at <= sa.bindparam("now"))
    .order_by(_timer_t.c.due_at, _timer_t.c.id)
    .limit(sa.bindparam("limit"))
)


def fire_timer(session: Session, timer_id: int, now: dt.datetime | None = None) -> str | None:
    """Fire one timer if it is due and still pending.

    Returns None when there was nothing to do (already fired or cancelled, or
    not due), "done" when the case moved, or the refusal's message when the
    case could not take the action (the timer is then spent all the same).
    """
    now = now or clock.now()
    try:
        conn = session.connection()
        claimed = conn.execute(_CLAIM, {"tid": timer_id, "now": now, "outcome": "done"}).first()
        if claimed is None:
            session.rollback()
            return None
        case_id, state, action = claimed
        apply(session, case_id, action, None, idempotency_key=f"timer:{timer_id}", now=now)
        session.commit()
    except WorkflowError as exc:
        session.rollback()
        return _spend(session, timer_id, now, exc.message)
    except BaseException:
        session.rollback()
        raise
    return "done"


def _spend(session: Session, timer_id: int, now: dt.datetime, message: str) -> str | None:
    """Mark a timer whose action was refused as fired with the reason (idempotent)."""
    try:
        claimed = session.connection().execute(
            _CLAIM, {"tid": timer_id, "now": now, "outcome": message[:500]}).first()
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if claimed is None:
        return None
    log.info("timer %s refused: %s", timer_id, message)
    return message


def due_timer_ids(session: Session, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    ids = list(session.execute(_DUE, {"now": now or clock.now(), "limit": limit}).scalars())
    session.rollback()
    return ids


def fire_due_timers(session: Session, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Fire every due timer, each in its own transaction; returns how many moved a case."""
    now = now or clock.now()
    moved = 0
    for timer_id in due_timer_ids(session, now, limit):
        try:
            if fire_timer(session, timer_id, now) == "done":
                moved += 1
        except Exception:  # one broken timer must not hold up the others; it is retried next round
            log.exception("timer %s could not be fired", timer_id)
    return moved


def pending_timers(session: Session, case_id: int) -> list[Timer]:
    return list(session.scalars(
        sa.select(Timer).where(Timer.case_id == case_id, Timer.fired_at.is_(None), Timer.cancelled_at.is_(None))
        .order_by(Timer.due_at)
    ))
