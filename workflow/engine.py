"""The engine: ``start``, ``act``, ``available_actions``, ``record``.

``act`` is one database transaction: read and lock the case (``SELECT ... FOR
UPDATE`` on PostgreSQL; on SQLite the write lock is taken by the conditional
UPDATE, which also compares the version), check the version, the state, the
actor's role at the right unit, the payload, the vote and the guards; then
change the state, apply the effects, append exactly one audit event, create
and cancel timers and the deadline, and commit. Any refusal rolls back and
leaves the database unchanged.

The hot path uses SQLAlchemy Core statements built once at import (their
compiled forms are cached by SQLAlchemy) and never loads ORM objects, so an
act costs a handful of indexed statements; ORM objects in the session for the
same case are refreshed in place afterwards.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core.models import RoleAssignment, Unit

from . import calendar, clock
from .audit import chain_hash, canonical, json_safe
from .definition import CLEAR, CompiledTransition, Process, get_process
from .errors import (ActionNotAvailable, CaseNotFound, GuardFailed, InvalidPayload, NotPermitted, StaleCase,
                     UnknownAction, WorkflowError)
from .guards import CaseSnapshot, Context, RoleRow, _value, matching_unit, path_ids, role_rows, validate_form
from .i18n import _
from .models import GENESIS_HASH, AuditEvent, Case, IdempotencyRecord, Timer
from .votes import VoteForm, VoteRule, normalise_vote_keys
from ._sql import Prepared

SYSTEM_NAME = "system"

_case_t = Case.__table__
_event_t = AuditEvent.__table__
_timer_t = Timer.__table__
_idem_t = IdempotencyRecord.__table__
_unit_t = Unit.__table__

_SNAPSHOT_COLS = [getattr(_case_t.c, n) for n in CaseSnapshot.__slots__[:-1]] + [_unit_t.c.path]

_LOAD = (
    sa.select(*_SNAPSHOT_COLS)
    .select_from(_case_t.join(_unit_t, _unit_t.c.id == _case_t.c.unit_id))
    .where(_case_t.c.id == sa.bindparam("cid"))
)
_LOAD_FOR_UPDATE = _LOAD.with_for_update(of=_case_t)

# The case and, in the same round trip, every role the actor holds (one row per
# role assignment; a single row of NULLs when they hold none).
_ra_t = RoleAssignment.__table__
_role_unit_t = _unit_t.alias("role_unit")
_LOAD_WITH_ROLES = (
    sa.select(*_SNAPSHOT_COLS, _ra_t.c.unit_id, _ra_t.c.role, _role_unit_t.c.level,
              _role_unit_t.c.grassroots_branch)
    .select_from(
        _case_t.join(_unit_t, _unit_t.c.id == _case_t.c.unit_id)
        .outerjoin(_ra_t, _ra_t.c.user_id == sa.bindparam("uid"))
        .outerjoin(_role_unit_t, _role_unit_t.c.id == _ra_t.c.unit_id)
    )
    .where(_case_t.c.id == sa.bindparam("cid"))
)
_LOAD_WITH_ROLES_FOR_UPDATE = _LOAD_WITH_ROLES.with_for_update(of=_case_t)

def _update_case_stmt(closing: bool, deadline: bool):
    """The UPDATE that moves a case. It sets only the columns that change: SQLite
    rewrites every index (partial ones included) that mentions a SET column, so
    an unchanged ``closed_at`` or deadline in the SET list would cost a page
    write per act in the open-case and deadline indexes."""
    values = dict(state=sa.bindparam("new_state"), version=sa.bindparam("new_version"),
                  audit_seq=sa.bindparam("new_seq"), audit_hash=sa.bindparam("new_hash"))
    if closing:
        values["closed_at"] = sa.bindparam("new_closed_at")
    if deadline:
        values.update(deadline_at=sa.bindparam("new_deadline_at"), deadline_kind=sa.bindparam("new_deadline_kind"),
                      deadline_label=sa.bindparam("new_deadline_label"),
                      deadline_extended=sa.bindparam("new_deadline_extended"))
    return (
        _case_t.update()
        .where(_case_t.c.id == sa.bindparam("cid"), _case_t.c.version == sa.bindparam("old_version"),
               _case_t.c.audit_seq == sa.bindparam("old_seq"))
        .values(**values)
    )


_UPDATE_CASE_DATA = (
    _case_t.update().where(_case_t.c.id == sa.bindparam("cid"))
    .values(data=sa.bindparam("new_data"), reviewing_unit_id=sa.bindparam("new_reviewing"))
)
_UPDATE_HEAD = (
    _case_t.update()
    .where(_case_t.c.id == sa.bindparam("cid"), _case_t.c.audit_seq == sa.bindparam("old_seq"))
    .values(audit_seq=sa.bindparam("new_seq"), audit_hash=sa.bindparam("new_hash"))
)
_INSERT_EVENT = _event_t.insert().values({c.name: sa.bindparam(c.name) for c in _event_t.c if c.name != "id"})
_CANCEL_TIMERS = (
    _timer_t.update()
    .where(_timer_t.c.case_id == sa.bindparam("cid"), _timer_t.c.fired_at.is_(None),
           _timer_t.c.cancelled_at.is_(None))
    .values(cancelled_at=sa.bindparam("now"))
)
_INSERT_TIMER = _timer_t.insert().values({c.name: sa.bindparam(c.name) for c in _timer_t.c if c.name != "id"})
_IDEM_GET = sa.select(_idem_t.c.result).where(_idem_t.c.actor_id == sa.bindparam("aid"),
                                              _idem_t.c.key == sa.bindparam("key"))
_IDEM_PUT = _idem_t.insert().values({c.name: sa.bindparam(c.name) for c in _idem_t.c if c.name != "id"})
_UNIT_PATH = sa.select(_unit_t.c.path).where(_unit_t.c.id == sa.bindparam("uid"))

P_LOAD = Prepared(_LOAD)
P_LOAD_FOR_UPDATE = Prepared(_LOAD_FOR_UPDATE)
P_LOAD_WITH_ROLES = Prepared(_LOAD_WITH_ROLES)
P_LOAD_WITH_ROLES_FOR_UPDATE = Prepared(_LOAD_WITH_ROLES_FOR_UPDATE)
P_UPDATE_CASE = {(c, d): Prepared(_update_case_stmt(c, d)) for c in (False, True) for d in (False, True)}
P_UPDATE_CASE_DATA = Prepared(_UPDATE_CASE_DATA)
P_UPDATE_HEAD = Prepared(_UPDATE_HEAD)
P_INSERT_EVENT = Prepared(_INSERT_EVENT)
P_CANCEL_TIMERS = Prepared(_CANCEL_TIMERS)
P_INSERT_TIMER = Prepared(_INSERT_TIMER)
P_IDEM_GET = Prepared(_IDEM_GET)
P_IDEM_PUT = Prepared(_IDEM_PUT)
P_UNIT_PATH = Prepared(_UNIT_PATH)

# Columns of Case kept in sync on ORM objects already in the session.
_SYNCED = ("state", "version", "audit_seq", "audit_hash", "closed_at", "deadline_at", "deadline_kind",
           "deadline_label", "deadline_extended", "data", "reviewing_unit_id")


@dataclasses.dataclass(frozen=True)
class ActResult:
    """What an act did (also what a replayed idempotency key returns)."""

    case_id: int
    action: str
    from_state: str
    to_state: str
    version: int
    seq: int
    outcome: str | None = None
    event_hash: str = ""
    replayed: bool = False

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d.pop("replayed")
        return d


def _is_pg(conn) -> bool:
    return conn.dialect.name == "postgresql"


def _load(conn, case_id: int, lock: bool) -> CaseSnapshot:
    stmt = P_LOAD_FOR_UPDATE if lock and _is_pg(conn) else P_LOAD
    row = stmt.first(conn, {"cid": case_id})
    if row is None:
        raise CaseNotFound(case_id)
    return CaseSnapshot(row)


_NSNAP = len(CaseSnapshot.__slots__)


def _load_with_roles(conn, case_id: int, user_id: int, lock: bool) -> tuple[CaseSnapshot, list[RoleRow]]:
    stmt = P_LOAD_WITH_ROLES_FOR_UPDATE if lock and _is_pg(conn) else P_LOAD_WITH_ROLES
    rows = stmt.all(conn, {"cid": case_id, "uid": user_id})
    if not rows:
        raise CaseNotFound(case_id)
    snap = CaseSnapshot(rows[0][:_NSNAP])
    roles = [RoleRow(r[_NSNAP], _value(r[_NSNAP + 1]), _value(r[_NSNAP + 2]), bool(r[_NSNAP + 3]))
             for r in rows if r[_NSNAP] is not None]
    return snap, roles


def _process_of(snap: CaseSnapshot) -> type[Process]:
    return get_process(snap.process, snap.process_version)


def _actor_id(actor) -> int | None:
    return None if actor is None else actor.id


def _actor_name(actor) -> str:
    if actor is None:
        return SYSTEM_NAME
    return getattr(actor, "display_name", None) or getattr(actor, "username", "") or str(actor.id)


def _find(process, snap: CaseSnapshot, action: str) -> CompiledTransition:
    ct = process.compiled.get((snap.state, action))
    if ct is None:
        if action not in process.by_action:
            raise UnknownAction(action, process.name)
        raise ActionNotAvailable(action, snap.state)
    return ct


def _check_permission(roles, ct, snap, actor, ctx) -> int | None:
    """The unit where the actor's role qualifies (None for the system); raises NotPermitted."""
    if ct.is_system:
        if actor is not None:
            raise NotPermitted(_("Only the system may take this action."))
        return None
    if actor is None:
        raise NotPermitted()
    unit_id = matching_unit(ct.roles, ct.level, roles, path_ids(snap.unit_path), snap.reviewing_unit_id, ctx)
    if unit_id is None:
        raise NotPermitted()
    return unit_id


def _validate(ct, ctx, payload: dict | None) -> dict:
    """The JSON-safe audit payload; runs the form, the vote and the guards."""
    form = ct.form or (VoteForm if ct.vote is not None else None)
    if ct.vote is not None:
        payload = normalise_vote_keys(payload)
    if form is not None:
        data, _coerced = validate_form(form, payload)
    else:
        data = json_safe(dict(payload or {}))
    ctx.payload = data
    reasons: list[str] = []
    if ct.vote is not None:
        rule = vote_rule(ct, ctx)
        errors = rule.check_arithmetic(data)
        if errors:
            raise InvalidPayload(errors)
        quorum = rule.quorum_reason(data)
        if quorum:
            reasons.append(quorum)
        else:
            ctx.vote = rule.evaluate(data)
    for guard in ct.guards:
        reason = guard(ctx)
        if reason:
            reasons.append(str(reason))
    if reasons:
        raise GuardFailed(reasons)
    return data


def vote_rule(ct, ctx) -> VoteRule:
    """The transition's vote rule; ``vote=fn(ctx)`` picks it from the payload
    (e.g. two thirds for an expulsion, a majority otherwise)."""
    return ct.vote if isinstance(ct.vote, VoteRule) else ct.vote(ctx)


def _choose_target(ct, ctx) -> tuple[str, str | None]:
    if "" in ct.targets:
        return ct.targets[""], None
    if ct.choose is not None:
        key = ct.choose(ctx)
    else:
        key = ctx.vote.outcome
    key = getattr(key, "value", key)
    if key not in ct.targets:
        # The chooser may also name the target state itself.
        for k, state in ct.targets.items():
            if state == key:
                return state, k
        raise WorkflowError(f"{ct.action}: chooser returned {key!r}, not one of {sorted(ct.targets)}")
    return ct.targets[key], key


def _deadline(ct, ctx, snap) -> tuple[Any, Any, Any, bool]:
    """New (deadline_at, kind, label, extended) after the transition."""
    current = (snap.deadline_at, snap.deadline_kind, snap.deadline_label, bool(snap.deadline_extended))
    spec = ct.deadline
    if spec is None:
        return current
    if spec is CLEAR or spec.kind == CLEAR.kind:
        return None, None, None, False
    if spec.extend:
        if snap.deadline_at is None or snap.deadline_kind != spec.kind:
            raise GuardFailed([_("There is no %(kind)s deadline to extend.", kind=spec.kind)])
        if snap.deadline_extended:
            raise GuardFailed([_("The deadline has already been extended once.")])
        days = spec.working_days if isinstance(spec.working_days, int) else ctx.rulebook.deadline(spec.kind)[1]
        if days <= 0:
            raise GuardFailed([_("The rulebook allows no extension of this deadline.")])
        last_day = clock.local(snap.deadline_at).date() - dt.timedelta(days=1)
        return calendar.deadline_at(last_day, days), spec.kind, snap.deadline_label, True
    if isinstance(spec.working_days, int):
        days = spec.working_days
    else:
        days = ctx.rulebook.deadline(spec.working_days or spec.kind)[0]
    if spec.anchor is None:
        anchor = ctx.today
    elif callable(spec.anchor):
        anchor = spec.anchor(ctx)
    else:
        anchor = dt.date.fromisoformat(str(ctx.payload[spec.anchor])[:10])
    return calendar.deadline_at(anchor, days), spec.kind, spec.label or spec.kind, False


def _replay(conn, actor, key) -> ActResult | None:
    row = P_IDEM_GET.first(conn, {"aid": _actor_id(actor) or 0, "key": key})
    if row is None:
        return None
    return ActResult(**row[0], replayed=True)


def _sync_identity_map(session: Session, case_id: int, values: dict) -> None:
    identity_map = session.identity_map
    if not identity_map:
        return
    obj = identity_map.get((Case, (case_id,), None))
    if obj is not None:
        for k, v in values.items():
            set_committed_value(obj, k, v)


def act(
    session: Session,
    case: Case | int,
    action: str,
    actor=None,
    payload: dict | None = None,
    expected_version: int | None = None,
    idempotency_key: str | None = None,
    *,
    comment: str | None = None,
    request_id: str | None = None,
) -> ActResult:
    """Take ``action`` on ``case`` as ``actor`` (None = the system), in one committed transaction."""
    case_id = case if isinstance(case, int) else case.id
    try:
        result, synced = _act(session, case_id, action, actor, payload, expected_version, idempotency_key,
                              comment, request_id)
        session.commit()
    except IntegrityError:
        session.rollback()
        if idempotency_key is not None:
            # A concurrent act with the same key won the race: return its result.
            replay = _replay(session.connection(), actor, idempotency_key)
            session.rollback()
            if replay is not None:
                return replay
        raise
    except BaseException:
        session.rollback()
        raise
    if synced:
        _sync_identity_map(session, case_id, synced)
    return result


def _act(session, case_id, action, actor, payload, expected_version, idempotency_key, comment, request_id,
         now=None):
    conn = session.connection()
    if idempotency_key is not None:
        replay = _replay(conn, actor, idempotency_key)
        if replay is not None:
            return replay, None
    if actor is not None:
        snap, roles = _load_with_roles(conn, case_id, actor.id, lock=True)
    else:
        snap, roles = _load(conn, case_id, lock=True), []
    if idempotency_key is not None and _is_pg(conn):
        # We may have waited for the row lock behind an act with the same key.
        replay = _replay(conn, actor, idempotency_key)
        if replay is not None:
            return replay, None
    if expected_version is not None and snap.version != expected_version:
        raise StaleCase(case_id, expected_version, snap.version)
    process = _process_of(snap)
    ct = _find(process, snap, action)
    ctx = Context(session, process, snap, actor, ct, now=now)
    ctx.acting_unit_id = _check_permission(roles, ct, snap, actor, ctx)
    audit_payload = _validate(ct, ctx, payload)
    to_state, outcome = _choose_target(ct, ctx)
    ctx.to_state, ctx.outcome = to_state, outcome
    deadline_at, deadline_kind, deadline_label, extended = _deadline(ct, ctx, snap)
    now = ctx.now
    if to_state in process.end_states or ct.spec.closes:
        closed_at = snap.closed_at or now
        deadline_at, deadline_kind, deadline_label, extended = None, None, None, False
    else:
        closed_at = None
    if ctx.vote is not None:
        audit_payload = dict(audit_payload, vote=ctx.vote.as_payload())
    if outcome is not None:
        audit_payload = dict(audit_payload, outcome=outcome)

    seq = snap.audit_seq + 1
    actor_id = _actor_id(actor)
    actor_name = _actor_name(actor)
    event_hash = chain_hash(snap.audit_hash, canonical(
        case_id=case_id, seq=seq, actor_id=actor_id, actor_name=actor_name, action=action,
        from_state=snap.state, to_state=to_state, payload=audit_payload, comment=comment, at=now,
        request_id=request_id,
    ))
    version = snap.version + 1
    closing_changes = closed_at != snap.closed_at
    deadline_changes = (deadline_at != snap.deadline_at or deadline_kind != snap.deadline_kind
                        or deadline_label != snap.deadline_label or extended != bool(snap.deadline_extended))
    updated = P_UPDATE_CASE[closing_changes, deadline_changes].rowcount(conn, {
        "cid": case_id, "old_version": snap.version, "old_seq": snap.audit_seq,
        "new_state": to_state, "new_version": version, "new_seq": seq, "new_hash": event_hash,
        "new_closed_at": closed_at, "new_deadline_at": deadline_at, "new_deadline_kind": deadline_kind,
        "new_deadline_label": deadline_label, "new_deadline_extended": extended,
    })
    if updated != 1:
        current = conn.execute(sa.select(_case_t.c.version).where(_case_t.c.id == case_id)).scalar()
        raise StaleCase(case_id, expected_version if expected_version is not None else snap.version, current)
    P_INSERT_EVENT.execute(conn, {
        "case_id": case_id, "seq": seq, "actor_id": actor_id, "actor_name": actor_name, "action": action,
        "from_state": snap.state, "to_state": to_state, "payload": audit_payload, "comment": comment,
        "at": now, "request_id": request_id, "prev_hash": snap.audit_hash, "hash": event_hash,
    })
    synced = {
        "state": to_state, "version": version, "audit_seq": seq, "audit_hash": event_hash, "closed_at": closed_at,
        "deadline_at": deadline_at, "deadline_kind": deadline_kind, "deadline_label": deadline_label,
        "deadline_extended": extended,
    }
    # Effects that load the case through the ORM see it moved.
    _sync_identity_map(session, case_id, synced)
    for effect in ct.effects:
        effect(ctx)
    if ctx.data_changed or ctx.reviewing_unit_id != snap.reviewing_unit_id:
        session.flush()
        P_UPDATE_CASE_DATA.execute(conn, {"cid": case_id, "new_data": ctx.data,
                                          "new_reviewing": ctx.reviewing_unit_id})
        synced["data"] = ctx.data
        synced["reviewing_unit_id"] = ctx.reviewing_unit_id
    if to_state != snap.state:
        if snap.state in process.timer_states:
            P_CANCEL_TIMERS.execute(conn, {"cid": case_id, "now": now})
        _create_timers(conn, process, ctx, case_id, to_state, now)
    result = ActResult(case_id=case_id, action=action, from_state=snap.state, to_state=to_state, version=version,
                       seq=seq, outcome=outcome, event_hash=event_hash)
    if idempotency_key is not None:
        P_IDEM_PUT.execute(conn, {"actor_id": actor_id or 0, "key": idempotency_key, "case_id": case_id,
                                 "result": result.as_dict(), "created_at": now})
    return result, synced


def _create_timers(conn, process, ctx, case_id: int, state: str, now: dt.datetime) -> None:
    if state not in process.timer_states:
        return
    for ct in process.from_state.get(state, ()):
        if ct.timer is not None and ct.timer.applies(ctx):
            P_INSERT_TIMER.execute(conn, {"case_id": case_id, "state": state, "action": ct.action,
                                         "due_at": ct.timer.due_at(ctx), "created_at": now,
                                         "fired_at": None, "cancelled_at": None, "outcome": None})


def _unit_path(session, unit) -> tuple[int, str]:
    if isinstance(unit, Unit):
        return unit.id, unit.path
    row = P_UNIT_PATH.first(session.connection(), {"uid": unit})
    path = row[0] if row else None
    if path is None:
        raise WorkflowError(f"unit {unit} does not exist")
    return int(unit), path


def _resolve_process(process) -> type[Process]:
    if isinstance(process, type) and issubclass(process, Process):
        return process
    return get_process(process)


def start(
    session: Session,
    process,
    *,
    unit,
    actor,
    person=None,
    data: dict | None = None,
    state=None,
    payload: dict | None = None,
    reviewing_unit=None,
    comment: str | None = None,
    request_id: str | None = None,
    idempotency_key: str | None = None,
) -> Case:
    """Open a case of ``process`` at ``unit`` (its home unit) in ``state`` (default:
    the first declared start), checking who may open it there; writes audit seq 1.
    The same ``idempotency_key`` (per actor) returns the case opened the first time."""
    start_key = f"start:{idempotency_key}" if idempotency_key is not None and actor is not None else None
    try:
        if start_key is not None:
            row = P_IDEM_GET.first(session.connection(), {"aid": actor.id, "key": start_key})
            if row is not None:
                session.rollback()
                return session.get(Case, row[0]["case_id"])
        case = _start(session, process, unit=unit, actor=actor, person=person, data=data, state=state,
                      payload=payload, reviewing_unit=reviewing_unit, comment=comment, request_id=request_id)
        if start_key is not None:
            P_IDEM_PUT.execute(session.connection(), {
                "actor_id": actor.id, "key": start_key, "case_id": case.id,
                "result": {"case_id": case.id, "state": case.state}, "created_at": case.opened_at})
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return case


def start_linked(ctx, process, *, state=None, payload: dict | None = None, data: dict | None = None,
                 comment: str | None = None) -> Case:
    """From an effect: open a case of ``process`` about the same person at the
    same unit, as the same actor, in the acting transaction (both commit or
    neither does). Who may open it is checked as for :func:`start`."""
    return _start(ctx.session, process, unit=ctx.case.unit_id, actor=ctx.actor, person=ctx.case.person_id,
                  data=data, state=state, payload=payload, comment=comment, now=ctx.now)


def _start(session, process, *, unit, actor, person=None, data=None, state=None, payload=None,
           reviewing_unit=None, comment=None, request_id=None, now=None) -> Case:
    proc = _resolve_process(process)
    state_value = getattr(state, "value", state) if state is not None else next(iter(proc.start_specs))
    spec = proc.start_specs.get(state_value)
    if spec is None:
        raise ActionNotAvailable("start", state_value)
    unit_id, unit_path = _unit_path(session, unit)
    person_id = getattr(person, "id", person)
    reviewing_id = getattr(reviewing_unit, "id", reviewing_unit)
    now = now or clock.now()
    today = clock.local(now).date()
    rulebook = proc.rulebooks.in_force(today)
    snap = CaseSnapshot((None, proc.name, proc.version, rulebook.code, state_value, 1, unit_id, person_id,
                         reviewing_id, now, today, None, None, None, None, False, dict(data or {}), 0,
                         GENESIS_HASH, unit_path))
    ctx = Context(session, proc, snap, actor, None, now=now)
    ctx.from_state = None
    ctx.to_state = state_value
    if actor is None:
        raise NotPermitted()
    roles = frozenset(getattr(r, "value", r) for r in (
        spec.roles if isinstance(spec.roles, (list, tuple, set, frozenset)) else (spec.roles,)))
    ctx.acting_unit_id = matching_unit(roles, spec.level, role_rows(session.connection(), actor.id),
                                       path_ids(unit_path), reviewing_id, ctx)
    if ctx.acting_unit_id is None:
        raise NotPermitted(_("You may not open this kind of case at this unit."))
    audit_payload = validate_form(spec.form, payload)[0] if spec.form else json_safe(dict(payload or {}))
    ctx.payload = audit_payload
    reasons = [str(r) for r in (g(ctx) for g in spec.guards) if r]
    if reasons:
        raise GuardFailed(reasons)
    for effect in spec.effects:
        effect(ctx)
    case = Case(process=proc.name, process_version=proc.version, rulebook=rulebook.code, state=state_value,
                version=1, unit_id=unit_id, person_id=person_id, reviewing_unit_id=ctx.reviewing_unit_id,
                opened_by_id=actor.id, opened_at=now, opened_on=today, data=json_safe(ctx.data),
                audit_seq=1, audit_hash=GENESIS_HASH, deadline_extended=False)
    session.add(case)
    session.flush()
    actor_name = _actor_name(actor)
    event_hash = chain_hash(GENESIS_HASH, canonical(
        case_id=case.id, seq=1, actor_id=actor.id, actor_name=actor_name, action="start", from_state=None,
        to_state=state_value, payload=audit_payload, comment=comment, at=now, request_id=request_id,
    ))
    case.audit_hash = event_hash
    conn = session.connection()
    P_INSERT_EVENT.execute(conn, {
        "case_id": case.id, "seq": 1, "actor_id": actor.id, "actor_name": actor_name, "action": "start",
        "from_state": None, "to_state": state_value, "payload": audit_payload, "comment": comment,
        "at": now, "request_id": request_id, "prev_hash": GENESIS_HASH, "hash": event_hash,
    })
    session.flush()
    _create_timers(conn, proc, ctx, case.id, state_value, now)
    return case


def record(
    session: Session,
    case: Case | int,
    action: str,
    actor=None,
    payload: dict | None = None,
    *,
    comment: str | None = None,
    request_id: str | None = None,
) -> int:
    """Append a non-state-changing event (e.g. a document was uploaded or read);
    returns its sequence number. The caller has already authorised the actor."""
    case_id = case if isinstance(case, int) else case.id
    try:
        conn = session.connection()
        snap = _load(conn, case_id, lock=True)
        process = _process_of(snap)
        if action in process.by_action or action == "start":
            raise WorkflowError(f"{action!r} is a transition; use act()")
        now = clock.now()
        seq = snap.audit_seq + 1
        data = json_safe(dict(payload or {}))
        actor_id, actor_name = _actor_id(actor), _actor_name(actor)
        event_hash = chain_hash(snap.audit_hash, canonical(
            case_id=case_id, seq=seq, actor_id=actor_id, actor_name=actor_name, action=action,
            from_state=snap.state, to_state=snap.state, payload=data, comment=comment, at=now,
            request_id=request_id,
        ))
        if P_UPDATE_HEAD.rowcount(conn, {"cid": case_id, "old_seq": snap.audit_seq, "new_seq": seq,
                                         "new_hash": event_hash}) != 1:
            raise StaleCase(case_id, snap.version, None)
        P_INSERT_EVENT.execute(conn, {
            "case_id": case_id, "seq": seq, "actor_id": actor_id, "actor_name": actor_name, "action": action,
            "from_state": snap.state, "to_state": snap.state, "payload": data, "comment": comment, "at": now,
            "request_id": request_id, "prev_hash": snap.audit_hash, "hash": event_hash,
        })
        session.commit()
    except BaseException:
        session.rollback()
        raise
    _sync_identity_map(session, case_id, {"audit_seq": seq, "audit_hash": event_hash})
    return seq


def available_actions(session: Session, case: Case | int, user) -> list[CompiledTransition]:
    """Exactly the transitions ``act`` would accept from this user on state and
    permission grounds (guards and payloads are checked when acting)."""
    case_id = case if isinstance(case, int) else case.id
    snap = _load(session.connection(), case_id, lock=False)
    process = _process_of(snap)
    candidates = [ct for ct in process.from_state.get(snap.state, ()) if not ct.is_system]
    if not candidates or user is None:
        return []
    rows = role_rows(session.connection(), user.id)
    ancestors = path_ids(snap.unit_path)
    out = []
    for ct in candidates:
        ctx = Context(session, process, snap, user, ct)
        if matching_unit(ct.roles, ct.level, rows, ancestors, snap.reviewing_unit_id, ctx) is not None:
            out.append(ct)
    return out


def can_start(session: Session, process, unit, user) -> list[str]:
    """The start states of ``process`` that ``user`` may open at ``unit``."""
    proc = _resolve_process(process)
    unit_id, unit_path = _unit_path(session, unit)
    rows = role_rows(session.connection(), user.id)
    out = []
    for state, spec in proc.start_specs.items():
        roles = frozenset(getattr(r, "value", r) for r in (
            spec.roles if isinstance(spec.roles, (list, tuple, set, frozenset)) else (spec.roles,)))
        if matching_unit(roles, spec.level, rows, path_ids(unit_path), None, None) is not None:
            out.append(state)
    return out


def load_snapshot(session: Session, case_id: int) -> CaseSnapshot:
    return _load(session.connection(), case_id, lock=False)


def get_rulebook_of(case: Case):
    """The rulebook ``case`` was opened under, from its process's set."""
    return _process_of(case).rulebooks.get(case.rulebook)


def fire_timer(session: Session, timer_id: int, now: dt.datetime | None = None) -> str | None:
    """Fire one durable timer, idempotently (see :func:`workflow.timers.fire_timer`)."""
    from .timers import fire_timer as _fire

    return _fire(session, timer_id, now)
