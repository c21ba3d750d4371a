"""Bulk import of units and people from a spreadsheet (DOMAIN.md "Setting up an
organisation": the member record's columns, :mod:`cases.record_columns`).

:func:`run_import` reads the whole file and checks every row first (each cell,
then the row with :class:`forms.people.MemberRecordForm`, the fields the pages
validate, then the rules across rows and against the database); any bad row
means nothing is written and the report names every one (row, column, reason
in the user's language). Otherwise, unless it is a dry run, it writes
everything in the caller's transaction (all or nothing: the caller commits),
idempotently: a person is found by national id; an unchanged row changes
nothing; a changed row updates the person's details and adds posts and
certificates not on file yet. A person's status and branch never change here
(only a decided case changes them): such a row is reported. A run that writes
something appends one set-up event (``import``) with the file's sha256.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Callable

from sqlalchemy.orm import Session

from core import clock
from core.models import Unit
from core.permissions import ADMINISTER, allows
from forms.people import MemberRecordForm
from workflow.i18n import _
from workflow.setup_log import log

from . import import_people
from . import import_rows as rows_mod
from .record_columns import HEADERS, PEOPLE_COLUMNS, PEOPLE_REQUIRED, UNIT_COLUMNS, UNIT_REQUIRED, header_map
from .spreadsheet import UnreadableFile, read_sheets


@dataclasses.dataclass
class Report:
    """The answer of an import (API.md): ``{rows, created, updated, unchanged, errors: [{row, column, message}]}``."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = dataclasses.field(default_factory=list)
    sha256: str = ""
    written: bool = False

    def error(self, row: int, column: str, message: str, sheet: str = "") -> None:
        """Name a bad cell (``column`` is the file's header, or ``""`` for the whole row)."""
        entry = {"row": row, "column": column, "message": message}
        if sheet:
            entry["sheet"] = sheet
        self.errors.append(entry)

    def as_json(self) -> dict:
        """The API's shape (``sheet`` on an error only for a workbook's units sheet)."""
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "errors": self.errors}


def _tables(data: bytes, report: Report):
    """(units sheet, people sheet): each ``(name, header map, rows)`` or None."""
    try:
        sheets = read_sheets(data, _("The file is neither an XLSX workbook nor a UTF-8 CSV file."))
    except UnreadableFile as exc:
        report.error(1, "", str(exc))
        return None, None
    units = people = None
    for name, rows in sheets.items():
        if not rows:
            continue
        number, headers = rows[0]
        people_map = header_map(headers, PEOPLE_COLUMNS)
        unit_map = header_map(headers, UNIT_COLUMNS)
        if "national_id" in people_map and people is None:
            people, required = (name, people_map, rows[1:]), PEOPLE_REQUIRED
            found = people_map
        elif "path" in unit_map and "level" in unit_map and units is None:
            units, required = (name, unit_map, rows[1:]), UNIT_REQUIRED
            found = unit_map
        else:
            continue
        for key in required:
            if key not in found:
                report.error(number, HEADERS[key], _("This column is missing."), sheet=name if units else "")
    if units is None and people is None:
        report.error(1, "", _("No table with the member record's headers was found (see the template)."))
    return units, people


def run_import(session: Session, actor, data: bytes, *, filename: str = "", dry_run: bool = False,
               progress: Callable[[int], None] | None = None) -> Report:
    """Import ``data`` (XLSX or CSV bytes) as ``actor`` (a user who must be an
    admin of every unit the file touches; None: the system, from the command
    line). Returns the :class:`Report`; writes only when the file has no bad row
    and ``dry_run`` is false (then ``report.written``), without committing.
    ``progress(n)`` is called as rows are checked and written (2 ticks a row)."""
    tick = progress or (lambda n: None)
    report = Report(sha256=hashlib.sha256(data).hexdigest())
    units_table, people_table = _tables(data, report)
    if report.errors:
        return report
    allowed: dict[int, bool] = {}

    def may(unit_id: int) -> bool:
        """May the actor administer the unit ``unit_id`` (cached: one check a unit)?"""
        if actor is None:
            return True
        if unit_id not in allowed:
            allowed[unit_id] = allows(session, actor, ADMINISTER, session.get(Unit, unit_id))
        return allowed[unit_id]

    tree = rows_mod.Tree(session)
    unit_plans = rows_mod.check_units(tree, units_table, report, may) if units_table else []
    tick(len(units_table[2]) if units_table else 0)
    people_plans = import_people.check(session, tree, people_table, report, may, MemberRecordForm,
                                       tick) if people_table else []
    report.rows = len(unit_plans) + len(people_plans)
    if report.errors:
        report.errors.sort(key=lambda e: (e.get("sheet", ""), e["row"]))
        return report
    for plan in unit_plans + people_plans:
        if plan.kind == "create":
            report.created += 1
        elif plan.kind == "update":
            report.updated += 1
        else:
            report.unchanged += 1
    if dry_run or not (report.created or report.updated):
        return report
    rows_mod.write_units(session, tree, unit_plans)
    rows_mod.write_people(session, tree, people_plans, tick)
    top = tree.top_unit()
    log(session, actor, "import", top, target={"kind": "import", "sha256": report.sha256},
        after={"filename": filename[:200], "sha256": report.sha256, "rows": report.rows, "created": report.created,
               "updated": report.updated, "unchanged": report.unchanged, "at": clock.now()})
    report.written = True
    return report
