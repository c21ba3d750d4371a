"""The people a person field offers (its ``choices_of``), as one SQL criterion.

The case page lists them as the field's choices (:mod:`cases.choices`), and
the field resolves an id it is sent among the people the user may see or
these (:func:`core.permissions.referable`): one definition, so the page never
offers someone the server then refuses, and the server never accepts someone
the page would not offer outside the user's scope. Every set is at or below
the case's unit, except ``officials_of_grassroots``: the introducers of an
admission may come from any unit of the grassroots organisation (DOMAIN.md,
"Admission").
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .enums import Level, PersonStatus
from .models import Person, Unit

MEMBERS = (PersonStatus.official, PersonStatus.probationary)
NAMES = ("candidates_of_branch", "officials_of_branch", "officials_of_grassroots", "members_of_unit",
         "members_of_branch")


def grassroots_path(session: Session, unit: Unit) -> str:
    """The path of the grassroots organisation ``unit`` belongs to (its own path if none is above it)."""
    ids = unit.ancestor_ids
    units = {u.id: u for u in session.scalars(sa.select(Unit).where(Unit.id.in_(ids)))}
    for uid in reversed(ids):
        if units[uid].level is Level.grassroots:
            return units[uid].path
    return unit.path


def offered(session: Session, name: str, unit: Unit):
    """The criterion (on ``Person`` joined to its ``Unit``) of the people the set
    ``name`` offers at ``unit``; KeyError for a name not in :data:`NAMES`."""
    if name == "candidates_of_branch":
        return sa.and_(Person.unit_id == unit.id, Person.status == PersonStatus.candidate)
    if name == "officials_of_branch":
        return sa.and_(Person.unit_id == unit.id, Person.status == PersonStatus.official)
    if name == "officials_of_grassroots":
        return sa.and_(Unit.path.startswith(grassroots_path(session, unit), autoescape=True),
                       Person.status == PersonStatus.official)
    if name == "members_of_unit":  # members of the unit and the units below it
        return sa.and_(Unit.path.startswith(unit.path, autoescape=True), Person.status.in_(MEMBERS))
    if name == "members_of_branch":
        return sa.and_(Person.unit_id == unit.id, Person.status.in_(MEMBERS))
    raise KeyError(name)
