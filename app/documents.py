"""Dossier documents in and out of an HTTP request, for the pages and the API alike."""

from __future__ import annotations

import datetime as dt

from flask import Response, current_app, g, request, send_file

from cases.documents import add_document, get_document, open_document
from cases.models import Document
from workflow.models import Case

from .extensions import db


def add_uploaded(user, case: Case, kind: str, issued_on: dt.date | None) -> Document:
    """Add the request's ``file`` field to ``case`` as a document of ``kind`` (not committed).

    Raises what :func:`cases.documents.add_document` raises: ``NotPermitted``, or
    ``UploadRefused`` naming the field at fault (no file sent: ``file``).
    """
    file = request.files.get("file")
    return add_document(db.session, user, case, kind=kind, filename=file.filename if file else None,
                        stream=file.stream if file else None, issued_on=issued_on,
                        upload_dir=current_app.config["UPLOAD_DIR"],
                        max_bytes=current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024, request_id=g.request_id)


def send_document(user, case_id: int, doc_id: int) -> tuple[Document, Response | None]:
    """The document and its file as a download, its reading audited; the response
    is None when the file is missing from the store. Raises
    :class:`cases.queries.NotFound` for a document the user may not see."""
    case, doc = get_document(db.session, user, case_id, doc_id)
    path = open_document(db.session, user, case, doc, current_app.config["UPLOAD_DIR"], request_id=g.request_id)
    if not path.exists():
        return doc, None
    return doc, send_file(path, mimetype=doc.content_type, as_attachment=True, download_name=doc.filename)
