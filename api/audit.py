"""The audit trail: verifying a case's hash chain."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from app.extensions import db
from workflow.audit import verify_case

from .blueprint import bp
from .cases import load_case
from .form_schema import INT_MAX
from .openapi import operation, query, ref
from .requests import ApiError, int_arg


@bp.get("/audit/verify")
@operation("Verify the hash chain of a case's audit trail", tags=["audit"],
           params=[query("case_id", {"type": "integer", "minimum": 1, "maximum": INT_MAX}, "the case", True)],
           response=ref("Verify"))
def audit_verify():
    case_id = int_arg("case_id")
    if case_id is None:
        raise ApiError(400, _("Invalid query parameter %(name)s.", name="case_id"),
                       {"case_id": [_("This field is required.")]})
    case = load_case(case_id)
    bad = verify_case(db.session, case.id)
    if bad is None:
        return jsonify({"ok": True})
    return jsonify({"ok": False, "first_bad": {"case_id": bad.case_id, "seq": bad.seq}})
