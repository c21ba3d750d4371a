"""The level rule: where a role must be held, relative to a case's home unit,
for its holder to take a step (DOMAIN.md, the "who (role @ level)" column of
every process table; DESIGN.md, "Permissions, in one place").

A level spec is one of:

* a :class:`~core.enums.Level`: the unit of that level on the path from the
  root to the case's unit (a *chi bộ cơ sở* answers both ``grassroots`` and
  ``branch``);
* :func:`at_or_above` ``(level)``: that unit or any unit above it;
* :data:`REVIEWING`: the case's reviewing unit, which a step's effect sets (the
  unit where a discipline review was opened; for an appeal, the unit one level
  above the body that decided);
* :func:`reviewing_at` ``(level)``: the case's reviewing unit, only when that
  unit answers to ``level`` (a role that acts there only at that level: the
  committee members of a grassroots committee resolving an appeal).

Each spec has two readings that agree: :func:`matching_unit` (Python, over the
user's role rows and the ids on the case's path) and :func:`holder_atoms` with
:func:`atom_criterion` (its SQL twin, criteria on the case's unit path and
reviewing unit). There is no third kind: a computed level could not be listed
in SQL, so :func:`level_spec` refuses anything else. Levels along a path are
assumed strictly ordered (at most one unit per level above a case), which is
how the org tree is built.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .enums import LEVEL_RANK, Level
from .models import RoleAssignment, Unit
from .prepared import Prepared

REVIEWING = "reviewing"

_RANK = {lvl.value: rank for lvl, rank in LEVEL_RANK.items()}
_GRASSROOTS_BRANCH = frozenset({Level.grassroots.value, Level.branch.value})
_GRASSROOTS_BRANCH_TOP = min(_RANK[lv] for lv in _GRASSROOTS_BRANCH)


@dataclasses.dataclass(frozen=True)
class AtOrAbove:
    """The role may be held at the unit of ``level`` or at any unit above it."""

    level: Level

    def __str__(self) -> str:
        return f"{self.level.value}+"


def at_or_above(level: Level) -> AtOrAbove:
    """The level spec "``level`` or any unit above it"; ``ValueError`` for an unknown level."""
    return AtOrAbove(Level(level))


@dataclasses.dataclass(frozen=True)
class ReviewingAt:
    """The case's reviewing unit, when it answers to ``level``."""

    level: Level

    def __str__(self) -> str:
        return f"{REVIEWING}:{self.level.value}"


def reviewing_at(level: Level) -> ReviewingAt:
    """The level spec "the reviewing unit, when it is of ``level``"; ``ValueError`` for an unknown level."""
    return ReviewingAt(Level(level))


LevelSpec = Level | AtOrAbove | ReviewingAt | str


def level_spec(value) -> LevelSpec:
    """``value`` as a level spec (a Level, its name, an :class:`AtOrAbove` or :data:`REVIEWING`).

    Raises ``ValueError`` for anything else, a callable included: every spec
    must have its SQL twin.
    """
    if value == REVIEWING or isinstance(value, (AtOrAbove, ReviewingAt)):
        return value
    if callable(value) and not isinstance(value, (str, Level)):
        raise ValueError(f"a computed level ({getattr(value, '__name__', value)!r}) has no SQL twin; "
                         "set the reviewing unit in an effect and use REVIEWING")
    try:
        return Level(value)
    except ValueError:
        raise ValueError(f"unknown level {value!r}") from None


def value_of(x) -> str:
    """An enum member's value, or the value itself."""
    return x.value if hasattr(x, "value") else x


class RoleRow:
    """One role the user holds, at a unit: the unit's id, the levels it answers
    to, the rank of the highest of them, and (when loaded) its path."""

    __slots__ = ("unit_id", "role", "levels", "top_rank", "path")

    def __init__(self, unit_id: int, role: str, level: str, grassroots_branch: bool, path: str | None = None):
        self.unit_id = unit_id
        self.role = role
        if grassroots_branch:
            self.levels, self.top_rank = _GRASSROOTS_BRANCH, _GRASSROOTS_BRANCH_TOP
        else:
            self.levels, self.top_rank = frozenset((level,)), _RANK[level]
        self.path = path


_ROLE_ROWS = (
    sa.select(RoleAssignment.unit_id, RoleAssignment.role, Unit.level, Unit.grassroots_branch, Unit.path)
    .join(Unit, Unit.id == RoleAssignment.unit_id)
    .where(RoleAssignment.user_id == sa.bindparam("uid"))
)
_P_ROLE_ROWS = Prepared(_ROLE_ROWS)


def _role_row(r) -> RoleRow:
    return RoleRow(r[0], value_of(r[1]), value_of(r[2]), bool(r[3]), r[4])


def role_rows(conn, user_id: int) -> list[RoleRow]:
    """Every role ``user_id`` holds, with its unit's levels and path (one query on
    the ``user_id`` index), as a prepared statement on ``conn`` (the session's
    Connection): the engine's path."""
    return [_role_row(r) for r in _P_ROLE_ROWS.all(conn, {"uid": user_id})]


def role_rows_of(session: Session, user_id: int) -> list[RoleRow]:
    """The same rows as :func:`role_rows`, through the session's ordinary
    execution (so connection events see it): for lists, which read them once a page."""
    return [_role_row(r) for r in session.execute(_ROLE_ROWS, {"uid": user_id})]


def path_ids(path: str) -> frozenset[int]:
    """The unit ids on a materialised path (``/1/4/17/`` → {1, 4, 17})."""
    inner = path.strip("/")
    return frozenset(map(int, inner.split("/"))) if inner else frozenset()


def _qualifies(row: RoleRow, level: LevelSpec) -> bool:
    """Does ``row``'s unit answer to ``level`` (for a Level or AtOrAbove spec)?"""
    if isinstance(level, AtOrAbove):
        return row.top_rank <= _RANK[level.level.value]
    return level.value in row.levels


def _reviews_at(row: RoleRow, level: LevelSpec) -> bool:
    """May ``row``'s unit act as the reviewing unit under ``level`` (any unit for
    :data:`REVIEWING`; one answering the level for :class:`ReviewingAt`)?"""
    return not isinstance(level, ReviewingAt) or level.level.value in row.levels


def matching_unit(roles: frozenset[str], level: LevelSpec, rows: list[RoleRow], ancestors: frozenset[int],
                  reviewing_unit_id: int | None) -> int | None:
    """The act rule: the unit where one of the user's ``rows`` holds one of
    ``roles`` at ``level`` for a case whose path holds ``ancestors`` and whose
    reviewing unit is ``reviewing_unit_id``; None when there is none.

    ``roles`` are role values; ``level`` a spec of :func:`level_spec`.
    """
    if level == REVIEWING or isinstance(level, ReviewingAt):
        if reviewing_unit_id is None:
            return None
        for r in rows:
            if r.role in roles and r.unit_id == reviewing_unit_id and _reviews_at(r, level):
                return r.unit_id
        return None
    for r in rows:
        if r.role in roles and r.unit_id in ancestors and _qualifies(r, level):
            return r.unit_id
    return None


def holder_atoms(roles: frozenset[str], level: LevelSpec, rows: list[RoleRow]) -> set[tuple[str, object]]:
    """The SQL twin of :func:`matching_unit`, as data: ``("path", p)`` for a case
    whose unit path starts with ``p`` (the holding unit is on it), ``("reviewing",
    id)`` for a case whose reviewing unit is ``id``. A case qualifies exactly when
    one atom holds. ``rows`` must carry their paths (:func:`role_rows`)."""
    atoms: set[tuple[str, object]] = set()
    for r in rows:
        if r.role not in roles:
            continue
        if level == REVIEWING or isinstance(level, ReviewingAt):
            if _reviews_at(r, level):
                atoms.add(("reviewing", r.unit_id))
        elif _qualifies(r, level):
            if r.path is None:
                raise ValueError("role rows without their unit paths")
            atoms.add(("path", r.path))
    return atoms


def atom_criterion(atom: tuple[str, object], path_column, reviewing_column):
    """One atom of :func:`holder_atoms` as a SQL criterion on the case's unit
    ``path_column`` and ``reviewing_column`` (the ``LIKE 'p%'`` prefix uses the path index)."""
    kind, value = atom
    if kind == "reviewing":
        return reviewing_column == value
    return path_column.startswith(value, autoescape=True)


def _answers(level: str):
    """SQL: the joined ``Unit`` answers to ``level`` (a chi bộ cơ sở answers grassroots and branch)."""
    own = Unit.level == Level(level)
    if level in _GRASSROOTS_BRANCH:
        return sa.or_(own, Unit.grassroots_branch.is_(True))
    return own


def holders_criterion(roles: frozenset[str], level: LevelSpec, ancestors: frozenset[int],
                      reviewing_unit_id: int | None):
    """The reverse reading of :func:`matching_unit`, in SQL: a criterion on
    :class:`RoleAssignment` joined to its :class:`Unit` that holds for exactly the
    role rows with which :func:`matching_unit` would find a unit, for a case whose
    path holds ``ancestors`` and whose reviewing unit is ``reviewing_unit_id``
    (who may act on one case: its actors, without a loop over users)."""
    held = RoleAssignment.role.in_(sorted(roles))
    if level == REVIEWING or isinstance(level, ReviewingAt):
        if reviewing_unit_id is None:
            return sa.false()
        where = Unit.id == reviewing_unit_id
        return sa.and_(held, where, _answers(level.level.value)) if isinstance(level, ReviewingAt) \
            else sa.and_(held, where)
    on_path = Unit.id.in_(sorted(ancestors))
    if isinstance(level, AtOrAbove):
        top = _RANK[level.level.value]
        ranked = Unit.level.in_([lvl for lvl, rank in LEVEL_RANK.items() if rank <= top])
        if _GRASSROOTS_BRANCH_TOP <= top:
            ranked = sa.or_(ranked, Unit.grassroots_branch.is_(True))
        return sa.and_(held, on_path, ranked)
    return sa.and_(held, on_path, _answers(value_of(level)))
