"""The import page (upload, dry-run report, confirm) and the export of a unit
(DOMAIN.md "Setting up an organisation"). The uploaded file waits for the
confirmation under ``UPLOAD_DIR/imports/<sha256>``; the confirmation names the
sha256 the admin saw the report of, so what is written is exactly what was checked."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from cases.exports import export_unit
from cases.imports import run_import
from core.models import Unit
from core.permissions import ADMINISTER, allowed_somewhere

from .extensions import db
from .loaders import get_visible_or_404

bp = Blueprint("imports", __name__)
SHA256 = re.compile(r"^[0-9a-f]{64}$")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _admin() -> None:
    if not allowed_somewhere(db.session, current_user, ADMINISTER):
        abort(403)


def _store() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@bp.route("/admin/imports", methods=["GET", "POST"])
@login_required
def index():
    """GET: the upload form. POST: check the file (a dry run) and show the report."""
    _admin()
    if request.method == "GET":
        return render_template("admin/import.html", report=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("admin/import.html", report=None, missing=True), 422
    data = upload.read()
    report = run_import(db.session, current_user, data, filename=upload.filename, dry_run=True)
    db.session.rollback()
    if not report.errors:
        (_store() / report.sha256).write_bytes(data)
    return render_template("admin/import.html", report=report, filename=upload.filename), \
        (422 if report.errors else 200)


@bp.route("/admin/imports/confirm", methods=["POST"])
@login_required
def confirm():
    """Write the checked file (all or nothing) and show the counts."""
    _admin()
    sha = request.form.get("sha256", "")
    path = _store() / sha
    if not SHA256.match(sha) or not path.is_file():
        abort(404)
    filename = request.form.get("filename", "")[:200]
    report = run_import(db.session, current_user, path.read_bytes(), filename=filename)
    if report.errors:
        db.session.rollback()
        return render_template("admin/import.html", report=report, filename=filename), 422
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(_("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
            created=report.created, updated=report.updated, unchanged=report.unchanged), "success")
    return redirect(url_for("imports.index"))


@bp.route("/units/<int:unit_id>/export.xlsx")
@login_required
def export_unit_view(unit_id: int):
    """The unit's units and people as an XLSX workbook in the import's columns."""
    unit = get_visible_or_404(Unit, unit_id)
    body = export_unit(db.session, current_user, unit)
    return Response(body, mimetype=XLSX_TYPE, headers={
        "Content-Disposition": f'attachment; filename="unit-{unit.id}.xlsx"'})

