"""Helpers for the notification tests: run the tick's steps in the app, read rows and emails."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import sqlalchemy as sa


def scan(app) -> int:
    """Create the notifications of the committed transitions (what the beat's tick does first)."""
    from app.extensions import db
    from notifications import create

    with app.app_context():
        total = 0
        while batch := create.scan_events(db.session):
            total += batch
        return total


def remind(app, days=(5, 1)) -> int:
    from app.extensions import db
    from notifications import create

    with app.app_context():
        return create.remind_deadlines(db.session, days)


def rows(app, username: str | None = None, kind: str | None = None) -> list:
    """The notifications (of ``username``, of ``kind``), oldest first."""
    from app.extensions import db
    from core.models import User
    from notifications.models import Notification

    with app.app_context():
        stmt = sa.select(Notification).order_by(Notification.id)
        if username:
            stmt = stmt.join(User, User.id == Notification.recipient_id).where(User.username == username)
        if kind:
            stmt = stmt.where(Notification.kind == kind)
        found = list(db.session.scalars(stmt))
        db.session.expunge_all()
        return found


def set_email(app, username: str, address: str | None, delivery: str = "immediate", language: str = "vi") -> None:
    from app.extensions import db
    from core.models import User

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        user.email, user.notify_delivery, user.language = address, delivery, language
        db.session.commit()


def eml_messages(folder: Path) -> list:
    """The messages written to a mail folder, by file name."""
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


def case_deadline(app, case_id: int):
    from app.extensions import db
    from workflow.models import Case

    with app.app_context():
        return db.session.get(Case, case_id).deadline_at


def case_actors(app, case_id: int) -> list[int]:
    """Who may act on the case now (the engine's rule), by user id."""
    from app.extensions import db
    from workflow import access

    with app.app_context():
        return access.actors(db.session, case_id)
