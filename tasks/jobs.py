"""Background tasks. They take ids, run in the app context and are idempotent."""

from __future__ import annotations

import logging

from celery import shared_task

from app.extensions import db
from core.models import TaskRun
from core import clock

log = logging.getLogger(__name__)


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


@shared_task(name="tasks.audit_checkpoint")
def audit_checkpoint() -> int | None:
    """Sign a checkpoint of the audit trail (beat, every ``AUDIT_CHECKPOINT_SECONDS``).

    Verifies what was appended since the last checkpoint and signs only a
    history that verifies; idempotent (no new events, no new line). Returns
    the number of events covered, or None when it refused (the problems are
    logged and recorded as a ``TaskRun``).
    """
    from app.audit_setup import checkpoint_log, signing_key
    from workflow.checkpoints import create

    try:
        outcome = create(db.session, signing_key(), checkpoint_log(), clock.now(), workers=1)
    finally:
        db.session.remove()
    if outcome.checkpoint is None and not outcome.report.ok:
        detail = f"refused: {outcome.report.first}"
        log.error("audit checkpoint %s (%d problems)", detail, len(outcome.report.problems))
        db.session.add(TaskRun(name="audit_checkpoint", ran_at=clock.now(), detail=detail[:500]))
        db.session.commit()
        return None
    return outcome.checkpoint.count if outcome.checkpoint else 0
