"""Pages of the annual grading: the rounds of a grassroots organisation (opened for all
its branches at once), a branch's sheet (a table, one line per member, one engine act
per step), the residence branch's comment sheet, and the grading on the person page."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.edge import arg_int, form_int, form_ints
from app.extensions import db
from app.templating import register_nav
from cases import actions
from core import clock
from core.models import Person
from core.permissions import OPEN_GRADING, RECORD_RESIDENCE_COMMENT, REGISTER_RESIDENCE, allows, units_where
from workflow.errors import InvalidPayload, WorkflowError

from . import residence, rounds, rules
from .models import GRADES, VERDICTS
from .process import FIRST_YEAR, STATE_LABELS
from .sheet import GRADE_LABELS
from ..queries import NotFound, get_case, get_visible

bp = Blueprint("grading", __name__, url_prefix="/grading")

register_nav(_l("Grading"), "grading.index")

SHEET_ACTIONS = {"self_assessment": "record_self_assessments", "branch_review": "record_branch_proposal",
                 "grassroots_decision": "decide_grades"}
PREVIOUS = {"record_self_assessments": None, "record_branch_proposal": "self_assessed", "decide_grades": "proposed"}
VERDICT_LABELS = {"fulfilled": _l("Fulfilled"), "breach": _l("Breach")}


def _year(raw=None) -> int:
    today = clock.today()
    default = today.year if today.month >= 11 else today.year - 1
    year = arg_int("year", FIRST_YEAR, today.year) if raw is None else raw
    return year or default


@bp.app_template_global()
def grade_label(grade) -> str:
    """The words for a grade."""
    return str(GRADE_LABELS.get(grade, grade or ""))


@bp.route("/")
@login_required
def index():
    """The grassroots organisations where the user opens rounds, and the round of one of them."""
    committees = units_where(db.session, current_user, OPEN_GRADING)
    year = _year()
    unit_id = arg_int("unit") or (committees[0].id if committees else None)
    org = cases = figures = None
    listed: dict = {}
    if unit_id is not None:
        try:
            org = rounds.grassroots_for(db.session, current_user, unit_id)
        except NotFound:
            abort(404)
        cases = rounds.rounds_of(db.session, org, year)
        listed = rules.listings(db.session, list(cases.values()))
        figures = rounds.figures(db.session, org, year)
    branches = rules.branches_of(db.session, org) if org is not None else []
    return render_template("grading/index.html", committees=committees, org=org, year=year, branches=branches,
                           cases=cases or {}, listed=listed, figures=figures, grades=GRADES, state_labels=STATE_LABELS,
                           years=range(clock.today().year, FIRST_YEAR - 1, -1),
                           residence_units=units_where(db.session, current_user, RECORD_RESIDENCE_COMMENT))


@bp.route("/open", methods=["POST"])
@login_required
def open_rounds():
    """Open the round of a year for every branch of a grassroots organisation (through the engine)."""
    unit_id, year = form_int("unit_id", 1), form_int("year", FIRST_YEAR, clock.today().year)
    if year is None:
        flash(_("Enter a year from %(first)s to %(last)s.", first=FIRST_YEAR, last=clock.today().year), "error")
        return redirect(url_for("grading.index", unit=unit_id)), 303
    try:
        org = rounds.grassroots_for(db.session, current_user, unit_id)
        if len(rules.branches_of(db.session, org)) > current_app.config["GRADING_SYNC_BRANCHES"]:
            from tasks.jobs import open_grading_rounds

            open_grading_rounds.delay(current_user.id, org.id, year)
            flash(_("The rounds are being opened in the background; the table below shows each branch as it "
                    "opens."), "info")
            return redirect(url_for("grading.index", unit=org.id, year=year))
        opened = rounds.open_rounds(db.session, current_user, org, year)
    except NotFound:
        abort(404)
    except WorkflowError as exc:
        db.session.rollback()
        flash(" ".join(getattr(exc, "reasons", None) or [exc.message]), "error")
        return redirect(url_for("grading.index", unit=unit_id, year=year))
    flash(_("Grading rounds opened for %(n)s branch(es); %(m)s were open already.", n=len(opened.opened),
            m=len(opened.existing)), "success")
    return redirect(url_for("grading.index", unit=org.id, year=year))


def _case_or_404(case_id: int):
    try:
        case = get_case(db.session, current_user, case_id)
    except NotFound:
        abort(404)
    if case.process != "grading":
        abort(404)
    return case


def _render_sheet(case, *, errors=None, posted=None, status=200):
    lines, skipped = rounds.sheet_lines(db.session, case)
    names = {t.action for t in actions.available(db.session, current_user, case)}
    action = SHEET_ACTIONS.get(case.state)
    data = case.data or {}
    return render_template(
        "grading/sheet.html", case=case, lines=lines, skipped=skipped, action=action if action in names else None,
        previous=PREVIOUS.get(action), may_return="return" in names, may_open_removal="open_removal" in names,
        scores=data.get("grading_rulebook") == "qd366_2025", grades=GRADES, errors=errors or [], posted=posted,
        state_labels=STATE_LABELS, key=uuid.uuid4().hex, verdict_labels=VERDICT_LABELS), status


@bp.route("/cases/<int:case_id>")
@login_required
def sheet(case_id: int):
    """A branch's grading sheet."""
    return _render_sheet(_case_or_404(case_id))


def _sheet_payload(case, action: str) -> dict:
    rows = []
    for pid in form_ints("person_id"):
        grade = (request.form.get(f"grade_{pid}") or "").strip()
        score = (request.form.get(f"score_{pid}") or "").strip()
        rows.append({"person_id": pid, **({"grade": grade} if grade else {}), **({"score": score} if score else {})})
    payload: dict = {"rows": rows}
    for name in {"record_branch_proposal": ("meeting_date",),
                 "decide_grades": ("decision_number", "decision_date")}.get(action, ()):
        payload[name] = (request.form.get(name) or "").strip()
    return payload


def _errors(exc: WorkflowError) -> list[str]:
    if isinstance(exc, InvalidPayload):
        return [str(m) for messages in exc.errors.values() for m in (messages if isinstance(messages, list)
                                                                      else [messages])]
    return list(getattr(exc, "reasons", None) or [exc.message])


@bp.route("/cases/<int:case_id>/act/<name>", methods=["POST"])
@login_required
def act(case_id: int, name: str):
    """Take a step of the sheet (the whole table in one engine act), return it, or open the offered removal."""
    case = _case_or_404(case_id)
    if name not in {*SHEET_ACTIONS.values(), "return", "open_removal"}:
        abort(404)
    if name == "return":
        payload = {"reason": (request.form.get("reason") or "").strip()}
    elif name == "open_removal":
        payload = {"person_id": form_int("removal_person_id", 1)}
    else:
        payload = _sheet_payload(case, name)
    try:
        actions.take_action(db.session, current_user, case, name, payload,
                            expected_version=form_int("expected_version", 0),
                            idempotency_key=request.form.get("idempotency_key") or None, request_id=g.request_id)
    except WorkflowError as exc:
        db.session.rollback()
        status = {"NotPermitted": 403, "StaleCase": 409, "ActionNotAvailable": 409}.get(type(exc).__name__, 422)
        return _render_sheet(_case_or_404(case_id), errors=_errors(exc), posted=request.form, status=status)
    flash(_("Recorded."), "success")
    return redirect(url_for("grading.sheet", case_id=case_id))


# ---- the residence branch ----------------------------------------------------------------------

@bp.route("/residence/<int:unit_id>", methods=["GET", "POST"])
@login_required
def residence_sheet(unit_id: int):
    """The residence branch's comment sheet of a year for the members registered with it."""
    try:
        unit = residence.residence_unit_for(db.session, current_user, unit_id)
    except NotFound:
        abort(404)
    year = _year(form_int("year", FIRST_YEAR, clock.today().year) if request.method == "POST" else None)
    errors, status = [], 200
    if request.method == "POST":
        rows = [{"person_id": pid, "verdict": (request.form.get(f"verdict_{pid}") or "").strip(),
                 "text": request.form.get(f"text_{pid}") or ""} for pid in form_ints("person_id")]
        try:
            n = residence.record_comments(db.session, current_user, unit, year, rows)
        except InvalidPayload as exc:
            db.session.rollback()
            errors, status = _errors(exc), 422
        else:
            flash(_("Comments recorded for %(n)s member(s).", n=n), "success")
            return redirect(url_for("grading.residence_sheet", unit_id=unit.id, year=year))
    return render_template("grading/residence.html", unit=unit, year=year, lines=residence.comment_sheet(
        db.session, unit, year), verdicts=VERDICTS, verdict_labels=VERDICT_LABELS, errors=errors,
        posted=request.form if errors else None, years=range(clock.today().year, FIRST_YEAR - 1, -1)), status


@bp.route("/residence/register/<int:person_id>", methods=["POST"])
@login_required
def register_residence(person_id: int):
    """Register a member with their residence branch (from the person page)."""
    try:
        residence.register(db.session, current_user, person_id, form_int("residence_unit_id", 1))
    except NotFound:
        abort(404)
    except InvalidPayload as exc:
        db.session.rollback()
        flash(" ".join(_errors(exc)), "error")
        return redirect(url_for("main.person", person_id=person_id)), 303
    flash(_("The member was registered with the residence branch."), "success")
    return redirect(url_for("main.person", person_id=person_id))


@bp.app_template_global()
def person_grading(person):
    """The person page's grading part: grades by year, the residence registration, the branches
    it may be changed to (when the user may register it)."""
    try:
        person = get_visible(db.session, current_user, Person, person.id)
    except NotFound:
        return None
    may = allows(db.session, current_user, REGISTER_RESIDENCE, person.unit) and person.status in rules.MEMBER_STATUSES
    return {"grades": rules.grading_of_person(db.session, person.id),
            "registration": residence.registration_of(db.session, person.id),
            "branches": residence.residence_branches(db.session, person) if may else [], "may_register": may}
