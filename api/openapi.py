"""The OpenAPI 3 document, generated from the code with apispec, and its route
(``/openapi.json``).

Each API view carries its description (``@operation``: summary, parameters,
body, responses); :func:`build_spec` walks the app's URL map, so a route
without a description fails the spec test rather than going undocumented.
Schemas of forms come from :mod:`api.form_schema`, the same classes the
engine validates with.
"""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from flask import current_app, jsonify

from .blueprint import bp
from .form_schema import INT_MAX, case_create_schemas, form_schema

BEARER = [{"bearerAuth": []}]


def ref(name: str) -> dict:
    """A reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def page_of(name: str) -> dict:
    """The schema of a keyset page of ``name`` items: ``{"items": [...], "next_cursor": str | null}``."""
    return {"type": "object", "required": ["items", "next_cursor"], "properties": {
        "items": {"type": "array", "items": ref(name)},
        "next_cursor": {"type": "string", "nullable": True}}}


def operation(summary: str, *, tags: list[str], params: list[dict] | None = None, body: dict | None = None,
              body_type: str = "application/json", ok: int = 200, response: dict | None = None,
              response_type: str = "application/json", errors: tuple[int, ...] = (), public: bool = False,
              description: str = ""):
    """Attach the OpenAPI description of a view (read by :func:`build_spec`)."""

    def wrap(fn):
        fn._api_doc = dict(summary=summary, tags=tags, params=params or [], body=body, body_type=body_type, ok=ok,
                           response=response, response_type=response_type, errors=errors, public=public,
                           description=description or (fn.__doc__ or "").strip())
        return fn

    return wrap


def query(name: str, schema: dict, description: str = "", required: bool = False) -> dict:
    """A query parameter of an operation (for ``@operation(params=...)``)."""
    return {"in": "query", "name": name, "schema": schema, "required": required, "description": description}


LIMIT = query("limit", {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}, "page size")
CURSOR = query("cursor", {"type": "string", "maxLength": 500}, "next_cursor of the previous page")

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")

STRING = {"type": "string"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
INT = {"type": "integer"}
NULLABLE_INT = {"type": "integer", "nullable": True}
NULLABLE_STRING = {"type": "string", "nullable": True}
# A report's part whose process is not built yet: always null.
NOT_BUILT = {"type": "object", "nullable": True, "description": "null: not built yet"}
_GRADES = {"type": "object", "additionalProperties": {"type": "integer"},
           "description": "members by grade: excellent, good, complete, not_complete"}
# Grading in the summary (cases.reports._grading): grades decided in the period, by the decision's date.
GRADING_SUMMARY = {"type": "object", "required": ["graded", "excellent_or_good", "by_grade", "by_year", "by_unit"],
                   "properties": {
                       "graded": {"type": "integer"}, "excellent_or_good": {"type": "integer"}, "by_grade": _GRADES,
                       "by_year": {"type": "array", "items": {"type": "object", "properties": {
                           "year": {"type": "integer"}, "by_grade": _GRADES}}},
                       "by_unit": {"type": "array", "items": {"type": "object", "properties": {
                           "unit_id": {"type": "integer"}, "year": {"type": "integer"}, "by_grade": _GRADES}},
                                   "description": "per grassroots organisation and year graded"}}}


def _obj(required: list[str], **props) -> dict:
    return {"type": "object", "required": required, "properties": props}


def components() -> dict[str, dict]:
    """The component schemas of the document, by name."""
    from cases.models import DOCUMENT_KINDS
    from cases.registry import all_entries
    from core.enums import Education, Gender, Level, PersonStatus, Role
    from forms.people import AppointForm, CandidateForm, EndPostForm, PersonDetailsForm, PriorCertificateForm

    unit_ref = _obj(["id", "name", "level"], id=INT, name=STRING, level={"type": "string", "enum": [x.value for x in Level]})
    person_ref = _obj(["id", "full_name", "status"], id=INT, full_name=STRING,
                      status={"type": "string", "enum": [x.value for x in PersonStatus]})
    role_assignment = _obj(["unit_id", "unit_name", "level", "role"], unit_id=INT, unit_name=STRING,
                           level={"type": "string", "enum": [x.value for x in Level]},
                           role={"type": "string", "enum": [x.value for x in Role]})
    case_summary_props = dict(
        id=INT, type=STRING, state=STRING, state_label=STRING,
        person={**person_ref, "nullable": True}, unit=ref("UnitRef"), opened_at=DATETIME,
        closed_at={**DATETIME, "nullable": True}, version=INT, deadline={**DATETIME, "nullable": True},
        deadline_kind=NULLABLE_STRING, overdue={"type": "boolean"}, process_version=INT,
    )
    summary_required = ["id", "type", "state", "state_label", "person", "unit", "opened_at", "version", "deadline"]
    action = _obj(["name", "label", "form_schema"], name=STRING, label=STRING, form_schema={"type": "object"})
    document = _obj(["id", "kind", "filename", "size", "sha256"], id=INT, kind=STRING, filename=STRING, size=INT,
                    sha256=STRING, issued_on=DATE, content_type=STRING, superseded_by=NULLABLE_INT)
    counts = {"type": "object", "additionalProperties": {"type": "integer"}}
    type_counts = _obj(["opened", "by_stage", "by_outcome"], opened=INT, by_stage=counts, by_outcome=counts)
    candidate = form_schema(CandidateForm)
    return {
        "Problem": _obj(["type", "title", "status", "detail"], type=STRING, title=STRING, status=INT, detail=STRING,
                        errors={"type": "object", "additionalProperties": {"type": "array", "items": STRING}}),
        "TokenRequest": {**_obj(["username", "password"], username={"type": "string", "maxLength": 80},
                                password={"type": "string", "maxLength": 200})},
        "Token": _obj(["token", "expires_at"], token=STRING, expires_at=DATETIME),
        "RevokeRequest": _obj(["username"], username={"type": "string", "maxLength": 80}),
        "Revoked": _obj(["revoked"], revoked=INT),
        "RoleAssignment": role_assignment,
        "Me": _obj(["id", "username", "display_name", "role_assignments"], id=INT, username=STRING,
                   display_name=STRING, person_id=NULLABLE_INT,
                   role_assignments={"type": "array", "items": ref("RoleAssignment")},
                   roles={"type": "array", "items": ref("RoleAssignment")}),
        "UnitRef": unit_ref,
        "Unit": _obj(["id", "name", "level", "parent_id"], id=INT, name=STRING,
                     level={"type": "string", "enum": [x.value for x in Level]}, parent_id=NULLABLE_INT, path=STRING,
                     grassroots_branch={"type": "boolean"}, hardship_area={"type": "boolean"},
                     children_count=INT, official_members=INT, below_minimum={"type": "boolean"}),
        "UnitPage": page_of("Unit"),
        "PersonRef": person_ref,
        "Person": _obj(["id", "full_name", "date_of_birth", "gender", "national_id", "education", "unit", "status"],
                       id=INT, full_name=STRING, date_of_birth=DATE,
                       gender={"type": "string", "enum": [x.value for x in Gender]}, national_id=STRING,
                       education={"type": "string", "enum": [x.value for x in Education]}, ethnicity=STRING,
                       residence=STRING, unit=ref("UnitRef"),
                       status={"type": "string", "enum": [x.value for x in PersonStatus]},
                       youth_union_member={"type": "boolean"}, trade_union_member={"type": "boolean"},
                       admission_date={**DATE, "nullable": True}, official_date={**DATE, "nullable": True},
                       party_card_number=NULLABLE_STRING, joined_unit_on={**DATE, "nullable": True},
                       posts={"type": "array", "items": ref("Post")},
                       certificates={"type": "array", "items": ref("Certificate")},
                       open_cases={"type": "array", "items": ref("CaseSummary")},
                       grading={"type": "array", "items": _obj(
                           ["year", "grade", "score", "decided_on"], year=INT,
                           grade={"type": "string", "enum": ["excellent", "good", "complete", "not_complete"]},
                           score={"type": "number", "nullable": True}, decided_on=DATE)}),
        "PersonPage": page_of("Person"),
        "CandidateCreate": candidate,
        "PersonDetails": {k: v for k, v in form_schema(PersonDetailsForm).items() if k != "required"},
        "Post": _obj(["id", "title", "unit_id", "start", "end"], id=INT, title=STRING, unit_id=INT, start=DATE,
                     end={**DATE, "nullable": True}),
        "PostCreate": form_schema(AppointForm),
        "PostEnd": form_schema(EndPostForm),
        "Certificate": _obj(["id", "kind", "number", "issued_on", "issuer"], id=INT, kind=STRING, number=STRING,
                            issued_on=DATE, issuer=STRING, course_name=STRING, valid_until={**DATE, "nullable": True},
                            recorded_by=NULLABLE_STRING),
        "CertificateCreate": form_schema(PriorCertificateForm),
        "CaseSummary": _obj(summary_required, **case_summary_props),
        "CasePage": page_of("CaseSummary"),
        "AvailableAction": action,
        "Document": document,
        "Case": _obj(summary_required + ["available_actions"], **case_summary_props,
                     data={"type": "object"},
                     available_actions={"type": "array", "items": ref("AvailableAction")},
                     documents={"type": "array", "items": ref("Document")},
                     warnings={"type": "array", "items": STRING}),
        "InboxItem": _obj(summary_required + ["actions", "available_actions"], **case_summary_props,
                          actions={"type": "array", "items": STRING},
                          available_actions={"type": "array", "items": ref("AvailableAction")}),
        "InboxPage": page_of("InboxItem"),
        "Notification": _obj(["id", "kind", "case_id", "step", "step_label", "title", "detail", "created_at",
                              "read"], id=INT, kind=STRING, case_id=INT, step=STRING, step_label=STRING,
                             title=STRING, detail=STRING, created_at=DATETIME, read={"type": "boolean"},
                             read_at={**DATETIME, "nullable": True}, deadline={**DATE, "nullable": True}),
        "NotificationPage": page_of("Notification"),
        "CaseCreate": {"oneOf": [{"$ref": f"#/components/schemas/CaseCreate_{name}"} for name in sorted(all_entries())],
                       "discriminator": {"propertyName": "type", "mapping": {
                           name: f"#/components/schemas/CaseCreate_{name}" for name in sorted(all_entries())}}},
        **{f"CaseCreate_{name}": schema for name, schema in case_create_schemas(all_entries()).items()},
        "ActionRequest": {"type": "object", "additionalProperties": False, "properties": {
            "expected_version": {"type": "integer", "minimum": 1, "maximum": INT_MAX, "nullable": True},
            "payload": {"type": "object"},
            "comment": {"type": "string", "maxLength": 4000, "nullable": True},
            "idempotency_key": {"type": "string", "minLength": 1, "maxLength": 128, "nullable": True}}},
        "Event": _obj(["seq", "at", "actor", "action", "from_state", "to_state", "payload", "comment", "hash"],
                      seq=INT, at=DATETIME, actor=STRING, actor_id=NULLABLE_INT, action=STRING, action_label=STRING,
                      from_state=NULLABLE_STRING, to_state=NULLABLE_STRING, payload={"type": "object"},
                      comment=NULLABLE_STRING, hash=STRING, prev_hash=STRING),
        "EventPage": page_of("Event"),
        "DocumentUpload": _obj(["kind", "file"], kind={"type": "string", "enum": list(DOCUMENT_KINDS)},
                               file={"type": "string", "format": "binary"},
                               issued_on=DATE),
        "Verify": _obj(["ok"], ok={"type": "boolean"},
                       first_bad={**_obj(["case_id", "seq"], case_id=INT, seq=NULLABLE_INT)}),
        "Step": _obj(["name", "label", "start", "end"], name=STRING, label=STRING, start={"type": "boolean"},
                     end={"type": "boolean"}),
        "TransitionInfo": _obj(["action", "label", "from", "to", "role", "roles", "level", "system"],
                               action=STRING, label=STRING, to={"type": "array", "items": STRING},
                               roles={"type": "array", "items": STRING}, role=NULLABLE_STRING,
                               level=NULLABLE_STRING, system={"type": "boolean"}, form_schema={"type": "object"},
                               grants={"type": "array", "items": _obj(
                                   ["roles", "level"], roles={"type": "array", "items": STRING}, level=STRING)},
                               **{"from": {"type": "array", "items": STRING}}),
        "Process": _obj(["type", "version", "title", "steps", "transitions", "mermaid"], type=STRING, version=INT,
                        title=STRING, steps={"type": "array", "items": ref("Step")},
                        starts={"type": "array", "items": _obj(
                            ["state", "label", "role", "roles", "level", "form_schema"], state=STRING, label=STRING,
                            role=STRING, roles={"type": "array", "items": STRING}, level=NULLABLE_STRING,
                            form_schema={"type": "object"})},
                        transitions={"type": "array", "items": ref("TransitionInfo")}, mermaid=STRING),
        "ProcessList": _obj(["items", "next_cursor"], items={"type": "array", "items": _obj(
            ["type", "title"], type=STRING, title=STRING)}, next_cursor=NULLABLE_STRING),
        "TypeCounts": type_counts,
        "Summary": _obj(["unit", "from", "to", "year", "members", "organisations", "admissions", "discipline",
                         "removals", "transfers", "exemptions", "grading", "overdue", "cases"],
                        unit={**unit_ref, "nullable": True}, year={**INT, "nullable": True},
                        **{"from": DATE, "to": DATE},
                        members=_obj(["total", "by_status"], total=INT, by_status=counts),
                        organisations=_obj(["total", "by_kind", "branches"], total=INT, by_kind=counts,
                                           branches=INT),
                        admissions={"type": "object", "properties": {
                            "opened": INT, "by_stage": counts, "by_outcome": counts, "admitted": INT,
                            "recognised": INT, "removed_during_probation": INT,
                            "average_days_branch_vote_to_decision": {"type": "number", "nullable": True},
                            "plan": {**_obj(["year", "organisations_with_plan", "target", "admitted"], year=INT,
                                            organisations_with_plan=INT, target=INT, admitted=INT),
                                     "nullable": True}}},
                        discipline=_obj(["total", "by_form", "people"], total=INT, by_form=counts,
                                        people=_obj(["total", "by_form"], total=INT, by_form=counts)),
                        transfers=_obj(["transferred_in", "received_temporarily", "late", "transferred_out",
                                        "transferred_out_of_system", "hosted_away", "hosted_here"],
                                       transferred_in=INT, received_temporarily=INT, late=INT, transferred_out=INT,
                                       transferred_out_of_system=INT, hosted_away=INT, hosted_here=INT),
                        exemptions=_obj(["exempted", "by_kind", "decided"], exempted=INT, by_kind=counts,
                                        decided=INT),
                        grading=GRADING_SUMMARY,
                        removals=_obj(["total"], total=INT),
                        overdue=_obj(["total", "by_step", "by_unit"], total=INT,
                                     by_step={"type": "array", "items": _obj(["type", "state", "count"], type=STRING,
                                                                             state=STRING, count=INT)},
                                     by_unit={"type": "array", "items": _obj(["unit_id", "unit_name", "count"],
                                                                             unit_id=INT, unit_name=STRING,
                                                                             count=INT)}),
                        cases={"type": "object", "additionalProperties": ref("TypeCounts")}),
    }


PROBLEM_DESCRIPTIONS = {
    400: "Malformed request (bad JSON, wrong JSON types, bad query parameters)",
    401: "Missing, expired, revoked or unknown token",
    403: "In scope, but not your step or role",
    404: "Absent, or outside your units",
    409: "Stale expected_version, or the action is not available in the case's state",
    413: "The upload is too large",
    415: "Unsupported media type",
    422: "Valid JSON that breaks a rule or a form (errors per field)",
    429: "Rate limit",
}


def _problem_response(code: int) -> dict:
    return {"description": PROBLEM_DESCRIPTIONS.get(code, "Error"),
            "content": {"application/problem+json": {"schema": ref("Problem")}}}


def build_spec(app) -> dict[str, Any]:
    """The OpenAPI document of every ``api.*`` route of ``app``; RuntimeError for a route without ``@operation``."""
    spec = APISpec(
        title="Party committee case management API", version="1.0.0", openapi_version="3.0.3",
        info={"description": "Admission, discipline and removal cases of party committees. All times are UTC."},
        servers=[{"url": "/"}],
    )
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                   "description": "POST /api/v1/auth/token"})
    for name, schema in components().items():
        spec.components.schema(name, schema)
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "_api_doc", None)
        if doc is None:
            raise RuntimeError(f"API view {rule.endpoint} has no @operation description")
        path = _CONVERTER.sub(lambda m: "{" + m[2] + "}", rule.rule)
        path_params = [{"in": "path", "name": m[2], "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": INT_MAX, "example": 1} if m[1] == "int"
                        else {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$", "maxLength": 64}}
                       for m in _CONVERTER.finditer(rule.rule)]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {"summary": doc["summary"], "tags": doc["tags"],
                                  "operationId": rule.endpoint.split(".", 1)[1]}
            if doc["description"]:
                op["description"] = doc["description"]
            overrides = {p["name"]: p for p in doc["params"] if p.get("in") == "path"}  # a path parameter's own schema
            params = [overrides.get(p["name"], p) for p in path_params] + [
                p for p in doc["params"] if p.get("in") != "path"]
            if params:
                op["parameters"] = params
            if doc["body"] is not None:
                op["requestBody"] = {"required": True, "content": {doc["body_type"]: {"schema": doc["body"]}}}
            ok_response: dict[str, Any] = {"description": "OK"}
            if doc["response"] is not None:
                types = doc["response_type"]
                types = [types] if isinstance(types, str) else list(types)
                ok_response["content"] = {t: {"schema": doc["response"]} for t in types}
            responses: dict[Any, Any] = {str(doc["ok"]): ok_response}
            codes = {400, 429} | set(doc["errors"])
            if not doc["public"]:
                codes.add(401)
                op["security"] = BEARER
            else:
                op["security"] = []
            if path_params:
                codes.add(404)
            for code in sorted(codes):
                responses[str(code)] = _problem_response(code)
            responses["default"] = {"description": "Any other error",
                                    "content": {"application/problem+json": {"schema": ref("Problem")}}}
            op["responses"] = responses
            paths.setdefault(path, {})[method.lower()] = op
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
@operation("This OpenAPI document", tags=["meta"], response={"type": "object"}, public=True)
def openapi():
    return jsonify(build_spec(current_app))
