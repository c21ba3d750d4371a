"""Members and candidates: the list in scope, one person, registering a candidate."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from app.extensions import db
from cases import people as people_ops
from cases import queries
from core.enums import PersonStatus
from workflow.guards import validate_form

from .blueprint import bp
from .caller import current
from .form_schema import INT_MAX, check_payload
from .openapi import CURSOR, LIMIT, operation, query, ref
from .render import created, person_json
from .requests import ApiError, in_range, int_arg, invalid, json_body, limit_arg, type_messages
from .units import load_unit

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
    unit = load_unit(unit_id) if unit_id is not None else None
    rows, next_cursor = people_ops.list_people(db.session, current(), q=q, status=status, unit=unit,
                                               cursor=request.args.get("cursor"), limit=limit_arg())
    return jsonify({"items": [person_json(p) for p in rows], "next_cursor": next_cursor})


@bp.post("/people")
@operation("Register a candidate (quần chúng)", tags=["people"], body=ref("CandidateCreate"), ok=201,
           response=ref("Person"), errors=(403, 422))
def create_person():
    from forms.people import CandidateForm

    body = json_body()
    errors = check_payload(CandidateForm, body, _("Unknown field."), type_messages())
    if errors:
        raise invalid(errors)
    _data, coerced = validate_form(CandidateForm, body)
    person = people_ops.register_candidate(db.session, current(), coerced)
    db.session.commit()
    return created(person_json(person), url_for("api.get_person", id=person.id))


@bp.get("/people/<int:id>")
@operation("A member or candidate", tags=["people"], response=ref("Person"))
def get_person(id: int):  # noqa: A002
    in_range(id)
    return jsonify(person_json(queries.get_person(db.session, current(), id)))
