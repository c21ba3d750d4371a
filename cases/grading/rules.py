"""The rules of the annual grading (DOMAIN.md "Annual quality grading", "Contact with
the residence branch") as plain functions over the database. Every number comes from
the grading rulebook of the year graded (:mod:`cases.rulebooks`: ``hd21_2019``,
Hướng dẫn 21-HD/BTCTW; ``qd366_2025``, Quy định 366-QĐ/TW).

Other processes are read by their names in SQL (``discipline``, ``exemption``,
``transfer``), never imported: a process package does not import another.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from cases.rulebooks import GradingRulebook
from core.enums import PersonStatus
from core.models import Person, Unit
from workflow.i18n import _
from workflow.models import AuditEvent, Case

from .models import GRADES, GradingResult, ResidenceComment, ResidenceRegistration

GOOD_OR_ABOVE = ("excellent", "good")
NOT_GRADED_WORDS = {"exempted": _l("exempted from party work and activity"), "hosted": _l("hosted by another branch")}
MEMBER_STATUSES = (PersonStatus.official, PersonStatus.probationary)


def grade_for_score(rulebook: GradingRulebook, score: float) -> str | None:
    """The grade a score gives under ``rulebook`` (``qd366_2025``: ≥ 90 excellent, 70–89
    good, 50–69 complete, < 50 not complete); None when the rulebook grades without scores."""
    for floor, grade in rulebook.score_bands:
        if score >= floor:
            return grade
    return None


def excellent_cap(good: int, rulebook: GradingRulebook) -> int:
    """The most members that may be graded ``excellent`` when ``good`` are graded good:
    ``excellent_cap_percent`` of them, rounded down (Hướng dẫn 21, Quy định 366: 20%)."""
    return good * rulebook.excellent_cap_percent // 100


def grassroots_of(session: Session, unit: Unit) -> Unit:
    """The grassroots organisation a branch belongs to (itself for a chi bộ cơ sở)."""
    from core.enums import Level

    if unit.level is Level.grassroots:
        return unit
    ids = [int(x) for x in unit.path.strip("/").split("/") if x]
    rows = session.scalars(sa.select(Unit).where(Unit.id.in_(ids), Unit.level == Level.grassroots)).all()
    if not rows:
        raise LookupError(f"unit {unit.id} has no grassroots organisation above it")
    return max(rows, key=lambda u: len(u.path))


def branches_of(session: Session, grassroots: Unit) -> list[Unit]:
    """The branches graded under a grassroots organisation: the chi bộ below it, or the
    organisation itself when it is a chi bộ cơ sở."""
    from core.enums import Level

    if grassroots.grassroots_branch:
        return [grassroots]
    return list(session.scalars(sa.select(Unit).where(Unit.level == Level.branch,
                                                      Unit.path.startswith(grassroots.path, autoescape=True))
                                .order_by(Unit.name, Unit.id)))


def members_of(session: Session, branch_id: int) -> list[tuple[int, str]]:
    """``(id, full name)`` of the branch's party members (official and probationary), by name."""
    return [tuple(r) for r in session.execute(
        sa.select(Person.id, Person.full_name).where(Person.unit_id == branch_id, Person.status.in_(MEMBER_STATUSES))
        .order_by(Person.name_folded, Person.id)).all()]


def not_graded_here(session: Session, person_ids: Iterable[int]) -> dict[int, str]:
    """Members listed but not graded by their branch (DOMAIN.md): exempted from work and
    activity, or hosted by another branch (a temporary transfer), read from the open cases
    of those processes by name. ``{person id: "exempted" | "hosted"}`` (words:
    :data:`NOT_GRADED_WORDS`)."""
    ids = list(person_ids)
    if not ids:
        return {}
    rows = session.execute(sa.select(Case.person_id, Case.process).where(
        Case.person_id.in_(ids), Case.closed_at.is_(None),
        sa.or_(sa.and_(Case.process == "exemption", Case.state == "exempted"),
               sa.and_(Case.process == "transfer", Case.state == "hosted")))).all()
    return {pid: "exempted" if process == "exemption" else "hosted" for pid, process in rows}


def listings(session: Session, cases) -> dict[int, tuple[list[int], dict[int, str]]]:
    """For each grading round of ``cases``, the members it grades and those it lists but does
    not grade (``{person id: "exempted" | "hosted"}``), read now: an open round's members (as
    listed when it opened) against today's exemptions and temporary transfers, so a member
    exempted after the round opened is not graded and one whose exemption ended is (DOMAIN.md
    "Exemption": exempted members are not graded; "Annual quality grading"). A decided round
    keeps the lists its decision was taken on. One query for all the rounds.
    ``{case id: (graded ids, not graded)}``."""
    members = {}
    for case in cases:
        data = case.data or {}
        members[case.id] = ([int(p) for p in data.get("graded", [])],
                            {int(k): v for k, v in (data.get("not_graded") or {}).items()})
    open_ids = [c.id for c in cases if c.closed_at is None]
    skipped = not_graded_here(session, [p for cid in open_ids for part in members[cid] for p in part])
    out = {}
    for case in cases:
        graded, listed = members[case.id]
        if case.closed_at is None:
            everyone = [*graded, *listed]
            graded, listed = [p for p in everyone if p not in skipped], {p: skipped[p] for p in everyone
                                                                          if p in skipped}
        out[case.id] = (graded, listed)
    return out


def listing(session: Session, case) -> tuple[list[int], dict[int, str]]:
    """:func:`listings` of one round."""
    return listings(session, [case])[case.id]


def disciplined_in(session: Session, person_ids: Iterable[int], year: int) -> dict[int, str]:
    """Members disciplined during ``year``: a discipline decided (the vote or decision that
    made the case ``decided``, dated by its own decision or meeting date) in that year and not
    annulled since. ``{person id: form}`` (the heaviest is not needed: any bars ``good``)."""
    ids = list(person_ids)
    if not ids:
        return {}
    day = sa.func.coalesce(AuditEvent.payload["decision_date"].as_string(),
                           AuditEvent.payload["meeting_date"].as_string())
    form = sa.func.coalesce(AuditEvent.payload["final_form"].as_string(),
                            AuditEvent.payload["proposed_form"].as_string())
    rows = session.execute(
        sa.select(Case.person_id, form).select_from(AuditEvent).join(Case, Case.id == AuditEvent.case_id)
        .where(Case.process == "discipline", Case.person_id.in_(ids), Case.state != "annulled",
               AuditEvent.to_state == "decided", AuditEvent.from_state != "decided",
               day >= f"{year}-01-01", day <= f"{year}-12-31")).all()
    return {pid: f for pid, f in rows}


def residence_comments(session: Session, person_ids: Iterable[int], year: int) -> dict[int, dict]:
    """For each member registered with a residence branch: ``{person id: {"unit": name,
    "verdict": "fulfilled" | "breach" | None, "text": ...}}`` (``verdict`` None: the comment
    of ``year`` is missing). Members not registered are absent."""
    ids = list(person_ids)
    if not ids:
        return {}
    rows = session.execute(
        sa.select(ResidenceRegistration.person_id, Unit.name, ResidenceComment.verdict, ResidenceComment.text)
        .join(Unit, Unit.id == ResidenceRegistration.residence_unit_id)
        .outerjoin(ResidenceComment, sa.and_(ResidenceComment.person_id == ResidenceRegistration.person_id,
                                             ResidenceComment.year == year))
        .where(ResidenceRegistration.person_id.in_(ids))).all()
    return {pid: {"unit": unit, "verdict": verdict, "text": text or ""} for pid, unit, verdict, text in rows}


def bars_good(session: Session, person_ids: Iterable[int], year: int) -> dict[int, str]:
    """Why a member may not be graded ``good`` or above in ``year``: disciplined during the
    year, or a breach reported by their residence branch. ``{person id: reason}``."""
    ids = list(person_ids)
    out: dict[int, str] = {}
    from forms.discipline import PENALTY_CHOICES

    words = dict(PENALTY_CHOICES)
    for pid, form in disciplined_in(session, ids, year).items():
        out[pid] = str(_("disciplined in %(year)s (%(form)s)", year=year, form=str(words.get(form, form))))
    for pid, comment in residence_comments(session, ids, year).items():
        if comment["verdict"] == "breach":
            reason = str(_("the residence branch reported a breach"))
            out[pid] = f"{out[pid]}; {reason}" if pid in out else reason
    return out


def cap_refusal(session: Session, rulebook: GradingRulebook, grassroots: Unit, year: int, case_id: int,
                grades: dict[int, str], names: dict[int, str]) -> str | None:
    """The 20% cap on ``excellent`` over the grassroots organisation's branches decided so
    far for ``year``, this decision (``grades``: person id → grade) included. Returns the
    refusal naming the numbers and this sheet's excellent members, or None."""
    rows = session.execute(sa.select(GradingResult.grade, sa.func.count()).where(
        GradingResult.grassroots_id == grassroots.id, GradingResult.year == year, GradingResult.case_id != case_id)
        .group_by(GradingResult.grade)).all()
    counts = {g: int(n) for g, n in rows}
    for grade in grades.values():
        counts[grade] = counts.get(grade, 0) + 1
    excellent, good = counts.get("excellent", 0), counts.get("good", 0)
    cap = excellent_cap(good, rulebook)
    if excellent <= cap:
        return None
    here = [names.get(pid, f"#{pid}") for pid, g in grades.items() if g == "excellent"]
    return _("Too many excellent grades: %(excellent)s members would be graded excellent in %(unit)s for "
             "%(year)s, but at most %(cap)s are allowed (%(percent)s%% of the %(good)s graded good, rounded "
             "down); %(over)s too many. Graded excellent in this branch: %(names)s.",
             excellent=excellent, unit=grassroots.name, year=year, cap=cap, percent=rulebook.excellent_cap_percent,
             good=good, over=excellent - cap, names=", ".join(here))


def not_complete_in(session: Session, person_ids: Iterable[int], year: int) -> set[int]:
    """The members graded ``not_complete`` in ``year``."""
    ids = list(person_ids)
    if not ids:
        return set()
    return set(session.scalars(sa.select(GradingResult.person_id).where(
        GradingResult.person_id.in_(ids), GradingResult.year == year, GradingResult.grade == "not_complete")))


def is_grade(value) -> bool:
    """One of :data:`GRADES`."""
    return value in GRADES


def grading_of_person(session: Session, person_id: int) -> list[GradingResult]:
    """A member's grades, newest year first (the person page)."""
    return list(session.scalars(sa.select(GradingResult).where(GradingResult.person_id == person_id)
                                .order_by(GradingResult.year.desc())))


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """1 January and 31 December of ``year``."""
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
