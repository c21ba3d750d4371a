"""Bulk import (API.md ``POST /api/v1/imports?dry_run=true``, multipart ``file``):
``{rows, created, updated, unchanged, errors: [{row, column, message}]}``; the
real run (without ``dry_run``) writes all or nothing (DOMAIN.md "Setting up an
organisation"). Admins only: every unit the file touches must be in a subtree
the caller administers."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from app.extensions import db
from cases.imports import run_import
from core.permissions import ADMINISTER, allowed_somewhere

from .blueprint import bp
from .caller import current
from .openapi import INT, STRING, operation, query
from .problems import problem
from .requests import ApiError

REPORT = {"type": "object", "required": ["rows", "created", "updated", "unchanged", "errors"], "properties": {
    "rows": INT, "created": INT, "updated": INT, "unchanged": INT,
    "errors": {"type": "array", "items": {"type": "object", "required": ["row", "column", "message"],
                                          "properties": {"row": INT, "column": STRING, "message": STRING,
                                                         "sheet": STRING}}}}}
UPLOAD = {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}


def _with_errors(response, errors: list[dict]):
    """The problem document with the report's ``errors`` list (API.md's import shape)."""
    import json

    body = json.loads(response.get_data(as_text=True) or "{}")
    body["errors"] = errors
    response.set_data(json.dumps(body, ensure_ascii=False))
    return response


@bp.post("/imports")
@operation("Bulk import of units and people (admins)", tags=["admin"], body=UPLOAD,
           body_type="multipart/form-data", response=REPORT, errors=(403, 413, 422),
           params=[query("dry_run", {"type": "string", "enum": ["true", "false"]},
                         "true: check every row and write nothing")])
def create_import():
    """An XLSX or UTF-8 CSV file in the member record's columns (see docs/import-template.xlsx).
    A dry run answers 200 with every bad row; a real run with a bad row answers 422
    with the same report and writes nothing; otherwise 200 with the counts."""
    if not allowed_somewhere(db.session, current(), ADMINISTER):
        raise ApiError(403, _("Only an administrator may do this."))
    if not request.mimetype.startswith("multipart/form-data"):
        raise ApiError(400, _("Send the file as multipart/form-data with the field file."))
    dry = request.args.get("dry_run", "false")
    if dry not in ("true", "false"):
        raise ApiError(400, _("Invalid query parameter %(name)s.", name="dry_run"))
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(422, _("The submitted data is invalid."), {"file": [_("This field is required.")]})
    data = upload.read()
    report = run_import(db.session, current(), data, filename=upload.filename, dry_run=dry == "true")
    if report.written:
        db.session.commit()
    else:
        db.session.rollback()
    if report.errors and dry == "false":
        body = report.as_json()
        bad_rows = body.pop("errors")
        response = problem(422, _("Nothing was imported: the file has bad rows."), None, **body)
        return _with_errors(response, bad_rows)
    return jsonify(report.as_json())
