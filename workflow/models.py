"""The engine's tables: cases, the audit trail, timers, idempotency records.

Sized for 2 million cases and 20 million audit events: every list, inbox and
overdue query has an index (see ``__table_args__``), and the audit chain head
(``audit_seq``, ``audit_hash``) lives on the case row so that appending an
event never has to read the event table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.models import Person, Unit

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

GENESIS_HASH = "0" * 64


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> sa.Index:
    """An index over the rows matching ``where`` (SQL), on SQLite and PostgreSQL alike."""
    return sa.Index(name, *columns, unique=unique, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


class Case(Base):
    """A tracked procedure (hồ sơ) running one process definition version."""

    __tablename__ = "wf_case"
    __table_args__ = (
        # Lists: a unit's cases, keyset on id; inboxes: a unit's open cases (few
        # per unit, filtered by state). Lists over a subtree join ``unit`` on its
        # path and use these per unit. No index holds the state: an index on a
        # column every act changes costs every act another page write.
        sa.Index("ix_wf_case_unit", "unit_id", "id"),
        sa.Index("ix_wf_case_unit_opened", "unit_id", "opened_at"),  # a small subtree's cases opened in a period
        partial_index("ix_wf_case_unit_open", "unit_id", "id", where="closed_at IS NULL"),
        # Keyset pagination by opening date.
        sa.Index("ix_wf_case_opened", "opened_at", "id"),
        # Overdue: open cases with a deadline, ordered by it.
        partial_index("ix_wf_case_open_deadline", "deadline_at", "id",
                      where="closed_at IS NULL AND deadline_at IS NOT NULL"),
        # The case list by type and an open step, newest first (migration 0013).
        partial_index("ix_wf_case_open_process_state", "process", "state", "id", where="closed_at IS NULL"),
        # The inbox: a step's open cases in deadline order (none last), one scan per step
        # the user may act at, merged (0014).
        partial_index("ix_wf_case_open_step_deadline", "process", "state", "deadline_at", "id",
                      where="closed_at IS NULL"),
        # The overdue list, newest first: the deadline is compared inside the index (0013).
        partial_index("ix_wf_case_open_deadline_id", "id", "deadline_at",
                      where="closed_at IS NULL AND deadline_at IS NOT NULL"),
        # Who sees a transfer in transit, and a transferred member's history, in every list (0013).
        partial_index("ix_wf_case_transfer", "state", "reviewing_unit_id", "unit_id", "person_id",
                      where="process = 'transfer'"),
        # At most one open case of a process per person, for the processes that
        # declare ``one_open_per_person`` (DOMAIN.md, "Case rules common to every
        # type"): the database refuses the second of two simultaneous opens.
        partial_index("uq_wf_case_one_open", "person_id", "process", unique=True,
                      where="closed_at IS NULL AND one_open_per_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process: Mapped[str] = mapped_column(sa.String(64))
    process_version: Mapped[int]
    rulebook: Mapped[str] = mapped_column(sa.String(32))
    state: Mapped[str] = mapped_column(sa.String(64))
    # +1 for every state-changing act; the optimistic-concurrency token.
    version: Mapped[int] = mapped_column(default=1)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    person_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("person.id"), index=True)
    reviewing_unit_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    opened_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))
    opened_at: Mapped[dt.datetime]
    opened_on: Mapped[dt.date]
    closed_at: Mapped[Optional[dt.datetime]]
    # Copied at opening from the process's ``one_open_per_person``; covers the case
    # by ``uq_wf_case_one_open`` while it is open.
    one_open_per_person: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    deadline_at: Mapped[Optional[dt.datetime]]
    deadline_kind: Mapped[Optional[str]] = mapped_column(sa.String(64))
    deadline_label: Mapped[Optional[str]] = mapped_column(sa.String(200))
    deadline_extended: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Head of the audit chain: last sequence number and its hash.
    audit_seq: Mapped[int] = mapped_column(default=0)
    audit_hash: Mapped[str] = mapped_column(sa.String(64), default=GENESIS_HASH)

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    reviewing_unit: Mapped[Optional[Unit]] = relationship(foreign_keys=[reviewing_unit_id])
    person: Mapped[Optional[Person]] = relationship()

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def definition(self):
        from .definition import get_process

        return get_process(self.process, self.process_version)

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.process}@{self.process_version} {self.state} v{self.version}>"


class AuditEvent(Base):
    """One entry of the append-only, hash-chained log (triggers refuse UPDATE/DELETE).

    ``hash = sha256(prev_hash + canonical JSON of the event)``; ``id`` is the
    global sequence number (gapless, in commit order, assigned by
    :func:`workflow.audit.append`, never by the database); ``mac`` authenticates
    ``(id, hash)`` with a key kept outside the database. See :mod:`workflow.audit`.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "seq", name="uq_audit_event_case_seq"),
        # Reading a case's history uses the unique (case_id, seq); reports over a
        # period use ``at``. No other index: each one costs every act a page
        # write (README, "Indexes"); a per-user activity report would add
        # (actor_id, at).
        sa.Index("ix_audit_event_at", "at"),
    )

    # The global sequence number (gseq).
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("wf_case.id"))
    seq: Mapped[int]
    actor_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(sa.String(200), default="")
    action: Mapped[str] = mapped_column(sa.String(64))
    from_state: Mapped[Optional[str]] = mapped_column(sa.String(64))
    to_state: Mapped[Optional[str]] = mapped_column(sa.String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    comment: Mapped[Optional[str]] = mapped_column(sa.Text)
    at: Mapped[dt.datetime]
    request_id: Mapped[Optional[str]] = mapped_column(sa.String(64))
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
    # HMAC-SHA256 of "<id>:<hash>" (NULL only for events written before MACs existed).
    mac: Mapped[Optional[str]] = mapped_column(sa.String(64))

    def __repr__(self) -> str:
        return f"<AuditEvent case={self.case_id} seq={self.seq} {self.action}>"


class Timer(Base):
    """A durable timer: at ``due_at`` the system takes ``action`` on the case,
    provided the case is still in ``state``. Fired or cancelled exactly once."""

    __tablename__ = "wf_timer"
    __table_args__ = (
        partial_index("ix_wf_timer_pending_due", "due_at", "id", where="fired_at IS NULL AND cancelled_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("wf_case.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    due_at: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime]
    fired_at: Mapped[Optional[dt.datetime]]
    cancelled_at: Mapped[Optional[dt.datetime]]
    # What happened when it fired: "done", or the refusal's message.
    outcome: Mapped[Optional[str]] = mapped_column(sa.String(500))


class IdempotencyRecord(Base):
    """The first result of an action taken with an idempotency key (per actor)."""

    __tablename__ = "wf_idempotency"
    __table_args__ = (sa.UniqueConstraint("actor_id", "key", name="uq_wf_idempotency_actor_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # 0 for the system (so the unique constraint holds; NULLs never collide).
    actor_id: Mapped[int]
    key: Mapped[str] = mapped_column(sa.String(128))
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("wf_case.id"), index=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime]
    # sha256 of the request the key was first used for (workflow.idempotency.fingerprint);
    # NULL for records older than fingerprints.
    fingerprint: Mapped[Optional[str]] = mapped_column(sa.String(64))
