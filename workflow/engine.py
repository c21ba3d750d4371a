"""The engine: ``start``, ``apply``, ``act``, ``record``, ``available_actions``.

``apply`` moves a case inside the caller's transaction: read and lock the case
(``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the write lock is taken by
the conditional UPDATE, which also compares the version), check the version,
the state, the actor's role at the right unit, the payload, the vote and the
guards; then change the state, apply the effects, append exactly one audit
event, create and cancel timers and set the deadline. ``act`` is ``apply``
plus the commit, and rolls back on any refusal, so a refused action leaves the
database unchanged. Callers that move several cases at once (a class's course
results) or claim something in the same transaction (a timer) call ``apply``
and commit themselves.

The hot path runs prepared Core statements (:mod:`workflow.statements`) and
never loads ORM objects; ORM copies of the case already in the session are
refreshed in place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from core.models import Unit

from . import audit, clock, idempotency, statements
from .audit import json_safe
from .deadlines import next_deadline
from .definition import CompiledTransition, Process, get_process
from .errors import ActionNotAvailable, GuardFailed, InvalidPayload, NotPermitted, StaleCase, UnknownAction, \
    WorkflowError
from .guards import CaseSnapshot, Context, RoleRow, matching_unit, path_ids, role_rows, validate_form
from .i18n import _
from .models import GENESIS_HASH, Case
from .rulebooks import get_rulebook, rulebook_for
from .votes import VoteForm, VoteRule, normalise_vote_keys

SYSTEM_NAME = "system"

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
        """The stored form (without ``replayed``)."""
        d = dataclasses.asdict(self)
        d.pop("replayed")
        return d


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


def _replay(conn, actor, key: str) -> ActResult | None:
    stored = idempotency.recall(conn, _actor_id(actor), key)
    return None if stored is None else ActResult(**stored, replayed=True)


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
    """Take ``action`` on ``case`` as ``actor`` (None = the system), in one committed transaction.

    ``payload`` is the action's form data (a dict of JSON values);
    ``expected_version`` the version the caller read (optimistic concurrency);
    ``idempotency_key`` makes a retry by the same actor return the first
    result (``replayed=True``) without acting again. Returns an
    :class:`ActResult`. Any refusal rolls the transaction back and raises one of:

    - :class:`~workflow.errors.CaseNotFound`: no such case;
    - :class:`~workflow.errors.UnknownAction`: the process has no such action;
    - :class:`~workflow.errors.ActionNotAvailable`: not from the case's state;
    - :class:`~workflow.errors.NotPermitted`: the actor holds no role for it at
      the right unit (or a person acts for the system, or vice versa);
    - :class:`~workflow.errors.StaleCase`: ``expected_version`` is not the
      case's, or another writer moved it meanwhile;
    - :class:`~workflow.errors.InvalidPayload`: the form or the vote's
      arithmetic is invalid (``errors`` by field);
    - :class:`~workflow.errors.GuardFailed`: a rule refused (``reasons``);
    - :class:`~workflow.errors.WorkflowError`: a definition error (a chooser
      returned an unknown outcome);
    - ``sqlalchemy.exc.IntegrityError``: a database constraint refused a write
      that was not a concurrent retry of the same idempotency key.
    """
    case_id = case if isinstance(case, int) else case.id
    try:
        result, synced = _apply(session, case_id, action, actor, payload, expected_version, idempotency_key,
                                comment, request_id, None)
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


def apply(
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
    now: dt.datetime | None = None,
) -> ActResult:
    """Everything :func:`act` does except the commit: the caller owns the
    transaction, commits it, and must roll it back when this raises (the
    errors are those of :func:`act`). ``now`` (naive UTC) fixes the acting time,
    e.g. a timer's firing time.
    """
    case_id = case if isinstance(case, int) else case.id
    return _apply(session, case_id, action, actor, payload, expected_version, idempotency_key, comment,
                  request_id, now)[0]


def _apply(session, case_id, action, actor, payload, expected_version, idempotency_key, comment, request_id,
           now) -> tuple[ActResult, dict | None]:
    """:func:`apply`, also returning the values ``act`` syncs into the session after its commit."""
    conn = session.connection()
    if idempotency_key is not None:
        replay = _replay(conn, actor, idempotency_key)
        if replay is not None:
            return replay, None
    if actor is not None:
        snap, roles = statements.load_with_roles(conn, case_id, actor.id, lock=True)
    else:
        snap, roles = statements.load(conn, case_id, lock=True), []
    if idempotency_key is not None and statements.is_pg(conn):
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
    deadline_at, deadline_kind, deadline_label, extended = next_deadline(ct, ctx, snap)
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

    version = snap.version + 1
    closing_changes = closed_at != snap.closed_at
    deadline_changes = (deadline_at != snap.deadline_at or deadline_kind != snap.deadline_kind
                        or deadline_label != snap.deadline_label or extended != bool(snap.deadline_extended))

    def move_case(seq: int, event_hash: str) -> None:
        updated = statements.P_UPDATE_CASE[closing_changes, deadline_changes].rowcount(conn, {
            "cid": case_id, "old_version": snap.version, "old_seq": snap.audit_seq,
            "new_state": to_state, "new_version": version, "new_seq": seq, "new_hash": event_hash,
            "new_closed_at": closed_at, "new_deadline_at": deadline_at, "new_deadline_kind": deadline_kind,
            "new_deadline_label": deadline_label, "new_deadline_extended": extended,
        })
        if updated != 1:
            raise StaleCase(case_id, expected_version if expected_version is not None else snap.version,
                            statements.case_version(conn, case_id))

    actor_id = _actor_id(actor)
    seq, event_hash = audit.append(
        conn, case_id=case_id, prev_seq=snap.audit_seq, prev_hash=snap.audit_hash, actor_id=actor_id,
        actor_name=_actor_name(actor), action=action, from_state=snap.state, to_state=to_state,
        payload=audit_payload, comment=comment, at=now, request_id=request_id, move_head=move_case)
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
        statements.P_UPDATE_CASE_DATA.execute(conn, {"cid": case_id, "new_data": ctx.data,
                                                     "new_reviewing": ctx.reviewing_unit_id})
        synced["data"] = ctx.data
        synced["reviewing_unit_id"] = ctx.reviewing_unit_id
        _sync_identity_map(session, case_id, synced)
    if to_state != snap.state:
        if snap.state in process.timer_states:
            statements.P_CANCEL_TIMERS.execute(conn, {"cid": case_id, "now": now})
        _create_timers(conn, process, ctx, case_id, to_state, now)
    result = ActResult(case_id=case_id, action=action, from_state=snap.state, to_state=to_state, version=version,
                       seq=seq, outcome=outcome, event_hash=event_hash)
    if idempotency_key is not None:
        idempotency.remember(conn, actor_id, idempotency_key, case_id, result.as_dict(), now)
    return result, synced


def _create_timers(conn, process, ctx, case_id: int, state: str, now: dt.datetime) -> None:
    if state not in process.timer_states:
        return
    for ct in process.from_state.get(state, ()):
        if ct.timer is not None and ct.timer.applies(ctx):
            statements.P_INSERT_TIMER.execute(conn, {"case_id": case_id, "state": state, "action": ct.action,
                                                    "due_at": ct.timer.due_at(ctx), "created_at": now,
                                                    "fired_at": None, "cancelled_at": None, "outcome": None})


def _unit_path(session, unit) -> tuple[int, str]:
    if isinstance(unit, Unit):
        return unit.id, unit.path
    path = statements.unit_path(session.connection(), unit)
    if path is None:
        raise WorkflowError(f"unit {unit} does not exist")
    return int(unit), path


def _resolve_process(process) -> type[Process]:
    if isinstance(process, type) and issubclass(process, Process):
        return process
    return get_process(process)


def _start_roles(spec) -> frozenset[str]:
    roles = spec.roles if isinstance(spec.roles, (list, tuple, set, frozenset)) else (spec.roles,)
    return frozenset(getattr(r, "value", r) for r in roles)


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
    """Open a case of ``process`` (a Process class or its name) at ``unit`` (its
    home unit, a Unit or an id) in ``state`` (default: the first declared
    start), checking who may open it there; writes audit seq 1 and commits.
    The same ``idempotency_key`` (per actor) returns the case opened the first
    time. Raises :class:`~workflow.errors.NotPermitted`,
    :class:`~workflow.errors.ActionNotAvailable` (no such start state),
    :class:`~workflow.errors.InvalidPayload`, :class:`~workflow.errors.GuardFailed`
    or :class:`~workflow.errors.WorkflowError` (no such unit); nothing is written then.
    """
    start_key = f"start:{idempotency_key}" if idempotency_key is not None and actor is not None else None
    try:
        if start_key is not None:
            stored = idempotency.recall(session.connection(), actor.id, start_key)
            if stored is not None:
                session.rollback()
                return session.get(Case, stored["case_id"])
        case = _start(session, process, unit=unit, actor=actor, person=person, data=data, state=state,
                      payload=payload, reviewing_unit=reviewing_unit, comment=comment, request_id=request_id)
        if start_key is not None:
            idempotency.remember(session.connection(), actor.id, start_key, case.id,
                                 {"case_id": case.id, "state": case.state}, case.opened_at)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return case


def start_linked(ctx, process, *, state=None, payload: dict | None = None, data: dict | None = None,
                 comment: str | None = None) -> Case:
    """From an effect: open a case of ``process`` (a name or a Process class)
    about the same person at the same unit, as the same actor, in the acting
    transaction (both commit or neither does). Who may open it is checked as
    for :func:`start`, with the same errors."""
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
    rulebook = rulebook_for(today)
    snap = CaseSnapshot((None, proc.name, proc.version, rulebook.code, state_value, 1, unit_id, person_id,
                         reviewing_id, now, today, None, None, None, None, False, dict(data or {}), 0,
                         GENESIS_HASH, unit_path))
    ctx = Context(session, proc, snap, actor, None, now=now)
    ctx.from_state = None
    ctx.to_state = state_value
    if actor is None:
        raise NotPermitted()
    ctx.acting_unit_id = matching_unit(_start_roles(spec), spec.level, role_rows(session.connection(), actor.id),
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
    conn = session.connection()
    _seq, case.audit_hash = audit.append(
        conn, case_id=case.id, prev_seq=0, prev_hash=GENESIS_HASH, actor_id=actor.id,
        actor_name=_actor_name(actor), action="start", from_state=None, to_state=state_value,
        payload=audit_payload, comment=comment, at=now, request_id=request_id)
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
    """Append a non-state-changing event (e.g. a document was uploaded or read)
    and commit; returns its sequence number. The caller has already authorised
    the actor. Raises :class:`~workflow.errors.CaseNotFound`,
    :class:`~workflow.errors.StaleCase` (another writer moved the chain head) or
    :class:`~workflow.errors.WorkflowError` (``action`` is a transition)."""
    case_id = case if isinstance(case, int) else case.id
    try:
        conn = session.connection()
        snap = statements.load(conn, case_id, lock=True)
        process = _process_of(snap)
        if action in process.by_action or action == "start":
            raise WorkflowError(f"{action!r} is a transition; use act()")

        def move_head(seq: int, event_hash: str) -> None:
            if statements.P_UPDATE_HEAD.rowcount(conn, {"cid": case_id, "old_seq": snap.audit_seq,
                                                        "new_seq": seq, "new_hash": event_hash}) != 1:
                raise StaleCase(case_id, snap.version, None)

        seq, event_hash = audit.append(
            conn, case_id=case_id, prev_seq=snap.audit_seq, prev_hash=snap.audit_hash, actor_id=_actor_id(actor),
            actor_name=_actor_name(actor), action=action, from_state=snap.state, to_state=snap.state,
            payload=json_safe(dict(payload or {})), comment=comment, at=clock.now(), request_id=request_id,
            move_head=move_head)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    _sync_identity_map(session, case_id, {"audit_seq": seq, "audit_hash": event_hash})
    return seq


def _permitted(process, snap: CaseSnapshot, rows: list[RoleRow], session, user,
               transitions) -> list[CompiledTransition]:
    ancestors = path_ids(snap.unit_path)
    return [ct for ct in transitions
            if matching_unit(ct.roles, ct.level, rows, ancestors, snap.reviewing_unit_id,
                             Context(session, process, snap, user, ct)) is not None]


def available_actions(session: Session, case: Case | int, user) -> list[CompiledTransition]:
    """Exactly the transitions ``act`` would accept from this user on state and
    permission grounds (guards and payloads are checked when acting)."""
    case_id = case if isinstance(case, int) else case.id
    snap = statements.load(session.connection(), case_id, lock=False)
    process = _process_of(snap)
    candidates = [ct for ct in process.from_state.get(snap.state, ()) if not ct.is_system]
    if not candidates or user is None:
        return []
    return _permitted(process, snap, role_rows(session.connection(), user.id), session, user, candidates)


def permitted_actions(session: Session, case: Case | int, user, action: str) -> list[CompiledTransition]:
    """The transitions named ``action``, from any state of the case's process,
    that ``user``'s roles would permit on this case (the same role-at-level
    rule as :func:`act`, whatever the current state): empty when the user
    could never take it here."""
    case_id = case if isinstance(case, int) else case.id
    snap = statements.load(session.connection(), case_id, lock=False)
    process = _process_of(snap)
    candidates = [ct for ct in process.by_action.get(action, ()) if not ct.is_system]
    if not candidates or user is None:
        return []
    return _permitted(process, snap, role_rows(session.connection(), user.id), session, user, candidates)


def can_start(session: Session, process, unit, user) -> list[str]:
    """The start states of ``process`` that ``user`` may open at ``unit``."""
    proc = _resolve_process(process)
    unit_id, unit_path = _unit_path(session, unit)
    rows = role_rows(session.connection(), user.id)
    return [state for state, spec in proc.start_specs.items()
            if matching_unit(_start_roles(spec), spec.level, rows, path_ids(unit_path), None, None) is not None]


def load_snapshot(session: Session, case_id: int) -> CaseSnapshot:
    """The case as the engine reads it (no lock). Raises CaseNotFound."""
    return statements.load(session.connection(), case_id, lock=False)


def get_rulebook_of(case: Case):
    return get_rulebook(case.rulebook)
