"""The registry in the pages: register a candidate at a branch (the branch
secretary, for their branch; the organisation board) and correct a person's
details, with the forms and services the API uses (:class:`forms.people.CandidateForm`,
:func:`cases.people.register_candidate`, :func:`cases.people.correct_details`).
Certificates earned before the system and posts are on the person page (:mod:`app.people`)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from cases import people as people_ops
from core.models import Person, Unit
from core.permissions import REGISTER_PERSON, allows
from forms.people import CandidateForm, PersonDetailsForm
from workflow.errors import GuardFailed, InvalidPayload, NotPermitted, WorkflowError
from workflow.guards import validate_form

from .errors import error_page
from .extensions import db
from .loaders import get_visible_or_404

bp = Blueprint("registry", __name__)


def _payload() -> dict:
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


def _with_errors(form, errors: dict | None):
    for name, messages in (errors or {}).items():
        if hasattr(form, name):
            getattr(form, name).errors = list(messages)
    return form


def is_branch(unit: Unit) -> bool:
    """Where candidates belong: a branch or a grassroots branch."""
    return unit.grassroots_branch or unit.level.value == "branch"


@bp.route("/units/<int:unit_id>/people/new", methods=["GET", "POST"])
@login_required
def register(unit_id: int):
    """Register a candidate (quần chúng ưu tú) at the branch ``unit_id``."""
    unit = get_visible_or_404(Unit, unit_id)
    if not is_branch(unit) or not allows(db.session, current_user, REGISTER_PERSON, unit):
        abort(403)
    form = CandidateForm(formdata=request.form if request.method == "POST" else None)
    reasons, status = [], 200
    if request.method == "POST":
        payload = dict(_payload(), unit_id=str(unit.id))
        try:
            _data, data = validate_form(CandidateForm, payload)
            person = people_ops.register_candidate(db.session, current_user, data)
        except NotPermitted as exc:
            db.session.rollback()
            return error_page(403, exc.message)
        except InvalidPayload as exc:
            db.session.rollback()
            _with_errors(form, exc.errors)
            status = 422
        else:
            db.session.commit()
            flash(_("%(name)s was registered as a candidate.", name=person.full_name), "success")
            return redirect(url_for("main.person", person_id=person.id))
    return render_template("main/register.html", unit=unit, form=form, reasons=reasons), status


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def correct(person_id: int):
    """Correct a person's details (never the status); the change is logged with before and after."""
    person = get_visible_or_404(Person, person_id)
    if not people_ops.may_correct(db.session, current_user, person):
        abort(403)
    if request.method == "GET":
        form = PersonDetailsForm(data=people_ops.details_of(person))
        form.date_of_birth.data = person.date_of_birth
        return render_template("main/correct.html", person=person, form=form, reasons=[])
    form = PersonDetailsForm(formdata=request.form)
    try:
        people_ops.correct_details(db.session, current_user, person, _payload())
    except WorkflowError as exc:
        db.session.rollback()
        if isinstance(exc, NotPermitted):
            return error_page(403, exc.message)
        reasons = exc.reasons if isinstance(exc, GuardFailed) else []
        _with_errors(form, exc.errors if isinstance(exc, InvalidPayload) else None)
        return render_template("main/correct.html", person=person, form=form, reasons=reasons), 422
    db.session.commit()
    flash(_("The details were corrected."), "success")
    return redirect(url_for("main.person", person_id=person.id))
