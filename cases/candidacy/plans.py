"""Annual admission plans (kế hoạch, chỉ tiêu kết nạp đảng viên) and their
progress, computed live: a person counts as admitted in the year of the
admission decision (the ``decide_admit`` event's decision date), never from a
number typed in. Pipeline figures are the open candidacy cases by state and
the open admission dossiers not yet decided."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.enums import Gender, Level
from core.models import Person, Unit
from core.permissions import SET_PLAN, allows, where_allowed
from core import clock
from workflow.errors import InvalidPayload, NotPermitted
from workflow.models import AuditEvent, Case

from ..queries import get_visible
from .models import AdmissionPlan

GROUPS = ("youth_union", "private_enterprise", "village_heads", "women", "ethnic_minorities")
MAJORITY_ETHNICITY = "Kinh"
# Admission states before the decision: a dossier in the pipeline.
DOSSIER_STATES = ("draft", "background_check", "opinions", "branch_vote", "grassroots_vote", "superior_review",
                  "superior_decision")
PIPELINE_STAGES = ("nominated", "in_training", "certified", "dossier")


def group_criteria():
    """The SQL condition on Person for each group a plan sets a target for."""
    return {
        "youth_union": Person.youth_union_member.is_(True),
        "private_enterprise": Person.private_enterprise_worker.is_(True),
        "village_heads": Person.village_head.is_(True),
        "women": Person.gender == Gender.female,
        "ethnic_minorities": Person.ethnicity != MAJORITY_ETHNICITY,
    }


@dataclass
class PlanRow:
    """One grassroots organisation's plan for the year and what it admitted."""

    unit: Unit
    plan: AdmissionPlan | None
    admitted: int = 0
    admitted_by_group: dict = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    pipeline: dict = field(default_factory=lambda: dict.fromkeys(PIPELINE_STAGES, 0))

    @property
    def target(self) -> int | None:
        """The total target, or None without a plan."""
        return self.plan.target if self.plan else None

    def group_target(self, group: str) -> int | None:
        """The plan's target for ``group``, or None."""
        return getattr(self.plan, f"target_{group}") if self.plan else None

    @property
    def percent(self) -> int | None:
        """Admitted as a whole percentage of the target (None without a target)."""
        if not self.plan or not self.plan.target:
            return None
        return round(100 * self.admitted / self.plan.target)

    def as_dict(self) -> dict:
        """The row as the API gives it."""
        return {
            "unit": {"id": self.unit.id, "name": self.unit.name},
            "plan": None if self.plan is None else {
                "target": self.plan.target,
                "targets_by_group": {g: self.group_target(g) for g in GROUPS},
                "note": self.plan.note,
            },
            "admitted": self.admitted,
            "admitted_by_group": dict(self.admitted_by_group),
            "pipeline": dict(self.pipeline),
        }


@dataclass
class PlanReport:
    """Plans against admissions for a unit and a year, one row per organisation below it."""

    unit: Unit
    year: int
    rows: list[PlanRow]

    @property
    def admitted_no_one(self) -> list[PlanRow]:
        """The organisations that admitted no one this year."""
        return [r for r in self.rows if r.admitted == 0]

    @property
    def totals(self) -> dict:
        """Targets, admissions and the pipeline summed over the rows."""
        return {
            "target": sum(r.target or 0 for r in self.rows),
            "admitted": sum(r.admitted for r in self.rows),
            "pipeline": {s: sum(r.pipeline[s] for r in self.rows) for s in PIPELINE_STAGES},
        }

    def as_dict(self) -> dict:
        """The report as the API gives it."""
        return {
            "unit": {"id": self.unit.id, "name": self.unit.name},
            "year": self.year,
            "organisations": [r.as_dict() for r in self.rows],
            "admitted_no_one": [{"id": r.unit.id, "name": r.unit.name, "has_plan": r.plan is not None}
                                for r in self.admitted_no_one],
            "totals": self.totals,
        }


def visible_unit(session: Session, user, unit_id) -> Unit:
    """The unit ``unit_id`` if ``user`` may see it; raises :class:`NotFound` otherwise."""
    return get_visible(session, user, Unit, unit_id)


def grassroots_units(session: Session, root: Unit) -> list[Unit]:
    """The grassroots organisations at or below ``root``."""
    return list(session.scalars(sa.select(Unit).where(Unit.level == Level.grassroots,
                                                      Unit.path.startswith(root.path, autoescape=True))
                                .order_by(Unit.name, Unit.id)))


def _grassroots_of_path(path: str, ids: set[int]) -> int | None:
    for part in path.strip("/").split("/"):
        if part and int(part) in ids:
            return int(part)
    return None


def report(session: Session, user, unit_id, year: int) -> PlanReport:
    """For a unit the user may see: each grassroots organisation below it with
    its plan for ``year``, admitted so far, and the pipeline by stage."""
    root = visible_unit(session, user, unit_id)
    orgs = grassroots_units(session, root)
    by_id = {u.id: PlanRow(unit=u, plan=None) for u in orgs}
    if not orgs:
        return PlanReport(root, year, [])
    ids = set(by_id)
    for plan in session.scalars(sa.select(AdmissionPlan).where(AdmissionPlan.unit_id.in_(ids),
                                                               AdmissionPlan.year == year)):
        by_id[plan.unit_id].plan = plan

    # Admitted: admission cases with a decide_admit event whose decision date is in the year.
    decision_date = AuditEvent.payload["decision_date"].as_string()
    criteria = group_criteria()
    admitted = (
        sa.select(Unit.path, sa.func.count(sa.distinct(Case.id)),
                  *[sa.func.sum(sa.case((crit, 1), else_=0)) for crit in criteria.values()])
        .select_from(Case)
        .join(Unit, Unit.id == Case.unit_id)
        .join(AuditEvent, sa.and_(AuditEvent.case_id == Case.id, AuditEvent.action == "decide_admit"))
        .join(Person, Person.id == Case.person_id)
        .where(Case.process == "admission", Unit.path.startswith(root.path, autoescape=True),
               decision_date >= f"{year:04d}-01-01", decision_date <= f"{year:04d}-12-31")
        .group_by(Unit.path)
    )
    for path, count, *groups in session.execute(admitted):
        org = _grassroots_of_path(path, ids)
        if org is None:
            continue
        row = by_id[org]
        row.admitted += count
        for name, n in zip(criteria, groups):
            row.admitted_by_group[name] += int(n or 0)

    # Pipeline: open candidacy cases by state; open admission dossiers before the decision.
    stage = sa.case((Case.process == "admission", sa.literal("dossier")), else_=Case.state)
    pipeline = (
        sa.select(Unit.path, stage, sa.func.count())
        .select_from(Case).join(Unit, Unit.id == Case.unit_id)
        .where(Unit.path.startswith(root.path, autoescape=True), Case.closed_at.is_(None),
               sa.or_(sa.and_(Case.process == "candidacy", Case.state.in_(PIPELINE_STAGES[:3])),
                      sa.and_(Case.process == "admission", Case.state.in_(DOSSIER_STATES))))
        .group_by(Unit.path, stage)
    )
    for path, stage_name, count in session.execute(pipeline):
        org = _grassroots_of_path(path, ids)
        if org is not None:
            by_id[org].pipeline[stage_name] += count
    return PlanReport(root, year, [by_id[u.id] for u in orgs])


def plannable(session: Session, user, units: list[Unit]) -> set[int]:
    """The ids of those ``units`` whose plan ``user`` may set (:data:`core.permissions.SET_PLAN`), in one query."""
    if not units:
        return set()
    return set(session.scalars(sa.select(Unit.id).where(Unit.id.in_([u.id for u in units]),
                                                        where_allowed(session, user, SET_PLAN))))


def get_plan(session: Session, unit_id: int, year: int) -> AdmissionPlan | None:
    """The unit's plan for ``year``, or None."""
    return session.scalar(sa.select(AdmissionPlan).where(AdmissionPlan.unit_id == unit_id,
                                                         AdmissionPlan.year == year))


def save_plan(session: Session, user, unit_id, year: int, data: dict) -> AdmissionPlan:
    """Create or change the plan (validated data of :class:`forms.candidacy.PlanForm`); commits."""
    unit = visible_unit(session, user, unit_id)
    if not allows(session, user, SET_PLAN, unit):
        raise NotPermitted()
    targets = {f"target_{g}": data.get(f"target_{g}") for g in GROUPS}
    over = [k for k, v in targets.items() if v is not None and v > (data.get("target") or 0)]
    if over:
        from workflow.i18n import _

        raise InvalidPayload({k: [_("A group's target cannot exceed the total target.")] for k in over})
    plan = get_plan(session, unit.id, year)
    if plan is None:
        plan = AdmissionPlan(unit_id=unit.id, year=year, target=0)
        session.add(plan)
    plan.target = data["target"]
    for k, v in targets.items():
        setattr(plan, k, v)
    plan.note = (data.get("note") or "").strip()
    plan.updated_by_id = user.id
    plan.updated_at = clock.now()
    session.commit()
    return plan


def default_year() -> int:
    """This year (Vietnam's calendar)."""
    return clock.today().year


def years_around(year: int) -> list[int]:
    """The years offered around ``year``: two before, one after."""
    return [year - 2, year - 1, year, year + 1]


def parse_year(value) -> int:
    """A year from a query string; this year when missing or out of range."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default_year()
    return year if 1930 <= year <= 2200 else default_year()
