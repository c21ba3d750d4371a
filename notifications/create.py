"""Creating notifications, in one place, after the engine has committed.

The audit trail is the outbox: every transition the engine commits (``start``,
``act``, a fired timer, a linked case) appends one event, numbered in commit
order (``audit_event.id``, :mod:`workflow.audit`). :func:`scan_events` reads the
events after its cursor and creates the notifications they call for;
:func:`remind_deadlines` looks at the open cases whose deadline is near or past.
Both run in the worker (Celery beat), never in a request, and both may run
again over the same ground: the unique key of :class:`Notification` makes a
second creation a no-op.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core import clock
from core.models import User
from workflow import access, calendar
from workflow.errors import WorkflowError
from workflow.checks import resolve_process
from workflow.models import AuditEvent, Case

from .models import (ACTIONABLE, DEADLINE, DECIDED, DIGEST, IMMEDIATE, INFORMED, NONE, OVERDUE, Notification,
                     NotificationCursor, NotificationEmail)

log = logging.getLogger(__name__)

AUDIT_CURSOR = "audit"
DEADLINE_LOCK = "deadlines"
DIGEST_LOCK = "digests"


def _cursor(session: Session, name: str) -> NotificationCursor:
    """The cursor row ``name``, locked until commit (created at 0 when missing; two
    creators racing both find the one row)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(NotificationCursor).values(name=name, last_event_id=0).on_conflict_do_nothing())
    return session.scalar(sa.select(NotificationCursor).where(NotificationCursor.name == name).with_for_update())


def _actors(session: Session, case_id: int) -> list[int]:
    """The case's actors, or none when its process is not known to this worker (logged:
    one such case must not hold up everyone else's notifications)."""
    try:
        return access.actors(session, case_id)
    except (KeyError, WorkflowError):
        log.exception("no notifications for case %s: its process cannot be read", case_id)
        return []


def _is_decision(event, closed: bool) -> bool:
    return closed or event.action.startswith("decide")


def scan_events(session: Session, batch: int = 500) -> int:
    """Create the notifications of the audit events after the cursor (at most
    ``batch`` of them) and move the cursor, in one transaction that this
    function commits. Returns the number of notifications created.

    For each case, its latest transition in the batch counts: if the case is
    still in the step it entered, that step's actors (:func:`workflow.access.actors`,
    except whoever took the step) get an ``actionable`` notification; if the
    transition decided the case (a ``decide…`` action, or it closed the case),
    everyone who acted on the case before gets a ``decided`` one. Document
    uploads and other non-transition events notify nobody.
    """
    cursor = _cursor(session, AUDIT_CURSOR)
    events = session.execute(
        sa.select(AuditEvent.id, AuditEvent.case_id, AuditEvent.seq, AuditEvent.actor_id, AuditEvent.action,
                  AuditEvent.from_state, AuditEvent.to_state)
        .where(AuditEvent.id > cursor.last_event_id).order_by(AuditEvent.id).limit(batch)).all()
    if not events:
        session.rollback()
        return 0
    latest: dict[int, tuple] = {}
    for ev in events:
        if ev.action == "start" or ev.from_state != ev.to_state or ev.action.startswith("decide"):
            latest[ev.case_id] = ev
    created = 0
    cases = {c.id: c for c in session.execute(
        sa.select(Case.id, Case.state, Case.audit_seq, Case.closed_at).where(Case.id.in_(sorted(latest)))).all()}
    for case_id, ev in sorted(latest.items()):
        case = cases[case_id]
        if case.closed_at is None and case.state == ev.to_state:
            recipients = [u for u in _actors(session, case_id) if u != ev.actor_id]
            created += _create(session, recipients, case_id, ev.to_state, str(ev.seq), ACTIONABLE)
        if _is_decision(ev, case.closed_at is not None and case.audit_seq == ev.seq):
            acted = session.scalars(sa.select(AuditEvent.actor_id).distinct().where(
                AuditEvent.case_id == case_id, AuditEvent.actor_id.is_not(None), AuditEvent.seq < ev.seq))
            recipients = sorted(u for u in acted if u != ev.actor_id)
            created += _create(session, recipients, case_id, ev.to_state, str(ev.seq), DECIDED)
    created += _inform(session, events)
    cursor.last_event_id = events[-1].id
    session.commit()
    return created


def _inform(session: Session, events) -> int:
    """The ``informed`` notifications of ``events``: an action a process lists in its
    ``informs`` (``{action: (roles, level)}``, e.g. the exemption's decisions, of which
    DOMAIN.md "Exemption from work and activity" says the grassroots committee is
    informed) tells the holders of those roles at the case's unit of that level, except
    whoever took it. Returns how many were created."""
    procs = dict(session.execute(sa.select(Case.id, Case.process)
                                 .where(Case.id.in_(sorted({ev.case_id for ev in events})))).all())
    created = 0
    for ev in events:
        try:
            informs = getattr(resolve_process(procs[ev.case_id]), "informs", {}).get(ev.action)
        except (KeyError, WorkflowError):
            continue
        if informs:
            recipients = [u for u in access.holders(session, ev.case_id, *informs) if u != ev.actor_id]
            created += _create(session, recipients, ev.case_id, ev.to_state, str(ev.seq), INFORMED)
    return created


def reminder_kind(deadline_at: dt.datetime, now: dt.datetime, thresholds: Iterable[int]) -> str | None:
    """The kind of notification a deadline calls for at ``now``: ``overdue`` once
    it has passed; ``deadline_N`` when its last day is at most N working days
    away, N the smallest of ``thresholds`` that covers it; None while it is
    further away than all of them. Working days are :mod:`workflow.calendar`'s
    (Vietnamese holidays and make-up days)."""
    if now >= deadline_at:
        return OVERDUE
    last_day = clock.local(deadline_at).date() - dt.timedelta(days=1)
    away = calendar.working_days_between(clock.local(now).date(), last_day)
    covering = [n for n in thresholds if n >= away]
    return DEADLINE % min(covering) if covering else None


def last_day(deadline_at: dt.datetime) -> dt.date:
    """The last (local) day a deadline is met on: ``deadline_at`` is the midnight after it."""
    return clock.local(deadline_at).date() - dt.timedelta(days=1)


def remind_deadlines(session: Session, thresholds: Iterable[int], now: dt.datetime | None = None) -> int:
    """Create the reminders of the open cases whose deadline is within
    ``max(thresholds)`` working days or has passed, for the actors of their
    current step, and commit. One query finds the cases (the open-deadline
    index), one per case finds its actors. Returns the number created; a second
    run the same day creates nothing (the key holds the deadline's date)."""
    thresholds = sorted({int(n) for n in thresholds if int(n) >= 0})
    now = now or clock.now()
    _cursor(session, DEADLINE_LOCK)  # one reminder run at a time
    horizon = calendar.end_of_local_day(calendar.add_working_days(clock.local(now).date(), max(thresholds, default=0)))
    rows = session.execute(
        sa.select(Case.id, Case.state, Case.deadline_at)
        .where(Case.closed_at.is_(None), Case.deadline_at.is_not(None), Case.deadline_at <= horizon)
        .order_by(Case.deadline_at, Case.id)).all()
    due = [(case_id, state, last_day(deadline_at).isoformat(), reminder_kind(deadline_at, now, thresholds))
           for case_id, state, deadline_at in rows]
    due = [d for d in due if d[3] is not None]
    # A reminder already given for a case (to its actors of the time) is not looked at again.
    given = set(session.execute(sa.select(Notification.case_id, Notification.step, Notification.occurrence,
                                          Notification.kind).distinct()
                                .where(Notification.case_id.in_(sorted({d[0] for d in due})))).all()) if due else set()
    created = 0
    for case_id, state, occurrence, kind in due:
        if (case_id, state, occurrence, kind) in given:
            continue
        created += _create(session, _actors(session, case_id), case_id, state, occurrence, kind)
    session.commit()
    return created


def _insert_ignoring_duplicates(session: Session, rows: list[dict]) -> list[tuple[int, int, str]]:
    """Insert notification rows, skipping those whose key exists; (id, recipient, delivery) of the new ones."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = (dialect.insert(Notification).values(rows).on_conflict_do_nothing()
            .returning(Notification.id, Notification.recipient_id, Notification.delivery))
    return [tuple(r) for r in session.execute(stmt).all()]


def _create(session: Session, recipients: list[int], case_id: int, step: str, occurrence: str, kind: str) -> int:
    """The notifications of one event for ``recipients`` (and the immediate
    emails of those who want one), unless they exist. Returns how many are new."""
    if not recipients:
        return 0
    users = session.execute(sa.select(User.id, User.email, User.notify_delivery)
                            .where(User.id.in_(recipients))).all()
    now = clock.now()
    rows = [{"recipient_id": u.id, "case_id": case_id, "step": step, "occurrence": occurrence, "kind": kind,
             "created_at": now, "delivery": (u.notify_delivery if u.email and u.notify_delivery in (IMMEDIATE, DIGEST)
                                             else NONE)} for u in users]
    new = _insert_ignoring_duplicates(session, rows)
    for notification_id, recipient, delivery in new:
        if delivery == IMMEDIATE:
            email = NotificationEmail(key=f"n:{notification_id}", user_id=recipient, status="pending",
                                      attempts=0, created_at=now, next_at=now)
            session.add(email)
            session.flush()
            session.execute(sa.update(Notification).where(Notification.id == notification_id)
                            .values(email_id=email.id))
    return len(new)


def gather_digests(session: Session, now: dt.datetime | None = None) -> int:
    """Gather, for every user who takes a daily digest, the notifications
    created before today (Vietnam's day) that no email carries yet into one
    digest email keyed by the user and today, and commit. Returns the number
    of digests created; a second run the same day creates none (the key)."""
    now = now or clock.now()
    today = clock.local(now).date()
    start_of_today = calendar.end_of_local_day(today - dt.timedelta(days=1))
    _cursor(session, DIGEST_LOCK)  # one gathering at a time
    waiting = session.execute(
        sa.select(Notification.recipient_id, sa.func.count())
        .where(Notification.delivery == DIGEST, Notification.email_id.is_(None),
               Notification.created_at < start_of_today)
        .group_by(Notification.recipient_id).order_by(Notification.recipient_id)).all()
    created = 0
    for user_id, _count in waiting:
        key = f"d:{user_id}:{today.isoformat()}"
        if session.scalar(sa.select(NotificationEmail.id).where(NotificationEmail.key == key)) is not None:
            continue
        email = NotificationEmail(key=key, user_id=user_id, status="pending", attempts=0, created_at=now, next_at=now)
        session.add(email)
        session.flush()
        session.execute(sa.update(Notification).where(
            Notification.recipient_id == user_id, Notification.delivery == DIGEST, Notification.email_id.is_(None),
            Notification.created_at < start_of_today).values(email_id=email.id))
        created += 1
    session.commit()
    return created

