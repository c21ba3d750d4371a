"""The one permission rule, for single objects and as a SQL filter for lists.

A user sees what is at or below a unit where they hold any role (an auditor at
province level therefore sees the whole province). Anything outside that scope
is answered with 404 by the web layer, never 403, so its existence is not
revealed. Who may *act* on a case is the engine's role-at-level check
(:mod:`workflow.guards`), which reads the same role assignments.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from .models import RoleAssignment, Unit


def scope_paths(session: Session, user) -> tuple[str, ...]:
    """Materialised paths of the units where ``user`` holds a role, minimal set.

    Cached on the user object for the life of the request.
    """
    cached = getattr(user, "_scope_paths", None)
    if cached is not None:
        return cached
    rows = session.execute(
        sa.select(Unit.path)
        .join(RoleAssignment, RoleAssignment.unit_id == Unit.id)
        .where(RoleAssignment.user_id == user.id)
    ).scalars()
    paths = sorted(set(rows), key=len)
    minimal: list[str] = []
    for p in paths:
        if not any(p.startswith(m) for m in minimal):
            minimal.append(p)
    result = tuple(minimal)
    try:
        user._scope_paths = result
    except AttributeError:  # pragma: no cover - exotic user objects
        pass
    return result


def _unit_path_of(obj: Any) -> str | None:
    if isinstance(obj, Unit):
        return obj.path
    unit = getattr(obj, "unit", None)
    if unit is not None:
        return unit.path
    return getattr(obj, "unit_path", None)


def can_view(user, obj: Any, session: Session | None = None) -> bool:
    """May ``user`` see ``obj`` (a unit, or anything with a ``unit``)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    session = session or object_session(obj) or object_session(user)
    path = _unit_path_of(obj)
    if path is not None and any(path.startswith(p) for p in scope_paths(session, user)):
        return True
    # A person may follow their own cases.
    own = getattr(user, "person_id", None)
    return own is not None and getattr(obj, "person_id", None) == own


def visible(user, path_column, session: Session, person_column=None):
    """SQL criterion: rows whose unit path is inside the user's scope.

    ``path_column`` is a unit path column (join ``Unit`` to use it); pass
    ``person_column`` to also admit rows about the user's own person.
    """
    paths = scope_paths(session, user)
    clauses = [path_column.startswith(p, autoescape=True) for p in paths]
    own = getattr(user, "person_id", None)
    if person_column is not None and own is not None:
        clauses.append(person_column == own)
    if not clauses:
        return sa.false()
    return sa.or_(*clauses)


def roles_of(session: Session, user) -> list[RoleAssignment]:
    return list(
        session.execute(
            sa.select(RoleAssignment)
            .where(RoleAssignment.user_id == user.id)
            .order_by(RoleAssignment.id)
        ).scalars()
    )
