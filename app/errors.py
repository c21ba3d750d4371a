"""Friendly error pages (and problem documents under /api), and the one map
from the engine's typed errors to HTTP statuses, used by the pages and the API."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from cases.printing import FormNotReady
from forms.auth import LoginForm
from workflow.errors import (ActionNotAvailable, CaseNotFound, GuardFailed, InvalidPayload, NotPermitted, StaleCase,
                             UnknownAction, WorkflowError)

# The HTTP status of each refusal of the engine (workflow/ knows nothing of HTTP).
WORKFLOW_STATUS: dict[type[WorkflowError], int] = {
    NotPermitted: 403, StaleCase: 409, ActionNotAvailable: 409, FormNotReady: 409, UnknownAction: 404,
    CaseNotFound: 404,
    InvalidPayload: 422, GuardFailed: 422,
}


def workflow_status(exc: WorkflowError) -> int:
    """The HTTP status of an engine error (:data:`WORKFLOW_STATUS`; 422 for any other)."""
    return next((code for cls, code in WORKFLOW_STATUS.items() if isinstance(exc, cls)), 422)


def _own_words(code: int) -> str | None:
    return {
        400: _("The request could not be understood."),
        403: _("You do not have the right to do this."),
        404: _("The page does not exist or is outside your units."),
        405: _("This action is not allowed here."),
        413: _("The file is too large."),
    }.get(code)


def error_page(code: int, message: str | None = None):
    """The error page for ``code``: ``(html, code)``, saying ``message`` or, without
    one, the pages' words for the code (400, 403, 404, 405, 413)."""
    return render_template("errors/error.html", code=code, message=message or _own_words(code)), code


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


def _login_again(message: str, code: int):
    """The login page again, with the username kept and ``message`` above the form."""
    form = LoginForm(meta={"csrf": False})
    form.process(request.form)
    form.password.data = ""
    return render_template("auth/login.html", form=form, form_error=message), code


def register_error_handlers(app) -> None:
    """Answer CSRF failures, rate limits and HTTP errors with pages (problem documents under /api)."""
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        message = _("The form has expired or is missing its security token. Reload the page and try again.")
        if request.endpoint == "auth.login":
            return _login_again(message, 400)
        return error_page(400, message)

    @app.errorhandler(429)
    def too_many(exc):
        if _wants_problem():
            from api.problems import problem

            return problem(429, _("Too many requests. Wait a minute and try again."))
        message = _("Too many login attempts. Wait one minute and try again.")
        if request.endpoint == "auth.login":
            return _login_again(message, 429)
        return error_page(429, message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_problem():
            from api.problems import problem

            return problem(exc.code or 500, None)
        code = exc.code or 500
        if code >= 500:
            from .extensions import db

            db.session.rollback()  # the page itself reads the database (the user's roles)
        return error_page(code, _own_words(code) or exc.description)
