"""The page lists as spreadsheets: ``format=xlsx`` on ``/cases`` and ``/people`` answers the
rows of the page asked for (the same filters, ``cursor`` and order) with the table's columns
in the user's language, written by the one workbook writer (:func:`cases.spreadsheet.write_workbook`:
formula-safe cells), as the API's lists do (``api/xlsx.py``)."""

from __future__ import annotations

from flask import Response, abort, request
from flask_babel import gettext as _

from cases import queries
from cases.spreadsheet import XLSX_TYPE, write_workbook

from . import labels
from .templating import vdate, vdeadline


def wants_xlsx() -> bool:
    """True for ``format=xlsx``; 400 for any other value than ``html``."""
    value = request.args.get("format", "html")
    if value not in ("html", "xlsx"):
        abort(400)
    return value == "xlsx"


def _workbook(name: str, headers: list[str], rows) -> Response:
    body = write_workbook([(name, headers, rows)])
    return Response(body, mimetype=XLSX_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})


def cases_xlsx(rows: list) -> Response:
    """The case list's page (``rows``: cases with their person and unit loaded) as ``cases.xlsx``."""
    headers = [_("Case"), _("Type"), _("Person"), _("Unit"), _("Step"), _("Opened"), _("Deadline"), _("Overdue")]
    return _workbook("cases", headers, (
        [case.id, labels.process(case.process), case.person.full_name if case.person else "", case.unit.name,
         queries.state_label(case), vdate(case.opened_on), vdeadline(case.deadline_at) if case.deadline_at else "",
         _("yes") if case.deadline_at and queries.is_overdue(case) else ""] for case in rows))


def people_xlsx(rows: list) -> Response:
    """The people list's page (``rows``: people with their unit loaded) as ``people.xlsx``."""
    headers = [_("Full name"), _("Date of birth"), _("Unit"), _("Status")]
    return _workbook("people", headers, (
        [p.full_name, vdate(p.date_of_birth), p.unit.name, labels.status(p.status)] for p in rows))
