"""Cases: the list in scope, the inbox, opening a case, one case, taking an action, the history."""

from __future__ import annotations

import sqlalchemy as sa
from flask import g, jsonify, request, url_for
from flask_babel import gettext as _

from app.edge import is_int
from app.extensions import db
from app.labels import action_labels
from cases import actions, queries
from cases.cursor import decode_ids, keyset_page
from cases.registry import all_entries
from workflow import access
from workflow.models import AuditEvent, Case
from workflow.votes import normalise_vote_keys

from .blueprint import bp
from .caller import current
from .form_schema import INT_MAX, check_payload
from .openapi import CURSOR, LIMIT, operation, query, ref
from .render import action_form, case_json, case_summary, created, event_json, inbox_item
from .xlsx import FORMAT, LIST_TYPES, wants_xlsx, xlsx_response
from .requests import ApiError, bool_arg, in_range, int_arg, invalid, json_body, limit_arg, type_messages

ACTION_FIELDS = {"expected_version", "payload", "comment", "idempotency_key"}


def load_case(case_id: int) -> Case:
    """The case ``case_id`` if the caller may see it; else 404 (:class:`cases.queries.NotFound`)."""
    in_range(case_id)
    return queries.get_case(db.session, current(), case_id)


@bp.get("/cases")
@operation("Cases in scope, newest first", tags=["cases"],
           params=[query("type", {"type": "string", "maxLength": 64}, "case type (admission, discipline, ...)"),
                   query("state", {"type": "string", "maxLength": 64}, "state"),
                   query("unit", {"type": "integer", "minimum": 1, "maximum": INT_MAX}, "only this unit's subtree"),
                   query("overdue", {"type": "boolean"}, "past their deadline (true) or not (false)"),
                   query("q", {"type": "string", "maxLength": 200}, "case number, or the start of the person's name"),
                   LIMIT, CURSOR, FORMAT],
           response=ref("CasePage"),
           response_type=LIST_TYPES)
def list_cases():
    args = request.args
    wants_xlsx()  # a bad format is a 400 before anything is read
    q = args.get("q") or None
    if q is not None and len(q) > 200:
        raise ApiError(400, _("Invalid query parameter %(name)s.", name="q"))
    filters = queries.Filters(type=args.get("type") or None, state=args.get("state") or None,
                              unit=int_arg("unit"), overdue=bool_arg("overdue"), q=q)
    rows, next_cursor = queries.list_cases(db.session, current(), filters, args.get("cursor") or None, limit_arg())
    items = [case_summary(c) for c in rows]
    if wants_xlsx():
        return xlsx_response(items, "cases")
    return jsonify({"items": items, "next_cursor": next_cursor})


@bp.get("/inbox")
@operation("Cases where the caller can act now, most urgent first", tags=["cases"], params=[LIMIT, CURSOR, FORMAT],
           response=ref("InboxPage"),
           response_type=LIST_TYPES)
def inbox():
    xlsx = wants_xlsx()
    items, next_cursor = queries.inbox(db.session, current(), request.args.get("cursor"), limit_arg())
    known: dict = {}
    rows = [inbox_item(c, transitions, known) for c, transitions in items]
    if xlsx:
        return xlsx_response(rows, "inbox")
    return jsonify({"items": rows, "next_cursor": next_cursor})


@bp.post("/cases")
@operation("Open a case", tags=["cases"], body=ref("CaseCreate"), ok=201, response=ref("Case"), errors=(403, 422),
           description="Body: type, person_id, optional state (one of the process's start states; default the "
                       "first the caller may open), optional idempotency_key (the same key with the same body "
                       "returns the case opened the first time; with another body, 422) and the fields of the "
                       "start form (GET /processes/{type}). A second open case of a type that allows one per "
                       "person is refused (422), however close the two requests.")
def open_case():
    body = json_body()
    key_errors = _key_errors(body)
    if key_errors:
        raise invalid(key_errors)
    process_name = body.get("type")
    types = all_entries()
    if not isinstance(process_name, str) or process_name not in types:
        raise invalid({"type": [_("Choose one of: %(types)s.", types=", ".join(sorted(types)))]})
    person_id = body.get("person_id")
    if not is_int(person_id, 1):
        raise invalid({"person_id": [_("Enter a whole number.")]})
    process = types[process_name].process
    state = body.get("state")
    if state is not None and (not isinstance(state, str) or state not in process.start_specs):
        raise invalid({"state": [_("Choose one of: %(types)s.", types=", ".join(process.start_specs))]})
    payload = {k: v for k, v in body.items() if k not in ("type", "state", "idempotency_key")}
    try:
        person = queries.get_person(db.session, current(), person_id)
    except queries.NotFound:
        raise invalid({"person_id": [_("No such person among your units.")]}) from None
    if state is None:  # the first start the caller may open here (a branch's own finding, a report...)
        state = next(iter(access.can_start(db.session, process, person.unit_id, current())), None)
    start_form = process.start_specs[state or next(iter(process.start_specs))].form
    fields = {k: v for k, v in payload.items() if k != "person_id"}  # the person is checked above
    errors = check_payload(start_form, fields, _("Unknown field."), type_messages())
    if errors:
        raise invalid(errors)
    extra = {"state": state} if state is not None else {}
    case = actions.open_case(db.session, current(), process_name, person.id, payload, request_id=g.request_id,
                             idempotency_key=body.get("idempotency_key"), **extra)
    return created(case_json(db.session, current(), case), url_for("api.get_case", id=case.id))


@bp.get("/cases/<int:id>")
@operation("A case, with the actions the caller may take now", tags=["cases"], response=ref("Case"))
def get_case(id: int):  # noqa: A002
    return jsonify(case_json(db.session, current(), load_case(id)))


def _action_body_errors(body: dict) -> dict:
    """The fields of an action's body that break the contract (unknown, wrong type, too long)."""
    errors = {key: [_("Unknown field.")] for key in sorted(set(body) - ACTION_FIELDS)}
    version = body.get("expected_version")
    if version is not None and not is_int(version, 1):
        errors["expected_version"] = [_("Enter a whole number.")]
    comment = body.get("comment")
    if comment is not None and (not isinstance(comment, str) or len(comment) > 4000):
        errors["comment"] = [_("Enter a text of at most %(max)s characters.", max=4000)]
    errors.update(_key_errors(body))
    return errors


def _key_errors(body: dict) -> dict:
    """``{"idempotency_key": [message]}`` unless the body's key is absent or a text of 1 to 128 characters."""
    key = body.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= 128):
        return {"idempotency_key": [_("Enter a text of at most %(max)s characters.", max=128)]}
    return {}


@bp.post("/cases/<int:id>/actions/<name>")
@operation("Take an action on a case", tags=["cases"], body=ref("ActionRequest"), response=ref("Case"),
           errors=(403, 409, 422),
           description="The payload follows the action's form_schema (see available_actions). "
                       "expected_version guards against lost updates (409 when stale); "
                       "an idempotency_key makes a retry return the first result.")
def take_action(id: int, name: str):  # noqa: A002
    case_id = id
    body = json_body()
    case = load_case(case_id)
    payload = body.get("payload", {})
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise ApiError(400, _("The payload must be a JSON object."))
    errors = _action_body_errors(body)
    if errors:
        raise invalid(errors)
    version, comment = body.get("expected_version"), body.get("comment")
    # Typing checks only where the engine would reach the form: it refuses a stale
    # version (409), someone else's step (403) or a wrong state (409) first.
    ct = next((ct for ct in actions.available(db.session, current(), case) if ct.action == name), None)
    if ct is not None and ct.vote is not None:
        payload = normalise_vote_keys(payload)
    if ct is not None and (version is None or version == case.version):
        if getattr(ct.spec, "schema", None):  # a sheet: its guards check the lines, strictly
            errors = {k: [_("Unknown field.")] for k in sorted(set(payload) - set(ct.spec.schema["properties"]))}
        else:
            errors = check_payload(action_form(ct), payload, _("Unknown field."), type_messages())
        if errors:
            raise invalid(errors)
    actions.take_action(db.session, current(), case, name, payload, expected_version=version,
                        idempotency_key=body.get("idempotency_key"), comment=(comment or "").strip() or None,
                        request_id=g.request_id)
    db.session.expire_all()
    return jsonify(case_json(db.session, current(), load_case(case_id)))


@bp.get("/cases/<int:id>/history")
@operation("The audit events of the case, oldest first", tags=["cases"], params=[LIMIT, CURSOR],
           response=ref("EventPage"))
def case_history(id: int):  # noqa: A002
    case = load_case(id)
    limit = limit_arg(100)
    stmt = sa.select(AuditEvent).where(AuditEvent.case_id == case.id)
    after = decode_ids(request.args.get("cursor"), 1)
    if after:
        stmt = stmt.where(AuditEvent.seq > after[0])
    rows, next_cursor = keyset_page(db.session, stmt.order_by(AuditEvent.seq), limit, lambda e: (e.seq,))
    labels = action_labels(case.definition())
    return jsonify({"items": [event_json(e, labels) for e in rows], "next_cursor": next_cursor})
