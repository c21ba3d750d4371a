"""Case pages: inbox, list, new dossier, the case page, actions, documents."""

from __future__ import annotations

import datetime as dt
import uuid

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.templating import register_nav
from core.models import Unit
from core.permissions import can_view
from workflow import access
from workflow.diagram import mermaid
from workflow.errors import (ActionNotAvailable, GuardFailed, InvalidPayload, NotPermitted, StaleCase,
                             UnknownAction)

from . import service
from .choices import field_choices, people_choices
from .documents import UploadRefused
from .models import DOCUMENT_KINDS
from .registry import all_types, get_type

bp = Blueprint("cases", __name__)

register_nav(_l("To do"), "cases.inbox")
register_nav(_l("Cases"), "cases.case_list")

RESERVED_FIELDS = {"csrf_token", "expected_version", "idempotency_key", "comment"}
ENGINE_STATUS = {NotPermitted: 403, StaleCase: 409, ActionNotAvailable: 409, UnknownAction: 404,
                 InvalidPayload: 422, GuardFailed: 422}


def _case_or_404(case_id: int):
    try:
        return service.get_case(db.session, current_user, case_id)
    except service.NotFound:
        abort(404)


def payload_from(form: MultiDict) -> dict:
    out: dict = {}
    for key in form.keys():
        if key in RESERVED_FIELDS:
            continue
        values = [v for v in form.getlist(key)]
        out[key] = values if len(values) > 1 else values[0]
    return out


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---- lists --------------------------------------------------------------------------------------

@bp.route("/inbox")
@login_required
def inbox():
    items = service.inbox(db.session, current_user)
    return render_template("cases/inbox.html", items=items, service=service)


@bp.route("/cases")
@login_required
def case_list():
    args = request.args
    overdue = {"1": True, "0": False}.get(args.get("overdue", ""))
    filters = service.Filters(type=args.get("type") or None, state=args.get("state") or None,
                              unit=_int_or_none(args.get("unit")), overdue=overdue, q=args.get("q") or None)
    try:
        rows, next_cursor = service.list_cases(db.session, current_user, filters, args.get("cursor"))
    except ValueError:
        abort(400)
    from core.permissions import roles_of

    units = sorted({ra.unit for ra in roles_of(db.session, current_user)}, key=lambda u: u.path)
    return render_template("cases/list.html", rows=rows, next_cursor=next_cursor, filters=filters,
                           types=all_types(), units=units, service=service)


# ---- new case ---------------------------------------------------------------------------------------

@bp.route("/cases/new/<type_name>", methods=["GET", "POST"])
@login_required
def new_case(type_name: str):
    try:
        case_type = get_type(type_name)
    except KeyError:
        abort(404)
    process = case_type.process
    my_units = _units_where_can_open(process)
    if not my_units:
        abort(403)
    unit_id = _int_or_none(request.values.get("unit")) or my_units[0].id
    unit = next((u for u in my_units if u.id == unit_id), None)
    if unit is None:
        # A unit below one of the user's (e.g. the member's branch, from the person page).
        unit = db.session.get(Unit, unit_id)
        if unit is None or not can_view(current_user, unit, db.session):
            abort(404)
    # The start states this user may use here (e.g. an inspection officer's report,
    # or the branch secretary's own finding).
    states = access.can_start(db.session, process, unit, current_user)
    if not states:
        abort(404)
    state = request.values.get("start") if request.values.get("start") in states else states[0]
    spec = process.start_specs[state]
    form = spec.form(formdata=request.form if request.method == "POST" else None,
                     data={"person_id": _int_or_none(request.args.get("person_id"))})
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        payload = payload_from(request.form)
        payload.pop("unit", None)
        payload.pop("start", None)
        try:
            person = service.get_person(db.session, current_user, payload.get("person_id"))
            if not person.unit.is_within(unit):
                raise service.NotFound(person.id)
            case = service.open_case(db.session, current_user, type_name, person.id, payload,
                                     request_id=g.request_id, state=state)
        except service.NotFound:
            form.person_id.errors = [_("Choose a candidate of your branch.") if type_name == "admission"
                                     else _("Choose a member of this unit.")]
            status = 422
        except InvalidPayload as exc:
            _apply_errors(form, exc.errors)
            status = 422
        except GuardFailed as exc:
            errors = exc.reasons
            status = 422
        except NotPermitted as exc:
            errors = [exc.message]
            status = 403
        else:
            flash(_("The dossier was opened."), "success")
            return redirect(url_for("cases.case_page", case_id=case.id))
    choices = {f.name: people_choices(db.session, f.choices_of, unit) for f in form if hasattr(f, "choices_of")}
    starts = [(s, process.start_specs[s].label or s) for s in states]
    return render_template("cases/new.html", form=form, case_type=case_type, unit=unit, units=my_units,
                           errors=errors, choices=choices, spec=spec, starts=starts, start=state), status


def _units_where_can_open(process) -> list[Unit]:
    from core.permissions import roles_of

    units = {}
    for ra in roles_of(db.session, current_user):
        if access.can_start(db.session, process, ra.unit, current_user):
            units[ra.unit.id] = ra.unit
    return sorted(units.values(), key=lambda u: u.name)


def _apply_errors(form, errors: dict) -> None:
    for name, messages in errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(messages) if isinstance(messages, (list, tuple)) else [str(messages)]


# ---- the case page ----------------------------------------------------------------------------------

def _render_case(case, *, failed_action: str | None = None, formdata=None, errors=None, field_errors=None,
                 status: int = 200, comment: str = ""):
    session = db.session
    case_type = get_type(case.process)
    process = case.definition()
    actions = service.available(session, current_user, case)
    forms = []
    for ct in actions:
        form_cls = ct.form or _vote_form(ct)
        kept = formdata if ct.action == failed_action else None
        form = form_cls(formdata=kept) if form_cls is not None else None
        if form is not None and ct.action == failed_action and field_errors:
            _apply_errors(form, field_errors)
        choices = {}
        if form is not None:
            choices = {f.name: field_choices(session, f.choices_of, case.unit, case) for f in form
                       if hasattr(f, "choices_of")}
        forms.append({"ct": ct, "form": form, "choices": choices, "key": uuid.uuid4().hex,
                      "errors": errors if ct.action == failed_action else None,
                      "comment": comment if ct.action == failed_action else ""})
    events = service.history(session, case)
    checklist = case_type.checklist(session, case) if case_type.checklist and case.state == "draft" else None
    related = service.cases_of_person(session, current_user, case.person) if case.person else []
    return render_template(
        "cases/case.html", case=case, case_type=case_type, process=process, forms=forms, events=events,
        documents=service.documents_of(session, case), checklist=checklist, service=service,
        diagram=mermaid(process, current=case.state), kinds=DOCUMENT_KINDS,
        may_upload=service.may_upload(session, current_user, case), action_labels=_action_labels(process),
        related=[c for c in related if c.id != case.id], upload_errors=None,
    ), status


def _vote_form(ct):
    if ct.vote is None:
        return None
    from forms.fields import LabelledVoteForm

    return LabelledVoteForm


def _action_labels(process) -> dict[str, str]:
    labels = {"start": _("Dossier opened"), "upload_document": _("Document uploaded"),
              "download_document": _("Document downloaded")}
    for action, cts in process.by_action.items():
        labels[action] = str(cts[0].label)
    return labels


@bp.route("/cases/<int:case_id>")
@login_required
def case_page(case_id: int):
    case = _case_or_404(case_id)
    return _render_case(case)


@bp.route("/cases/<int:case_id>/history")
@login_required
def case_history(case_id: int):
    case = _case_or_404(case_id)
    process = case.definition()
    return render_template("cases/history.html", case=case, case_type=get_type(case.process),
                           events=service.history(db.session, case), action_labels=_action_labels(process))


@bp.route("/cases/<int:case_id>/actions/<name>", methods=["POST"])
@login_required
def take_action(case_id: int, name: str):
    case = _case_or_404(case_id)
    payload = payload_from(request.form)
    comment = (request.form.get("comment") or "").strip()[:4000]
    try:
        result = service.take_action(
            db.session, current_user, case, name, payload,
            expected_version=_int_or_none(request.form.get("expected_version")),
            idempotency_key=(request.form.get("idempotency_key") or None),
            comment=comment, request_id=g.request_id)
    except UnknownAction:
        abort(404)
    except NotPermitted as exc:
        db.session.rollback()
        return render_template("errors/error.html", code=403, message=exc.message), 403
    except InvalidPayload as exc:
        db.session.refresh(case)
        return _render_case(case, failed_action=name, formdata=request.form, field_errors=exc.errors,
                            errors=[exc.message], status=422, comment=comment)
    except GuardFailed as exc:
        db.session.refresh(case)
        return _render_case(case, failed_action=name, formdata=request.form, errors=exc.reasons, status=422,
                            comment=comment)
    except (StaleCase, ActionNotAvailable) as exc:
        db.session.refresh(case)
        flash(exc.message, "error")
        return _render_case(case, status=409)
    if result.replayed:
        flash(_("This form was already sent; the case was not changed again."), "info")
    else:
        flash(_("Done: %(label)s.", label=_action_labels(case.definition()).get(name, name)), "success")
    return redirect(url_for("cases.case_page", case_id=case.id))


# ---- documents ----------------------------------------------------------------------------------------

@bp.route("/cases/<int:case_id>/documents", methods=["POST"])
@login_required
def upload(case_id: int):
    case = _case_or_404(case_id)
    file = request.files.get("file")
    issued_on = None
    if request.form.get("issued_on"):
        try:
            issued_on = dt.date.fromisoformat(request.form["issued_on"])
        except ValueError:
            issued_on = None
    try:
        service.add_document(db.session, current_user, case, kind=request.form.get("kind", ""),
                             filename=file.filename if file else None, stream=file.stream if file else _Empty(),
                             issued_on=issued_on, upload_dir=current_app.config["UPLOAD_DIR"],
                             max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024,
                             request_id=g.request_id)
    except NotPermitted as exc:
        db.session.rollback()
        return render_template("errors/error.html", code=403, message=exc.message), 403
    except UploadRefused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _render_case(case, status=422)
    db.session.commit()
    flash(_("The document was uploaded."), "success")
    return redirect(url_for("cases.case_page", case_id=case.id) + "#documents")


class _Empty:
    def read(self, n=-1):
        return b""


@bp.route("/cases/<int:case_id>/documents/<int:doc_id>")
@login_required
def download(case_id: int, doc_id: int):
    try:
        case, doc = service.get_document(db.session, current_user, case_id, doc_id)
    except service.NotFound:
        abort(404)
    path = service.open_document(db.session, current_user, case, doc, current_app.config["UPLOAD_DIR"],
                                 request_id=g.request_id)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=doc.content_type, as_attachment=True, download_name=doc.filename)


# ---- a person's cases (filled into the person page's ``person_cases`` block) -----------------------

@bp.app_context_processor
def _person_case_helpers():
    def person_cases(person):
        return service.cases_of_person(db.session, current_user, person)

    def discipline_in_force(person):
        from cases.discipline.rules import discipline_in_force as in_force

        return in_force(db.session, person.id)

    from forms.discipline import APPEAL_RESULT_CHOICES, CATEGORY_CHOICES, FORM_CHOICES
    from forms.removal import GROUNDS_CHOICES

    def chooser(choices):
        return lambda value: str(dict(choices).get(value, value or ""))

    return {"person_cases": person_cases, "discipline_in_force": discipline_in_force,
            "case_state_label": service.state_label, "discipline_form_name": chooser(FORM_CHOICES),
            "discipline_category_name": chooser(CATEGORY_CHOICES),
            "discipline_appeal_result": chooser(APPEAL_RESULT_CHOICES),
            "removal_grounds_name": chooser(GROUNDS_CHOICES)}
