"""Friendly error pages (and problem documents under /api)."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from forms.auth import LoginForm


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        message = _("The form has expired or is missing its security token. Reload the page and try again.")
        if request.endpoint == "auth.login":
            form = LoginForm(meta={"csrf": False})
            form.process(request.form)
            form.password.data = ""
            return render_template("auth/login.html", form=form, form_error=message), 400
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(429)
    def too_many(exc):
        if _wants_problem():
            from api.problems import problem

            return problem(429, _("Too many requests. Wait a minute and try again."))
        message = _("Too many login attempts. Wait one minute and try again.")
        if request.endpoint == "auth.login":
            form = LoginForm(meta={"csrf": False})
            form.process(request.form)
            form.password.data = ""
            return render_template("auth/login.html", form=form, form_error=message), 429
        return render_template("errors/error.html", code=429, message=message), 429

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_problem():
            from api.problems import problem

            return problem(exc.code or 500, None)
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have the right to do this."),
            404: _("The page does not exist or is outside your units."),
            405: _("This action is not allowed here."),
            413: _("The file is too large."),
        }
        code = exc.code or 500
        return render_template("errors/error.html", code=code, message=messages.get(code, exc.description)), code
