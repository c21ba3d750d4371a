"""The set-up log: every change an admin (or an import) makes to units, accounts,
role assignments and the registry's bulk import is an audit event (DOMAIN.md
"Setting up an organisation": "Every change is an audit event").

The audit trail chains events per case, so set-up events chain on a *ledger*:
one closed case of process :data:`LEDGER_PROCESS` per root of the org tree,
created on its first event. Events go through :func:`workflow.audit.append`
(the one place an event is written) inside the caller's transaction, so a
change and its event commit together or not at all. Each event's payload holds
``unit_id`` and ``unit_path`` (where the change happened: who may read it),
``target`` (what changed: ``{"kind", "id"}``), ``before`` and ``after``.

The ledger is not a procedure: case lists, the inbox and reports leave it out
(:data:`LEDGER_PROCESS`); auditors read set-up events with :func:`events_for`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core import clock
from core.models import Unit

from . import audit
from .errors import StaleCase
from .models import AuditEvent, Case
from .statements import P_UPDATE_HEAD, sync_orm_copy

LEDGER_PROCESS = "setup"
LEDGER_STATE = "ledger"


def _root_id(session: Session, unit: Unit | None) -> int:
    if unit is not None:
        return unit.ancestor_ids[0]
    return session.scalar(sa.select(Unit.id).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1))


def ledger_for(session: Session, root_id: int) -> Case:
    """The ledger case of the tree rooted at unit ``root_id``, created (flushed) on first use."""
    case = session.scalar(sa.select(Case).where(Case.process == LEDGER_PROCESS, Case.unit_id == root_id)
                          .order_by(Case.id).limit(1))
    if case is None:
        now = clock.now()
        case = Case(process=LEDGER_PROCESS, process_version=1, rulebook="", state=LEDGER_STATE, unit_id=root_id,
                    opened_at=now, opened_on=clock.today(), closed_at=now, data={})
        session.add(case)
        session.flush()
    return case


def log(session: Session, actor, action: str, unit: Unit | None, *, target: dict[str, Any],
        before: Any = None, after: Any = None, comment: str | None = None,
        request_id: str | None = None) -> int:
    """Append the set-up event ``action`` (e.g. ``unit.create``, ``user.disable``,
    ``role.grant``, ``import``) by ``actor`` (a user, or None for the system) about
    ``target`` at ``unit``, with the state ``before`` and ``after`` the change
    (JSON-safe dicts, None for a creation or a removal). Does not commit: the
    change and its event commit together. Returns the event's sequence number.
    Raises :class:`workflow.errors.StaleCase` when another writer moved the
    ledger's head meanwhile (the caller's transaction must be rolled back)."""
    session.flush()
    conn = session.connection()
    audit.lock_appends(conn)
    case = ledger_for(session, _root_id(session, unit))
    head = conn.execute(sa.select(Case.audit_seq, Case.audit_hash).where(Case.id == case.id)).one()
    payload = audit.json_safe({"unit_id": unit.id if unit is not None else None,
                               "unit_path": unit.path if unit is not None else "/",
                               "target": target, "before": before, "after": after})

    def move_head(seq: int, event_hash: str) -> None:
        if P_UPDATE_HEAD.rowcount(conn, {"cid": case.id, "old_seq": head[0], "new_seq": seq,
                                         "new_hash": event_hash}) != 1:
            raise StaleCase(case.id, case.version, None)

    seq, event_hash = audit.append(
        conn, case_id=case.id, prev_seq=head[0], prev_hash=head[1], actor_id=audit.actor_id(actor),
        actor_name=audit.actor_name(actor), action=action, from_state=LEDGER_STATE, to_state=LEDGER_STATE,
        payload=payload, comment=comment, at=clock.now(), request_id=request_id, move_head=move_head)
    sync_orm_copy(session, case.id, {"audit_seq": seq, "audit_hash": event_hash})
    return seq


def events_for(session: Session, scope_paths: tuple[str, ...], limit: int = 200) -> list[AuditEvent]:
    """The newest set-up events (at most ``limit``) about units inside ``scope_paths``
    (the reader's scope, :func:`core.permissions.scope_paths`), newest first."""
    if not scope_paths:
        return []
    stmt = (sa.select(AuditEvent).join(Case, Case.id == AuditEvent.case_id)
            .where(Case.process == LEDGER_PROCESS).order_by(AuditEvent.id.desc()))
    out: list[AuditEvent] = []
    for event in session.scalars(stmt.execution_options(yield_per=500)):
        path = (event.payload or {}).get("unit_path") or "/"
        if any(path.startswith(p) for p in scope_paths):
            out.append(event)
            if len(out) >= limit:
                break
    return out
