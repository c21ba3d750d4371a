"""The import page (upload, dry-run report, confirm) and the export of a unit
(DOMAIN.md "Setting up an organisation"). The uploaded file waits for the
confirmation under ``UPLOAD_DIR/imports/<sha256>``; the confirmation names the
sha256 the admin saw the report of, so what is written is exactly what was checked.
The writing is a Celery task (:mod:`app.import_jobs`) whose progress the admin
watches on ``/admin/imports/<sha256>``."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cases.exports import export_unit
from cases.imports import run_import
from core.models import Unit
from core.permissions import ADMINISTER, allowed_somewhere

from . import import_jobs
from .extensions import db
from .loaders import get_visible_or_404

bp = Blueprint("imports", __name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _admin() -> None:
    if not allowed_somewhere(db.session, current_user, ADMINISTER):
        abort(403)


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
        import_jobs.data_path(report.sha256).write_bytes(data)
        import_jobs.write(report.sha256, state="checked", user_id=current_user.id,
                          filename=upload.filename[:200], rows=report.rows)
    return render_template("admin/import.html", report=report, filename=upload.filename), \
        (422 if report.errors else 200)


@bp.route("/admin/imports/confirm", methods=["POST"])
@login_required
def confirm():
    """Hand the checked file to the import task (all rows or none) and show its progress.
    Only the admin who checked the file may confirm it; a file checked by someone else, or
    never checked, reads as absent (404)."""
    _admin()
    sha = request.form.get("sha256", "")
    state = import_jobs.owned(sha, current_user.id)
    if state is None or (state.get("state") != "done" and not import_jobs.data_path(sha).is_file()):
        abort(404)
    if state.get("state") in ("checked", "failed"):
        import_jobs.update(sha, state="queued", errors=[])
        from tasks.jobs import import_registry

        import_registry.delay(sha, current_user.id)
    return redirect(url_for("imports.progress", sha=sha))


@bp.route("/admin/imports/<sha>")
@login_required
def progress(sha: str):
    """The import job's state: queued or running (the page refreshes itself every 2 s, no
    script), done (the counts) or failed (the rows named, nothing written)."""
    _admin()
    state = import_jobs.owned(sha, current_user.id)
    if state is None or state.get("state") == "checked":
        abort(404)
    total = max(int(state.get("total") or 0), 1)
    percent = min(100, int(100 * int(state.get("done") or 0) / total))
    status = 422 if state.get("state") == "failed" else 200
    return render_template("admin/import_progress.html", job=state, sha=sha, percent=percent), status


@bp.route("/units/<int:unit_id>/export.xlsx")
@login_required
def export_unit_view(unit_id: int):
    """The unit's units and people as an XLSX workbook in the import's columns."""
    unit = get_visible_or_404(Unit, unit_id)
    body = export_unit(db.session, current_user, unit)
    return Response(body, mimetype=XLSX_TYPE, headers={
        "Content-Disposition": f'attachment; filename="unit-{unit.id}.xlsx"'})

