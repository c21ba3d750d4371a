"""``GET /reports/summary``: the summary report of DOMAIN.md's "Reports" for a
unit and a year or any period ``from``–``to`` (API.md). The counts are
:func:`cases.reports.summary`'s; this module reads the parameters and renders.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, jsonify, request
from flask_babel import gettext as _

from app.extensions import db
from cases.reports import Period, summary
from cases.spreadsheet import XLSX_TYPE
from core import clock

from .blueprint import bp
from .caller import current
from .form_schema import INT_MAX
from .openapi import operation, query, ref
from .render import unit_ref
from .requests import ApiError, int_arg
from .units import load_unit
from .xlsx import FORMAT, LIST_TYPES, wants_xlsx

DATE_PARAM = {"type": "string", "format": "date"}


def _date_arg(name: str) -> dt.date | None:
    """The query parameter ``name`` as a date (YYYY-MM-DD between 1900 and 2199), or None; 400 otherwise."""
    value = request.args.get(name)
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or len(value) != 10 or not 1900 <= day.year <= 2199:
        raise ApiError(400, _("The parameter %(name)s must be a date (YYYY-MM-DD).", name=name))
    return day


def period_args() -> Period:
    """The period asked for: ``year``, or ``from`` and ``to`` (both, inclusive), never both kinds;
    default this year (Vietnam's calendar). 400 for anything else."""
    start, end = _date_arg("from"), _date_arg("to")
    if start is None and end is None:
        return Period.year(int_arg("year", 1900, 2199) or clock.today().year)
    if request.args.get("year") is not None:
        raise ApiError(400, _("Give either year, or from and to; not both."))
    if start is None or end is None:
        raise ApiError(400, _("Give both from and to."))
    if start > end:
        raise ApiError(400, _("The period's start (from) is after its end (to)."))
    return Period(start, end)


def summary_json(counts: dict) -> dict:
    """The ``Summary`` schema of :func:`cases.reports.summary`'s counts."""
    unit = counts["unit"]
    return dict(counts, unit=unit_ref(unit) if unit is not None else None, **{
        "from": counts["from"].isoformat(), "to": counts["to"].isoformat()})


@bp.get("/reports/summary")
@operation("Counts for a unit and a year or a period: members by status, organisations by kind, admissions, "
           "discipline by form (decisions and people), removals, transfers, exemptions, overdue",
           tags=["reports"],
           description="Decisions are counted by their own date (the decision or meeting date they record), "
                       "never by the day they were entered (a transfer by the day the member presented the "
                       "letter, or the letter's date when out of the system). A temporarily hosted member is counted "
                       "in the home unit's membership. Grading: the grassroots decision's date.",
           params=[query("unit", {"type": "integer", "minimum": 1, "maximum": INT_MAX},
                         "the unit (default: all the caller's units)"),
                   query("year", {"type": "integer", "minimum": 1900, "maximum": 2199},
                         "a calendar year (default: this year); not with from/to"),
                   query("from", DATE_PARAM, "first day of the period (with to)"),
                   query("to", DATE_PARAM, "last day of the period, included (with from)"), FORMAT],
           response=ref("Summary"), response_type=LIST_TYPES)
def report_summary():
    xlsx = wants_xlsx()  # a bad format is a 400 before anything is read
    unit_id = int_arg("unit")
    unit = load_unit(unit_id) if unit_id is not None else None
    period = period_args()
    counts = summary(db.session, current(), unit, period)
    if xlsx:  # the reports page's spreadsheet: the same lines, one export module (cases/spreadsheet.py)
        from app.report_layout import report_workbook

        name = f"bao-cao-{period.start.isoformat()}-{period.end.isoformat()}.xlsx"
        return Response(report_workbook(counts), mimetype=XLSX_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return jsonify(summary_json(counts))
