"""The append-only, hash-chained audit trail and its verifier.

Each event's hash is ``sha256(prev_hash + canonical_json(event))`` where the
canonical JSON holds the case id, sequence number, actor, action, states,
payload, comment, time and request id, with sorted keys and no whitespace.
The first event of a case chains to :data:`GENESIS_HASH`. The case row keeps
the chain head (``audit_seq``, ``audit_hash``), so appending never reads the
event table; the verifier checks both the chain and the head.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import Any, Callable, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.prepared import Prepared

from .models import GENESIS_HASH, AuditEvent, Case

SYSTEM_NAME = "system"

_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def format_at(at: dt.datetime) -> str:
    return at.isoformat(timespec="microseconds")


def canonical(case_id, seq, actor_id, actor_name, action, from_state, to_state, payload, comment, at, request_id) -> str:
    return _dumps({
        "action": action,
        "actor_id": actor_id,
        "actor_name": actor_name,
        "at": format_at(at),
        "case_id": case_id,
        "comment": comment,
        "from_state": from_state,
        "payload": payload,
        "request_id": request_id,
        "seq": seq,
        "to_state": to_state,
    })


def chain_hash(prev_hash: str, body: str) -> str:
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def event_hash(prev_hash: str, **fields: Any) -> str:
    return chain_hash(prev_hash, canonical(**fields))


_event_t = AuditEvent.__table__
P_INSERT_EVENT = Prepared(_event_t.insert().values({c.name: sa.bindparam(c.name) for c in _event_t.c
                                                    if c.name != "id"}))


def actor_id(actor) -> int | None:
    """The acting user's id as recorded on an event (None for the system)."""
    return None if actor is None else actor.id


def actor_name(actor) -> str:
    """The acting user's name as recorded on an event (``system`` for the system)."""
    if actor is None:
        return SYSTEM_NAME
    return getattr(actor, "display_name", None) or getattr(actor, "username", "") or str(actor.id)


def append(conn, *, case_id: int, prev_seq: int, prev_hash: str, actor_id: int | None, actor_name: str,
           action: str, from_state: str | None, to_state: str, payload: Any, comment: str | None,
           at: dt.datetime, request_id: str | None,
           move_head: Callable[[int, str], None] | None = None) -> tuple[int, str]:
    """Append the next event of a case's chain; the one place an event is written.

    Computes the event's hash over its canonical JSON chained to ``prev_hash``,
    calls ``move_head(seq, hash)`` first when given (the caller's conditional
    UPDATE of the case's chain head, which raises when another writer moved
    it), then inserts the event in the caller's transaction. ``payload`` must
    already be JSON-safe (:func:`json_safe`); ``at`` is a naive UTC datetime.
    Returns ``(seq, hash)`` of the new event.
    """
    seq = prev_seq + 1
    new_hash = chain_hash(prev_hash, canonical(
        case_id=case_id, seq=seq, actor_id=actor_id, actor_name=actor_name, action=action,
        from_state=from_state, to_state=to_state, payload=payload, comment=comment, at=at, request_id=request_id,
    ))
    if move_head is not None:
        move_head(seq, new_hash)
    P_INSERT_EVENT.execute(conn, {
        "case_id": case_id, "seq": seq, "actor_id": actor_id, "actor_name": actor_name, "action": action,
        "from_state": from_state, "to_state": to_state, "payload": payload, "comment": comment, "at": at,
        "request_id": request_id, "prev_hash": prev_hash, "hash": new_hash,
    })
    return seq, new_hash


def json_safe(value: Any) -> Any:
    """Payload values as JSON types (dates as ISO strings)."""
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    if hasattr(value, "value") and isinstance(getattr(value, "value"), (str, int)):  # enums
        return value.value
    return str(value)


@dataclasses.dataclass(frozen=True)
class Problem:
    case_id: int
    seq: int | None
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"case {self.case_id}"
        if self.seq is not None:
            where += f" event seq {self.seq} (id {self.event_id})"
        return f"{where}: {self.reason}"


_EVENT_COLS = (
    AuditEvent.id, AuditEvent.case_id, AuditEvent.seq, AuditEvent.actor_id, AuditEvent.actor_name,
    AuditEvent.action, AuditEvent.from_state, AuditEvent.to_state, AuditEvent.payload, AuditEvent.comment,
    AuditEvent.at, AuditEvent.request_id, AuditEvent.prev_hash, AuditEvent.hash,
)


def _check_case(case_id: int, head_seq: int | None, head_hash: str | None, rows) -> tuple[Problem | None, int]:
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for r in rows:
        count += 1
        if r.seq != expected_seq:
            return Problem(case_id, r.seq, r.id, f"sequence number {r.seq}, expected {expected_seq}"), count
        if r.prev_hash != prev:
            return Problem(case_id, r.seq, r.id, "prev_hash does not match the previous event's hash"), count
        computed = event_hash(
            prev, case_id=r.case_id, seq=r.seq, actor_id=r.actor_id, actor_name=r.actor_name, action=r.action,
            from_state=r.from_state, to_state=r.to_state, payload=r.payload, comment=r.comment, at=r.at,
            request_id=r.request_id,
        )
        if computed != r.hash:
            return Problem(case_id, r.seq, r.id, "hash does not match the event's content"), count
        prev = r.hash
        expected_seq += 1
    if head_seq is not None and head_seq != expected_seq - 1:
        return Problem(case_id, None, None, f"the case records {head_seq} events but {expected_seq - 1} exist"), count
    if head_hash is not None and head_seq and head_hash != prev:
        return Problem(case_id, None, None, "the case's chain head does not match its last event"), count
    return None, count


@dataclasses.dataclass
class VerifyReport:
    cases: int = 0
    events: int = 0
    problems: list[Problem] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_case(session: Session, case_id: int) -> Problem | None:
    """The first problem in one case's chain, or None."""
    head = session.execute(sa.select(Case.audit_seq, Case.audit_hash).where(Case.id == case_id)).first()
    rows = session.execute(
        sa.select(*_EVENT_COLS).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
    ).all()
    problem, _count = _check_case(case_id, head.audit_seq if head else None, head.audit_hash if head else None, rows)
    return problem


def _grouped(rows) -> Iterator[tuple[int, list]]:
    current, group = None, []
    for r in rows:
        if r.case_id != current:
            if group:
                yield current, group
            current, group = r.case_id, []
        group.append(r)
    if group:
        yield current, group


def verify_all(session: Session, batch: int = 200) -> VerifyReport:
    """Check every chain (streamed in case-id order); names the first bad event of each broken case."""
    report = VerifyReport()
    heads = {}
    last_case = 0
    while True:
        case_rows = session.execute(
            sa.select(Case.id, Case.audit_seq, Case.audit_hash).where(Case.id > last_case).order_by(Case.id).limit(batch)
        ).all()
        if not case_rows:
            break
        heads = {r.id: (r.audit_seq, r.audit_hash) for r in case_rows}
        lo, hi = case_rows[0].id, case_rows[-1].id
        events = session.execute(
            sa.select(*_EVENT_COLS)
            .where(AuditEvent.case_id >= lo, AuditEvent.case_id <= hi)
            .order_by(AuditEvent.case_id, AuditEvent.seq)
        ).all()
        by_case = dict(_grouped(events))
        for cid, (seq, h) in heads.items():
            problem, count = _check_case(cid, seq, h, by_case.get(cid, []))
            report.cases += 1
            report.events += count
            if problem:
                report.problems.append(problem)
        last_case = hi
    # Events whose case row is missing are also a break.
    orphans = session.execute(
        sa.select(AuditEvent.case_id, AuditEvent.seq, AuditEvent.id)
        .where(~sa.exists().where(Case.id == AuditEvent.case_id))
        .order_by(AuditEvent.case_id, AuditEvent.seq)
        .limit(10)
    ).all()
    for o in orphans:
        report.problems.append(Problem(o.case_id, o.seq, o.id, "event of a case that does not exist"))
    return report
