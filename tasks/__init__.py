"""The Celery app, built from the Flask config; tasks run in the app context.

The embedded default broker is Kombu's SQLAlchemy transport over a SQLite file
(``sqla+sqlite:///var/celery-broker.db``), so a real worker runs with no Redis.
``CELERY_BROKER_URL=redis://...`` switches to Redis.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask, include=["tasks.jobs", "tasks.notify"])
    celery_app.conf.update(
        broker_url=app.config["CELERY_BROKER_URL"],
        result_backend=app.config.get("CELERY_RESULT_BACKEND") or None,
        task_ignore_result=True,
        task_always_eager=app.config.get("CELERY_TASK_ALWAYS_EAGER", False),
        task_eager_propagates=True,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        timezone="UTC",
        beat_schedule={
            "heartbeat": {"task": "tasks.heartbeat", "schedule": float(app.config["HEARTBEAT_SECONDS"])},
            "fire-due-timers": {
                "task": "tasks.fire_due_timers",
                "schedule": float(app.config["TIMER_POLL_SECONDS"]),
            },
            "notifications": {
                "task": "tasks.notifications_tick",
                "schedule": float(app.config["NOTIFY_POLL_SECONDS"]),
            },
            "audit-checkpoint": {
                "task": "tasks.audit_checkpoint",
                "schedule": float(app.config["AUDIT_CHECKPOINT_SECONDS"]),
            },
        },
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
