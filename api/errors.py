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
    db.session.rollback()
    return problem(exc.status, exc.detail, exc.errors)


@bp.errorhandler(WorkflowError)
def handle_workflow_error(exc: WorkflowError):
    db.session.rollback()
    if isinstance(exc, InvalidPayload):
        return problem(422, exc.message, localise_errors(exc.errors))
    if isinstance(exc, GuardFailed):
        return problem(422, exc.message, {"payload": exc.reasons}, reasons=exc.reasons)
    return problem(workflow_status(exc), exc.message)


@bp.errorhandler(NotFound)
def handle_not_found(exc: NotFound):
    db.session.rollback()
    return problem(404)


@bp.errorhandler(BadCursor)
def handle_bad_cursor(exc: BadCursor):
    return handle_api_error(cursor_error())


@bp.errorhandler(UploadRefused)
def handle_upload_refused(exc: UploadRefused):
    return handle_api_error(ApiError(422, exc.message, {exc.field: [exc.message]}))


@bp.errorhandler(Exception)
def handle_unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return problem(exc.code or 500)
    db.session.rollback()
    current_app.logger.exception("API error")
    return problem(500)
