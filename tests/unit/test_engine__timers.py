"""Durable timers: created on entering a state, cancelled on leaving, fired once."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.fixtures_engine import advance_review, open_review, table_counts
from core import clock
from workflow import engine
from workflow.models import AuditEvent, Case, Timer
from workflow.timers import fire_due_timers, fire_timer, pending_timers


def _approved_case(dbsession, org, clock_file):
    clock.write_clock_file(str(clock_file), "2025-03-03T02:00:00")
    case = open_review(dbsession, org)
    advance_review(dbsession, org, case, "approved")
    return case


def test_entering_a_state_creates_its_timer(dbsession, org, clock_file):
    case = _approved_case(dbsession, org, clock_file)
    (timer,) = pending_timers(dbsession, case.id)
    assert (timer.state, timer.action) == ("approved", "expire")
    assert timer.due_at == dt.datetime(2025, 3, 3, 2, 0) + dt.timedelta(days=30)


def test_nothing_fires_before_it_is_due_then_fires_once(dbsession, org, clock_file):
    case = _approved_case(dbsession, org, clock_file)
    assert fire_due_timers(dbsession) == 0
    clock.write_clock_file(str(clock_file), "2025-04-03T00:00:00")
    assert fire_due_timers(dbsession) == 1
    dbsession.expire_all()
    c = dbsession.get(Case, case.id)
    assert (c.state, c.closed_at is not None) == ("expired", True)
    ev = dbsession.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.seq.desc())).first()
    assert (ev.action, ev.actor_id, ev.actor_name) == ("expire", None, "system")
    before = table_counts(dbsession)
    # A second firing (another worker, a retry) changes nothing.
    timer_id = dbsession.scalar(sa.select(Timer.id).where(Timer.case_id == case.id))
    assert fire_timer(dbsession, timer_id) is None
    assert fire_due_timers(dbsession) == 0
    assert table_counts(dbsession) == before


def test_leaving_the_state_cancels_the_timer(dbsession, org, clock_file):
    case = _approved_case(dbsession, org, clock_file)
    engine.act(dbsession, case.id, "confirm", org.committee)
    assert pending_timers(dbsession, case.id) == []
    timer = dbsession.scalars(sa.select(Timer).where(Timer.case_id == case.id)).one()
    assert timer.cancelled_at is not None and timer.fired_at is None
    clock.write_clock_file(str(clock_file), "2025-06-01T00:00:00")
    assert fire_due_timers(dbsession) == 0
    dbsession.expire_all()
    assert dbsession.get(Case, case.id).state == "confirmed"


def test_a_timer_whose_action_is_refused_is_spent_with_the_reason(dbsession, org, clock_file):
    case = _approved_case(dbsession, org, clock_file)
    timer_id = dbsession.scalar(sa.select(Timer.id).where(Timer.case_id == case.id))
    # Move the case on behind the timer's back (as if the cancel had been lost).
    dbsession.execute(sa.update(Timer).where(Timer.id == timer_id).values(state="approved"))
    engine.act(dbsession, case.id, "confirm", org.committee)
    dbsession.execute(sa.update(Timer).where(Timer.id == timer_id).values(cancelled_at=None))
    dbsession.commit()
    clock.write_clock_file(str(clock_file), "2025-06-01T00:00:00")
    outcome = fire_timer(dbsession, timer_id)
    assert outcome == "The action expire is not available in the state confirmed."
    dbsession.expire_all()
    timer = dbsession.get(Timer, timer_id)
    assert timer.fired_at is not None and timer.outcome == outcome
    assert fire_timer(dbsession, timer_id) is None
