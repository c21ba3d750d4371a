"""Reading and marking a user's notifications (the pages and the API)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from cases.cursor import decode_ids, keyset_page
from core import clock

from .models import Notification


def page(session: Session, user, cursor: str | None = None, limit: int = 50,
         unread_only: bool = False) -> tuple[list[Notification], str | None]:
    """The user's notifications, newest first (by id), one keyset page:
    ``(rows, next_cursor)``, the cursor None on the last page. Only the user's
    own rows are ever read. Raises :class:`cases.cursor.BadCursor`."""
    after = decode_ids(cursor, 1)
    stmt = sa.select(Notification).where(Notification.recipient_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    if after is not None:
        stmt = stmt.where(Notification.id < after[0])
    return keyset_page(session, stmt.order_by(Notification.id.desc()), limit, lambda n: (n.id,))


def unread_count(session: Session, user) -> int:
    """How many of the user's notifications are unread (one COUNT)."""
    return session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None))) or 0


def mark_read(session: Session, user, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them, with no id) read, and
    commit. Returns how many changed: 0 for an id that is not the user's (absent and
    someone else's read the same) or already read."""
    stmt = sa.update(Notification).where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    changed = session.execute(stmt.values(read_at=clock.now())).rowcount
    session.commit()
    return changed


def owned(session: Session, user, notification_id: int) -> Notification | None:
    """The user's notification ``notification_id``, or None (absent or someone else's)."""
    return session.scalar(sa.select(Notification).where(Notification.id == notification_id,
                                                        Notification.recipient_id == user.id))
