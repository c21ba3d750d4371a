"""Who may take what, now or ever: the read side of the engine's permission
rule (the level rule of :mod:`core.levels`, which :func:`workflow.engine.act`
applies) and of the transitions' :class:`~workflow.definition.Applies`
predicates on the case's facts, for one case, for a page of cases in bulk, and
in SQL for lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.levels import (REVIEWING, ReviewingAt, RoleRow, atom_criterion, holder_atoms, holders_criterion, matching_unit,
                         path_ids, role_rows, value_of)
from core.models import Person, RoleAssignment, Unit, User
from core.permissions import actable

from . import checks, statements
from .definition import CompiledTransition, Process
from .guards import CaseSnapshot
from .models import Case, Timer


class CaseFacts:
    """The facts an :class:`~workflow.definition.Applies` predicate reads, for a case
    read as a snapshot: its ``data``, and its ``person`` (loaded on first use)."""

    def __init__(self, session: Session, snap: CaseSnapshot):
        self._session, self._person_id, self.data = session, snap.person_id, dict(snap.data or {})
        self._person: Person | None = None

    @property
    def person(self) -> Person | None:
        if self._person is None and self._person_id is not None:
            self._person = self._session.get(Person, self._person_id)
        return self._person


def _permitted(rows: list[RoleRow], unit_path: str, reviewing_unit_id: int | None,
               transitions: Iterable[CompiledTransition], facts=None) -> list[CompiledTransition]:
    ancestors = path_ids(unit_path)
    return [ct for ct in transitions if not ct.is_system
            and checks.granted_unit(ct, rows, ancestors, reviewing_unit_id) is not None
            and (facts is None or checks.applies(ct, facts))]


def permitted_now(process: type[Process], state: str, unit_path: str, reviewing_unit_id: int | None,
                  rows: list[RoleRow], facts) -> list[CompiledTransition]:
    """The transitions from ``state`` that a user with role ``rows`` may take on a
    case of ``process`` at ``unit_path`` (with that reviewing unit) whose ``facts``
    (``.data`` and ``.person``: a ``Case`` row with its person loaded, or
    :class:`CaseFacts`) they apply to: what :func:`available_actions` answers,
    without a query (for a page of cases at once)."""
    return _permitted(rows, unit_path, reviewing_unit_id, process.from_state.get(state, ()), facts)


def available_actions(session: Session, case: Case | int, user) -> list[CompiledTransition]:
    """Exactly the transitions ``act`` would accept from this user on state,
    permission and the case's facts (its transitions' ``applies``); the payload
    and its guards are checked when acting.

    Raises :class:`~workflow.errors.CaseNotFound`."""
    case_id = case if isinstance(case, int) else case.id
    snap = statements.load(session.connection(), case_id, lock=False)
    process = checks.process_of(snap)
    if user is None or not any(not ct.is_system for ct in process.from_state.get(snap.state, ())):
        return []
    return permitted_now(process, snap.state, snap.unit_path, snap.reviewing_unit_id,
                         role_rows(session.connection(), user.id), CaseFacts(session, snap))


def permitted_actions(session: Session, case: Case | int, user, action: str) -> list[CompiledTransition]:
    """The transitions named ``action``, from any state of the case's process,
    that ``user``'s roles would permit on this case (the same role-at-level
    rule as :func:`act`, whatever the current state): empty when the user
    could never take it here. Raises :class:`~workflow.errors.CaseNotFound`."""
    case_id = case if isinstance(case, int) else case.id
    snap = statements.load(session.connection(), case_id, lock=False)
    process = checks.process_of(snap)
    candidates = [ct for ct in process.by_action.get(action, ()) if not ct.is_system]
    if not candidates or user is None:
        return []
    return _permitted(role_rows(session.connection(), user.id), snap.unit_path, snap.reviewing_unit_id, candidates)


def actable_cases(rows: list[RoleRow], processes: Iterable[type[Process]], *, unit_path):
    """SQL criterion on :class:`~workflow.models.Case` (and ``unit_path``, the
    path column of its home unit, joined by the caller): the cases of
    ``processes`` where a user with role ``rows`` (with paths) may act now,
    i.e. where :func:`available_actions` is not empty: the level rule of every
    grant, and the SQL twin of the transition's ``applies``."""
    transitions = [(p.name, p.version, ct.sources, roles, level, ct.applies.sql if ct.applies else None)
                   for p in processes for cts in p.by_action.values() for ct in cts if not ct.is_system
                   for roles, level in ct.grants]
    return actable(rows, transitions, process=Case.process, version=Case.process_version, state=Case.state,
                   unit_path=unit_path, reviewing_unit=Case.reviewing_unit_id)


@dataclass(frozen=True)
class ActableStep:
    """The cases of one ``process`` ``version`` at one ``state`` where a user may act
    now (a part of :func:`actable_cases`, which is the OR of every part): ``on_path``
    a criterion on the case (and ``unit_path``) through the units where the user holds
    a role on the case's path, or None; ``reviewing`` one through the reviewing unit
    they hold a role at, or None (not implied by the user's scope: the caller adds
    what the user may see). Each carries the transition's facts criterion."""

    process: str
    version: int
    state: str
    on_path: object
    reviewing: object


def actable_steps(rows: list[RoleRow], processes: Iterable[type[Process]], *, unit_path,
                  reviewing_unit=Case.reviewing_unit_id, implied: frozenset[str] = frozenset()) -> list[ActableStep]:
    """:func:`actable_cases` split by (process, version, state), in a stable order:
    one part each that an index on (process, state, deadline) serves in deadline
    order (the inbox merges them). A case of that process, version and state
    matches :func:`actable_cases` exactly when ``on_path`` or ``reviewing`` holds.
    A path in ``implied`` is one the caller's query already holds every case to:
    its atom is TRUE rather than a ``LIKE`` (shorter to plan)."""
    plan: dict[tuple[str, int, str], set[tuple]] = {}
    for p in processes:
        for cts in p.by_action.values():
            for ct in cts:
                if ct.is_system:
                    continue
                facts = ct.applies.sql if ct.applies else None
                for roles, level in ct.grants:
                    for atom in holder_atoms(roles, level, rows):
                        for state in ct.sources:
                            plan.setdefault((p.name, p.version, state), set()).add((atom, facts))
    steps = []
    for (name, ver, state), alternatives in sorted(plan.items()):
        parts: dict[str, list] = {"path": [], "reviewing": []}
        for atom, facts in sorted(alternatives, key=lambda a: (a[0][0], str(a[0][1]),
                                                               getattr(a[1], "__qualname__", ""))):
            criterion = sa.true() if atom[0] == "path" and atom[1] in implied else \
                atom_criterion(atom, unit_path, reviewing_unit)
            parts[atom[0]].append(sa.and_(criterion, facts()) if facts is not None else criterion)
        steps.append(ActableStep(name, ver, state, sa.or_(*parts["path"]) if parts["path"] else None,
                                 sa.or_(*parts["reviewing"]) if parts["reviewing"] else None))
    return steps


def can_start(session: Session, process, unit, user) -> list[str]:
    """The start states of ``process`` (a class or its name) that ``user`` may open at ``unit`` (a Unit or an id)."""
    proc = checks.resolve_process(process)
    unit_id, unit_path = statements.unit_of(session, unit)
    rows = role_rows(session.connection(), user.id)
    return [state for state, spec in proc.start_specs.items()
            if matching_unit(checks.start_roles(spec), spec.level, rows, path_ids(unit_path), None) is not None]


def load_snapshot(session: Session, case_id: int) -> CaseSnapshot:
    """The case as the engine reads it (no lock). Raises CaseNotFound."""
    return statements.load(session.connection(), case_id, lock=False)


def actors(session: Session, case: Case | int) -> list[int]:
    """The ids of the active users who may take a step on the case now (its
    actors): the holders of a role at the right unit for a non-system
    transition from its state that applies to its facts, found in one query
    (:func:`core.levels.holders_criterion`, the reverse reading of the engine's
    level rule), sorted. Empty for a closed case. Raises
    :class:`~workflow.errors.CaseNotFound`."""
    case_id = case if isinstance(case, int) else case.id
    snap = statements.load(session.connection(), case_id, lock=False)
    if snap.closed_at is not None:
        return []
    process = checks.process_of(snap)
    facts = CaseFacts(session, snap)
    ancestors = path_ids(snap.unit_path)
    clauses = [holders_criterion(roles, level, ancestors, snap.reviewing_unit_id)
               for ct in process.from_state.get(snap.state, ()) if not ct.is_system and checks.applies(ct, facts)
               for roles, level in ct.grants]
    if not clauses:
        return []
    stmt = (sa.select(RoleAssignment.user_id).distinct()
            .join(Unit, Unit.id == RoleAssignment.unit_id).join(User, User.id == RoleAssignment.user_id)
            .where(User.active.is_(True), sa.or_(*clauses)).order_by(RoleAssignment.user_id))
    return list(session.scalars(stmt))


def holders(session: Session, case: Case | int, roles, level) -> list[int]:
    """The ids of the active users holding one of ``roles`` (Role values or names) at the
    case's unit of ``level`` (a level spec of :mod:`core.levels`), in one query, sorted:
    whom a step's effect informs (e.g. the grassroots committee of an exemption's member).
    Raises :class:`~workflow.errors.CaseNotFound`."""
    case_id = case if isinstance(case, int) else case.id
    snap = statements.load(session.connection(), case_id, lock=False)
    clause = holders_criterion(frozenset(value_of(r) for r in roles), level, path_ids(snap.unit_path),
                               snap.reviewing_unit_id)
    stmt = (sa.select(RoleAssignment.user_id).distinct()
            .join(Unit, Unit.id == RoleAssignment.unit_id).join(User, User.id == RoleAssignment.user_id)
            .where(User.active.is_(True), clause).order_by(RoleAssignment.user_id))
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class Turn:
    """Who may take ``transitions`` next: ``role`` at ``unit_id`` (None: the unit is
    not in the org tree), held by the users named in ``holders`` ((user id,
    display name), by name); for a timer, ``role`` is None and ``due_at`` the
    instant the system takes it. ``main``: a step forward, not a side action
    (:func:`_side_step`: withdrawing, extending a deadline, a record that leaves the state as it is)."""

    role: str | None
    unit_id: int | None
    holders: tuple[tuple[int, str], ...]
    transitions: tuple[CompiledTransition, ...]
    main: bool
    due_at: object = None


def next_turns(session: Session, case: Case | int) -> list[Turn]:
    """Who acts next on the case, by the engine's own rule: for each transition
    out of the current state that applies to the case's facts, every (role, unit)
    of its grants that :func:`core.levels.matching_unit` accepts for this case,
    with the users holding it; a grant no one holds names the unit of its level
    on the case's path. Main steps first. Raises :class:`~workflow.errors.CaseNotFound`."""
    case_id = case if isinstance(case, int) else case.id
    snap = statements.load(session.connection(), case_id, lock=False)
    process = checks.process_of(snap)
    ancestors = path_ids(snap.unit_path)
    ids = set(ancestors) | ({snap.reviewing_unit_id} if snap.reviewing_unit_id else set())
    rows = session.execute(
        sa.select(RoleAssignment.role, RoleAssignment.unit_id, Unit.level, Unit.grassroots_branch, Unit.path,
                  User.id, User.display_name)
        .join(Unit, Unit.id == RoleAssignment.unit_id).join(User, User.id == RoleAssignment.user_id)
        .where(RoleAssignment.unit_id.in_(ids), User.active.is_(True)).order_by(User.display_name)).all()
    held = [(RoleRow(r[1], value_of(r[0]), value_of(r[2]), bool(r[3]), r[4]), (r[5], r[6])) for r in rows]
    units = {u.id: u for u in session.scalars(sa.select(Unit).where(Unit.id.in_(ids)))}
    facts = CaseFacts(session, snap)
    outgoing = [ct for ct in process.from_state.get(snap.state, ()) if checks.applies(ct, facts)]
    forward = {ct.action for ct in outgoing if not ct.is_system and not _side_step(process, ct, snap.state)}
    turns: dict[tuple, dict] = {}

    def turn(role, unit_id, main):
        return turns.setdefault((role, unit_id, main), {"holders": {}, "cts": [], "due": None})

    for ct in outgoing:
        main = ct.action in forward or ct.is_system or not forward
        if ct.is_system:
            due = session.scalar(sa.select(Timer.due_at).where(
                Timer.case_id == case_id, Timer.action == ct.action, Timer.state == snap.state,
                Timer.fired_at.is_(None), Timer.cancelled_at.is_(None)).order_by(Timer.due_at))
            if due is not None:
                t = turn(None, None, True)
                t["cts"].append(ct)
                t["due"] = due
            continue
        for roles, level in ct.grants:
            found = False
            for row, user in held:
                if matching_unit(roles, level, [row], ancestors, snap.reviewing_unit_id) is not None:
                    found = True
                    t = turn(row.role, row.unit_id, main)
                    t["holders"][user[0]] = user[1]
                    if ct not in t["cts"]:
                        t["cts"].append(ct)
            if not found:
                t = turn(sorted(roles)[0], _unit_of_level(level, units, snap.unit_path, snap.reviewing_unit_id), main)
                if ct not in t["cts"]:
                    t["cts"].append(ct)
    out = [Turn(role, unit_id, tuple(sorted(t["holders"].items(), key=lambda h: h[1])), tuple(t["cts"]), main,
                t["due"]) for (role, unit_id, main), t in turns.items()]
    return sorted(out, key=lambda t: not t.main)


def _side_step(process, ct: CompiledTransition, state: str) -> bool:
    """A side action rather than the step forward: one that leaves the state as it is
    (extending a deadline, a record), or whose every target is an end state that several
    steps lead to (withdrawing, refusing, dismissing)."""
    if ct.possible_targets == (state,):
        return True
    ends = {getattr(s, "value", s) for s in process.end_states}
    leads = {}
    for other in process.compiled.values():
        for target in other.possible_targets:
            leads.setdefault(target, set()).update(s for s in other.sources if s != target)
    return all(t in ends and len(leads.get(t, ())) >= 2 for t in ct.possible_targets)


def _unit_of_level(level, units: dict, unit_path: str, reviewing_unit_id: int | None) -> int | None:
    """The unit on the case's path (nearest first) that answers to ``level``, or the reviewing unit."""
    if level == REVIEWING or isinstance(level, ReviewingAt):
        return reviewing_unit_id
    for uid in reversed([int(x) for x in unit_path.strip("/").split("/") if x]):
        unit = units.get(uid)
        probe = RoleRow(uid, "?", value_of(unit.level), unit.grassroots_branch) if unit is not None else None
        if probe is not None and matching_unit(frozenset({"?"}), level, [probe], frozenset({uid}), None):
            return uid
    return None
