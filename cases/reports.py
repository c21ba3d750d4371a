"""The summary report of DOMAIN.md's "Reports", for a unit and any period.

Every count is an aggregate computed by the database (``GROUP BY``), one
statement per group of counts; nothing loops over case or event rows here.
Decisions and events are counted by their own date — the decision date, or the
meeting date of the vote that decided, which the event's payload records —
never by the day they were typed in; an event without such a date (a timer, a
withdrawal) is dated by the Vietnamese calendar day it happened. Those counts
read the fact table of :mod:`cases.report_facts` (one indexed row per counted
decision, the date a real column), never the audit trail's JSON. Every count
is limited to what the user may see (:func:`core.permissions.reported`) and to
the unit's subtree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core import clock
from core.enums import Level, PersonStatus
from core.models import Person, Unit
from core.permissions import reported, scope_paths
from workflow import calendar
from workflow.models import Case

from . import report_rollup
from .registry import all_entries
from .report_facts import ReportFact
from .report_rollup import in_ids

# Penalties from the lightest; a person disciplined twice in a period counts once, under the heaviest.
PENALTY_RANK = {"reprimand": 1, "warning": 2, "dismissal": 3, "expulsion": 4}


@dataclasses.dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both included (Vietnamese calendar days)."""

    start: dt.date
    end: dt.date

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def whole_year(self) -> int | None:
        """The year when the period is exactly one calendar year, else None."""
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) \
                and self.start.year == self.end.year:
            return self.start.year
        return None

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as naive UTC instants: the local start of ``start`` and of the day after ``end``."""
        def utc(day: dt.date) -> dt.datetime:
            local = dt.datetime.combine(day, dt.time(), tzinfo=clock.LOCAL_TZ)
            return local.astimezone(dt.timezone.utc).replace(tzinfo=None)

        return utc(self.start), utc(self.end + dt.timedelta(days=1))


class _Scope:
    """The user's reporting scope within ``unit`` (None: all their units), as SQL."""

    def __init__(self, session: Session, user, unit: Unit | None):
        self.session, self.user, self.unit = session, user, unit

    def units(self, stmt, cases: bool = False):
        stmt = stmt.where(reported(self.user, Unit.path, self.session,
                                   person_column=Case.person_id if cases else None))
        if self.unit is not None:
            stmt = stmt.where(Unit.path.startswith(self.unit.path, autoescape=True))
        return stmt

    def cases(self, *columns):
        return self.units(sa.select(*columns).select_from(Case).join(Unit, Unit.id == Case.unit_id), cases=True)

    def facts(self, kind: str, period: Period, *columns, own: bool = True):
        """SELECT ``columns`` of the facts of ``kind`` dated in ``period`` in scope (``own``: and the user's
        own cases, as for any case; a transfer's destination is counted without)."""
        stmt = sa.select(*columns).select_from(ReportFact).where(
            ReportFact.kind == kind, ReportFact.day >= period.start, ReportFact.day <= period.end,
            reported(self.user, ReportFact.unit_path, self.session,
                     person_column=ReportFact.person_id if own else None))
        if self.unit is not None:
            stmt = stmt.where(ReportFact.unit_path.startswith(self.unit.path, autoescape=True))
        return stmt

    def rows(self, stmt) -> list:
        return self.session.execute(stmt).all()

    def _subtree(self, path_column):
        return path_column.startswith(self.unit.path, autoescape=True) if self.unit is not None else sa.true()

    def admits(self, path_column, person_column=None):
        """SQL: a row at ``path_column`` (about ``person_column``) is counted (what :meth:`facts` filters)."""
        return sa.and_(reported(self.user, path_column, self.session, person_column=person_column),
                       self._subtree(path_column))

    def roots(self) -> list[str]:
        """The disjoint subtrees counted, as unit paths: the user's scope within the unit."""
        paths = scope_paths(self.session, self.user)
        if self.unit is None:
            return list(paths)
        if any(self.unit.path.startswith(p) for p in paths):
            return [self.unit.path]
        return [p for p in paths if p.startswith(self.unit.path)]

    def own_person(self) -> int | None:
        return getattr(self.user, "person_id", None)

    def own_outside(self, path_column, person_column):
        """SQL: a row about the user's own person outside their scope, in the unit's subtree (counted
        by :func:`core.permissions.reported`, absent from the rollup rows of :meth:`roots`)."""
        if person_column is None or self.own_person() is None:
            return sa.false()
        outside = sa.not_(sa.or_(sa.false(), *(path_column.startswith(p, autoescape=True)
                                               for p in scope_paths(self.session, self.user))))
        return sa.and_(person_column == self.own_person(), outside, self._subtree(path_column))

    def counts(self, kind: str, period: Period, *, own: bool = True, by_month: bool = False) -> dict:
        """:func:`cases.report_rollup.counts` of ``kind`` in ``period``."""
        return report_rollup.counts(self, kind, period.start, period.end, own=own, by_month=by_month)

    def by(self, kind: str, period: Period, *, own: bool = True, key=1) -> dict:
        """``{process or detail (key 0 or 1): n}`` of ``kind`` in ``period``."""
        out: dict = {}
        for k, (n, _s, _v) in self.counts(kind, period, own=own).items():
            out[k[key]] = out.get(k[key], 0) + n
        return out

    def total(self, kind: str, period: Period) -> int:
        return sum(n for n, _s, _v in self.counts(kind, period).values())


def _cases_by_type(scope: _Scope, period: Period) -> dict:
    """Per registered type: opened in the period, those still open by state, those closed in the
    period by end state (dated by the closing event's own day)."""
    opened = scope.by("opened", period, key=0)
    stages = [(p, s, n) for (p, s), (n, _s, _v) in scope.counts("open", period).items()]
    outcomes = [(p, s, n) for (p, s), (n, _s, _v) in scope.counts("closed", period).items()]
    out = {name: {"opened": int(opened.get(name, 0)), "by_stage": {}, "by_outcome": {}} for name in all_entries()}
    for key, rows in (("by_stage", stages), ("by_outcome", outcomes)):
        for process, state, n in rows:
            if process in out:
                out[process][key][state] = int(n)
    return out


def _admissions(scope: _Scope, period: Period, cases: dict) -> dict:
    counts = {kind: scope.total(kind, period) for kind in ("recognised", "probation_removed")}
    admitted = [sum(d[i] for d in scope.counts("admitted", period).values()) for i in range(3)]
    counts["admitted"] = admitted[0]
    average = admitted[1] / admitted[2] if admitted[2] else None
    out = dict(cases.get("admission", {"opened": 0, "by_stage": {}, "by_outcome": {}}))
    out.update(admitted=int(counts["admitted"]), recognised=int(counts["recognised"]),
               removed_during_probation=int(counts["probation_removed"]),
               average_days_branch_vote_to_decision=round(float(average), 1) if average is not None else None,
               plan=_plan(scope, period, int(counts["admitted"])))
    return out


def _plan(scope: _Scope, period: Period, admitted: int) -> dict | None:
    """The year's admission plans of the organisations in scope against the admissions, for a whole year."""
    year = period.whole_year
    if year is None:
        return None
    from cases.candidacy.models import AdmissionPlan

    stmt = scope.units(sa.select(sa.func.count(), sa.func.sum(AdmissionPlan.target)).select_from(AdmissionPlan)
                       .join(Unit, Unit.id == AdmissionPlan.unit_id).where(AdmissionPlan.year == year))
    plans, target = scope.session.execute(stmt).one()
    return {"year": year, "organisations_with_plan": int(plans), "target": int(target or 0), "admitted": admitted}


def _discipline(scope: _Scope, period: Period) -> dict:
    """Decisions by form (first-instance decisions: the vote or decision that made the case
    ``decided``) and people by the heaviest form decided for them in the period."""
    form = ReportFact.detail
    by_form = {f or None: n for f, n in scope.by("disciplined", period).items()}
    rank = sa.case(*((form == f, r) for f, r in PENALTY_RANK.items()), else_=0)
    heaviest = scope.facts("disciplined", period, ReportFact.person_id.label("person_id"),
                           sa.func.max(rank).label("rank")).group_by(ReportFact.person_id).subquery()
    people = dict(scope.rows(sa.select(heaviest.c.rank, sa.func.count()).group_by(heaviest.c.rank)))
    names = {r: f for f, r in PENALTY_RANK.items()}
    return {"total": sum(by_form.values()), "by_form": by_form,
            "people": {"total": int(sum(people.values())),
                       "by_form": {names.get(r, "unknown"): int(n) for r, n in people.items()}}}


def _removals(scope: _Scope, period: Period) -> dict:
    return {"total": scope.total("removed", period)}


def _members(scope: _Scope) -> dict:
    """People in the registry by status now (the registry keeps no history of statuses)."""
    units = scope.units(sa.select(Unit.id))
    rows = scope.rows(sa.select(Person.status, sa.func.count())
                      .where(in_ids(scope.session, Person.unit_id, units)).group_by(Person.status))
    by_status = {getattr(s, "value", s): int(n) for s, n in rows}
    members = sum(by_status.get(s.value, 0) for s in (PersonStatus.official, PersonStatus.probationary))
    return {"total": members, "by_status": by_status}


def _organisations(scope: _Scope) -> dict:
    """Grassroots organisations by kind: đảng bộ cơ sở (``grassroots_committee``) and chi bộ
    cơ sở (``grassroots_branch``); and the branches (chi bộ) below đảng bộ cơ sở."""
    rows = scope.rows(scope.units(sa.select(Unit.level, Unit.grassroots_branch, sa.func.count()).select_from(Unit))
                      .where(Unit.level.in_([Level.grassroots, Level.branch]))
                      .group_by(Unit.level, Unit.grassroots_branch))
    kinds = {"grassroots_committee": 0, "grassroots_branch": 0}
    branches = 0
    for level, grassroots_branch, n in rows:
        if getattr(level, "value", level) == Level.branch.value:
            branches += int(n)
        else:
            kinds["grassroots_branch" if grassroots_branch else "grassroots_committee"] += int(n)
    return {"total": sum(kinds.values()), "by_kind": kinds, "branches": branches}


def _overdue(scope: _Scope) -> dict:
    """Open cases past their deadline now, by type and step and by unit."""
    rows = scope.rows(scope.cases(Case.process, Case.state, Unit.id, Unit.name, sa.func.count())
                      .where(calendar.overdue_filter(Case, clock.now()))
                      .group_by(Case.process, Case.state, Unit.id, Unit.name))
    by_step: dict[tuple[str, str], int] = {}
    by_unit: dict[int, dict] = {}
    for process, state, unit_id, unit_name, n in rows:
        by_step[(process, state)] = by_step.get((process, state), 0) + int(n)
        entry = by_unit.setdefault(unit_id, {"unit_id": unit_id, "unit_name": unit_name, "count": 0})
        entry["count"] += int(n)
    return {"total": sum(by_step.values()),
            "by_step": [{"type": p, "state": s, "count": n} for (p, s), n in sorted(by_step.items())],
            "by_unit": sorted(by_unit.values(), key=lambda e: (-e["count"], e["unit_id"]))}


def _transfers(scope: _Scope, period: Period) -> dict:
    """Members transferred in (received at a unit of the subtree, by the day they presented the
    letter) and out (received elsewhere, or out of the system by the letter's date), those of them
    received late, and the members temporarily hosted now: away from the subtree's branches
    (``hosted_away``, still counted in their home unit's membership) and hosted in it
    (``hosted_here``). Each count is one aggregate statement."""
    in_rows: dict[str, tuple[int, int]] = {}
    for (_process, state), (n, late, _v) in scope.counts("transfer_in", period, own=False).items():
        in_rows[state] = (in_rows.get(state, (0, 0))[0] + n, in_rows.get(state, (0, 0))[1] + late)
    out_rows = scope.by("transfer_out", period)
    away = scope.session.scalar(scope.units(sa.select(sa.func.count()).select_from(Person)
                                            .join(Unit, Unit.id == Person.unit_id))
                                .where(Person.host_unit_id.is_not(None)))
    here = scope.session.scalar(scope.units(sa.select(sa.func.count()).select_from(Person)
                                            .join(Unit, Unit.id == Person.host_unit_id))
                                .where(Person.host_unit_id.is_not(None)))
    transferred_in, late_in = in_rows.get("transferred", (0, 0))
    hosted_in, late_hosted = in_rows.get("hosted", (0, 0))
    return {"transferred_in": transferred_in, "received_temporarily": hosted_in, "late": late_in + late_hosted,
            "transferred_out": int(out_rows.get("transferred", 0)),
            "transferred_out_of_system": int(out_rows.get("transferred_out", 0)),
            "hosted_away": int(away or 0), "hosted_here": int(here or 0)}


def _exemptions(scope: _Scope, period: Period) -> dict:
    """Members exempted now, by kind (the registry), and exemptions decided in the period (by
    the meeting's date)."""
    rows = scope.rows(scope.units(sa.select(Person.exemption, sa.func.count()).select_from(Person)
                                  .join(Unit, Unit.id == Person.unit_id))
                      .where(Person.exemption.is_not(None)).group_by(Person.exemption))
    by_kind = {kind: int(n) for kind, n in rows}
    decided = scope.total("exempted", period)
    return {"exempted": sum(by_kind.values()), "by_kind": by_kind, "decided": int(decided or 0)}


def _grading(scope: _Scope, period: Period) -> dict:
    """Grading (DOMAIN.md "Reports": "7,213 of 7,872 members graded excellent or good, 605
    complete, 54 not complete"): the grades decided in the period, dated by the grassroots
    decision's own date, counted once per member and year graded (``grading_result``), by
    grade, by year and by grassroots organisation — each a GROUP BY."""
    from cases.grading.models import GRADES, GradingResult

    def grouped(*columns):
        return scope.rows(scope.units(sa.select(*columns, GradingResult.grade, sa.func.count())
                                      .select_from(GradingResult).join(Unit, Unit.id == GradingResult.unit_id))
                          .where(GradingResult.decided_on >= period.start, GradingResult.decided_on <= period.end)
                          .group_by(*columns, GradingResult.grade))

    by_grade = {g: 0 for g in GRADES}
    for grade, n in grouped():
        by_grade[grade] = by_grade.get(grade, 0) + int(n)
    by_year: dict[int, dict] = {}
    for year, grade, n in grouped(GradingResult.year):
        by_year.setdefault(int(year), {g: 0 for g in GRADES})[grade] = int(n)
    by_unit: dict[int, dict] = {}
    for unit_id, year, grade, n in grouped(GradingResult.grassroots_id, GradingResult.year):
        entry = by_unit.setdefault((unit_id, year), {"unit_id": unit_id, "year": int(year),
                                                     "by_grade": {g: 0 for g in GRADES}})
        entry["by_grade"][grade] = int(n)
    return {"graded": sum(by_grade.values()), "excellent_or_good": by_grade["excellent"] + by_grade["good"],
            "by_grade": by_grade,
            "by_year": [{"year": y, "by_grade": g} for y, g in sorted(by_year.items())],
            "by_unit": sorted(by_unit.values(), key=lambda e: (e["year"], e["unit_id"]))}


def summary(session: Session, user, unit: Unit | None, period: Period, only: set[str] | None = None) -> dict:
    """The counts of ``period`` in ``unit``'s subtree (None: all the user's units), as the
    ``Summary`` schema of the OpenAPI document; ``only``: just those sections (a chart's)."""
    scope = _Scope(session, user, unit)
    want = (lambda name: True) if only is None else only.__contains__
    cases = _cases_by_type(scope, period) if want("cases") or want("admissions") else {}
    parts = {
        "members": lambda: _members(scope), "organisations": lambda: _organisations(scope),
        "admissions": lambda: _admissions(scope, period, cases), "discipline": lambda: _discipline(scope, period),
        "removals": lambda: _removals(scope, period), "transfers": lambda: _transfers(scope, period),
        "exemptions": lambda: _exemptions(scope, period), "grading": lambda: _grading(scope, period),
        "overdue": lambda: _overdue(scope), "cases": lambda: cases,
    }
    out = {"unit": unit, "from": period.start, "to": period.end, "year": period.whole_year}
    out.update({name: part() for name, part in parts.items() if want(name)})
    return out

def by_month(session: Session, user, unit: Unit | None, period: Period, kind: str) -> dict[str, int]:
    """The facts of ``kind`` (e.g. ``admitted``) in ``period`` by month ``YYYY-MM`` (one GROUP BY;
    months without any are absent), for the admissions chart."""
    out: dict[str, int] = {}
    for (_p, _d, month), (n, _s, _v) in _Scope(session, user, unit).counts(kind, period, by_month=True).items():
        out[month] = out.get(month, 0) + n
    return out
