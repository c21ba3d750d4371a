"""A real Celery worker (with beat) fires a due timer; firing again changes nothing."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.fixtures_engine import advance_review, build_org, open_review, table_counts
from tests.fixtures_worker import heartbeat_count, wait_until
from core import clock
from workflow.models import AuditEvent, Case, Timer
from workflow.timers import fire_timer


def test_worker_fires_a_due_timer_once(db_engine, clock_file, celery_worker):
    clock.write_clock_file(str(clock_file), "2025-03-03T02:00:00")
    with Session(db_engine, expire_on_commit=False) as session:
        org = build_org(session)
        case = open_review(session, org)
        advance_review(session, org, case, "approved")
        case_id = case.id
        timer_id = session.scalar(sa.select(Timer.id).where(Timer.case_id == case_id))

    # The worker and its beat are up; the timer is not due yet, so nothing moves.
    wait_until(lambda: heartbeat_count(db_engine) >= 2, timeout=90, worker=celery_worker)
    with Session(db_engine) as s:
        assert s.get(Case, case_id).state == "approved"

    # Time passes (every process reads the same clock file): beat fires the timer.
    clock.write_clock_file(str(clock_file), "2025-04-10T00:00:00")

    def moved():
        with Session(db_engine) as s:
            return s.get(Case, case_id).state == "expired"

    wait_until(moved, timeout=60, worker=celery_worker)
    with Session(db_engine) as s:
        snapshot = table_counts(s)

    # A second firing: explicit sends plus several more beat rounds, and a second
    # "worker" (this process) racing for the same timer. Nothing changes.
    celery_worker.send("tasks.fire_due_timers")
    celery_worker.send("tasks.fire_due_timers")
    seen = heartbeat_count(db_engine)
    wait_until(lambda: heartbeat_count(db_engine) >= seen + 4, timeout=60, worker=celery_worker)
    with Session(db_engine) as s:
        assert fire_timer(s, timer_id) is None
        assert table_counts(s) == snapshot
        events = s.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case_id, AuditEvent.action == "expire")).all()
        assert len(events) == 1 and events[0].actor_id is None
        timer = s.get(Timer, timer_id)
        assert timer.fired_at is not None and timer.outcome == "done"
