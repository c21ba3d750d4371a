"""The notification rows, the emails that carry them, and the scan cursor."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base
from core.models import utcnow

# What a notification says (``Notification.kind``).
ACTIONABLE = "actionable"  # the case entered a step where the recipient can act
DEADLINE = "deadline_%d"  # the deadline is N working days away (N from NOTIFY_REMINDER_DAYS)
OVERDUE = "overdue"  # the deadline has passed
DECIDED = "decided"  # a case the recipient acted on was decided (closed)
INFORMED = "informed"  # a decision the recipient's committee is informed of (a process's ``informs``)

# How a user takes their emails (``User.notify_delivery``).
IMMEDIATE, DIGEST, NONE = "immediate", "digest", "none"
DELIVERIES = (IMMEDIATE, DIGEST, NONE)

# ``NotificationEmail.status``.
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


class Notification(Base):
    """One thing one user should know about one case.

    The key ``(case_id, step, occurrence, kind, recipient_id)`` is unique: the
    same event seen twice (a second scan, a second beat tick, a worker
    restart) finds the row already there and creates nothing. ``step`` is the
    state the case was in; ``occurrence`` tells apart two visits of that step
    (the audit sequence number of the event that entered it) or two deadlines
    in it (the deadline's date, so an extended deadline is reminded again).
    """

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "step", "occurrence", "kind", "recipient_id", name="uq_notification_key"),
        sa.Index("ix_notification_recipient", "recipient_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("wf_case.id"), index=True)
    step: Mapped[str] = mapped_column(sa.String(64))
    occurrence: Mapped[str] = mapped_column(sa.String(32))
    kind: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[Optional[dt.datetime]]
    # "immediate", "digest" or "none": the recipient's choice when it was created.
    delivery: Mapped[str] = mapped_column(sa.String(16))
    # The email that carries it (an immediate email, or the day's digest); NULL until then.
    email_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("notification_email.id"), index=True)


class NotificationEmail(Base):
    """One email to send: an immediate notification or a day's digest.

    ``key`` is unique (``n:<notification id>`` or ``d:<user id>:<day>``), so an
    email is created once; a sender claims it (``pending`` → ``sending``) with
    a conditional UPDATE, so two sends of one email send it once.
    """

    __tablename__ = "notification_email"
    __table_args__ = (sa.Index("ix_notification_email_due", "status", "next_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # When the dispatcher may hand it to a sender next (backoff after a failure, or a lease).
    next_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[Optional[dt.datetime]]
    sent_at: Mapped[Optional[dt.datetime]]
    last_error: Mapped[Optional[str]] = mapped_column(sa.String(500))


class NotificationCursor(Base):
    """How far the scan has read the audit trail (its global sequence, ``audit_event.id``)."""

    __tablename__ = "notification_cursor"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(default=0)
