"""Who may take what, now or ever: the read side of the engine's permission
rule (the same role-at-level matching :func:`workflow.engine.act` applies).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from . import checks, statements
from .definition import CompiledTransition
from .guards import CaseSnapshot, Context, RoleRow, matching_unit, path_ids, role_rows
from .models import Case


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
    process = checks.process_of(snap)
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
    process = checks.process_of(snap)
    candidates = [ct for ct in process.by_action.get(action, ()) if not ct.is_system]
    if not candidates or user is None:
        return []
    return _permitted(process, snap, role_rows(session.connection(), user.id), session, user, candidates)


def can_start(session: Session, process, unit, user) -> list[str]:
    """The start states of ``process`` that ``user`` may open at ``unit``."""
    proc = checks.resolve_process(process)
    unit_id, unit_path = statements.unit_of(session, unit)
    rows = role_rows(session.connection(), user.id)
    return [state for state, spec in proc.start_specs.items()
            if matching_unit(checks.start_roles(spec), spec.level, rows, path_ids(unit_path), None, None) is not None]


def load_snapshot(session: Session, case_id: int) -> CaseSnapshot:
    """The case as the engine reads it (no lock). Raises CaseNotFound."""
    return statements.load(session.connection(), case_id, lock=False)
