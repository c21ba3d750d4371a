"""Pages of candidate training: courses with their class lists and results
sheets, annual admission plans, and the certificates on the person page.
(The candidacy cases themselves use the generic case pages.)"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.edge import arg_int, form_ints
from app.extensions import db
from app.templating import register_nav
from cases.certificates import PARTY_KNOWLEDGE, valid_until
from cases.rulebooks import rulebook_for
from core.enums import LEVEL_RANK, Level
from core.permissions import ORGANISE_COURSE, SET_PLAN, allows, home_units, units_where
from forms.candidacy import RESULT_CHOICES, CourseForm, PlanForm
from core import clock
from workflow.errors import InvalidPayload, NotPermitted

from . import courses as course_service
from . import plans as plan_service
from . import rules
from ..queries import NotFound
from .plans import GROUPS, PIPELINE_STAGES

bp = Blueprint("candidacy", __name__, url_prefix="/candidacy")

register_nav(_l("Courses"), "candidacy.courses")
register_nav(_l("Admission plans"), "candidacy.plans")

GROUP_LABELS = {
    "youth_union": _l("Youth Union members"),
    "private_enterprise": _l("Workers in private enterprises"),
    "village_heads": _l("Village or neighbourhood heads"),
    "women": _l("Women"),
    "ethnic_minorities": _l("Ethnic minorities"),
}
STAGE_LABELS = {
    "nominated": _l("Nominated"),
    "in_training": _l("In training"),
    "certified": _l("Certified"),
    "dossier": _l("Dossier in progress"),
}


def _course_or_404(course_id: int):
    try:
        return course_service.get_course(db.session, current_user, course_id)
    except NotFound:
        abort(404)


# ---- courses ----------------------------------------------------------------------------------

@bp.route("/courses", methods=["GET", "POST"])
@login_required
def courses():
    """The courses the user may see; an organisation officer creates one here."""
    organisers = units_where(db.session, current_user, ORGANISE_COURSE)
    form = CourseForm(formdata=request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not organisers:
            abort(403)
        if form.validate():
            try:
                course = course_service.create_course(db.session, current_user, form.data)
            except InvalidPayload as exc:
                for name, messages in exc.errors.items():
                    getattr(form, name).errors = list(messages)
                status = 422
            else:
                flash(_("The course was created. Add the candidates in training to its class list."), "success")
                return redirect(url_for("candidacy.course", course_id=course.id))
        else:
            status = 422
    return render_template("candidacy/courses.html", courses=course_service.visible_courses(db.session, current_user),
                           form=form, organisers=organisers), status


def _render_course(course, *, errors=None, posted=None, status=200):
    session = db.session
    manage = allows(session, current_user, ORGANISE_COURSE, course.organiser)
    return render_template(
        "candidacy/course.html", course=course, rows=course_service.class_list(session, course), manage=manage,
        available=course_service.trainees_available(session, course) if manage else [],
        errors=errors or {}, posted=posted, result_choices=RESULT_CHOICES, batch_key=uuid.uuid4().hex,
        state_label=_state_label), status


def _state_label(state: str) -> str:
    from cases.registry import get_entry

    return get_entry("candidacy").state_label(state)


@bp.route("/courses/<int:course_id>")
@login_required
def course(course_id: int):
    """A course with its class list and results sheet."""
    return _render_course(_course_or_404(course_id))


@bp.route("/courses/<int:course_id>/class", methods=["POST"])
@login_required
def enrol(course_id: int):
    """Put candidates in training on the class list."""
    course = _course_or_404(course_id)
    try:
        added = course_service.enrol(db.session, current_user, course, form_ints("case_id"))
    except NotFound:
        abort(404)
    except course_service.UnknownIds:
        db.session.rollback()
        flash(_("A candidate chosen is not in training under this course's organiser; no one was added."), "error")
        return _render_course(_course_or_404(course_id), status=422)
    flash(_("%(n)s candidate(s) added to the class list.", n=added), "success")
    return redirect(url_for("candidacy.course", course_id=course.id))


@bp.route("/courses/<int:course_id>/results", methods=["POST"])
@login_required
def results(course_id: int):
    """Record the results sheet: every filled-in row, all or nothing."""
    course = _course_or_404(course_id)
    rows = []
    for eid in form_ints("enrolment_id"):
        field = lambda name: (request.form.get(f"{name}_{eid}") or "").strip()  # noqa: E731
        rows.append(course_service.ResultRow(enrolment_id=eid, score=field("score"), result=field("result"),
                                             certificate_number=field("certificate_number"),
                                             certificate_date=field("certificate_date")))
    try:
        n = course_service.record_results(db.session, current_user, course, rows,
                                          batch_key=request.form.get("batch_key") or uuid.uuid4().hex,
                                          request_id=g.request_id)
    except NotFound:
        abort(404)
    except course_service.UnknownIds:
        flash(_("A row names an enrolment that is not on this course; nothing was recorded."), "error")
        return _render_course(_course_or_404(course_id), posted=request.form, status=422)
    except course_service.BatchRefused as exc:
        course = _course_or_404(course_id)
        return _render_course(course, errors=exc.errors, posted=request.form, status=422)
    if n:
        flash(_("Results recorded for %(n)s candidate(s).", n=n), "success")
    else:
        flash(_("No new result to record."), "info")
    return redirect(url_for("candidacy.course", course_id=course.id))


# ---- admission plans ------------------------------------------------------------------------------

def _default_unit_id():
    """The highest of the user's own units (the first by id among equals), or None."""
    ranked = sorted(home_units(db.session, current_user), key=lambda u: (LEVEL_RANK[u.level], u.id))
    return ranked[0].id if ranked else None


@bp.route("/plans")
@login_required
def plans():
    """Plans against admissions for a unit's organisations in a year."""
    year = plan_service.parse_year(request.args.get("year"))
    unit_id = arg_int("unit") or _default_unit_id()
    if unit_id is None:
        abort(404)
    try:
        report = plan_service.report(db.session, current_user, unit_id, year)
    except NotFound:
        abort(404)
    editable = plan_service.plannable(db.session, current_user, [r.unit for r in report.rows])
    units = home_units(db.session, current_user, at_or_above=Level.grassroots)
    return render_template("candidacy/plans.html", report=report, year=year, years=plan_service.years_around(
        plan_service.default_year()), units=units, editable=editable, groups=GROUPS, group_labels=GROUP_LABELS,
        stages=PIPELINE_STAGES, stage_labels=STAGE_LABELS)


@bp.route("/plans/<int:unit_id>/<int:year>", methods=["GET", "POST"])
@login_required
def plan_edit(unit_id: int, year: int):
    """Set a unit's plan for a year."""
    try:
        unit = plan_service.visible_unit(db.session, current_user, unit_id)
    except NotFound:
        abort(404)
    if not allows(db.session, current_user, SET_PLAN, unit):
        abort(403)
    plan = plan_service.get_plan(db.session, unit.id, year)
    form = PlanForm(formdata=request.form if request.method == "POST" else None, obj=plan)
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                plan_service.save_plan(db.session, current_user, unit.id, year, form.data)
            except (InvalidPayload, NotPermitted) as exc:
                db.session.rollback()
                for name, messages in getattr(exc, "errors", {}).items():
                    getattr(form, name).errors = list(messages)
                status = 422
            else:
                flash(_("The admission plan was saved."), "success")
                return redirect(url_for("candidacy.plans", unit=request.args.get("from") or unit.id, year=year))
        else:
            status = 422
    return render_template("candidacy/plan_form.html", unit=unit, year=year, form=form, plan=plan), status


# ---- certificates on the person page --------------------------------------------------------------

@bp.app_template_global()
def person_certificates(person):
    """The person's training certificates, newest first, each with its validity."""
    today = clock.today()
    months = rulebook_for(today).certificate_valid_months
    return [{"cert": c, "valid_until": valid_until(c.issued_on, months) if c.kind == PARTY_KNOWLEDGE else None,
             "expired": rules.is_expired(c, today, months)} for c in rules.certificates_of(db.session, person.id)]


@bp.app_template_global()
def candidacy_person_name(person_id) -> str:
    """The name of a person a candidacy case refers to (the helper: same branch as the case)."""
    from core.models import Person

    try:
        person = db.session.get(Person, int(person_id))
    except (TypeError, ValueError):
        person = None
    return person.full_name if person is not None else ""
