"""Printed forms: a decision, a resolution or a transfer letter of a case as PDF,
kept as a document of the case (``cases.printing``)."""

from __future__ import annotations

from flask import current_app, g, request, url_for
from flask_babel import gettext as _

from app.extensions import db
from cases.print_forms import FORMS
from cases.printing import print_form

from .blueprint import bp
from .caller import current
from .cases import load_case
from .openapi import operation, ref
from .render import created, document_json
from .requests import invalid, json_body

FORM_PARAM = {"in": "path", "name": "form", "required": True,
              "description": "the form: " + ", ".join(FORMS) + " (the KNĐ forms also spelled with D: 9-KND)",
              "schema": {"type": "string", "maxLength": 32, "enum": list(FORMS)}}


@bp.post("/cases/<int:id>/print/<form>")
@operation("Print a form of the case as PDF", tags=["documents"], params=[FORM_PARAM], ok=201,
           body={"type": "object", "maxProperties": 0, "description": "nothing: the form is filled from the case"},
           response=ref("Document"), errors=(403, 409, 422),
           description="Fills the form (6-KNĐ, 8-KNĐ, 9-KNĐ, 16-KNĐ, the discipline decision, the removal "
                       "decision, the transfer letter) from the case, stores the PDF as a document of the case "
                       "(kind `print:<form>`, with its SHA-256; a reprint supersedes the earlier one, which stays) "
                       "and appends a `print_document` event to the case's audit trail. Download it with "
                       "`GET /cases/{id}/documents/{doc_id}`. 404: an unknown form, or a case outside your scope; "
                       "422: a form another type of case prints; 409: the case does not hold what the form prints "
                       "yet (e.g. 9-KNĐ before the decision); 403: you hold no role at the issuing body or above "
                       "it and did not record that step.")
def print_document(id: int, form: str):  # noqa: A002
    case = load_case(id)
    if request.get_data(cache=True).strip():  # the form is filled from the case: a body names nothing
        body = json_body()
        if body:
            raise invalid({key: [_("Unknown field.")] for key in sorted(body)})
    doc = print_form(db.session, current(), case, form, upload_dir=current_app.config["UPLOAD_DIR"],
                     request_id=g.request_id)
    return created(document_json(doc), url_for("api.download_document", id=case.id, doc_id=doc.id))
