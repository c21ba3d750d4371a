"""A grassroots organisation's strength: "a grassroots organisation has at least 3
official members" (DOMAIN.md "Organisation"; Điều lệ Đảng, Điều 21: tổ chức cơ sở
đảng có từ ba đảng viên chính thức trở lên). The minimum is the rulebook's
(``grassroots_min_official``, the rulebook in force today).

DOMAIN.md states it as a property of the organisation, not as a guard of any step:
nothing here refuses anything. A grassroots organisation below the minimum (a new
one, or one that lost members) is flagged on the admin pages and in the API
(:func:`official_counts`, :func:`shortfall`), and a case whose current step would
take an official member out of an organisation already at or below the minimum
warns its deciders (:func:`warning_for_case`); the superior committee then merges
or strengthens the organisation, which the registry and the admin pages do.

A process says which of its steps take a member out of their organisation by a
``takes_out`` mapping on its class: ``{state: predicate(case data) -> bool}``
(removal before its decision, an expulsion before its announcement, an official
transfer before it arrives). Counts are SQL aggregates, one query for many units.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from core import clock
from core.enums import Level, PersonStatus
from core.models import Person, Unit
from workflow.checks import resolve_process
from workflow.errors import WorkflowError
from workflow.i18n import _
from workflow.models import Case

from .rulebooks import rulebook_for


def minimum() -> int:
    """The least number of official members of a grassroots organisation, from the
    rulebook in force today."""
    return rulebook_for(clock.today()).grassroots_min_official


def official_counts(session: Session, units) -> dict[int, int]:
    """``{unit id: official members}`` for the grassroots organisations among ``units``
    (a đảng bộ cơ sở counts the members of every branch under it; a chi bộ cơ sở its own),
    in one aggregate query. Units of another level are absent."""
    ids = [u.id for u in units if u.level is Level.grassroots]
    if not ids:
        return {}
    org = aliased(Unit)
    rows = session.execute(
        sa.select(org.id, sa.func.count(Person.id)).select_from(org)
        .outerjoin(Unit, Unit.path.like(org.path + "%"))
        .outerjoin(Person, sa.and_(Person.unit_id == Unit.id, Person.status == PersonStatus.official))
        .where(org.id.in_(ids)).group_by(org.id)).all()
    return {uid: int(n) for uid, n in rows}


def shortfall(count: int | None) -> str | None:
    """The flag's words for a grassroots organisation of ``count`` official members, or
    None when it has enough (or is not a grassroots organisation: ``count`` None)."""
    if count is None or count >= minimum():
        return None
    return _("Only %(n)s official member(s): a grassroots organisation has at least %(min)s (Party Charter, "
             "Article 21).", n=count, min=minimum())


def flags(session: Session, units) -> dict[int, str]:
    """``{unit id: the flag's words}`` for the grassroots organisations among ``units``
    below the minimum (one query), for the pages' unit lists."""
    return {uid: words for uid, n in official_counts(session, units).items() if (words := shortfall(n))}


def grassroots_of(session: Session, unit_path: str) -> Unit | None:
    """The grassroots organisation on a unit's path (the unit itself for a chi bộ cơ sở)."""
    ids = [int(x) for x in unit_path.strip("/").split("/") if x]
    return session.scalar(sa.select(Unit).where(Unit.id.in_(ids), Unit.level == Level.grassroots)
                          .order_by(sa.func.length(Unit.path).desc()).limit(1)) if ids else None


def warning_for_case(session: Session, case: Case) -> str | None:
    """The warning a case's deciders read when its current step would take an official
    member out of a grassroots organisation left with fewer official members than the
    minimum; None otherwise (a closed case, a step that takes no one out, a probationary
    member, a transfer within the same organisation, an organisation large enough)."""
    if case.closed_at is not None or case.person_id is None:
        return None
    try:
        takes_out = getattr(resolve_process(case.process), "takes_out", {}).get(case.state)
    except (KeyError, WorkflowError):
        return None
    data = case.data or {}
    if takes_out is None or not takes_out(data):
        return None
    person = session.get(Person, case.person_id)
    if person is None or person.status is not PersonStatus.official or person.unit is None:
        return None
    org = grassroots_of(session, person.unit.path)
    if org is None:
        return None
    destination = session.get(Unit, data["destination_unit_id"]) if data.get("destination_unit_id") else None
    if destination is not None and destination.path.startswith(org.path):
        return None
    left = official_counts(session, [org]).get(org.id, 0) - 1
    if left >= minimum():
        return None
    return _("After this step %(org)s would have %(n)s official member(s), fewer than the %(min)s a grassroots "
             "organisation needs: the committee above should be told, to strengthen or merge it.",
             org=org.name, n=left, min=minimum())
