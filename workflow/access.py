"""Who may take what, now or ever: the read side of the engine's permission
rule (the level rule of :mod:`core.levels`, which :func:`workflow.engine.act`
applies) and of the transitions' :class:`~workflow.definition.Applies`
predicates on the case's facts, for one case, for a page of cases in bulk, and
in SQL for lists.
"""

from __future__ import annotations

from typing import Iterable

from sqlalchemy.orm import Session

import sqlalchemy as sa

from core.levels import RoleRow, holders_criterion, matching_unit, path_ids, role_rows
from core.models import Person, RoleAssignment, Unit, User
from core.permissions import actable

from . import checks, statements
from .definition import CompiledTransition, Process
from .guards import CaseSnapshot
from .models import Case


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
