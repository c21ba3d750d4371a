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


@shared_task(name="tasks.open_grading_rounds")
def open_grading_rounds(user_id: int, unit_id: int, year: int) -> int:
    """Open the grading rounds of ``year`` for every branch of the grassroots organisation
    ``unit_id``, as the user ``user_id`` (a member of its committee), through the engine:
    one case per branch, each committed, so the round's page shows the progress as branches
    open. Idempotent (a branch opened already is skipped). Returns how many were opened;
    a refusal (the user may not open there, a bad year) is recorded as a ``TaskRun``."""
    from cases.grading import rounds
    from cases.queries import NotFound
    from core.models import User
    from workflow.errors import WorkflowError

    user = db.session.get(User, int(user_id))
    try:
        if user is None or not user.active:
            raise NotFound(user_id)
        org = rounds.grassroots_for(db.session, user, unit_id)
        opened = rounds.open_rounds(db.session, user, org, int(year))
    except (NotFound, WorkflowError) as exc:
        db.session.rollback()
        detail = f"grading {unit_id}/{year} refused: {getattr(exc, 'message', exc)}"
        log.error(detail)
        db.session.add(TaskRun(name="open_grading_rounds", ran_at=clock.now(), detail=detail[:500]))
        db.session.commit()
        return 0
    db.session.add(TaskRun(name="open_grading_rounds", ran_at=clock.now(),
                           detail=f"grading {unit_id}/{year}: opened {len(opened.opened)}, "
                                  f"existing {len(opened.existing)}"))
    db.session.commit()
    db.session.remove()
    return len(opened.opened)


@shared_task(name="tasks.import_registry")
def import_registry(sha256: str, user_id: int) -> str:
    """Write the checked import file ``sha256`` as the user ``user_id`` (the page import's
    confirmation; :func:`app.import_jobs.run`), reporting progress in the job's state.
    Idempotent: a done job is not run again. Returns the job's final state name."""
    from app import import_jobs

    return import_jobs.run(sha256, user_id).get("state", "")
