"""Case pages: inbox, list, new dossier, the case page, actions, documents.

The views read through :mod:`cases.queries` and change cases through
:mod:`cases.actions` and :mod:`cases.documents`. They do not catch the
engine's refusals: :func:`_refused` answers every one of them, with the status
of :data:`app.errors.WORKFLOW_STATUS`. A view whose page shows a form says
first, with :func:`_on_refusal`, how that page is shown again; without it a
refusal is the error page.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from app.documents import add_uploaded, send_document
from app.edge import arg_int, form_int
from app.errors import error_page, workflow_status
from app.extensions import db
from app import labels
from app.labels import action_labels
from app.report_layout import drill_args
from app.templating import register_nav
from core.models import Unit
from core.permissions import can_upload, can_view, home_units
from workflow import access, diagram_svg
from workflow.diagram import mermaid
from workflow.errors import GuardFailed, InvalidPayload, WorkflowError

from . import actions, queries
from . import status as case_status
from . import strength
from .widgets import widgets_of
from .documents import UploadRefused, documents_of, superseded_by
from .models import DOCUMENT_KINDS
from .registry import all_entries, get_entry

bp = Blueprint("cases", __name__)

register_nav(_l("To do"), "cases.inbox")
register_nav(_l("Cases"), "cases.case_list")

RESERVED_FIELDS = {"csrf_token", "expected_version", "idempotency_key", "comment"}


def payload_from(form: MultiDict) -> dict:
    """The submitted fields of an action's form, without the ones every form carries."""
    out: dict = {}
    for key in form.keys():
        if key in RESERVED_FIELDS:
            continue
        values = [v for v in form.getlist(key)]
        out[key] = values if len(values) > 1 else values[0]
    return out


def _requested_int(name: str) -> int | None:
    """The query parameter ``name``, else the form field, as an id (the edge's parsing); None if absent."""
    return arg_int(name) if request.args.get(name, "").strip() else form_int(name, 1)


# ---- refusals -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _FormPage:
    """How this request shows its page again, for the refusal statuses listed:
    ``render(status, errors=None, field_errors=None)`` (no errors: the page afresh)."""

    render: Callable
    statuses: frozenset[int]


def _on_refusal(render: Callable, *statuses: int) -> None:
    g.form_page = _FormPage(render, frozenset(statuses))


@bp.errorhandler(WorkflowError)
def _refused(exc: WorkflowError):
    """Every refusal of the engine: its status, and the form again or the error page.

    409 (the case changed, or the step moved on) shows the page afresh with the
    reason flashed; 422 and 403 show the form with what was sent, the reasons
    above it and each field's errors beside it. 404 is the not-found page.
    """
    db.session.rollback()
    status = workflow_status(exc)
    page = g.get("form_page")
    if page is None or status not in page.statuses:
        return error_page(status, None if status == 404 else exc.message)
    if status == 409:
        flash(exc.message, "error")
        return page.render(status)
    errors = exc.reasons if isinstance(exc, GuardFailed) else [exc.message]
    return page.render(status, errors, exc.errors if isinstance(exc, InvalidPayload) else None)


@bp.errorhandler(UploadRefused)
def _upload_refused(exc: UploadRefused):
    """A document that failed a check: the case page again, the reason flashed."""
    db.session.rollback()
    flash(exc.message, "error")
    return g.form_page.render(422)


@bp.app_errorhandler(queries.NotFound)
def _not_found(exc):
    """Any page (of any blueprint) that asks for a case, person or document the user may not
    see, or that does not exist: the 404 page, the same for both (the API's blueprint answers
    its own problem document first)."""
    db.session.rollback()
    return error_page(404)


# ---- lists --------------------------------------------------------------------------------------

@bp.route("/inbox")
@login_required
def inbox():
    """The inbox, ``queries.INBOX_PAGE`` a page by keyset ``cursor`` (as the API's); 400 for a bad cursor."""
    try:
        items, next_cursor = queries.inbox(db.session, current_user, request.args.get("cursor"), queries.INBOX_PAGE)
    except ValueError:
        abort(400)
    return render_template("cases/inbox.html", rows=labels.inbox_rows(items, queries.state_label), queries=queries,
                           next_cursor=next_cursor)


@bp.route("/cases")
@login_required
def case_list():
    """The cases in scope, newest first, filtered and keyset-paginated; 400 for a malformed cursor."""
    args = request.args
    overdue = {"1": True, "0": False}.get(args.get("overdue", ""))
    try:  # a malformed date of a report's drill-down (app/report_layout.py) is a 400 too
        filters = queries.Filters(type=args.get("type") or None, state=args.get("state") or None,
                                  unit=arg_int("unit"), overdue=overdue, q=args.get("q") or None, **drill_args(args))
        rows, next_cursor = queries.list_cases(db.session, current_user, filters, args.get("cursor"))
    except ValueError:  # a malformed cursor, or digits that are no case number
        abort(400)
    from app.list_exports import cases_xlsx, wants_xlsx

    if wants_xlsx():
        return cases_xlsx(rows)
    units = home_units(db.session, current_user)
    return render_template("cases/list.html", rows=rows, next_cursor=next_cursor, filters=filters,
                           types=all_entries(), units=units, queries=queries)


# ---- new case ---------------------------------------------------------------------------------------

@bp.route("/cases/new/<process_name>", methods=["GET", "POST"])
@login_required
def new_case(process_name: str):
    """The start form of a process and opening the case; 404 for an unknown type or a unit out of
    reach, 403 for a user who may open it nowhere, 422 (or 403) with the form again when refused.

    Each rendering of the form carries a new idempotency key: a double-click
    (two posts of one rendering) opens one case, and both land on it."""
    try:
        process_entry = get_entry(process_name)
    except KeyError:
        abort(404)
    process = process_entry.process
    my_units = _units_where_can_open(process)
    if not my_units:
        abort(403)
    unit = _unit_to_open_at(my_units)
    # The start states this user may use here (e.g. an inspection officer's report,
    # or the branch secretary's own finding).
    states = access.can_start(db.session, process, unit, current_user)
    if not states:
        abort(404)
    state = request.values.get("start") if request.values.get("start") in states else states[0]
    spec = process.start_specs[state]
    if spec.form is None:  # opened in bulk on its own page (grading rounds), not one by one here
        abort(404)
    form = spec.form(formdata=request.form if request.method == "POST" else None,
                     data={"person_id": arg_int("person_id")})

    def show(status: int = 200, errors=None, field_errors=None):
        if field_errors:  # each field says what is wrong with it
            _apply_errors(form, field_errors)
            errors = None
        choices = widgets_of(db.session, form, unit)
        starts = [(s, process.start_specs[s].label or s) for s in states]
        return render_template("cases/new.html", form=form, process_entry=process_entry, unit=unit, units=my_units,
                               errors=errors, choices=choices, spec=spec, starts=starts, start=state,
                               key=uuid.uuid4().hex), status

    if request.method != "POST":
        return show()
    _on_refusal(show, 403, 422)
    payload = payload_from(request.form)
    payload.pop("unit", None)
    payload.pop("start", None)
    person = _person_within(unit, payload.get("person_id"))
    if person is None:
        form.person_id.errors = [str(process_entry.person_hint or _("Choose a member of this unit."))]
        return show(422)
    key = request.form.get("idempotency_key") or None  # at most 128 characters (the edge)
    case = actions.open_case(db.session, current_user, process_name, person.id, payload,
                             request_id=g.request_id, state=state, idempotency_key=key)
    flash(_("The dossier was opened."), "success")
    return redirect(url_for("cases.case_page", case_id=case.id))


def _units_where_can_open(process) -> list[Unit]:
    """The user's own units where they may open a case of ``process``, by name."""
    return sorted((u for u in home_units(db.session, current_user)
                   if access.can_start(db.session, process, u, current_user)), key=lambda u: u.name)


def _unit_to_open_at(my_units: list[Unit]) -> Unit:
    """The unit asked for (default the first of the user's), or 404."""
    unit_id = _requested_int("unit") or my_units[0].id
    unit = next((u for u in my_units if u.id == unit_id), None)
    if unit is None:
        # A unit below one of the user's (e.g. the member's branch, from the person page).
        unit = db.session.get(Unit, unit_id)
        if unit is None or not can_view(current_user, unit, db.session):
            abort(404)
    return unit


def _person_within(unit: Unit, person_id):
    """The person ``person_id`` if the user may see them and they belong to ``unit``'s subtree, else None."""
    try:
        person = queries.get_person(db.session, current_user, person_id)
    except queries.NotFound:
        return None
    return person if person.unit.is_within(unit) else None


def _apply_errors(form, errors: dict) -> None:
    for name, messages in errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(messages) if isinstance(messages, (list, tuple)) else [str(messages)]


# ---- the case page ----------------------------------------------------------------------------------

def _render_case(case, status: int = 200, *, failed_action: str | None = None, errors=None, field_errors=None,
                 comment: str = ""):
    """The case page; after a refused action, that action's form again with what
    was sent (``request.form``), ``errors`` above it and ``field_errors`` beside its fields."""
    session = db.session
    process_entry = get_entry(case.process)
    process = case.definition()
    forms = []
    available = actions.available(session, current_user, case)
    for ct in available:
        if getattr(ct.spec, "schema", None) and process_entry.extra.get("sheet_endpoint"):
            # A sheet (one line per member) is taken on its own page.
            forms.append({"ct": ct, "link": url_for(process_entry.extra["sheet_endpoint"], case_id=case.id)})
            continue
        form_cls = ct.form or _vote_form(ct)
        failed = ct.action == failed_action
        defaults = process_entry.form_defaults(case, ct.action) if process_entry.form_defaults else {}
        form = form_cls(formdata=request.form if failed else None, data=defaults) if form_cls is not None else None
        if form is not None and failed and field_errors:
            _apply_errors(form, field_errors)
        choices = widgets_of(session, form, case.unit, case) if form is not None else {}
        forms.append({"ct": ct, "form": form, "choices": choices, "key": uuid.uuid4().hex,
                      "errors": errors if failed else None, "comment": comment if failed else ""})
    sent = (failed_action, payload_from(request.form)) if failed_action else None
    checklist = process_entry.checklist(session, case, sent, current_user) if process_entry.checklist else None
    related = queries.cases_of_person(session, current_user, case.person) if case.person else []
    documents = documents_of(session, case)
    # A refusal of an action the page does not offer (it does not apply to this case) is shown above the forms.
    offered = {ct.action for ct in available}
    events = queries.history(session, case)
    words = action_labels(process)
    top = case_status.header(session, case, current_user, process_entry, events, checklist=checklist,
                        action_label=lambda a: words.get(a, a), role_label=labels.role)
    moves = [(e.from_state, e.to_state) for e in events if e.to_state and e.from_state != e.to_state]
    picture = diagram_svg.svg(process, process_entry.state_label, current=case.state,
                              visited={t for _s, t in moves} | {s for s, _t in moves if s}, taken=set(moves),
                              title=_("The steps of %(process)s", process=labels.process(case.process)))
    return render_template(
        "cases/case.html", case=case, process_entry=process_entry, process=process, forms=forms,
        refused=errors if errors and failed_action not in offered else None,
        events=events, documents=documents, superseded=superseded_by(documents),
        checklist=checklist, header=top, diagram_svg=Markup(picture),
        queries=queries, diagram=mermaid(process, current=case.state),
        kinds=process_entry.document_kinds or DOCUMENT_KINDS,
        may_upload=can_upload(session, current_user, case, acts_now=bool(available)),
        action_labels=words,
        related=[c for c in related if c.id != case.id], upload_errors=None,
    ), status


def _vote_form(ct):
    if ct.vote is None:
        return None
    from forms.fields import LabelledVoteForm

    return LabelledVoteForm


@bp.route("/cases/<int:case_id>")
@login_required
def case_page(case_id: int):
    """The case page (404 outside the user's scope)."""
    return _render_case(queries.get_case(db.session, current_user, case_id))


@bp.route("/cases/<int:case_id>/history")
@login_required
def case_history(case_id: int):
    """The case's whole audit trail."""
    case = queries.get_case(db.session, current_user, case_id)
    return render_template("cases/history.html", case=case, process_entry=get_entry(case.process),
                           events=queries.history(db.session, case), action_labels=action_labels(case.definition()))


@bp.route("/cases/<int:case_id>/actions/<name>", methods=["POST"])
@login_required
def take_action(case_id: int, name: str):
    """Take an action with its form's fields; back to the case page, or the page again with the refusal."""
    case = queries.get_case(db.session, current_user, case_id)
    comment = (request.form.get("comment") or "").strip()[:4000]

    def show(status: int, errors=None, field_errors=None):
        if errors is None:
            return _render_case(case, status)
        return _render_case(case, status, failed_action=name, errors=errors, field_errors=field_errors,
                            comment=comment)

    _on_refusal(show, 409, 422)
    result = actions.take_action(
        db.session, current_user, case, name, payload_from(request.form),
        expected_version=form_int("expected_version"),
        idempotency_key=(request.form.get("idempotency_key") or None),
        comment=comment, request_id=g.request_id)
    if result.replayed:
        flash(_("This form was already sent; the case was not changed again."), "info")
    else:
        flash(_("Saved: %(label)s.", label=action_labels(case.definition()).get(name, name)), "success")
    return redirect(url_for("cases.case_page", case_id=case.id))


# ---- documents ----------------------------------------------------------------------------------------

@bp.route("/cases/<int:case_id>/documents", methods=["POST"])
@login_required
def upload(case_id: int):
    """Add a document to the case; the case page again (422) with the reason when it is refused."""
    case = queries.get_case(db.session, current_user, case_id)
    _on_refusal(lambda status, *_errors: _render_case(case, status), 422)
    issued_on = None
    if request.form.get("issued_on"):
        try:
            issued_on = dt.date.fromisoformat(request.form["issued_on"])
        except ValueError:
            issued_on = None
    add_uploaded(current_user, case, request.form.get("kind", ""), issued_on)
    db.session.commit()
    flash(_("The document was uploaded."), "success")
    return redirect(url_for("cases.case_page", case_id=case.id) + "#documents")


@bp.route("/cases/<int:case_id>/documents/<int:doc_id>")
@login_required
def download(case_id: int, doc_id: int):
    """A document of the case as a download (its reading audited); 404 if absent."""
    _doc, response = send_document(current_user, case_id, doc_id)
    if response is None:
        abort(404)
    return response


# ---- a person's cases (filled into the person page's ``person_cases`` block) -----------------------

@bp.app_context_processor
def _case_helpers():
    """Names every template may call: a person's cases, a case's step in words,
    and what each process adds (``ProcessEntry.template_helpers``)."""
    def person_cases(person):
        return queries.cases_of_person(db.session, current_user, person)

    def inbox_count():
        return queries.inbox_count(db.session, current_user) if current_user.is_authenticated else 0

    helpers = {"person_cases": person_cases, "case_state_label": queries.state_label, "inbox_count": inbox_count,
               "vote_lines": case_status.vote_lines,
               "strength_flags": lambda units: strength.flags(db.session, units)}
    for process_entry in all_entries().values():
        if process_entry.template_helpers is not None:
            helpers.update(process_entry.template_helpers(db.session))
    return helpers
