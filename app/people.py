"""The person page and the registry's forms on it: a certificate earned before
the system, appointing to a post and ending one (the organisation board's).

The forms post here and change the registry through :mod:`cases.people` and
:mod:`cases.posts`, the services the API calls too; a refusal shows the person
page again with the form as it was sent and the reasons.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from cases import people as people_ops
from cases import posts as post_ops
from cases.choices import PICKER_LIMIT, search_people
from core.models import Person, Unit
from core.offers import NAMES as OFFER_NAMES
from core.permissions import RECORD_PRIOR_CERTIFICATE, allows, can_view
from forms.people import AppointForm, EndPostForm, PriorCertificateForm
from workflow.errors import GuardFailed, InvalidPayload, NotPermitted, WorkflowError

from .edge import arg_int
from .errors import error_page
from .extensions import db
from .loaders import get_visible_or_404

bp = Blueprint("people", __name__)


def person_page(person: Person, status: int = 200, *, failed: str | None = None, errors=None, field_errors=None):
    """The person page; after a refused registry form (``failed``: ``certificate``,
    ``appoint`` or ``end-<post id>``), that form again with what was sent,
    ``errors`` above it and ``field_errors`` beside its fields."""
    session = db.session

    def form(name: str, cls, prefix: str = ""):
        sent = failed == name
        bound = cls(formdata=request.form if sent else None, prefix=prefix)
        for field, messages in ((field_errors or {}) if sent else {}).items():
            if hasattr(bound, field):
                getattr(bound, field).errors = list(messages)
        return bound

    posts = post_ops.posts_of(session, person.id)
    manage_posts = post_ops.may_manage_posts(session, current_user, person)
    registry = {
        "failed": failed, "errors": errors,
        "certificate_form": form("certificate", PriorCertificateForm)
        if allows(session, current_user, RECORD_PRIOR_CERTIFICATE, person.unit) else None,
        "appoint_form": form("appoint", AppointForm) if manage_posts else None,
        "end_forms": {p.id: form(f"end-{p.id}", EndPostForm, _end_prefix(p.id)) for p in posts if p.ended_on is None}
        if manage_posts else {},
        "post_units": [(u.id, u.name) for u in post_ops.post_units(session, current_user, person)]
        if manage_posts else [],
    }
    return render_template("main/person.html", person=person, posts=posts, registry=registry,
                           may_correct=people_ops.may_correct(session, current_user, person)), status


def _end_prefix(post_id: int) -> str:
    """Each post's end form names its fields apart (``post12-end``), so their ids differ on the page."""
    return f"post{post_id}"


def _payload(prefix: str = "") -> dict:
    """The form's fields, without the CSRF token and the form's prefix."""
    start = f"{prefix}-" if prefix else ""
    return {k[len(start):]: v for k, v in request.form.items() if k != "csrf_token" and k.startswith(start)}


def _refused(person: Person, failed: str, exc: WorkflowError):
    db.session.rollback()
    if isinstance(exc, NotPermitted):
        return error_page(403, exc.message)
    if isinstance(exc, InvalidPayload):
        return person_page(person, 422, failed=failed, field_errors=exc.errors)
    reasons = exc.reasons if isinstance(exc, GuardFailed) else [exc.message]
    return person_page(person, 422, failed=failed, errors=reasons)


def _done(person: Person, message: str, anchor: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("main.person", person_id=person.id) + anchor)


@bp.route("/people/<int:person_id>/certificates", methods=["POST"])
@login_required
def record_certificate(person_id: int):
    """Record a certificate of the course on party knowledge earned before the system."""
    person = get_visible_or_404(Person, person_id)
    try:
        people_ops.record_certificate(db.session, current_user, person, _payload())
    except WorkflowError as exc:
        return _refused(person, "certificate", exc)
    return _done(person, _("The certificate was recorded."), "#certificates")


@bp.route("/people/<int:person_id>/posts", methods=["POST"])
@login_required
def appoint(person_id: int):
    """Appoint the person to a post."""
    person = get_visible_or_404(Person, person_id)
    try:
        post_ops.appoint(db.session, current_user, person, _payload())
    except WorkflowError as exc:
        return _refused(person, "appoint", exc)
    return _done(person, _("The appointment was recorded."), "#posts")


@bp.route("/people/<int:person_id>/posts/<int:post_id>/end", methods=["POST"])
@login_required
def end_post(person_id: int, post_id: int):
    """End one of the person's posts (it stays on the person)."""
    person = get_visible_or_404(Person, person_id)
    try:
        post_ops.end_post(db.session, current_user, person, post_id, _payload(_end_prefix(post_id)))
    except WorkflowError as exc:  # NotFound (a post not the person's) is the app's 404 page
        return _refused(person, f"end-{post_id}", exc)
    return _done(person, _("The end of the post was recorded."), "#posts")


@bp.route("/people/pick")
@login_required
def pick():
    """The search-as-you-type person picker's answer: ``{"items": [{"id", "label"}], "more"}``,
    at most :data:`cases.choices.PICKER_LIMIT` people (``more``: others match too) the field ``of`` (a ``choices_of`` name) offers at ``unit`` whose
    name matches ``q`` from the start of any word, with or without diacritics.
    404 for an unknown ``of`` or a unit the user may not see; 400 for a malformed ``unit``."""
    name, unit_id = request.args.get("of", ""), arg_int("unit")
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if name not in OFFER_NAMES or unit is None or not can_view(current_user, unit, db.session):
        return error_page(404)
    q = (request.args.get("q") or "")[:100].replace("\x00", "")
    items = search_people(db.session, name, unit, q, limit=PICKER_LIMIT + 1)
    return jsonify(items=[{"id": pid, "label": label} for pid, label in items[:PICKER_LIMIT]],
                   more=len(items) > PICKER_LIMIT)
