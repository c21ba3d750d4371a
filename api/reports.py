"""The summary report of the articles (DOMAIN.md, "Reports"), for a unit and a
year, and its route (``/reports/summary``).

Generic over the registered processes: counts come from the cases and their
audit events, filtered by the same permission rule as every list. Discipline
forms are read from the case data (``final_form``, else ``form`` / ``proposed_form``)
or the deciding event's payload, whichever the discipline type records.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import sqlalchemy as sa
from flask import jsonify
from sqlalchemy.orm import Session

from app.extensions import db
from cases.registry import all_entries
from core import clock
from core.models import Unit
from core.permissions import visible
from workflow import calendar
from workflow.models import AuditEvent, Case

from .blueprint import bp
from .caller import current
from .form_schema import INT_MAX
from .openapi import operation, query, ref
from .render import unit_ref
from .requests import int_arg
from .units import load_unit

FORM_KEYS = ("final_form", "form", "decided_form", "discipline_form", "proposed_form")


def year_window(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The local (Asia/Ho_Chi_Minh) calendar year as naive UTC bounds."""
    def utc(y):
        return dt.datetime(y, 1, 1, tzinfo=clock.LOCAL_TZ).astimezone(dt.timezone.utc).replace(tzinfo=None)

    return utc(year), utc(year + 1)


def _scoped(stmt, session, user, unit):
    stmt = stmt.where(visible(user, Unit.path, session, person_column=Case.person_id))
    if unit is not None:
        stmt = stmt.where(Unit.path.startswith(unit.path, autoescape=True))
    return stmt


def _events(session, user, unit, start, end, *criteria):
    stmt = (sa.select(AuditEvent, Case).join(Case, Case.id == AuditEvent.case_id)
            .join(Unit, Unit.id == Case.unit_id).where(AuditEvent.at >= start, AuditEvent.at < end, *criteria))
    return session.execute(_scoped(stmt, session, user, unit)).all()


def _grouped(session, user, unit, column, *criteria) -> dict[str, int]:
    stmt = (sa.select(column, sa.func.count()).select_from(Case).join(Unit, Unit.id == Case.unit_id)
            .where(*criteria).group_by(column))
    return {str(k): int(n) for k, n in session.execute(_scoped(stmt, session, user, unit)).all()}


def _form_of(case: Case, payload: dict) -> str:
    for source in (case.data or {}, payload or {}):
        for key in FORM_KEYS:
            value = source.get(key)
            if isinstance(value, str) and value:
                return value
    return "unknown"


def _date(value):
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


def summary(session: Session, user, unit: Unit | None, year: int) -> dict:
    """The counts of the year in ``unit``'s subtree (None: all the user's units), as the
    ``Summary`` schema of the OpenAPI document: cases opened, by stage and outcome per
    type; admissions decided; discipline by form; removals; overdue cases now."""
    start, end = year_window(year)
    types = all_entries()
    per_type = {}
    for name in sorted(types):
        opened = _grouped(session, user, unit, Case.process, Case.process == name,
                          Case.opened_at >= start, Case.opened_at < end)
        per_type[name] = {
            "opened": opened.get(name, 0),
            "by_stage": _grouped(session, user, unit, Case.state, Case.process == name, Case.closed_at.is_(None),
                                 Case.opened_at >= start, Case.opened_at < end),
            "by_outcome": _grouped(session, user, unit, Case.state, Case.process == name,
                                   Case.closed_at >= start, Case.closed_at < end),
        }

    empty = {"opened": 0, "by_stage": {}, "by_outcome": {}}
    admissions = dict(per_type.get("admission", empty))
    actions = Counter()
    gaps = []
    if "admission" in types:
        for event, case in _events(session, user, unit, start, end, Case.process == "admission",
                                   AuditEvent.action.in_(["decide_admit", "decide_recognise", "decide_remove"])):
            actions[event.action] += 1
            if event.action == "decide_admit":
                voted = _date((case.data or {}).get("branch_vote_date"))
                decided = _date((event.payload or {}).get("decision_date"))
                if voted and decided:
                    gaps.append((decided - voted).days)
    admissions.update(admitted=actions["decide_admit"], recognised=actions["decide_recognise"],
                      removed_during_probation=actions["decide_remove"],
                      average_days_branch_vote_to_decision=round(sum(gaps) / len(gaps), 1) if gaps else None)

    forms = Counter()
    if "discipline" in types:
        for event, case in _events(session, user, unit, start, end, Case.process == "discipline",
                                   AuditEvent.to_state == "decided", AuditEvent.from_state != "decided"):
            forms[_form_of(case, event.payload)] += 1

    removals = 0
    if "removal" in types:
        removals = len(_events(session, user, unit, start, end, Case.process == "removal",
                               AuditEvent.to_state == "removed", AuditEvent.from_state != "removed"))

    now = clock.now()
    overdue_stmt = (sa.select(Case.process, Case.state, Unit.id, Unit.name, sa.func.count())
                    .select_from(Case).join(Unit, Unit.id == Case.unit_id)
                    .where(calendar.overdue_filter(Case, now))
                    .group_by(Case.process, Case.state, Unit.id, Unit.name))
    by_step, by_unit, total = Counter(), {}, 0
    for process, state, unit_id, unit_name, n in session.execute(_scoped(overdue_stmt, session, user, unit)).all():
        by_step[(process, state)] += n
        entry = by_unit.setdefault(unit_id, {"unit_id": unit_id, "unit_name": unit_name, "count": 0})
        entry["count"] += n
        total += n

    return {
        "unit": unit_ref(unit) if unit is not None else None,
        "year": year,
        "admissions": admissions,
        "discipline": {"total": sum(forms.values()), "by_form": dict(forms)},
        "removals": {"total": removals},
        "overdue": {"total": total,
                    "by_step": [{"type": p, "state": s, "count": n} for (p, s), n in sorted(by_step.items())],
                    "by_unit": sorted(by_unit.values(), key=lambda e: (-e["count"], e["unit_id"]))},
        "cases": per_type,
    }


@bp.get("/reports/summary")
@operation("Counts for a unit and year: admissions by stage and outcome, discipline by form, removals, overdue",
           tags=["reports"],
           params=[query("unit", {"type": "integer", "minimum": 1, "maximum": INT_MAX},
                         "the unit (default: all the caller's units)"),
                   query("year", {"type": "integer", "minimum": 1900, "maximum": 2200}, "default: this year")],
           response=ref("Summary"))
def report_summary():
    unit_id = int_arg("unit")
    unit = load_unit(unit_id) if unit_id is not None else None
    year = int_arg("year", 1900, 2200) or clock.today().year
    return jsonify(summary(db.session, current(), unit, year))
