"""Background tasks. They take ids, run in the app context and are idempotent."""

from __future__ import annotations

from celery import shared_task

from app.extensions import db
from core.models import TaskRun
from core import clock


@shared_task(name="tasks.heartbeat")
def heartbeat(detail: str = "") -> int:
    """Record that a worker ran (proves the worker path end to end)."""
    run = TaskRun(name="heartbeat", ran_at=clock.now(), detail=detail[:500])
    db.session.add(run)
    db.session.commit()
    return run.id


@shared_task(name="tasks.fire_due_timers")
def fire_due_timers(limit: int = 500) -> int:
    """Fire every due workflow timer, each in its own transaction (idempotent:
    a timer fired twice, by two workers or a retry, moves its case once)."""
    from workflow.timers import fire_due_timers as fire

    moved = fire(db.session, limit=limit)
    db.session.remove()
    return moved
