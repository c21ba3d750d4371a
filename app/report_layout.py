"""The report's lines, in the user's language, each with the list behind it.

One layout for the reports page (HTML, every number a link to the scoped list
of cases or people it counts) and for the report's spreadsheet (the same
lines, the same numbers: :func:`report_workbook` through the one XLSX writer
of :mod:`cases.spreadsheet`). The counts are :func:`cases.reports.summary`'s.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask import url_for
from flask_babel import gettext as _

from cases.registry import all_entries
from cases.report_facts import KINDS
from cases.spreadsheet import write_workbook

from . import labels


@dataclasses.dataclass
class Line:
    """One counted line: its words, its number, the list behind it (a URL or None), its depth."""

    label: str
    value: object
    href: str | None = None
    depth: int = 0


@dataclasses.dataclass
class Section:
    """A titled group of lines (a section of DOMAIN.md "Reports")."""

    key: str
    title: str
    lines: list[Line]


def _day(args, name: str) -> dt.date | None:
    value = args.get(name) or None
    if value is None:
        return None
    day = dt.date.fromisoformat(value)  # ValueError: the caller's 400
    if len(value) != 10 or not 1900 <= day.year <= 2199:
        raise ValueError(name)
    return day


def drill_args(args) -> dict:
    """The case list's drill-down filters in ``args`` (``fact``, ``detail``, ``from``, ``to``,
    ``opened_from``, ``opened_to``) as :class:`cases.queries.Filters` fields. Raises ValueError
    for an unknown fact kind, a malformed date or a period that ends before it starts (the list
    answers 400, as the report does)."""
    fact = args.get("fact") or None
    if fact is not None and fact not in KINDS:
        raise ValueError("fact")
    out = {"fact": fact, "detail": (args.get("detail") or None) if fact else None,
           "day_from": _day(args, "from"), "day_to": _day(args, "to"),
           "opened_from": _day(args, "opened_from"), "opened_to": _day(args, "opened_to")}
    for start, end in (("day_from", "day_to"), ("opened_from", "opened_to")):
        if out[start] and out[end] and out[start] > out[end]:  # as the report itself: a 400, not an empty list
            raise ValueError(start)
    return out


def process_name(name: str) -> str:
    """The words for a process (its definition's title when the labels have none)."""
    label = labels.process(name)
    entry = all_entries().get(name)
    return str(entry.process.title) if label == name and entry is not None else label


def _state(process: str, state: str) -> str:
    entry = all_entries().get(process)
    return entry.state_label(state) if entry else state


def penalty(form: str) -> str:
    """The words for a form of discipline."""
    return {"reprimand": _("Reprimand"), "warning": _("Warning"), "dismissal": _("Dismissal from post"),
            "expulsion": _("Expulsion")}.get(form, form)


PENALTIES = ("reprimand", "warning", "dismissal", "expulsion")


def grade(value: str) -> str:
    """The words for a grade."""
    from cases.grading.sheet import grade_label

    return grade_label(value)


def sections(counts: dict, links: bool = True) -> list[Section]:
    """The report's sections and lines from ``counts`` (:func:`cases.reports.summary`); with
    ``links``, each line that counts cases or people links to their scoped list (needs a request)."""
    unit = counts["unit"]
    unit_id = unit.id if unit is not None else None
    start, end = counts["from"].isoformat(), counts["to"].isoformat()

    def cases(**kw):
        if not links:
            return None
        kw = {k: v for k, v in kw.items() if v is not None}
        if "fact" in kw:
            kw.update({"from": start, "to": end})
        return url_for("cases.case_list", unit=unit_id, **kw)

    def people(**kw):
        return url_for("main.people_list", unit=unit_id, **kw) if links else None

    out = []
    m = counts["members"]
    by_status = m["by_status"]
    t = counts["transfers"]
    e = counts["exemptions"]
    out.append(Section("members", _("Members today (the registry as it is now, whatever the period)"), [
        Line(_("Party members (official and probationary)"), m["total"]),
        *[Line(labels.status(s), by_status.get(s, 0), people(status=s), 1)
          for s in ("official", "probationary", "candidate") if s in by_status or s != "candidate"],
        *[Line(labels.status(s), n, people(status=s), 1) for s, n in sorted(by_status.items())
          if s not in ("official", "probationary", "candidate")],
        Line(_("Temporarily hosted elsewhere (counted here)"), t["hosted_away"]),
        Line(_("Temporarily hosted here (counted at home)"), t["hosted_here"]),
        Line(_("Exempted from work and activity now"), e["exempted"]),
        *[Line(labels.exemption(k), n, None, 1) for k, n in sorted(e["by_kind"].items())],
    ]))
    o = counts["organisations"]
    unit_page = url_for("main.unit", unit_id=unit_id) if links and unit_id else None
    out.append(Section("organisations", _("Party organisations today"), [
        Line(_("Grassroots party organisations"), o["total"], unit_page),
        Line(_("Grassroots party committees (đảng bộ cơ sở)"), o["by_kind"]["grassroots_committee"], unit_page, 1),
        Line(_("Grassroots branches (chi bộ cơ sở)"), o["by_kind"]["grassroots_branch"], unit_page, 1),
        Line(_("Branches under grassroots committees"), o["branches"], unit_page),
    ]))
    a = counts["admissions"]
    plan = a.get("plan")
    admission_lines = [
        Line(_("Admission cases opened"), a["opened"], cases(type="admission", opened_from=start, opened_to=end)),
        Line(_("Admitted (admission decisions)"), a["admitted"], cases(fact="admitted")),
        Line(_("Recognised as official members"), a["recognised"], cases(fact="recognised")),
        Line(_("Removed from the rolls during probation"), a["removed_during_probation"],
             cases(fact="probation_removed")),
        Line(_("Average days from the branch vote to the decision"),
             a["average_days_branch_vote_to_decision"] if a["average_days_branch_vote_to_decision"] is not None
             else "—"),
    ]
    if plan:
        admission_lines.append(Line(_("Admission plan for %(year)s (organisations with a plan: %(n)s)",
                                      year=plan["year"], n=plan["organisations_with_plan"]), plan["target"]))
    out.append(Section("admissions", _("Admissions"), admission_lines))
    d = counts["discipline"]
    out.append(Section("discipline", _("Discipline and removals"), [
        Line(_("Discipline decisions"), d["total"], cases(fact="disciplined")),
        *[Line(penalty(f), d["by_form"].get(f, 0), cases(fact="disciplined", detail=f), 1) for f in PENALTIES],
        Line(_("Members disciplined (each once, under the heaviest form)"), d["people"]["total"],
             cases(fact="disciplined")),
        *[Line(penalty(f), d["people"]["by_form"].get(f, 0), cases(fact="disciplined", detail=f), 1)
          for f in PENALTIES],
        Line(_("Removed from the rolls (removal cases)"), counts["removals"]["total"], cases(fact="removed")),
    ]))
    out.append(Section("transfers", _("Transfers and exemptions"), [
        Line(_("Transferred in (official transfer)"), t["transferred_in"], cases(fact="transfer_in",
                                                                               detail="transferred")),
        Line(_("Received for temporary activity"), t["received_temporarily"], cases(fact="transfer_in",
                                                                                   detail="hosted")),
        Line(_("Of those received, presented late"), t["late"], None, 1),
        Line(_("Transferred out"), t["transferred_out"], cases(fact="transfer_out", detail="transferred")),
        Line(_("Transferred out of the system"), t["transferred_out_of_system"],
             cases(fact="transfer_out", detail="transferred_out")),
        Line(_("Exemptions decided"), e["decided"], cases(fact="exempted")),
    ]))
    g = counts["grading"]
    out.append(Section("grading", _("Grading of members"), [
        Line(_("Members graded"), g["graded"]),
        Line(_("Excellent or good"), g["excellent_or_good"], None, 1),
        *[Line(grade(k), n, None, 1) for k, n in g["by_grade"].items()],
    ]))
    ov = counts["overdue"]
    out.append(Section("overdue", _("Cases past their deadline (now)"), [
        Line(_("Overdue cases"), ov["total"], cases(overdue="1")),
        *[Line(f"{process_name(s['type'])}: {_state(s['type'], s['state'])}", s["count"],
               cases(type=s["type"], state=s["state"], overdue="1"), 1) for s in ov["by_step"]],
        *[Line(_("Unit: %(name)s", name=u["unit_name"]), u["count"],
               url_for("cases.case_list", unit=u["unit_id"], overdue="1") if links else None, 1)
          for u in ov["by_unit"][:20]],
    ]))
    lines = []
    for name, c in counts["cases"].items():
        lines.append(Line(_("%(type)s: opened", type=process_name(name)), c["opened"],
                          cases(type=name, opened_from=start, opened_to=end)))
        lines += [Line(_state(name, s), n, cases(fact="closed", type=name, detail=s), 1)
                  for s, n in sorted(c["by_outcome"].items())]
    out.append(Section("cases", _("Cases by type: opened, and closed by outcome"), lines))
    return out


def report_workbook(counts: dict) -> bytes:
    """The report as an XLSX workbook (one sheet: section, line, number), formula-safe."""
    unit = counts["unit"]
    rows = [[_("Unit"), unit.name if unit is not None else _("All my units"), None],
            [_("Period"), f"{counts['from']:%d/%m/%Y} – {counts['to']:%d/%m/%Y}", None]]
    for section in sections(counts, links=False):
        for line in section.lines:
            rows.append([section.title, ("    " * line.depth) + line.label,
                         line.value if isinstance(line.value, (int, float)) else None])
    return write_workbook([(_("Summary report"), [_("Section"), _("Item"), _("Number")], rows)])
