"""The auditors' page of signed checkpoints, the log itself and the public key."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template
from flask_login import current_user, login_required

from core.permissions import READ_CHECKPOINTS, allowed_somewhere

from .audit_setup import checkpoints_for_display, signing_key
from .extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.before_request
@login_required
def _auditors_only():
    if not allowed_somewhere(db.session, current_user, READ_CHECKPOINTS):
        abort(403)


@bp.route("/checkpoints")
def checkpoints():
    """Every checkpoint, newest first, with the key and how to verify against a copy."""
    rows, error = checkpoints_for_display(200)
    return render_template("audit/checkpoints.html", rows=rows, error=error, key=signing_key())


@bp.route("/checkpoints.jsonl")
def checkpoint_log():
    """The checkpoint log as it is on disk, for the auditor to keep."""
    path = current_app.config.get("AUDIT_CHECKPOINT_LOG") or ""
    data = Path(path).read_bytes() if path and Path(path).is_file() else b""
    return Response(data, mimetype="application/x-ndjson",
                    headers={"Content-Disposition": "attachment; filename=audit-checkpoints.jsonl"})


@bp.route("/public-key.pem")
def public_key():
    """The public half of the signing key (PEM)."""
    return Response(signing_key().pem(), mimetype="application/x-pem-file",
                    headers={"Content-Disposition": "attachment; filename=audit-public-key.pem"})
