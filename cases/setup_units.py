"""An admin's units (DOMAIN.md "Setting up an organisation"): an ``admin`` at a
unit manages its subtree: create a unit, rename it, move it within the subtree,
set its flags, dissolve an empty one. Every change is a set-up event
(:func:`workflow.setup_log.log`: actor, before, after) in the same transaction.

Functions take a plain session and the acting user, check
:data:`core.permissions.ADMINISTER`, flush (the caller commits) and raise the
engine's typed errors: ``InvalidPayload`` (a field, worded in Vietnamese),
``NotPermitted``, ``GuardFailed``; :class:`cases.queries.NotFound` for a unit
outside the admin's subtree (absent and outside read the same).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.enums import LEVEL_RANK, Level
from core.models import Person, Post, RoleAssignment, Unit, assign_path
from core.permissions import ADMINISTER, allows, where_allowed
from forms.admin import UnitEditForm, UnitForm
from workflow.errors import GuardFailed, InvalidPayload
from workflow.guards import validate_form
from workflow.i18n import _
from workflow.models import Case
from workflow.setup_log import log

from .queries import NotFound

# Tables of a process package that name a unit (read by name: a shared module imports no process).
_COURSE = sa.table("course", sa.column("id"), sa.column("organiser_unit_id"))
_PLAN = sa.table("admission_plan", sa.column("id"), sa.column("unit_id"))

FLAGS = ("grassroots_branch", "hardship_area", "may_admit", "may_expel")


def unit_state(unit: Unit) -> dict:
    """What the set-up log keeps of a unit: name, level, parent, path, flags."""
    return {"name": unit.name, "level": unit.level.value, "parent_id": unit.parent_id, "path": unit.path,
            **{flag: bool(getattr(unit, flag)) for flag in FLAGS}}


def administered_units(session: Session, user) -> list[Unit]:
    """Every unit of the subtrees where ``user`` is an admin, by path."""
    return list(session.scalars(sa.select(Unit).where(where_allowed(session, user, ADMINISTER))
                                .order_by(Unit.path)))


def administered(session: Session, user, unit_id) -> Unit:
    """The unit ``unit_id`` if ``user`` administers it; :class:`NotFound` otherwise."""
    try:
        unit = session.get(Unit, int(unit_id))
    except (TypeError, ValueError, OverflowError):
        unit = None
    if unit is None or not allows(session, user, ADMINISTER, unit):
        raise NotFound(unit_id)
    return unit


def _parent(session: Session, user, parent_id, field: str = "parent_id") -> Unit:
    try:
        return administered(session, user, parent_id)
    except NotFound:
        raise InvalidPayload({field: [_("No such unit among the units you administer.")]}) from None


def _check_level(parent: Unit, level: Level, grassroots_branch: bool) -> None:
    """A unit sits strictly below its parent's level; nothing sits under a branch."""
    if parent.level is Level.branch or parent.grassroots_branch:
        raise InvalidPayload({"parent_id": [_("A party branch has no units under it.")]})
    if LEVEL_RANK[level] <= LEVEL_RANK[parent.level]:
        raise InvalidPayload({"level": [_("The level must be below the level of the unit above it.")]})
    if grassroots_branch and level is not Level.grassroots:
        raise InvalidPayload({"grassroots_branch": [_("Only a grassroots organisation can be a grassroots branch.")]})


def create_unit(session: Session, user, payload: dict) -> Unit:
    """A new unit (fields of :class:`forms.admin.UnitForm`) under a unit the user
    administers; flushes and logs ``unit.create``."""
    _data, data = validate_form(UnitForm, payload)
    parent = _parent(session, user, data["parent_id"])
    level = Level(data["level"])
    _check_level(parent, level, bool(data["grassroots_branch"]))
    unit = Unit(name=data["name"], level=level, parent=parent, **{f: bool(data[f]) for f in FLAGS})
    assign_path(session, unit)
    session.flush()
    log(session, user, "unit.create", unit, target={"kind": "unit", "id": unit.id}, after=unit_state(unit))
    return unit


def update_unit(session: Session, user, unit: Unit, payload: dict) -> Unit:
    """Rename ``unit``, set its flags, and move it (with its subtree) under another
    unit the user administers when ``parent_id`` differs (fields of
    :class:`forms.admin.UnitEditForm`); flushes and logs ``unit.update``.
    Raises ``GuardFailed`` for moving the admin's own top unit or a unit under itself."""
    _data, data = validate_form(UnitEditForm, payload)
    before = unit_state(unit)
    new_parent_id = data.get("parent_id")
    if new_parent_id and new_parent_id != unit.parent_id:
        parent = _parent(session, user, new_parent_id)
        if unit.parent is None or not allows(session, user, ADMINISTER, unit.parent):
            raise GuardFailed([_("Only an admin above this unit can move it.")])
        if parent.path.startswith(unit.path):
            raise GuardFailed([_("A unit cannot be moved under itself or a unit below it.")])
        _check_level(parent, unit.level, bool(data["grassroots_branch"]))
        old_path = unit.path
        new_path = f"{parent.path}{unit.id}/"
        session.execute(sa.update(Unit).where(Unit.path.startswith(old_path, autoescape=True))
                        .values(path=sa.literal(new_path) + sa.func.substr(Unit.path, len(old_path) + 1))
                        .execution_options(synchronize_session=False))
        unit.parent_id = parent.id
        session.flush()
        uid = unit.id
        session.expire_all()
        unit = session.get(Unit, uid)
    elif data["grassroots_branch"] and unit.level is not Level.grassroots:
        raise InvalidPayload({"grassroots_branch": [_("Only a grassroots organisation can be a grassroots branch.")]})
    unit.name = data["name"]
    for flag in FLAGS:
        setattr(unit, flag, bool(data[flag]))
    session.flush()
    after = unit_state(unit)
    if after != before:
        log(session, user, "unit.update", unit, target={"kind": "unit", "id": unit.id}, before=before, after=after)
    return unit


def dissolve_unit(session: Session, user, unit: Unit) -> None:
    """Dissolve (remove) an empty unit: no units under it, no people, no cases, no
    posts and no role assignments at it. Logs ``unit.dissolve`` with what it was.
    Raises ``GuardFailed`` naming what it still holds."""
    reasons = []
    checks = (
        (sa.select(Unit.id).where(Unit.parent_id == unit.id), _("It has units under it.")),
        (sa.select(Person.id).where(Person.unit_id == unit.id), _("It has people.")),
        (sa.select(Case.id).where(sa.or_(Case.unit_id == unit.id, Case.reviewing_unit_id == unit.id)),
         _("It has cases.")),
        (sa.select(Post.id).where(Post.unit_id == unit.id), _("Posts were held at it.")),
        (sa.select(RoleAssignment.id).where(RoleAssignment.unit_id == unit.id), _("Accounts hold roles at it.")),
        (sa.select(_COURSE.c.id).where(_COURSE.c.organiser_unit_id == unit.id), _("It organised courses.")),
        (sa.select(_PLAN.c.id).where(_PLAN.c.unit_id == unit.id), _("It has admission plans.")),
    )
    for stmt, reason in checks:
        if session.scalar(stmt.limit(1)) is not None:
            reasons.append(reason)
    if unit.parent_id is None:
        reasons.append(_("The top of the tree cannot be dissolved."))
    if reasons:
        raise GuardFailed([_("%(unit)s cannot be dissolved:", unit=unit.name)] + reasons)
    before = unit_state(unit)
    parent = unit.parent
    target = {"kind": "unit", "id": unit.id}
    session.delete(unit)
    session.flush()
    log(session, user, "unit.dissolve", parent, target=target, before=before)
