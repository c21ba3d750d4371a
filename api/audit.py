"""The audit trail: verifying a case's hash chain; the signed checkpoints."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from app.audit_setup import checkpoints_for_display, mac_from, signing_key
from app.extensions import db
from core.permissions import READ_CHECKPOINTS, allowed_somewhere
from workflow.verify import verify_case

from .blueprint import bp
from .caller import current
from .cases import load_case
from .form_schema import INT_MAX
from .openapi import LIMIT, operation, query, ref
from .requests import ApiError, int_arg, limit_arg

_STR = {"type": "string"}
CHECKPOINT = {"type": "object", "required": ["seq", "count", "root", "time", "key_id", "signature", "signature_valid"],
              "properties": {"format": _STR, "seq": {"type": "integer"}, "count": {"type": "integer"}, "root": _STR,
                             "time": {"type": "string", "format": "date-time"}, "key_id": _STR,
                             "peaks": {"type": "array", "items": _STR}, "mac_from": {"type": "integer"},
                             "signature": _STR, "signature_valid": {"type": "boolean"}}}
CHECKPOINTS = {"type": "object", "required": ["key_id", "public_key", "checkpoints"], "properties": {
    "key_id": _STR, "public_key": _STR, "error": {"type": "string", "nullable": True},
    "checkpoints": {"type": "array", "items": CHECKPOINT}}}


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
    bad = verify_case(db.session, case.id, mac_from=mac_from())
    if bad is None:
        return jsonify({"ok": True})
    return jsonify({"ok": False, "first_bad": {"case_id": bad.case_id, "seq": bad.seq}})


@bp.get("/audit/checkpoints")
@operation("The signed checkpoints of the audit trail, newest first (auditors and administrators)",
           tags=["audit"], params=[LIMIT], response=CHECKPOINTS, errors=(400, 403))
def audit_checkpoints():
    """Each checkpoint signs the Merkle root of every audit event up to a global
    sequence number with the key whose public half is given here; keep copies
    and check them with ``flask audit verify --checkpoint FILE``."""
    limit = limit_arg(50)
    if not allowed_somewhere(db.session, current(), READ_CHECKPOINTS):
        raise ApiError(403, _("Only auditors and administrators may read the audit checkpoints."))
    rows, error = checkpoints_for_display(limit)
    key = signing_key()
    return jsonify({"key_id": key.key_id, "public_key": key.pem(), "error": error,
                    "checkpoints": [dict(cp.as_dict(), signature_valid=valid) for cp, valid in rows]})
