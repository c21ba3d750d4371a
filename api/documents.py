"""Dossier documents: upload to a case, download."""

from __future__ import annotations

import datetime as dt

from flask import request, url_for
from flask_babel import gettext as _

from app.documents import add_uploaded, send_document
from app.extensions import db

from .blueprint import bp
from .caller import current
from .cases import load_case
from .openapi import operation, ref
from .render import created, document_json
from .requests import ApiError, in_range, invalid


def _issued_on() -> dt.date | None:
    """The form's ``issued_on`` (YYYY-MM-DD, 1900 to 2199), None if not given; else 422."""
    raw = request.form.get("issued_on")
    if not raw:
        return None
    try:
        issued_on = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise invalid({"issued_on": [_("Enter a date as YYYY-MM-DD.")]}) from None
    if not 1900 <= issued_on.year <= 2199:
        raise invalid({"issued_on": [_("Enter a date between 1900 and 2199.")]})
    return issued_on


@bp.post("/cases/<int:id>/documents")
@operation("Upload a dossier document", tags=["documents"], body=ref("DocumentUpload"),
           body_type="multipart/form-data", ok=201, response=ref("Document"), errors=(403, 413, 422))
def upload_document(id: int):  # noqa: A002
    case = load_case(id)
    if not request.mimetype.startswith("multipart/form-data"):
        raise ApiError(400, _("Send the document as multipart/form-data with the fields kind and file."))
    issued_on = _issued_on()
    kind = request.form.get("kind", "")  # the edge refused text that cannot be stored
    doc = add_uploaded(current(), case, kind, issued_on)
    db.session.commit()
    return created(document_json(doc), url_for("api.download_document", id=case.id, doc_id=doc.id))


@bp.get("/cases/<int:id>/documents/<int:doc_id>")
@operation("Download a document", tags=["documents"],
           response={"type": "string", "format": "binary"},
           response_type=("application/pdf", "image/jpeg", "image/png"))
def download_document(id: int, doc_id: int):  # noqa: A002
    in_range(id, doc_id)
    doc, response = send_document(current(), id, doc_id)
    if response is None:
        raise ApiError(404)
    response.headers["X-Content-SHA256"] = doc.sha256
    return response
