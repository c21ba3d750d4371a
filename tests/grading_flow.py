"""Helpers to drive the annual grading through the engine (no Flask): a grassroots
organisation's committee member and branch secretary, opening the rounds, and each
branch's sheets."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from core.enums import Level, Role
from core.models import RoleAssignment, Unit, User

DECEMBER = "2026-12-18T03:00:00Z"  # a Friday in December, 10:00 in Hà Nội
_n = itertools.count(1)


def officers(session, grassroots: Unit, branches: list[Unit]) -> tuple[User, User]:
    """A committee member of ``grassroots`` and one user who is the secretary of every branch."""
    n = next(_n)
    committee = User(username=f"uyvien{n}", display_name=f"Ủy viên {n}", password_hash="x")
    secretary = User(username=f"bithu{n}", display_name=f"Bí thư {n}", password_hash="x")
    session.add_all([committee, secretary])
    session.flush()
    session.add(RoleAssignment(user_id=committee.id, unit_id=grassroots.id, role=Role.committee_member))
    session.add_all([RoleAssignment(user_id=secretary.id, unit_id=b.id, role=Role.branch_secretary) for b in branches])
    session.commit()
    return committee, secretary


def score_of(grade: str) -> int:
    """A score (qd366_2025) that gives ``grade``."""
    return {"excellent": 95, "good": 80, "complete": 60, "not_complete": 30}[grade]


def rows(grades: dict[int, str], scores: bool = True) -> list[dict]:
    """A sheet's lines from ``{person id: grade}``."""
    return [{"person_id": pid, "grade": g, **({"score": score_of(g)} if scores else {})} for pid, g in grades.items()]


def grade_branch(session, case, secretary, committee, grades: dict[int, str], *, scores=True,
                 decision_date="2026-12-18", decide=True):
    """Self-assessments and the branch proposal as ``grades``; then the decision (unless ``decide`` is false)."""
    from workflow import engine

    engine.act(session, case.id, "record_self_assessments", secretary, {"rows": rows(grades, scores)})
    engine.act(session, case.id, "record_branch_proposal", secretary,
               {"rows": rows(grades, scores), "meeting_date": decision_date})
    if decide:
        return engine.act(session, case.id, "decide_grades", committee,
                          {"rows": rows(grades, scores), "decision_number": "15-QĐ/ĐU",
                           "decision_date": decision_date})
    return None


def grassroots_with_most_branches(session) -> Unit:
    """The scaled district's đảng ủy with the most branches under it."""
    parent = sa.orm.aliased(Unit)
    row = session.execute(sa.select(parent.id, sa.func.count(Unit.id)).join(Unit, Unit.parent_id == parent.id)
                          .where(parent.level == Level.grassroots, Unit.level == Level.branch)
                          .group_by(parent.id).order_by(sa.func.count(Unit.id).desc(), parent.id).limit(1)).one()
    return session.get(Unit, row[0])
