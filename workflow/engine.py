"""The engine: ``start``, ``apply``, ``act``, ``record`` (the read side,
``available_actions`` and friends, is :mod:`workflow.access`).

``apply`` moves a case inside the caller's transaction: read and lock the case (``SELECT ... FOR
UPDATE`` on PostgreSQL; on SQLite the write lock is taken by the conditional UPDATE, which also
compares the version), check the version, the state, the actor's role at the right unit, the
payload, the vote and the guards; then change the state, apply the effects, append exactly one audit
event, create and cancel timers and set the deadline. ``act`` is ``apply`` plus the commit, and
rolls back on any refusal, so a refused action leaves the database unchanged. Callers that move
several cases at once (a class's course results) or claim something in the same transaction (a
timer) call ``apply`` and commit themselves.

The hot path runs prepared Core statements (:mod:`workflow.statements`) and never loads ORM
objects; ORM copies of the case already in the session are refreshed in place. Hooks of the
layers above (:mod:`workflow.event_hooks`) run in the same transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core import clock
from core.levels import matching_unit, path_ids, role_rows

from . import audit, checks, event_hooks, idempotency, statements
from .audit import json_safe
from .deadlines import next_deadline
from .errors import ActionNotAvailable, GuardFailed, NotPermitted, StaleCase, WorkflowError
from .guards import CaseSnapshot, Context, validate_form
from .i18n import _
from .models import GENESIS_HASH, Case

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


def _replay(conn, actor, key: str, fingerprint: str) -> ActResult | None:
    stored = idempotency.recall(conn, audit.actor_id(actor), key, fingerprint)
    return None if stored is None else ActResult(**stored, replayed=True)


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
    ``idempotency_key`` makes a retry of the same request (case, action,
    payload) by the same actor, even a simultaneous one, return the first
    result (``replayed=True``) without acting again
    (:func:`workflow.idempotency.run_once`). Returns an :class:`ActResult`.
    Any refusal rolls the transaction back and raises one of:

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
    - :class:`~workflow.idempotency.KeyReused`: the key was first used for
      another request (another case, action or payload);
    - :class:`~workflow.errors.WorkflowError`: a definition error (a chooser
      returned an unknown outcome);
    - ``sqlalchemy.exc.IntegrityError``: a database constraint refused a write
      twice (the act runs once more after the first such refusal);
    - ``KeyError``: the case's process (name, version) is not registered, a
      deployment error (a process removed while cases still run on it).

    An effect of the transition may raise its own errors; they roll back the act too.
    """
    case_id = case if isinstance(case, int) else case.id
    fingerprint = idempotency.act_fingerprint(case_id, action, payload) if idempotency_key is not None else ""

    def work() -> ActResult:
        result, synced = _apply(session, case_id, action, actor, payload, expected_version, idempotency_key,
                                comment, request_id, None, fingerprint)
        session.commit()
        if synced:
            statements.sync_orm_copy(session, case_id, synced)
        return result

    return idempotency.run_once(session, audit.actor_id(actor), idempotency_key, fingerprint, work,
                                lambda stored: ActResult(**stored, replayed=True))


def apply(session: Session, case: Case | int, action: str, actor=None, payload: dict | None = None,
          expected_version: int | None = None, idempotency_key: str | None = None, *,
          comment: str | None = None, request_id: str | None = None, now: dt.datetime | None = None) -> ActResult:
    """Everything :func:`act` does except the commit: the caller owns the
    transaction, commits it, and must roll it back when this raises (the
    errors are those of :func:`act`). ``now`` (naive UTC) fixes the acting time,
    e.g. a timer's firing time.
    """
    case_id = case if isinstance(case, int) else case.id
    fingerprint = idempotency.act_fingerprint(case_id, action, payload) if idempotency_key is not None else ""
    return _apply(session, case_id, action, actor, payload, expected_version, idempotency_key, comment,
                  request_id, now, fingerprint)[0]


def _apply(session, case_id, action, actor, payload, expected_version, idempotency_key, comment, request_id,
           now, fingerprint) -> tuple[ActResult, dict | None]:
    """:func:`apply`, also returning the values ``act`` syncs into the session after its commit;
    ``fingerprint`` is the request's (:func:`workflow.idempotency.act_fingerprint`) when a key is given."""
    conn = session.connection()
    if idempotency_key is not None:
        replay = _replay(conn, actor, idempotency_key, fingerprint)
        if replay is not None:
            return replay, None
    audit.lock_appends(conn)
    if actor is not None:
        snap, roles = statements.load_with_roles(conn, case_id, actor.id, lock=True)
    else:
        snap, roles = statements.load(conn, case_id, lock=True), []
    if idempotency_key is not None and statements.is_pg(conn):
        # We may have waited for the row lock behind an act with the same key.
        replay = _replay(conn, actor, idempotency_key, fingerprint)
        if replay is not None:
            return replay, None
    if expected_version is not None and snap.version != expected_version:
        raise StaleCase(case_id, expected_version, snap.version)
    process = checks.process_of(snap)
    ct = checks.find_transition(process, snap, action)
    ctx = Context(session, process, snap, actor, ct, now=now)
    ctx.acting_unit_id = checks.check_permission(roles, ct, snap, actor)
    checks.check_applies(ct, ctx)  # what available_actions does not offer for this case's facts is refused
    audit_payload = checks.validate(ct, ctx, payload)
    to_state, outcome = checks.choose_target(ct, ctx)
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

    actor_id = audit.actor_id(actor)
    seq, event_hash = audit.append(
        conn, case_id=case_id, prev_seq=snap.audit_seq, prev_hash=snap.audit_hash, actor_id=actor_id,
        actor_name=audit.actor_name(actor), action=action, from_state=snap.state, to_state=to_state,
        payload=audit_payload, comment=comment, at=now, request_id=request_id, move_head=move_case)
    synced = {
        "state": to_state, "version": version, "audit_seq": seq, "audit_hash": event_hash, "closed_at": closed_at,
        "deadline_at": deadline_at, "deadline_kind": deadline_kind, "deadline_label": deadline_label,
        "deadline_extended": extended,
    }
    # Effects that load the case through the ORM see it moved.
    statements.sync_orm_copy(session, case_id, synced)
    for effect in ct.effects:
        effect(ctx)
    if ctx.data_changed or ctx.reviewing_unit_id != snap.reviewing_unit_id:
        session.flush()
        statements.P_UPDATE_CASE_DATA.execute(conn, {"cid": case_id, "new_data": ctx.data,
                                                     "new_reviewing": ctx.reviewing_unit_id})
        synced.update(data=ctx.data, reviewing_unit_id=ctx.reviewing_unit_id)
        statements.sync_orm_copy(session, case_id, synced)
    if to_state != snap.state:
        if snap.state in process.timer_states:
            statements.P_CANCEL_TIMERS.execute(conn, {"cid": case_id, "now": now})
        _create_timers(conn, process, ctx, case_id, to_state, now)
    event_hooks.run(conn, case_id, seq, action, to_state, closing_changes and closed_at is not None)
    event_hooks.run_move(conn, snap, snap.state, to_state, snap.closed_at is None, closed_at is None)
    result = ActResult(case_id=case_id, action=action, from_state=snap.state, to_state=to_state, version=version,
                       seq=seq, outcome=outcome, event_hash=event_hash)
    if idempotency_key is not None:
        idempotency.remember(conn, actor_id, idempotency_key, case_id, result.as_dict(), now, fingerprint)
    return result, synced


def _create_timers(conn, process, ctx, case_id: int, state: str, now: dt.datetime) -> None:
    if state not in process.timer_states:
        return
    for ct in process.from_state.get(state, ()):
        if ct.timer is not None and ct.timer.applies(ctx):
            statements.P_INSERT_TIMER.execute(conn, {"case_id": case_id, "state": state, "action": ct.action,
                                                    "due_at": ct.timer.due_at(ctx), "created_at": now,
                                                    "fired_at": None, "cancelled_at": None, "outcome": None})


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

    The same ``idempotency_key`` (per actor) with the same request (process,
    unit, person, state, data, payload), even simultaneous, returns the case
    opened the first time; with another request it raises
    :class:`~workflow.idempotency.KeyReused`. A process declaring
    ``one_open_per_person = True`` has at most one open case per person (the
    unique index ``uq_wf_case_one_open``); the loser of two simultaneous opens
    runs again, and is refused as a later second open is: by the process's
    guards, or in the engine's words if they have none. Raises
    :class:`~workflow.errors.NotPermitted`,
    :class:`~workflow.errors.ActionNotAvailable` (no such start state),
    :class:`~workflow.errors.InvalidPayload`, :class:`~workflow.errors.GuardFailed`
    or :class:`~workflow.errors.WorkflowError` (no such unit); nothing is written then.
    """
    start_key = f"start:{idempotency_key}" if idempotency_key is not None and actor is not None else None
    fingerprint = (idempotency.start_fingerprint(process, unit, person, state, data, payload, reviewing_unit)
                   if start_key else "")

    def work() -> Case:
        if start_key is not None:
            stored = idempotency.recall(session.connection(), actor.id, start_key, fingerprint)
            if stored is not None:
                session.rollback()
                return session.get(Case, stored["case_id"])
        case = _start(session, process, unit=unit, actor=actor, person=person, data=data, state=state,
                      payload=payload, reviewing_unit=reviewing_unit, comment=comment, request_id=request_id)
        if start_key is not None:
            idempotency.remember(session.connection(), actor.id, start_key, case.id,
                                 {"case_id": case.id, "state": case.state}, case.opened_at, fingerprint)
        session.commit()
        return case

    return idempotency.run_once(session, audit.actor_id(actor), start_key, fingerprint, work,
                                lambda stored: session.get(Case, stored["case_id"]))


def _already_open(session, proc, person_id) -> list[str]:
    """The refusal of a second open case of a ``one_open_per_person`` process in the engine's words,
    for when the process's guards have none (the unique index is what holds under races). Read
    before the guards, so that they see any case committed meanwhile and word its refusal."""
    if not getattr(proc, "one_open_per_person", False) or person_id is None:
        return []
    open_id = session.scalar(sa.select(Case.id).where(Case.process == proc.name, Case.person_id == person_id,
                                                      Case.closed_at.is_(None), Case.one_open_per_person))
    return [_("This person already has an open case of this kind (no. %(id)s).", id=open_id)] if open_id else []


def start_linked(ctx, process, *, state=None, payload: dict | None = None, data: dict | None = None,
                 comment: str | None = None, person=None) -> Case:
    """From an effect: open a case of ``process`` (a name or a Process class)
    about the same person (or ``person``, for a case about no one person, e.g. a
    branch's grading round) at the same unit, as the same actor, in the acting
    transaction (both commit or neither does). Who may open it is checked as
    for :func:`start`, with the same errors."""
    person_id = getattr(person, "id", person) if person is not None else ctx.snapshot.person_id
    return _start(ctx.session, process, unit=ctx.snapshot.unit_id, actor=ctx.actor, person=person_id,
                  data=data, state=state, payload=payload, comment=comment, now=ctx.now)


def _start(session, process, *, unit, actor, person=None, data=None, state=None, payload=None,
           reviewing_unit=None, comment=None, request_id=None, now=None) -> Case:
    proc = checks.resolve_process(process)
    state_value = getattr(state, "value", state) if state is not None else next(iter(proc.start_specs))
    spec = proc.start_specs.get(state_value)
    if spec is None:
        raise ActionNotAvailable("start", state_value)
    audit.lock_appends(session.connection())  # before the new row's unique-index entry (see apply)
    unit_id, unit_path = statements.unit_of(session, unit)
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
    ctx.acting_unit_id = matching_unit(checks.start_roles(spec), spec.level, role_rows(session.connection(), actor.id),
                                       path_ids(unit_path), reviewing_id)
    if ctx.acting_unit_id is None:
        raise NotPermitted(_("You may not open this kind of case at this unit."))
    audit_payload = validate_form(spec.form, payload, ctx)[0] if spec.form else json_safe(dict(payload or {}))
    ctx.payload = audit_payload
    already_open = _already_open(session, proc, person_id)  # read before the guards: see its docstring
    reasons = [str(r) for r in (g(ctx) for g in spec.guards) if r] or already_open
    if reasons:
        raise GuardFailed(reasons)
    for effect in spec.effects:
        effect(ctx)
    case = Case(process=proc.name, process_version=proc.version, rulebook=rulebook.code, state=state_value,
                version=1, unit_id=unit_id, person_id=person_id, reviewing_unit_id=ctx.reviewing_unit_id,
                one_open_per_person=bool(getattr(proc, "one_open_per_person", False)),
                opened_by_id=actor.id, opened_at=now, opened_on=today, data=json_safe(ctx.data),
                audit_seq=1, audit_hash=GENESIS_HASH, deadline_extended=False)
    session.add(case)
    session.flush()
    conn = session.connection()
    _seq, case.audit_hash = audit.append(
        conn, case_id=case.id, prev_seq=0, prev_hash=GENESIS_HASH, actor_id=actor.id,
        actor_name=audit.actor_name(actor), action="start", from_state=None, to_state=state_value,
        payload=audit_payload, comment=comment, at=now, request_id=request_id)
    session.flush()
    _create_timers(conn, proc, ctx, case.id, state_value, now)
    event_hooks.run_move(conn, event_hooks.Opened(case.id, proc.name, now, unit_path), None, state_value)
    return case


def record(session: Session, case: Case | int, action: str, actor=None, payload: dict | None = None, *,
           comment: str | None = None, request_id: str | None = None) -> int:
    """Append a non-state-changing event (e.g. a document was uploaded or read)
    and commit; returns its sequence number. The caller has already authorised
    the actor. Raises :class:`~workflow.errors.CaseNotFound`,
    :class:`~workflow.errors.StaleCase` (another writer moved the chain head) or
    :class:`~workflow.errors.WorkflowError` (``action`` is a transition)."""
    case_id = case if isinstance(case, int) else case.id
    try:
        conn = session.connection()
        audit.lock_appends(conn)
        snap = statements.load(conn, case_id, lock=True)
        process = checks.process_of(snap)
        if action in process.by_action or action == "start":
            raise WorkflowError(f"{action!r} is a transition; use act()")

        def move_head(seq: int, event_hash: str) -> None:
            if statements.P_UPDATE_HEAD.rowcount(conn, {"cid": case_id, "old_seq": snap.audit_seq,
                                                        "new_seq": seq, "new_hash": event_hash}) != 1:
                raise StaleCase(case_id, snap.version, None)

        seq, event_hash = audit.append(
            conn, case_id=case_id, prev_seq=snap.audit_seq, prev_hash=snap.audit_hash, actor_id=audit.actor_id(actor),
            actor_name=audit.actor_name(actor), action=action, from_state=snap.state, to_state=snap.state,
            payload=json_safe(dict(payload or {})), comment=comment, at=clock.now(), request_id=request_id,
            move_head=move_head)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    statements.sync_orm_copy(session, case_id, {"audit_seq": seq, "audit_hash": event_hash})
    return seq
