"""The JSON API (``/api/v1``): URL rules and handlers.

Every handler loads through :mod:`cases.service` / :mod:`cases.people`
(which filter with :mod:`core.permissions`) and acts through the engine: no
second path to a state change, no second permission check. Errors are
``application/problem+json`` (see :mod:`api.problems`).
"""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from flask import Blueprint, current_app, g, jsonify, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.extensions import csrf, db, limiter
from cases import people as people_ops
from cases import service
from cases.documents import UploadRefused
from cases.registry import all_types
from core.enums import PersonStatus
from core.models import Unit, User
from core.passwords import DUMMY_HASH, verify_password
from core.permissions import can_view, roles_of
from workflow import access
from workflow.errors import (ActionNotAvailable, CaseNotFound, GuardFailed, InvalidPayload, NotPermitted, StaleCase,
                             UnknownAction, WorkflowError)
from workflow.guards import validate_form
from workflow.votes import normalise_vote_keys

from . import auth, reports
from .form_schema import INT_MAX, check_payload
from .messages import localise_errors
from .openapi import CURSOR, LIMIT, build_spec, operation, query, ref
from .problems import problem
from .requests import (ApiError, bad_text, bool_arg, cursor_error, decode_ids, in_range, int_arg, json_body, limit_arg,
                       type_messages)
from .render import (action_form, case_json, case_summary, event_json, inbox_item, iso, me_json, person_json,
                     process_json, unit_json)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Older names, imported by api/candidacy.py.
_in_range, _int_arg = in_range, int_arg

PUBLIC_ENDPOINTS = {"api.issue_token", "api.openapi"}
ERROR_STATUS = {NotPermitted: 403, StaleCase: 409, ActionNotAvailable: 409, UnknownAction: 404, CaseNotFound: 404,
                InvalidPayload: 422, GuardFailed: 422}


def current() -> User:
    return g.api_user


def _case(case_id: int):
    in_range(case_id)
    try:
        return service.get_case(db.session, current(), case_id)
    except service.NotFound:
        raise ApiError(404) from None


@bp.before_request
def _authenticate():
    if any(bad_text(v) for v in request.args.values()):
        raise ApiError(400, _("The text contains characters that cannot be stored."))
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    user = None
    if scheme.lower() == "bearer" and secret.strip() and not bad_text(secret):
        user = auth.user_for_token(db.session, secret.strip())
    if user is None:
        response = problem(401, _("Log in first: a valid token is required."))
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    g.api_user = user
    return None


@bp.errorhandler(ApiError)
def _handle_api_error(exc: ApiError):
    db.session.rollback()
    return problem(exc.status, exc.detail, exc.errors)


@bp.errorhandler(WorkflowError)
def _handle_workflow_error(exc: WorkflowError):
    db.session.rollback()
    status = next((code for cls, code in ERROR_STATUS.items() if isinstance(exc, cls)), 422)
    if isinstance(exc, InvalidPayload):
        return problem(422, exc.message, localise_errors(exc.errors))
    if isinstance(exc, GuardFailed):
        return problem(422, exc.message, {"payload": exc.reasons}, reasons=exc.reasons)
    return problem(status, exc.message)


@bp.errorhandler(service.NotFound)
def _handle_not_found(exc):
    db.session.rollback()
    return problem(404)


@bp.errorhandler(Exception)
def _handle_unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return problem(exc.code or 500)
    db.session.rollback()
    current_app.logger.exception("API error")
    return problem(500)


# ---- auth -----------------------------------------------------------------------------------------

def _token_limit() -> str:
    return current_app.config["API_TOKEN_RATE_LIMIT"]


def _token_limit_key() -> str:
    """Attempts are counted per address and username (guessing one account's password)."""
    try:
        body = request.get_json(silent=True, force=True)
    except RecursionError:
        body = None
    username = body.get("username") if isinstance(body, dict) else None
    name = username.strip().lower()[:80] if isinstance(username, str) else ""
    return f"{request.remote_addr or '-'}|{name}"


@bp.post("/auth/token")
@limiter.limit(_token_limit, key_func=_token_limit_key)
@operation("Get a bearer token", tags=["auth"], body=ref("TokenRequest"), response=ref("Token"),
           errors=(422,), public=True,
           description="Exchanges a username and password for a token valid API_TOKEN_HOURS hours. "
                       "Requests are rate-limited per address and username (API_TOKEN_RATE_LIMIT).")
def issue_token():
    body = json_body()
    username, password = body.get("username"), body.get("password")
    errors = {}
    for name, value, longest in (("username", username, 80), ("password", password, 200)):
        if not isinstance(value, str) or not value:
            errors[name] = [_("This field is required.")]
        elif len(value) > longest:
            errors[name] = [_("Enter at most %(max)s characters.", max=longest)]
    if errors:
        raise ApiError(422, _("The submitted data is invalid."), errors)
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is None:
        verify_password(DUMMY_HASH, password)  # same time as a wrong password
        raise ApiError(401, _("Wrong username or password."))
    if not user.active or not user.check_password(password):
        raise ApiError(401, _("Wrong username or password."))
    secret, token = auth.issue_token(db.session, user, int(current_app.config["API_TOKEN_HOURS"]))
    db.session.commit()
    return jsonify({"token": secret, "expires_at": iso(token.expires_at)})


@bp.post("/auth/revoke")
@operation("Revoke every token of a user (admins)", tags=["auth"], body=ref("RevokeRequest"),
           response=ref("Revoked"), errors=(403, 422))
def revoke_tokens():
    body = json_body()
    if not auth.is_admin(db.session, current()):
        raise ApiError(403, _("Only an administrator may revoke tokens."))
    username = body.get("username")
    if not isinstance(username, str) or not username:
        raise ApiError(422, _("The submitted data is invalid."), {"username": [_("This field is required.")]})
    count = auth.revoke_tokens(db.session, username[:80], by=current())
    if count is None:
        raise ApiError(422, _("The submitted data is invalid."), {"username": [_("No such user.")]})
    db.session.commit()
    return jsonify({"revoked": count})


# ---- the caller and the org tree ----------------------------------------------------------------

@bp.get("/me")
@operation("The caller and their role assignments", tags=["org"], response=ref("Me"))
def me():
    return jsonify(me_json(current(), roles_of(db.session, current())))


def _unit(unit_id: int) -> Unit:
    in_range(unit_id)
    unit = db.session.get(Unit, unit_id)
    if unit is None or not can_view(current(), unit, db.session):
        raise ApiError(404)
    return unit


@bp.get("/units/<int:id>")
@operation("An org unit", tags=["org"], response=ref("Unit"))
def get_unit(id: int):  # noqa: A002 (the contract names it id)
    unit_id = id
    unit = _unit(unit_id)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(Unit.parent_id == unit.id))
    return jsonify(unit_json(unit, children_count=count))


@bp.get("/units/<int:id>/children")
@operation("The children of an org unit", tags=["org"], params=[LIMIT, CURSOR], response=ref("UnitPage"))
def unit_children(id: int):  # noqa: A002
    unit_id = id
    unit = _unit(unit_id)
    limit = limit_arg()
    stmt = sa.select(Unit).where(Unit.parent_id == unit.id)
    after = decode_ids(request.args.get("cursor"), 1)
    if after:
        stmt = stmt.where(Unit.id > after[0])
    rows = list(db.session.scalars(stmt.order_by(Unit.id).limit(limit + 1)))
    next_cursor = people_ops.encode_key(rows[limit - 1].id) if len(rows) > limit else None
    return jsonify({"items": [unit_json(u) for u in rows[:limit]], "next_cursor": next_cursor})


# ---- people ----------------------------------------------------------------------------------------

STATUS_PARAM = query("status", {"type": "string", "enum": [s.value for s in PersonStatus]}, "status filter")


@bp.get("/people")
@operation("Members and candidates in scope", tags=["people"],
           params=[query("q", {"type": "string", "maxLength": 200},
                         "start of the name, with or without diacritics, any case"),
                   STATUS_PARAM, query("unit", {"type": "integer", "minimum": 1, "maximum": INT_MAX},
                                       "only this unit's subtree"), LIMIT, CURSOR],
           response=ref("PersonPage"))
def list_people():
    q = request.args.get("q") or None
    if q is not None and len(q) > 200:
        raise ApiError(400, _("Invalid query parameter %(name)s.", name="q"))
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in PersonStatus}:
        raise ApiError(400, _("Invalid query parameter %(name)s.", name="status"))
    unit_id = int_arg("unit")
    unit = None
    if unit_id is not None:
        unit = _unit(unit_id)
    try:
        rows, next_cursor = people_ops.list_people(db.session, current(), q=q, status=status, unit=unit,
                                                   cursor=request.args.get("cursor"), limit=limit_arg())
    except ValueError:
        raise cursor_error() from None
    return jsonify({"items": [person_json(p) for p in rows], "next_cursor": next_cursor})


@bp.post("/people")
@operation("Register a candidate (quần chúng)", tags=["people"], body=ref("CandidateCreate"), ok=201,
           response=ref("Person"), errors=(403, 422))
def create_person():
    from forms.people import CandidateForm

    body = json_body()
    errors = check_payload(CandidateForm, body, _("Unknown field."), type_messages())
    if errors:
        raise ApiError(422, _("The submitted data is invalid."), errors)
    _data, coerced = validate_form(CandidateForm, body)
    person = people_ops.register_candidate(db.session, current(), coerced)
    db.session.commit()
    response = jsonify(person_json(person))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_person", id=person.id)
    return response


@bp.get("/people/<int:id>")
@operation("A member or candidate", tags=["people"], response=ref("Person"))
def get_person(id: int):  # noqa: A002
    person_id = id
    in_range(person_id)
    try:
        person = service.get_person(db.session, current(), person_id)
    except service.NotFound:
        raise ApiError(404) from None
    return jsonify(person_json(person))


# ---- cases --------------------------------------------------------------------------------------------

@bp.get("/cases")
@operation("Cases in scope, newest first", tags=["cases"],
           params=[query("type", {"type": "string", "maxLength": 64}, "case type (admission, discipline, ...)"),
                   query("state", {"type": "string", "maxLength": 64}, "state"),
                   query("unit", {"type": "integer", "minimum": 1, "maximum": INT_MAX}, "only this unit's subtree"),
                   query("overdue", {"type": "boolean"}, "past their deadline (true) or not (false)"),
                   query("q", {"type": "string", "maxLength": 200}, "case number, or the start of the person's name"),
                   LIMIT, CURSOR],
           response=ref("CasePage"))
def list_cases():
    args = request.args
    q = args.get("q") or None
    if q is not None and len(q) > 200:
        raise ApiError(400, _("Invalid query parameter %(name)s.", name="q"))
    if q is not None and q.strip().isdigit() and not (re.fullmatch(r"[0-9]{1,10}", q.strip())
                                                      and int(q) <= INT_MAX):
        return jsonify({"items": [], "next_cursor": None})  # digits that cannot be a case number
    filters = service.Filters(type=args.get("type") or None, state=args.get("state") or None,
                              unit=int_arg("unit"), overdue=bool_arg("overdue"), q=q)
    limit = limit_arg()
    cursor = args.get("cursor") or None
    if cursor is not None:
        try:
            parts = service.decode_cursor(cursor, 1)
        except ValueError:
            raise cursor_error() from None
        if not re.fullmatch(r"[0-9]{1,10}", parts[0]) or int(parts[0]) > INT_MAX:
            raise cursor_error()
    rows, next_cursor = service.list_cases(db.session, current(), filters, cursor, limit)
    return jsonify({"items": [case_summary(c) for c in rows], "next_cursor": next_cursor})


@bp.get("/inbox")
@operation("Cases where the caller can act now, most urgent first", tags=["cases"], params=[LIMIT, CURSOR],
           response=ref("InboxPage"))
def inbox():
    from .inbox import inbox_page

    try:
        items, next_cursor = inbox_page(db.session, current(), request.args.get("cursor"), limit_arg())
    except ValueError:
        raise cursor_error() from None
    return jsonify({"items": [inbox_item(c, actions) for c, actions in items], "next_cursor": next_cursor})


@bp.post("/cases")
@operation("Open a case", tags=["cases"], body=ref("CaseCreate"), ok=201, response=ref("Case"), errors=(403, 422),
           description="Body: type, person_id, optional state (one of the process's start states; default the "
                       "first the caller may open) and the fields of the start form (GET /processes/{type}).")
def open_case():
    body = json_body()
    type_name = body.get("type")
    types = all_types()
    if not isinstance(type_name, str) or type_name not in types:
        raise ApiError(422, _("The submitted data is invalid."),
                       {"type": [_("Choose one of: %(types)s.", types=", ".join(sorted(types)))]})
    person_id = body.get("person_id")
    if not isinstance(person_id, int) or isinstance(person_id, bool) or not 1 <= person_id <= INT_MAX:
        raise ApiError(422, _("The submitted data is invalid."), {"person_id": [_("Enter a whole number.")]})
    process = types[type_name].process
    state = body.get("state")
    if state is not None and (not isinstance(state, str) or state not in process.start_specs):
        raise ApiError(422, _("The submitted data is invalid."),
                       {"state": [_("Choose one of: %(types)s.", types=", ".join(process.start_specs))]})
    payload = {k: v for k, v in body.items() if k not in ("type", "state")}
    try:
        person = service.get_person(db.session, current(), person_id)
    except service.NotFound:
        raise ApiError(422, _("The submitted data is invalid."),
                       {"person_id": [_("No such person among your units.")]}) from None
    if state is None:  # the first start the caller may open here (a branch's own finding, a report...)
        state = next(iter(access.can_start(db.session, process, person.unit_id, current())), None)
    start_form = process.start_specs[state or next(iter(process.start_specs))].form
    fields = {k: v for k, v in payload.items() if k != "person_id"}  # the person is checked above
    errors = check_payload(start_form, fields, _("Unknown field."), type_messages())
    if errors:
        raise ApiError(422, _("The submitted data is invalid."), errors)
    extra = {"state": state} if state is not None else {}
    case = service.open_case(db.session, current(), type_name, person.id, payload, request_id=g.request_id, **extra)
    response = jsonify(case_json(db.session, current(), case))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_case", id=case.id)
    return response


@bp.get("/cases/<int:id>")
@operation("A case, with the actions the caller may take now", tags=["cases"], response=ref("Case"))
def get_case(id: int):  # noqa: A002
    case_id = id
    return jsonify(case_json(db.session, current(), _case(case_id)))


@bp.post("/cases/<int:id>/actions/<name>")
@operation("Take an action on a case", tags=["cases"], body=ref("ActionRequest"), response=ref("Case"),
           errors=(403, 409, 422),
           description="The payload follows the action's form_schema (see available_actions). "
                       "expected_version guards against lost updates (409 when stale); "
                       "an idempotency_key makes a retry return the first result.")
def take_action(id: int, name: str):  # noqa: A002
    case_id = id
    body = json_body()
    case = _case(case_id)
    payload = body.get("payload", {})
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise ApiError(400, _("The payload must be a JSON object."))
    errors = {}
    unknown = sorted(set(body) - {"expected_version", "payload", "comment", "idempotency_key"})
    for key in unknown:
        errors[key] = [_("Unknown field.")]
    version = body.get("expected_version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)
                                or not 1 <= version <= INT_MAX):
        errors["expected_version"] = [_("Enter a whole number.")]
    comment = body.get("comment")
    if comment is not None and (not isinstance(comment, str) or len(comment) > 4000):
        errors["comment"] = [_("Enter a text of at most %(max)s characters.", max=4000)]
    key = body.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 1 <= len(key) <= 128):
        errors["idempotency_key"] = [_("Enter a text of at most %(max)s characters.", max=128)]
    if errors:
        raise ApiError(422, _("The submitted data is invalid."), errors)
    # Typing checks only where the engine would reach the form: it refuses a stale
    # version (409), someone else's step (403) or a wrong state (409) first.
    ct = next((ct for ct in service.available(db.session, current(), case) if ct.action == name), None)
    if ct is not None and ct.vote is not None:
        payload = normalise_vote_keys(payload)
    if ct is not None and (version is None or version == case.version):
        errors = check_payload(action_form(ct), payload, _("Unknown field."), type_messages())
        if errors:
            raise ApiError(422, _("The submitted data is invalid."), errors)
    service.take_action(db.session, current(), case, name, payload, expected_version=version,
                        idempotency_key=key, comment=(comment or "").strip() or None, request_id=g.request_id)
    db.session.expire_all()
    return jsonify(case_json(db.session, current(), _case(case_id)))


@bp.get("/cases/<int:id>/history")
@operation("The audit events of the case, oldest first", tags=["cases"], params=[LIMIT, CURSOR],
           response=ref("EventPage"))
def case_history(id: int):  # noqa: A002
    case_id = id
    from workflow.models import AuditEvent

    case = _case(case_id)
    limit = limit_arg(100)
    stmt = sa.select(AuditEvent).where(AuditEvent.case_id == case.id)
    after = decode_ids(request.args.get("cursor"), 1)
    if after:
        stmt = stmt.where(AuditEvent.seq > after[0])
    rows = list(db.session.scalars(stmt.order_by(AuditEvent.seq).limit(limit + 1)))
    next_cursor = people_ops.encode_key(rows[limit - 1].seq) if len(rows) > limit else None
    labels = _action_labels(case)
    return jsonify({"items": [event_json(e, labels) for e in rows[:limit]], "next_cursor": next_cursor})


def _action_labels(case) -> dict[str, str]:
    labels = {"start": _("Dossier opened"), "upload_document": _("Document uploaded"),
              "download_document": _("Document downloaded")}
    for action, cts in case.definition().by_action.items():
        labels[action] = str(cts[0].label)
    return labels


# ---- documents --------------------------------------------------------------------------------------

@bp.post("/cases/<int:id>/documents")
@operation("Upload a dossier document", tags=["documents"], body=ref("DocumentUpload"),
           body_type="multipart/form-data", ok=201, response=ref("Document"), errors=(403, 413, 422))
def upload_document(id: int):  # noqa: A002
    case_id = id
    from .render import document_json

    case = _case(case_id)
    if not request.mimetype.startswith("multipart/form-data"):
        raise ApiError(400, _("Send the document as multipart/form-data with the fields kind and file."))
    file = request.files.get("file")
    issued_on = None
    raw_date = request.form.get("issued_on")
    if raw_date:
        try:
            issued_on = dt.date.fromisoformat(raw_date.strip())
        except ValueError:
            raise ApiError(422, _("The submitted data is invalid."),
                           {"issued_on": [_("Enter a date as YYYY-MM-DD.")]}) from None
        if not 1900 <= issued_on.year <= 2199:
            raise ApiError(422, _("The submitted data is invalid."),
                           {"issued_on": [_("Enter a date between 1900 and 2199.")]})
    kind = request.form.get("kind", "")
    if bad_text(kind):
        raise ApiError(422, _("The text contains characters that cannot be stored."),
                       {"kind": [_("The text contains characters that cannot be stored.")]})
    try:
        doc = service.add_document(db.session, current(), case, kind=kind,
                                   filename=file.filename if file else None,
                                   stream=file.stream if file else _Empty(), issued_on=issued_on,
                                   upload_dir=current_app.config["UPLOAD_DIR"],
                                   max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024,
                                   request_id=g.request_id)
    except UploadRefused as exc:
        raise ApiError(422, exc.message, {exc.field: [exc.message]}) from None
    db.session.commit()
    response = jsonify(document_json(doc))
    response.status_code = 201
    response.headers["Location"] = url_for("api.download_document", id=case.id, doc_id=doc.id)
    return response


class _Empty:
    def read(self, n=-1):
        return b""


@bp.get("/cases/<int:id>/documents/<int:doc_id>")
@operation("Download a document", tags=["documents"],
           response={"type": "string", "format": "binary"},
           response_type=("application/pdf", "image/jpeg", "image/png"))
def download_document(id: int, doc_id: int):  # noqa: A002
    case_id = id
    in_range(case_id, doc_id)
    try:
        case, doc = service.get_document(db.session, current(), case_id, doc_id)
    except service.NotFound:
        raise ApiError(404) from None
    path = service.open_document(db.session, current(), case, doc, current_app.config["UPLOAD_DIR"],
                                 request_id=g.request_id)
    if not path.exists():
        raise ApiError(404)
    response = send_file(path, mimetype=doc.content_type, as_attachment=True, download_name=doc.filename)
    response.headers["X-Content-SHA256"] = doc.sha256
    return response


# ---- audit, processes, reports ----------------------------------------------------------------------

@bp.get("/audit/verify")
@operation("Verify the hash chain of a case's audit trail", tags=["audit"],
           params=[query("case_id", {"type": "integer", "minimum": 1, "maximum": INT_MAX}, "the case", True)],
           response=ref("Verify"))
def audit_verify():
    from workflow.audit import verify_case

    case_id = int_arg("case_id")
    if case_id is None:
        raise ApiError(400, _("Invalid query parameter %(name)s.", name="case_id"),
                       {"case_id": [_("This field is required.")]})
    case = _case(case_id)
    bad = verify_case(db.session, case.id)
    if bad is None:
        return jsonify({"ok": True})
    return jsonify({"ok": False, "first_bad": {"case_id": bad.case_id, "seq": bad.seq}})


@bp.get("/processes")
@operation("The case types", tags=["processes"], response=ref("ProcessList"))
def list_processes():
    items = [{"type": name, "title": str(t.process.title or name)} for name, t in sorted(all_types().items())]
    return jsonify({"items": items, "next_cursor": None})


@bp.get("/processes/<type>")
@operation("A process definition: steps, transitions with role and level, Mermaid diagram", tags=["processes"],
           response=ref("Process"))
def get_process(type: str):  # noqa: A002 (the contract names it type)
    name = type
    case_type = all_types().get(name)
    if case_type is None:
        raise ApiError(404)
    return jsonify(process_json(case_type))


@bp.get("/reports/summary")
@operation("Counts for a unit and year: admissions by stage and outcome, discipline by form, removals, overdue",
           tags=["reports"],
           params=[query("unit", {"type": "integer", "minimum": 1, "maximum": INT_MAX},
                         "the unit (default: all the caller's units)"),
                   query("year", {"type": "integer", "minimum": 1900, "maximum": 2200}, "default: this year")],
           response=ref("Summary"))
def report_summary():
    from workflow import clock

    unit_id = int_arg("unit")
    unit = _unit(unit_id) if unit_id is not None else None
    year = int_arg("year", 1900, 2200) or clock.today().year
    return jsonify(reports.summary(db.session, current(), unit, year))


@bp.get("/openapi.json")
@operation("This OpenAPI document", tags=["meta"], response={"type": "object"}, public=True)
def openapi():
    return jsonify(build_spec(current_app))


# ---- wiring -----------------------------------------------------------------------------------------

def init_api(app) -> None:
    """Register the blueprint, exempt it from CSRF (bearer tokens, no cookies) and wire its errors."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
    from .cli import api_cli

    app.cli.add_command(api_cli)
