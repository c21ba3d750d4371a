"""API calls of candidate training and annual admission plans, under ``/api/v1``.

A child of the API blueprint (endpoints ``api.candidacy.*``): the parent's
token check, error handlers and OpenAPI document apply to it unchanged.
Attached once, before the app registers the API blueprint (see
:func:`api.wiring.init_api`).
"""

from __future__ import annotations

import datetime as dt
import uuid

from flask import Blueprint, jsonify
from flask_babel import gettext as _

from app.edge import is_int, is_number
from app.extensions import db
from cases.candidacy import courses as course_service
from cases.candidacy import plans as plan_service
from cases.candidacy.plans import GROUPS, PIPELINE_STAGES
from cases.queries import NotFound
from forms.candidacy import PlanForm
from workflow.errors import NotPermitted
from workflow.guards import validate_form

from .caller import current
from .form_schema import INT_MAX, check_payload
from .openapi import operation, query
from .requests import ApiError, in_range, int_arg, invalid, json_body, type_messages

bp = Blueprint("candidacy", __name__)

INT = {"type": "integer"}
NULLABLE_INT = {"type": "integer", "nullable": True}
STRING = {"type": "string"}
DATE = {"type": "string", "format": "date"}
UNIT_REF = {"type": "object", "required": ["id", "name"], "properties": {"id": INT, "name": STRING}}
COUNTS_BY_GROUP = {"type": "object", "properties": {g: INT for g in GROUPS}}
TARGETS_BY_GROUP = {"type": "object", "properties": {g: NULLABLE_INT for g in GROUPS}}
PLAN = {"type": "object", "nullable": True, "required": ["target", "targets_by_group"],
        "properties": {"target": INT, "targets_by_group": TARGETS_BY_GROUP, "note": STRING}}
PLAN_REPORT = {
    "type": "object", "required": ["unit", "year", "organisations", "admitted_no_one", "totals"],
    "properties": {
        "unit": UNIT_REF, "year": INT,
        "organisations": {"type": "array", "items": {
            "type": "object", "required": ["unit", "plan", "admitted", "admitted_by_group", "pipeline"],
            "properties": {"unit": UNIT_REF, "plan": PLAN, "admitted": INT, "admitted_by_group": COUNTS_BY_GROUP,
                           "pipeline": {"type": "object", "properties": {s: INT for s in PIPELINE_STAGES},
                                        "description": "open candidacy cases by state, and open admission "
                                                       "dossiers not yet decided (dossier)"}}}},
        "admitted_no_one": {"type": "array", "items": {
            "type": "object", "required": ["id", "name", "has_plan"],
            "properties": {"id": INT, "name": STRING, "has_plan": {"type": "boolean"}}}},
        "totals": {"type": "object"},
    },
}
PLAN_BODY = {"type": "object", "required": ["target"], "properties": {
    "target": {"type": "integer", "minimum": 0, "maximum": 100000},
    "targets_by_group": {"type": "object", "properties": {
        g: {"type": "integer", "minimum": 0, "maximum": 100000, "nullable": True} for g in GROUPS}},
    "note": {"type": "string", "maxLength": 1000}}}
ENROLMENT = {"type": "object", "required": ["id", "case_id", "person", "case_state"], "properties": {
    "id": INT, "case_id": INT, "case_state": STRING,
    "person": {"type": "object", "properties": {"id": INT, "full_name": STRING}},
    "score": {"type": "number", "nullable": True}, "passed": {"type": "boolean", "nullable": True},
    "certificate_number": {"type": "string", "nullable": True},
    "certificate_date": {"type": "string", "format": "date", "nullable": True}}}
COURSE = {"type": "object", "required": ["id", "name", "organiser", "starts_on", "ends_on"], "properties": {
    "id": INT, "name": STRING, "organiser": UNIT_REF, "starts_on": DATE, "ends_on": DATE, "issuer": STRING,
    "class_list": {"type": "array", "items": ENROLMENT}}}
RESULTS_BODY = {"type": "object", "required": ["results"], "properties": {
    "batch_key": {"type": "string", "maxLength": 100,
                  "description": "idempotency key of the sheet: sending it again records nothing twice"},
    "results": {"type": "array", "maxItems": 500, "items": {
        "type": "object", "required": ["enrolment_id", "score", "result"], "properties": {
            "enrolment_id": INT, "score": {"type": "number", "minimum": 0, "maximum": 10},
            "result": {"type": "string", "enum": ["passed", "failed"]},
            "certificate_number": {"type": "string", "maxLength": 50},
            "certificate_date": DATE}}}}}
RESULT_FIELDS = tuple(RESULTS_BODY["properties"]["results"]["items"]["properties"])
YEAR = query("year", {"type": "integer", "minimum": 1930, "maximum": 2200}, "default: this year")


def _year(value=None) -> int:
    year = value if value is not None else int_arg("year", 1930, 2200)
    return year or plan_service.default_year()


@bp.get("/plans")
@operation("Admission plans of the grassroots organisations under a unit for a year: target, admitted so far "
           "(counted from the admission decisions of the year), candidates in the pipeline by stage, and the "
           "organisations that have admitted no one", tags=["plans"],
           params=[query("unit", {"type": "integer", "minimum": 1, "maximum": INT_MAX}, "the unit", required=True),
                   YEAR],
           response=PLAN_REPORT)
def plan_report():
    unit_id = int_arg("unit")
    if unit_id is None:
        raise ApiError(400, _("Invalid query parameter %(name)s.", name="unit"),
                       {"unit": [_("This field is required.")]})
    try:
        report = plan_service.report(db.session, current(), unit_id, _year())
    except NotFound:
        raise ApiError(404) from None
    return jsonify(report.as_dict())


@bp.put("/plans/<int:unit_id>/<int:year>")
@operation("Set the admission plan of a grassroots organisation for a year", tags=["plans"], body=PLAN_BODY,
           response=PLAN_REPORT["properties"]["organisations"]["items"], errors=(403, 422))
def put_plan(unit_id: int, year: int):
    in_range(unit_id)
    if not 1930 <= year <= 2200:
        raise ApiError(404)
    body = json_body()
    groups = body.get("targets_by_group") or {}
    if not isinstance(groups, dict):
        raise ApiError(422, errors={"targets_by_group": [_("This must be an object.")]})
    payload = {"target": body.get("target"), "note": body.get("note") or ""}
    payload.update({f"target_{g}": groups.get(g) for g in GROUPS})
    payload = {k: v for k, v in payload.items() if v is not None}
    errors = check_payload(PlanForm, payload, _("Unknown field."), type_messages())  # strict JSON types
    if errors:
        raise invalid({("targets_by_group." + k[len("target_"):] if k.startswith("target_") else k): v
                       for k, v in errors.items()})
    _json, data = validate_form(PlanForm, payload)
    try:
        plan_service.save_plan(db.session, current(), unit_id, year, data)
    except NotFound:
        raise ApiError(404) from None
    except NotPermitted:
        raise ApiError(403) from None
    report = plan_service.report(db.session, current(), unit_id, year)
    return jsonify(report.rows[0].as_dict())


def _course_json(course, with_class: bool = False) -> dict:
    from cases.registry import get_entry

    out = {"id": course.id, "name": course.name, "organiser": {"id": course.organiser.id, "name": course.organiser.name},
           "starts_on": course.starts_on.isoformat(), "ends_on": course.ends_on.isoformat(), "issuer": course.issuer}
    if with_class:
        out["class_list"] = [{
            "id": e.id, "case_id": case.id, "case_state": case.state,
            "case_state_label": get_entry("candidacy").state_label(case.state),
            "person": {"id": person.id, "full_name": person.full_name},
            "score": e.score, "passed": e.passed, "certificate_number": e.certificate_number,
            "certificate_date": e.certificate_date.isoformat() if e.certificate_date else None,
        } for e, case, person in course_service.class_list(db.session, course)]
    return out


def _course(course_id: int):
    in_range(course_id)
    try:
        return course_service.get_course(db.session, current(), course_id)
    except NotFound:
        raise ApiError(404) from None


@bp.get("/courses")
@operation("Courses on party knowledge in the caller's units (newest first, up to 100)", tags=["plans"],
           response={"type": "object", "required": ["items"], "properties": {"items": {"type": "array",
                                                                                        "items": COURSE}}})
def list_courses():
    return jsonify({"items": [_course_json(c) for c in course_service.visible_courses(db.session, current())]})


@bp.get("/courses/<int:course_id>")
@operation("A course with its class list and results", tags=["plans"], response=COURSE)
def get_course(course_id: int):
    return jsonify(_course_json(_course(course_id), with_class=True))


@bp.post("/courses/<int:course_id>/results")
@operation("Record results for many candidates at once, all or nothing: each result acts on the candidate's "
           "candidacy case through the engine (one audit event each); if any row is refused nothing is "
           "recorded and the refusals are listed by enrolment id", tags=["plans"], body=RESULTS_BODY,
           response={"type": "object", "properties": {"recorded": INT}}, errors=(422,))
def post_results(course_id: int):
    course = _course(course_id)
    body = json_body()
    items = body.get("results")
    if not isinstance(items, list) or not items or len(items) > 500:
        raise ApiError(422, errors={"results": [_("Give from 1 to 500 results.")]})
    rows = [_result_row(i, item) for i, item in enumerate(items)]
    key = body.get("batch_key")
    if key is not None and (not isinstance(key, str) or len(key) > 100):
        raise invalid({"batch_key": [_("Enter a text of at most %(max)s characters.", max=100)]})
    try:
        recorded = course_service.record_results(db.session, current(), course, rows,
                                                 batch_key=f"api:{key or uuid.uuid4().hex}")
    except NotFound:
        raise ApiError(404) from None
    except course_service.UnknownIds as exc:
        # Not on this course (absent, on another course, outside the caller's units: all alike).
        raise invalid({f"results[{i}].enrolment_id": [_("No such enrolment on this course.")]
                       for i, item in enumerate(items) if item["enrolment_id"] in exc.ids}) from None
    except course_service.BatchRefused as exc:
        raise ApiError(422, _("Some results were refused; nothing was recorded."),
                       {str(k): v for k, v in exc.errors.items()}) from None
    return jsonify({"recorded": recorded})


def _result_row(index: int, item) -> course_service.ResultRow:
    """One result of the sheet, its JSON types checked strictly (``true`` is no
    enrolment id, a number no text); else 422 naming ``results[index].field``."""
    where = f"results[{index}]"
    if not isinstance(item, dict):
        raise invalid({where: [_("Each result needs its enrolment_id.")]})
    errors = {f"{where}.{key}": [_("Unknown field.")] for key in sorted(set(item) - set(RESULT_FIELDS))}
    if not is_int(item.get("enrolment_id"), 1):
        errors[f"{where}.enrolment_id"] = [_("Enter a whole number.")]
    score = item.get("score")
    if score is not None and not is_number(score):
        errors[f"{where}.score"] = [_("Enter a number.")]
    for name in ("result", "certificate_number", "certificate_date"):
        if item.get(name) is not None and not isinstance(item[name], str):
            errors[f"{where}.{name}"] = [_("Enter a text.")]
    date = item.get("certificate_date")
    if isinstance(date, str) and date:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            errors[f"{where}.certificate_date"] = [_("Dates are YYYY-MM-DD.")]
    if errors:
        raise invalid(errors)
    return course_service.ResultRow(
        enrolment_id=item["enrolment_id"], score="" if score is None else str(score), result=item.get("result") or "",
        certificate_number=item.get("certificate_number") or "", certificate_date=date or "")
