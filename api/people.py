"""Members and candidates: the list in scope, one person, registering a candidate;
the registry's certificates earned before the system and posts (appoint, end)."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from app.extensions import db
from cases import people as people_ops
from cases import posts as post_ops
from cases import queries
from core.enums import PersonStatus
from forms.people import AppointForm, EndPostForm, PriorCertificateForm
from workflow.guards import validate_form

from .blueprint import bp
from .caller import current
from .form_schema import INT_MAX, check_payload
from .openapi import CURSOR, LIMIT, operation, query, ref
from .render import certificate_json, created, person_detail_json, person_json, post_json
from .requests import ApiError, in_range, int_arg, invalid, json_body, limit_arg, type_messages
from .units import load_unit
from .xlsx import FORMAT, LIST_TYPES, wants_xlsx, xlsx_response

STATUS_PARAM = query("status", {"type": "string", "enum": [s.value for s in PersonStatus]}, "status filter")


@bp.get("/people")
@operation("Members and candidates in scope", tags=["people"],
           params=[query("q", {"type": "string", "maxLength": 200},
                         "start of any word of the name, with or without diacritics, any case; "
                         "names starting with it come first"),
                   STATUS_PARAM, query("unit", {"type": "integer", "minimum": 1, "maximum": INT_MAX},
                                       "only this unit's subtree"), LIMIT, CURSOR, FORMAT],
           response=ref("PersonPage"),
           response_type=LIST_TYPES)
def list_people():
    xlsx = wants_xlsx()
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
    items = [person_json(p) for p in rows]
    if xlsx:
        return xlsx_response(items, "people")
    return jsonify({"items": items, "next_cursor": next_cursor})


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
    """The person with their posts (``[{id, title, unit_id, start, end}]``, ended
    ones included), training certificates and the open cases the caller sees."""
    in_range(id)
    return jsonify(person_detail_json(db.session, current(), queries.get_person(db.session, current(), id)))


def _body_of(form_cls) -> dict:
    """The JSON body, checked against the fields of ``form_cls`` (unknown fields, JSON types); else 400/422."""
    body = json_body()
    errors = check_payload(form_cls, body, _("Unknown field."), type_messages())
    if errors:
        raise invalid(errors)
    return body


@bp.post("/people/<int:id>/certificates")
@operation("Record a certificate earned before the system", tags=["people"], body=ref("CertificateCreate"), ok=201,
           response=ref("Certificate"), errors=(403, 422))
def record_certificate(id: int):  # noqa: A002
    """A certificate of the course on party knowledge (number, date, issuer) earned
    before the system was used, recorded by the organisation board (an
    organisation officer at grassroots level or above over the person's unit).
    The admission's certificate rule reads it like a course's result."""
    in_range(id)
    person = queries.get_person(db.session, current(), id)
    cert = people_ops.record_certificate(db.session, current(), person, _body_of(PriorCertificateForm))
    db.session.commit()
    return created(certificate_json(cert), url_for("api.get_person", id=person.id))


@bp.post("/people/<int:id>/posts")
@operation("Appoint to a post", tags=["people"], body=ref("PostCreate"), ok=201, response=ref("Post"),
           errors=(403, 422))
def appoint(id: int):  # noqa: A002
    """The organisation board gives a party member a post at their unit or a unit
    above it; refused (422, the case named) while the member is under discipline in force."""
    in_range(id)
    person = queries.get_person(db.session, current(), id)
    post = post_ops.appoint(db.session, current(), person, _body_of(AppointForm))
    db.session.commit()
    return created(post_json(post), url_for("api.get_person", id=person.id))


@bp.post("/people/<int:id>/posts/<int:post_id>/end")
@operation("End a post", tags=["people"], body=ref("PostEnd"), response=ref("Post"), errors=(403, 422))
def end_post(id: int, post_id: int):  # noqa: A002
    """The post ends on the day given; it stays on the person (posts are never deleted)."""
    in_range(id, post_id)
    person = queries.get_person(db.session, current(), id)
    post = post_ops.end_post(db.session, current(), person, post_id, _body_of(EndPostForm))
    db.session.commit()
    return jsonify(post_json(post))


@bp.patch("/people/<int:id>")
@operation("Correct a person's details (never the status)", tags=["people"], body=ref("PersonDetails"),
           response=ref("Person"), errors=(403, 422))
def correct_person(id: int):  # noqa: A002
    """Any of full_name, date_of_birth, gender, national_id, education, ethnicity,
    residence; the status changes only through a decided case. The organisation
    board corrects anyone; a branch secretary their branch's candidates. The
    change is a set-up event with the details before and after."""
    from forms.people import PersonDetailsForm

    in_range(id)
    person = queries.get_person(db.session, current(), id)
    people_ops.correct_details(db.session, current(), person, _body_of(PersonDetailsForm))
    db.session.commit()
    return jsonify(person_detail_json(db.session, current(), person))
