"""Notification tasks: the beat's tick (create, gather, dispatch) and one email's sending.

Both are idempotent: the tick's notifications have a unique key and its
digests a unique (user, day) key; an email is claimed before it is sent, so
sending it twice sends it once. A refused email stays ``pending`` and is
retried with a doubling backoff, by this task's own retry and, should that
message be lost (a worker restart), by the next tick's dispatch.
"""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from app.extensions import db
from core import clock
from notifications import create, mail

log = logging.getLogger(__name__)


def reminder_days() -> list[int]:
    """``NOTIFY_REMINDER_DAYS`` as numbers ("5,1" → [5, 1])."""
    raw = str(current_app.config["NOTIFY_REMINDER_DAYS"])
    return [int(part) for part in raw.split(",") if part.strip().isdigit()]


@shared_task(name="tasks.notifications_tick")
def notifications_tick() -> dict:
    """Create the notifications of the newly committed transitions and of the
    near or passed deadlines, gather yesterday's digests (from
    ``NOTIFY_DIGEST_HOUR``, Vietnam time), and hand every due email to
    :func:`send_notification_email`. Returns what it did, by step."""
    try:
        created = 0
        while True:
            batch = create.scan_events(db.session)
            created += batch
            if not batch:
                break
        reminders = create.remind_deadlines(db.session, reminder_days())
        digests = 0
        if clock.local(clock.now()).hour >= int(current_app.config["NOTIFY_DIGEST_HOUR"]):
            digests = create.gather_digests(db.session)
        due = mail.due(db.session, float(current_app.config["NOTIFY_LEASE_SECONDS"]))
    finally:
        db.session.remove()
    for email_id in due:
        send_notification_email.delay(email_id)
    return {"created": created, "reminders": reminders, "digests": digests, "emails": len(due)}


@shared_task(name="tasks.notifications_scan")
def notifications_scan() -> int:
    """Only the first step of the tick: the notifications of the newly committed
    transitions (what the app runs right after a write when tasks run eagerly,
    so that a test or a worker-less development setup sees them at once)."""
    try:
        created = 0
        while batch := create.scan_events(db.session):
            created += batch
        return created
    finally:
        db.session.remove()


@shared_task(name="tasks.send_notification_email", bind=True, max_retries=None)
def send_notification_email(self, email_id: int) -> str:
    """Send one email (see :func:`notifications.mail.send`); when the SMTP server
    could not take it, retry after the row's backoff (doubling from
    ``NOTIFY_RETRY_SECONDS`` up to ``NOTIFY_RETRY_MAX_SECONDS``)."""
    try:
        return mail.send(db.session, email_id)
    except mail.TransientMailError as exc:
        from notifications.models import NotificationEmail

        attempts = db.session.get(NotificationEmail, email_id).attempts
        log.warning("email %s not sent (attempt %s): %s", email_id, attempts, exc)
        raise self.retry(countdown=mail.backoff_seconds(attempts), exc=exc) from None
    finally:
        db.session.remove()
