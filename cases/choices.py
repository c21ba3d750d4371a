"""People offered by a form's person fields on the case page, and the words of a choice."""

from __future__ import annotations

import sqlalchemy as sa

from core.enums import Level, PersonStatus
from core.models import Person, Unit


def _grassroots_path(session, unit: Unit) -> str:
    ids = unit.ancestor_ids
    units = {u.id: u for u in session.scalars(sa.select(Unit).where(Unit.id.in_(ids)))}
    for uid in reversed(ids):
        if units[uid].level is Level.grassroots:
            return units[uid].path
    return unit.path


def people_choices(session, name: str, unit: Unit) -> list[tuple[int, str]]:
    """``(id, name)`` of the people a person field offers at ``unit`` (``name``: its
    ``choices_of``), by name, at most 500; KeyError for an unknown ``name``."""
    stmt = sa.select(Person.id, Person.full_name, Unit.name).join(Unit, Unit.id == Person.unit_id)
    if name == "candidates_of_branch":
        stmt = stmt.where(Person.unit_id == unit.id, Person.status == PersonStatus.candidate)
    elif name == "officials_of_branch":
        stmt = stmt.where(Person.unit_id == unit.id, Person.status == PersonStatus.official)
    elif name == "officials_of_grassroots":
        stmt = stmt.where(Unit.path.startswith(_grassroots_path(session, unit), autoescape=True),
                          Person.status == PersonStatus.official)
    elif name == "members_of_unit":  # members of the unit and the units below it
        stmt = stmt.where(Unit.path.startswith(unit.path, autoescape=True),
                          Person.status.in_([PersonStatus.official, PersonStatus.probationary]))
    elif name == "members_of_branch":
        stmt = stmt.where(Person.unit_id == unit.id,
                          Person.status.in_([PersonStatus.official, PersonStatus.probationary]))
    else:
        raise KeyError(name)
    rows = session.execute(stmt.order_by(Person.name_folded).limit(500)).all()
    return [(pid, full_name if uname == unit.name else f"{full_name} — {uname}") for pid, full_name, uname in rows]


def field_choices(session, name: str, unit: Unit, case=None) -> list[tuple[int, str]]:
    """Choices of a form field's ``choices_of``: people, or the posts of the case's person."""
    if name == "posts_of_person":
        from core.models import Post

        if case is None or case.person_id is None:
            return []
        posts = session.scalars(sa.select(Post).where(Post.person_id == case.person_id, Post.ended_on.is_(None))
                                .order_by(Post.started_on)).all()
        return [(p.id, f"{p.title} — {p.unit.name}") for p in posts]
    return people_choices(session, name, unit)


def choice_label(choices):
    """A function giving the label of a value among ``(value, label)`` choices
    (the value itself if it is not one of them; "" for None)."""
    labels = dict(choices)
    return lambda value: str(labels.get(value, value or ""))
