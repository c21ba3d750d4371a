"""The reports page (DOMAIN.md "Reports"): any unit in scope, any period, every number a
link to the list behind it; its charts (SVG images from a route) and its spreadsheet."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from cases.reports import Period, by_month, summary
from cases.spreadsheet import XLSX_TYPE
from core import clock
from core.enums import LEVEL_RANK
from core.models import Unit
from core.permissions import home_units

from . import report_charts
from .edge import arg_int
from .extensions import db
from .loaders import get_visible_or_404
from .report_layout import PENALTIES, penalty, process_name, report_workbook, sections
from .templating import register_nav

bp = Blueprint("reports", __name__)
register_nav(_l("Reports"), "reports.index")


def highest_unit(user) -> Unit | None:
    """The user's highest unit (the highest level, then the first by path), or None without a role."""
    units = home_units(db.session, user)
    return min(units, key=lambda u: (LEVEL_RANK[u.level], u.path)) if units else None


def quick_periods(today: dt.date, year: int) -> list[tuple[str, dt.date, dt.date]]:
    """The quick choices: this year, last year, and each quarter of ``year``."""
    out = [(_("This year"), dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)),
           (_("Last year"), dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))]
    for q in range(4):
        end = dt.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1) - dt.timedelta(days=1)
        out.append((_("Quarter %(q)s/%(year)s", q=q + 1, year=year), dt.date(year, 3 * q + 1, 1), end))
    return out


def _period() -> tuple[Period, str | None]:
    """The period asked for (``from`` and ``to``, or ``year``; default this year), and the error to
    show when the parameters are not a valid period (the default period is then used)."""
    today = clock.today()
    default = Period.year(today.year)
    start, end, year = request.args.get("from"), request.args.get("to"), request.args.get("year")
    try:
        if start or end:
            period = Period(dt.date.fromisoformat(start or ""), dt.date.fromisoformat(end or ""))
            if len(start) != 10 or len(end) != 10:
                raise ValueError
        elif year:
            period = Period.year(int(year))
        else:
            return default, None
        if not (1900 <= period.start.year <= 2199 and 1900 <= period.end.year <= 2199):
            raise ValueError
    except ValueError:
        return default, _("The period must be two dates (from, to), each a day between 1900 and 2199.")
    if period.start > period.end:
        return default, _("The period's start (from) is after its end (to).")
    return period, None


def _unit() -> Unit | None:
    unit_id = arg_int("unit")
    return get_visible_or_404(Unit, unit_id) if unit_id else highest_unit(current_user)


def _args(unit: Unit | None, period: Period) -> dict:
    return {"unit": unit.id if unit else None, "from": period.start.isoformat(), "to": period.end.isoformat()}


@bp.route("/reports")
@login_required
def index():
    """The report of a unit (default: the user's highest) for a period (default: this year)."""
    unit = _unit()
    period, error = _period()
    counts = summary(db.session, current_user, unit, period)
    children = []
    if unit is not None:
        children = db.session.query(Unit).filter(Unit.parent_id == unit.id).order_by(Unit.name).limit(200).all()
    return render_template("reports/index.html", counts=counts, sections=sections(counts), unit=unit,
                           period=period, error=error, args=_args(unit, period), children=children,
                           quick=quick_periods(clock.today(), period.start.year), units=home_units(db.session,
                                                                                                 current_user),
                           charts=report_charts.CHARTS), 400 if error else 200


@bp.route("/reports/report.xlsx")
@login_required
def export():
    """The same report as an XLSX workbook (the same lines and numbers as the page)."""
    unit = _unit()
    period, error = _period()
    if error:
        return Response(error, status=400, mimetype="text/plain")
    body = report_workbook(summary(db.session, current_user, unit, period))
    name = f"bao-cao-{period.start.isoformat()}-{period.end.isoformat()}.xlsx"
    return Response(body, mimetype=XLSX_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _months(period: Period) -> list[str]:
    months, day = [], period.start.replace(day=1)
    while day <= period.end and len(months) < 120:
        months.append(day.strftime("%Y-%m"))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


@bp.route("/reports/charts/<name>.svg")
@login_required
def chart(name: str):
    """One chart of the report as an SVG image; 404 for an unknown chart."""
    if name not in report_charts.CHARTS:
        return Response(status=404)
    unit = _unit()
    period, error = _period()
    if error:
        return Response(error, status=400, mimetype="text/plain")
    if name == "admissions":
        months = _months(period)
        counts = by_month(db.session, current_user, unit, period, "admitted")
        plan = summary(db.session, current_user, unit, period, only={"admissions"})["admissions"]["plan"]
        svg = report_charts.admissions(months, [counts.get(m, 0) for m in months], plan["target"] if plan else None)
    elif name == "discipline":
        d = summary(db.session, current_user, unit, period, only={"discipline"})["discipline"]
        svg = report_charts.discipline([penalty(f) for f in PENALTIES], [d["by_form"].get(f, 0) for f in PENALTIES],
                                       [d["people"]["by_form"].get(f, 0) for f in PENALTIES])
    elif name == "members":
        svg = report_charts.members(summary(db.session, current_user, unit, period, only={"members"})
                                    ["members"]["by_status"])
    else:
        steps = summary(db.session, current_user, unit, period, only={"overdue"})["overdue"]["by_step"]
        svg = report_charts.overdue([(f"{process_name(s['type'])}: {_state(s['type'], s['state'])}", s["count"])
                                     for s in steps])
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _state(process: str, state: str) -> str:
    from cases.registry import all_entries

    entry = all_entries().get(process)
    return entry.state_label(state) if entry else state
