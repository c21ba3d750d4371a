"""Every "may this user do X here", by name, each with its SQL twin where a list needs one.

The table of every permission (check, SQL twin, who, and where DOMAIN.md says
so) is in docs/ARCHITECTURE.md, "Named permissions".

A permission other than see, act and upload is a named :class:`Permission`
value: :class:`Grant` s saying which roles, held where relative to the unit
asked about. :func:`allows` checks one unit by walking its path and
:func:`where_allowed` is the same rule in SQL; both read the user's role rows
(one query). Outside the see scope the web layer answers 404, never 403, so
that existence is not revealed.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, object_session

from .db import INT_MAX
from .enums import LEVEL_RANK, Level, Role
from .levels import RoleRow, atom_criterion, holder_atoms, role_rows_of
from .models import Person, Post, RoleAssignment, Unit

# ---- see ------------------------------------------------------------------------------------------


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
    """See: may ``user`` see ``obj`` (a unit, or anything with a ``unit``)?

    True when the user holds any role at the object's unit or above it, or the
    object is about the user's own person (``person_id``). An anonymous user sees nothing.
    """
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
    """See, in SQL: rows whose unit path is inside the user's scope.

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


def referable(session: Session, user, model, obj_id, *, offered=None):
    """Refer: the row of ``model`` (:class:`Person` or :class:`Post`) whose id
    ``user`` sent (in a form, a payload, a body), when they may see it
    (:func:`visible`: a person at a unit in their scope, or their own; a post
    of such a person) or, for a person, when ``offered`` holds for it (the
    criterion on ``Person`` and its ``Unit`` of the people the field offers,
    :func:`core.offers.offered`). Otherwise None: absent, outside the scope
    and an id no 32-bit column holds read the same, and nothing about the row
    is read (DOMAIN.md, "Case rules common to every type")."""
    if not isinstance(obj_id, int) or isinstance(obj_id, bool) or not 1 <= obj_id <= INT_MAX:
        return None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if model is Person:
        stmt = sa.select(Person).join(Unit, Unit.id == Person.unit_id).where(Person.id == obj_id)
    elif model is Post:
        stmt = (sa.select(Post).join(Person, Person.id == Post.person_id).join(Unit, Unit.id == Person.unit_id)
                .where(Post.id == obj_id))
        offered = None
    else:
        raise TypeError(f"cannot refer to a {model.__name__}")
    scope = visible(user, Unit.path, session, person_column=Person.id)
    return session.scalar(stmt.where(scope if offered is None else sa.or_(scope, offered)))


def reported(user, path_column, session: Session, person_column=None):
    """Read reports, in SQL: the rows a report counts for ``user`` are the rows
    they may see (:func:`visible`, same arguments); a report on a unit counts
    its subtree within that."""
    return visible(user, path_column, session, person_column)


def roles_of(session: Session, user) -> list[RoleAssignment]:
    """The user's role assignments (to show them), oldest first, their units with them."""
    return list(
        session.execute(
            sa.select(RoleAssignment).options(joinedload(RoleAssignment.unit))
            .where(RoleAssignment.user_id == user.id)
            .order_by(RoleAssignment.id)
        ).scalars()
    )


def home_units(session: Session, user, at_or_above: Level | None = None) -> list[Unit]:
    """The units where the user holds a role (the roots of what they see and
    act for), each once, by path; only those at ``at_or_above`` or a higher level when given."""
    units = session.scalars(sa.select(Unit).where(Unit.id.in_(
        sa.select(RoleAssignment.unit_id).where(RoleAssignment.user_id == user.id))))
    if at_or_above is not None:
        units = [u for u in units if LEVEL_RANK[u.level] <= LEVEL_RANK[at_or_above]]
    return sorted(units, key=lambda u: u.path)


# ---- see a transfer across scopes -----------------------------------------------------------------

# The transfer names its destination unit as the case's reviewing unit (``cases/transfer``). Its
# officers see the case from ``in_transit`` on and the person while in transit or hosted there;
# after an official transfer both sides read the member and all their cases (DOMAIN "Transfer").
TRANSFER = "transfer"
DESTINATION_SEES_CASE = ("in_transit", "hosted", "return_due", "transferred", "returned")
DESTINATION_SEES_PERSON = ("in_transit", "hosted", "return_due")
_WF_CASE = sa.table("wf_case", *(sa.column(n, sa.Integer) for n in ("id", "person_id", "unit_id", "reviewing_unit_id")),
                    sa.column("process", sa.String), sa.column("state", sa.String))


def _seen_units(session: Session, user):
    return sa.select(Unit.id).where(visible(user, Unit.path, session))


def in_transit_cases(session: Session, user, process_column, state_column, reviewing_column,
                     states: tuple[str, ...] = DESTINATION_SEES_CASE, units: list[int] | None = None):
    """SQL twin, on a case's columns: a transfer case in ``states`` whose destination (its
    reviewing unit) ``user`` may see (:func:`visible`). ``units``: the ids of every unit
    the user sees when the caller has read them (the same set, as literals the planner
    weighs; default: a subquery)."""
    seen = _seen_units(session, user) if units is None else units
    return sa.and_(process_column == TRANSFER, state_column.in_(states), reviewing_column.in_(seen))


def in_transit_people(session: Session, user, person_column):
    """SQL twin, for people: the person of a transfer in transit to (or hosted at) a unit
    ``user`` may see, or of an official transfer done from or to such a unit."""
    c = _WF_CASE.c
    return sa.or_(person_column.in_(sa.select(c.person_id).where(
        in_transit_cases(session, user, c.process, c.state, c.reviewing_unit_id, DESTINATION_SEES_PERSON))),
        transferred_history(session, user, person_column))


def transferred_history(session: Session, user, person_column, units: list[int] | None = None):
    """SQL twin, for a member's history: ``person_column`` was received by an official transfer
    (``transferred``) from or to a unit ``user`` may see; both sides read them and their cases.
    ``units``: as for :func:`in_transit_cases`."""
    c = _WF_CASE.c
    seen = _seen_units(session, user) if units is None else units
    return person_column.in_(sa.select(c.person_id).where(
        c.process == TRANSFER, c.state == "transferred", sa.or_(c.unit_id.in_(seen), c.reviewing_unit_id.in_(seen))))


def sees_in_transit(session: Session, user, obj) -> bool:
    """See a transfer across scopes: may ``user`` see ``obj`` (a case or a :class:`Person`) by
    :func:`in_transit_cases`, :func:`in_transit_people` or :func:`transferred_history`?"""
    if user is None or not getattr(user, "is_authenticated", False) or obj is None:
        return False
    person_id = obj.id if isinstance(obj, Person) else getattr(obj, "person_id", None)
    rule = in_transit_people if isinstance(obj, Person) else transferred_history
    if person_id is not None and session.scalar(sa.select(sa.literal(1)).where(
            rule(session, user, sa.literal(person_id))).limit(1)) is not None:
        return True
    if getattr(obj, "process", None) != TRANSFER or getattr(obj, "state", None) not in DESTINATION_SEES_CASE:
        return False
    destination = session.get(Unit, getattr(obj, "reviewing_unit_id", None) or 0)
    return destination is not None and can_view(user, destination, session)


# ---- act --------------------------------------------------------------------------------------


def actable(rows: list[RoleRow], transitions: Iterable[tuple], *, process, version, state, unit_path,
            reviewing_unit):
    """Act, in SQL: the cases where one of ``transitions`` is open to a user with
    ``rows`` (their role rows with paths, :func:`core.levels.role_rows_of`) now.

    ``transitions`` are ``(process name, version, source states, role values,
    level spec, facts)``, ``facts`` None or a function returning a criterion on
    the case that must also hold (the SQL twin of the transition's predicate on
    the case's facts); the keyword arguments are the columns of the case's
    process, version, state, home unit path and reviewing unit. A case matches
    exactly when :func:`core.levels.matching_unit` finds a unit for one
    transition from its state whose facts hold (the engine's ``available_actions``
    is not empty).
    """
    # (process, version) -> (holder atom, facts) -> the states from which it may act.
    plan: dict[tuple[str, int], dict[tuple, set[str]]] = {}
    for name, ver, sources, roles, level, facts in transitions:
        for atom in holder_atoms(roles, level, rows):
            plan.setdefault((name, ver), {}).setdefault((atom, facts), set()).update(sources)
    clauses = []
    for (name, ver), atoms in sorted(plan.items()):
        ordered = sorted(atoms.items(), key=lambda a: (a[0][0][0], str(a[0][0][1]),
                                                       getattr(a[0][1], "__qualname__", "")))
        alternatives = [sa.and_(atom_criterion(atom, unit_path, reviewing_unit), state.in_(sorted(states)),
                                *([facts()] if facts is not None else []))
                        for (atom, facts), states in ordered]
        clauses.append(sa.and_(process == name, version == ver, sa.or_(*alternatives)))
    return sa.or_(*clauses) if clauses else sa.false()


def can_upload(session: Session, user, case, *, acts_now: bool) -> bool:
    """Upload a document: may ``user`` add documents to ``case`` (anything with
    ``closed_at`` and ``unit``)? Never on a closed case; otherwise when they may
    act on it now (``acts_now``: the engine's available actions are not empty)
    or hold :data:`UPLOAD` at its unit (the branch secretary or deputy)."""
    if case.closed_at is not None:
        return False
    return acts_now or allows(session, user, UPLOAD, case.unit)


# ---- named permissions on a unit ------------------------------------------------------------------

HERE, HERE_OR_ABOVE, ABOVE = "here", "here_or_above", "above"
_RANK = {lvl.value: rank for lvl, rank in LEVEL_RANK.items()}


@dataclasses.dataclass(frozen=True)
class Grant:
    """One way to hold a permission at a unit: one of ``roles`` held at the unit
    (``HERE``), at it or above (``HERE_OR_ABOVE``) or strictly above it
    (``ABOVE``); only for a unit of ``unit_levels`` (its stored level) when
    given, and only from a holding unit ranked at ``holder_at_or_above`` or higher."""

    roles: frozenset[str]
    held: str = HERE_OR_ABOVE
    unit_levels: frozenset[Level] | None = None
    holder_at_or_above: Level | None = None

    def holders(self, rows: list[RoleRow]) -> list[RoleRow]:
        """The user's role rows that may hold it (role and holder level)."""
        top = None if self.holder_at_or_above is None else _RANK[self.holder_at_or_above.value]
        return [r for r in rows if r.role in self.roles and (top is None or r.top_rank <= top)]


@dataclasses.dataclass(frozen=True)
class Permission:
    """A named permission: held when any of its grants holds."""

    name: str
    grants: tuple[Grant, ...]


def _roles(*roles: Role) -> frozenset[str]:
    return frozenset(r.value for r in roles)


REGISTER_PERSON = Permission("register_person", (Grant(_roles(*(r for r in Role if r is not Role.auditor))),))
RECORD_CERTIFICATE = Permission("record_certificate", (
    Grant(_roles(Role.organisation_officer), HERE, frozenset({Level.superior})),))
# The organisation board (ban tổ chức): organisation officers of a committee at
# grassroots level or above, over the units below it (the person's unit).
ORGANISATION_BOARD = Grant(_roles(Role.organisation_officer), HERE_OR_ABOVE, holder_at_or_above=Level.grassroots)
RECORD_PRIOR_CERTIFICATE = Permission("record_prior_certificate", (ORGANISATION_BOARD,))
MANAGE_POSTS = Permission("manage_posts", (ORGANISATION_BOARD,))
SET_PLAN = Permission("set_plan", (
    Grant(_roles(Role.committee_member), HERE, frozenset({Level.grassroots})),
    Grant(_roles(Role.standing_member, Role.organisation_officer), ABOVE, frozenset({Level.grassroots}),
          holder_at_or_above=Level.superior),
))
ORGANISE_COURSE = Permission("organise_course", (
    Grant(_roles(Role.organisation_officer), HERE, frozenset({Level.superior})),))
ADMINISTER = Permission("administer", (Grant(_roles(Role.admin)),))
# The signed audit checkpoints cover the whole installation: auditors and administrators, held anywhere.
READ_CHECKPOINTS = Permission("read_checkpoints", (Grant(_roles(Role.auditor, Role.admin)),))
# Annual grading (DOMAIN.md "Annual quality grading"): the grassroots committee opens the
# rounds of all its branches at once.
OPEN_GRADING = Permission("open_grading", (
    Grant(_roles(Role.committee_member), HERE, frozenset({Level.grassroots})),))
# Contact with the residence branch (Quy định 213-QĐ/TW): the member's own branch secretary or
# the organisation board registers them with their residence branch; that branch's secretary
# records the yearly comment.
REGISTER_RESIDENCE = Permission("register_residence", (Grant(_roles(Role.branch_secretary), HERE),
                                                       ORGANISATION_BOARD))
RECORD_RESIDENCE_COMMENT = Permission("record_residence_comment", (Grant(_roles(Role.branch_secretary), HERE),))
# The part of "upload a document" that is not acting: the secretary or deputy of the case's unit.
UPLOAD = Permission("upload", (Grant(_roles(Role.branch_secretary, Role.branch_deputy), HERE),))
# Print a form (a decision, a resolution, a transfer letter): a role other than auditor or admin
# at the body that issues it or above it (whoever recorded that step also may: cases/printing.py).
PRINT_FORM = Permission("print_form", (Grant(_roles(*(r for r in Role if r not in (Role.auditor, Role.admin))),
                                             HERE_OR_ABOVE),))


def allows(session: Session, user, permission: Permission, unit: Unit) -> bool:
    """Does ``user`` hold ``permission`` at ``unit``? One query (the user's role
    rows), then the unit's path is walked for each grant."""
    rows = role_rows_of(session, user.id)
    ancestors = unit.ancestor_ids
    for grant in permission.grants:
        if grant.unit_levels is not None and unit.level not in grant.unit_levels:
            continue
        for r in grant.holders(rows):
            if grant.held == HERE and r.unit_id == unit.id:
                return True
            if grant.held == HERE_OR_ABOVE and r.unit_id in ancestors:
                return True
            if grant.held == ABOVE and r.unit_id in ancestors and r.unit_id != unit.id:
                return True
    return False


def where_allowed(session: Session, user, permission: Permission, unit=Unit):
    """:func:`allows` in SQL: a criterion on ``unit`` (the ``Unit`` entity or an
    alias) that holds for exactly the units where ``user`` holds ``permission``."""
    rows = role_rows_of(session, user.id)
    clauses = []
    for grant in permission.grants:
        held = []
        for r in grant.holders(rows):
            if grant.held == HERE:
                held.append(unit.id == r.unit_id)
            elif grant.held == HERE_OR_ABOVE:
                held.append(unit.path.startswith(r.path, autoescape=True))
            else:
                held.append(sa.and_(unit.path.startswith(r.path, autoescape=True), unit.id != r.unit_id))
        if not held:
            continue
        criterion = sa.or_(*held)
        if grant.unit_levels is not None:
            criterion = sa.and_(unit.level.in_(sorted(grant.unit_levels, key=LEVEL_RANK.get)), criterion)
        clauses.append(criterion)
    return sa.or_(*clauses) if clauses else sa.false()


def units_where(session: Session, user, permission: Permission) -> list[Unit]:
    """The units where ``user`` holds ``permission``, by name (e.g. the committees
    where they may organise a course)."""
    return list(session.scalars(sa.select(Unit).where(where_allowed(session, user, permission))
                                .order_by(Unit.name, Unit.id)))


def allowed_somewhere(session: Session, user, permission: Permission) -> bool:
    """Does ``user`` hold ``permission`` at some unit (e.g. administer some subtree)?"""
    return session.scalar(sa.select(Unit.id).where(where_allowed(session, user, permission)).limit(1)) is not None
