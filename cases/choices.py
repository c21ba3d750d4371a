"""People offered by a form's person fields on the case page, and the words of a choice."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm

from core.models import Person, Unit
from core.offers import grassroots_path, offered
from core.text import fold


def people_choices(session, name: str, unit: Unit) -> list[tuple[int, str]]:
    """``(id, name)`` of the people a person field offers at ``unit`` (``name``: its
    ``choices_of``, :func:`core.offers.offered`), by name, at most 500; KeyError for an unknown ``name``."""
    stmt = (sa.select(Person.id, Person.full_name, Unit.name).join(Unit, Unit.id == Person.unit_id)
            .where(offered(session, name, unit)))
    rows = session.execute(stmt.order_by(Person.name_folded).limit(500)).all()
    return [(pid, full_name if uname == unit.name else f"{full_name} — {uname}") for pid, full_name, uname in rows]


def field_choices(session, name: str, unit: Unit, case=None) -> list[tuple[int, str]]:
    """Choices of a form field's ``choices_of``: people, or the posts of the case's person."""
    if name == "branches":
        return branch_choices(session)
    if name == "posts_of_person":
        from core.models import Post

        if case is None or case.person_id is None:
            return []
        posts = session.scalars(sa.select(Post).where(Post.person_id == case.person_id, Post.ended_on.is_(None))
                                .order_by(Post.started_on)).all()
        return [(p.id, f"{p.title} — {p.unit.name}") for p in posts]
    return people_choices(session, name, unit)


def branch_choices(session) -> list[tuple[int, str]]:
    """``(id, "branch — parent")`` of every branch of the system (a transfer's
    destination), by name; the tree holds no personal data, so every branch is offered."""
    from core.enums import Level

    parent = sa.orm.aliased(Unit)
    rows = session.execute(sa.select(Unit.id, Unit.name, parent.name).outerjoin(parent, parent.id == Unit.parent_id)
                           .where(sa.or_(Unit.level == Level.branch, Unit.grassroots_branch))
                           .order_by(Unit.name, Unit.id).limit(2000)).all()
    return [(uid, f"{name} — {pname}" if pname else name) for uid, name, pname in rows]


def choice_label(choices):
    """A function giving the label of a value among ``(value, label)`` choices
    (the value itself if it is not one of them; "" for None)."""
    labels = dict(choices)
    return lambda value: str(labels.get(value, value or ""))


PICKER_LIMIT = 50


def search_people(session, name: str, unit: Unit, q: str, limit: int = PICKER_LIMIT) -> list[tuple[int, str]]:
    """``(id, label)`` of at most ``limit`` people the person field ``name`` offers at
    ``unit`` whose name matches ``q`` from the start of any word, without diacritics
    (:func:`cases.people.name_matches`), names starting with ``q`` first, then by
    name: what a search-as-you-type picker
    lists, for any size of unit. An empty ``q`` lists the first ``limit``.
    KeyError for an unknown ``name``."""
    from .people import name_matches, name_rank, narrow_search, searched_name, units_within

    dialect = session.get_bind().dialect.name
    criteria = offered(session, name, unit)
    stmt = (sa.select(Person.id, Person.full_name, Unit.name).join(Unit, Unit.id == Person.unit_id)
            .where(criteria))
    if fold(q):
        subtree = _subtree_offered(session, name, unit)
        # A subtree's people from its units' index when they are few, else a page of the word
        # streams (cases.name_words); one unit's people come from its index already.
        units = units_within(session, [subtree]) if subtree is not None else [unit.id]
        stmt = stmt.where(name_matches(searched_name(dialect, units is None), q, dialect, Person.id))
        if subtree is not None:
            narrow = narrow_search(session, q, [criteria], units, None, limit)
            if narrow is not None:
                stmt = stmt.where(narrow)
    rank = name_rank(Person.name_folded, q, dialect)
    rows = session.execute(stmt.order_by(rank, Person.name_folded, Person.id).limit(limit)).all()
    return [(pid, _label(full_name, uname, unit)) for pid, full_name, uname in rows]


def _subtree_offered(session, name: str, unit: Unit) -> str | None:
    """The path of the subtree whose people the set ``name`` offers at ``unit`` (None: one unit's)."""
    if name == "members_of_unit":
        return unit.path
    if name == "officials_of_grassroots":
        return grassroots_path(session, unit)
    return None


def person_label(session, name: str, unit: Unit, person_id) -> str | None:
    """The picker's words for ``person_id`` when the field ``name`` offers them at ``unit``, else None."""
    try:
        pid = int(person_id)
    except (TypeError, ValueError):
        return None
    if not 0 < pid < 2 ** 31:  # no id beyond 32 bits names anyone (nor fits SQLite's integer)
        return None
    row = session.execute(sa.select(Person.full_name, Unit.name).join(Unit, Unit.id == Person.unit_id)
                          .where(offered(session, name, unit), Person.id == pid)).first()
    return _label(row[0], row[1], unit) if row else None


def _label(full_name: str, unit_name: str, unit: Unit) -> str:
    return full_name if unit_name == unit.name else f"{full_name} — {unit_name}"
