"""Every error of the API as an ``application/problem+json`` document (see
:mod:`api.problems`), with the statuses of :data:`app.errors.WORKFLOW_STATUS`
for the engine's refusals. Each handler rolls the transaction back."""

from __future__ import annotations

from flask import current_app
from werkzeug.exceptions import HTTPException

from app.errors import workflow_status
from app.extensions import db
from cases.cursor import BadCursor
from cases.documents import UploadRefused
from cases.queries import NotFound
from workflow.errors import GuardFailed, InvalidPayload, WorkflowError

from .blueprint import bp
from .messages import localise_errors
from .problems import problem
from .requests import ApiError, cursor_error


@bp.errorhandler(ApiError)
def handle_api_error(exc: ApiError):
    """An error the handlers raised: its status, detail and errors by field."""
    db.session.rollback()
    return problem(exc.status, exc.detail, exc.errors)


@bp.errorhandler(WorkflowError)
def handle_workflow_error(exc: WorkflowError):
    """A refusal of the engine; invalid payloads list the (translated) errors by field,
    broken rules their reasons (``errors.payload`` and ``reasons``)."""
    db.session.rollback()
    if isinstance(exc, InvalidPayload):
        return problem(422, exc.message, localise_errors(exc.errors))
    if isinstance(exc, GuardFailed):
        return problem(422, exc.message, {"payload": exc.reasons}, reasons=exc.reasons)
    return problem(workflow_status(exc), exc.message)


@bp.errorhandler(NotFound)
def handle_not_found(exc: NotFound):
    """Absent, or outside the caller's units: 404."""
    db.session.rollback()
    return problem(404)


@bp.errorhandler(BadCursor)
def handle_bad_cursor(exc: BadCursor):
    """A cursor that is no ``next_cursor`` of the same list: 400."""
    return handle_api_error(cursor_error())


@bp.errorhandler(UploadRefused)
def handle_upload_refused(exc: UploadRefused):
    """A document that failed a check: 422 on the field at fault."""
    return handle_api_error(ApiError(422, exc.message, {exc.field: [exc.message]}))


@bp.errorhandler(Exception)
def handle_unexpected(exc: Exception):
    """Any other HTTP error with its status; anything else is logged and a 500."""
    if isinstance(exc, HTTPException):
        return problem(exc.code or 500)
    db.session.rollback()
    current_app.logger.exception("API error")
    return problem(500)
