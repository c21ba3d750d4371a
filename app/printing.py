"""The case page's "Print a form" control: the forms printable now, and printing one
(the PDF is kept as a document of the case; ``cases.printing``)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from cases import queries
from cases.printing import printable, print_form
from workflow.errors import WorkflowError

from .extensions import db

bp = Blueprint("printing", __name__)


@bp.route("/cases/<int:case_id>/print/<form>", methods=["POST"])
@login_required
def print_case_form(case_id: int, form: str):
    """Print ``form`` of the case and keep it; back to the case's documents with
    what happened (404 for an unknown form or a case outside the user's scope)."""
    case = queries.get_case(db.session, current_user, case_id)
    try:
        doc = print_form(db.session, current_user, case, form, upload_dir=current_app.config["UPLOAD_DIR"],
                         request_id=g.request_id)
    except WorkflowError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("cases.case_page", case_id=case.id) + "#documents")
    flash(_("The form was printed and kept among the case's documents: %(name)s.", name=doc.filename), "success")
    return redirect(url_for("cases.case_page", case_id=case.id) + "#documents")


@bp.app_context_processor
def _printing_helpers():
    """``printable_forms(case)``: the forms the current user may print on the case now."""
    def printable_forms(case):
        if not current_user.is_authenticated:
            return []
        return printable(db.session, current_user, case)

    return {"printable_forms": printable_forms}
