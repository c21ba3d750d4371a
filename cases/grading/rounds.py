"""The grading round as the pages and the API use it: open every branch's case of a
grassroots organisation at once, read a branch's sheet with what the branch must see
while grading, act on a sheet, and the round's figures.

Every state change goes through the engine (:func:`workflow.engine.start` and
:func:`workflow.engine.act`); nothing here writes a case or a grade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.models import Person, Unit
from core.permissions import OPEN_GRADING, allows
from workflow import engine
from workflow.models import Case

from . import rules
from .models import GRADES, GradingResult
from .process import Grading

from ..queries import NotFound, get_visible


@dataclass
class Opened:
    """What :func:`open_rounds` did: the cases opened and those that already existed, by branch id."""

    opened: dict[int, int] = field(default_factory=dict)
    existing: dict[int, int] = field(default_factory=dict)


def grassroots_for(session: Session, user, unit_id) -> Unit:
    """The grassroots organisation ``unit_id`` where ``user`` may open grading rounds;
    :class:`NotFound` when it is absent, outside the user's scope or not theirs to open."""
    unit = get_visible(session, user, Unit, unit_id)
    if not allows(session, user, OPEN_GRADING, unit):
        raise NotFound(unit_id)
    return unit


def rounds_of(session: Session, grassroots: Unit, year: int) -> dict[int, Case]:
    """The grading cases of ``year`` of the organisation's branches, by branch id (one query)."""
    branch_ids = [b.id for b in rules.branches_of(session, grassroots)]
    cases = session.scalars(sa.select(Case).where(Case.process == Grading.name, Case.unit_id.in_(branch_ids),
                                                  Case.data["year"].as_integer() == year))
    return {c.unit_id: c for c in cases}


def open_rounds(session: Session, user, grassroots: Unit, year: int,
                progress: Callable[[int, int], None] | None = None) -> Opened:
    """Open the grading case of ``year`` for every branch of ``grassroots`` that has none,
    through the engine (one case and one audit event per branch, each committed; a branch
    opened already is left as it is, so running it again opens nothing twice). ``progress``
    is called with ``(done, total)`` after each branch. Raises the engine's errors
    (:class:`~workflow.errors.NotPermitted` if ``user`` is not on the committee,
    :class:`~workflow.errors.InvalidPayload` for a bad year)."""
    out = Opened()
    existing = rounds_of(session, grassroots, year)
    branches = rules.branches_of(session, grassroots)
    for n, branch in enumerate(branches, start=1):
        if branch.id in existing:
            out.existing[branch.id] = existing[branch.id].id
        else:
            case = engine.start(session, Grading, unit=branch, actor=user, payload={"year": year},
                                idempotency_key=f"grading:{year}:{branch.id}")
            out.opened[branch.id] = case.id
        if progress:
            progress(n, len(branches))
    return out


@dataclass
class Line:
    """One member's line on a branch's sheet, with what the branch sees while grading."""

    person_id: int
    name: str
    steps: dict  # "self_assessed" / "proposed" / "final" -> [grade, score]
    residence: dict | None  # {"unit", "verdict", "text"}; verdict None: the comment is missing
    barred: str | None  # why good or above is refused this year
    not_complete_last_year: bool


def sheet_lines(session: Session, case: Case) -> tuple[list[Line], list[tuple[int, str, str]]]:
    """The lines of a branch's sheet (members graded here) and those listed but not graded
    (``(id, name, reason)``), in a fixed number of queries whatever the branch's size."""
    data = case.data or {}
    graded, skipped = rules.listing(session, case)
    year = int(data["year"])
    names = dict(session.execute(sa.select(Person.id, Person.full_name)
                                 .where(Person.id.in_(graded + list(skipped)))).all())
    residence = rules.residence_comments(session, graded, year)
    barred = rules.bars_good(session, graded, year)
    failing = rules.not_complete_in(session, graded, year - 1)
    lines = [Line(pid, names.get(pid, f"#{pid}"),
                  {k: (data.get(k) or {}).get(str(pid)) for k in ("self_assessed", "proposed", "final")},
                  residence.get(pid), barred.get(pid), pid in failing) for pid in graded]
    lines.sort(key=lambda line: (line.name, line.person_id))
    return lines, [(pid, names.get(pid, f"#{pid}"), str(rules.NOT_GRADED_WORDS.get(why, why)))
                   for pid, why in skipped.items()]


def current_data(session: Session, case: Case) -> dict:
    """The round's lists as they stand (:func:`rules.listing`), in the shape of its data:
    ``{"graded": [ids], "not_graded": {"id": reason}}``, for the API and the pages' counts."""
    graded, skipped = rules.listing(session, case)
    return {"graded": graded, "not_graded": {str(pid): why for pid, why in skipped.items()}}


def figures(session: Session, grassroots: Unit, year: int) -> dict:
    """The organisation's decided grades of ``year``: ``{"graded", "by_grade": {grade: n},
    "excellent_cap"}`` (one GROUP BY)."""
    rows = dict(session.execute(sa.select(GradingResult.grade, sa.func.count()).where(
        GradingResult.grassroots_id == grassroots.id, GradingResult.year == year).group_by(GradingResult.grade)).all())
    by_grade = {g: int(rows.get(g, 0)) for g in GRADES}
    from cases.rulebooks import grading_rulebook_for_year

    return {"graded": sum(by_grade.values()), "by_grade": by_grade,
            "excellent_cap": rules.excellent_cap(by_grade["good"], grading_rulebook_for_year(year))}
