"""``application/problem+json`` responses (RFC 9457)."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


def _default_detail(status: int) -> str:
    return {
        400: _("The request could not be understood."),
        401: _("Log in first: a valid token is required."),
        403: _("You do not have the right to do this."),
        404: _("Not found, or outside your units."),
        405: _("This method is not allowed here."),
        409: _("The case has changed since you loaded it."),
        413: _("The file is too large."),
        415: _("Unsupported content type."),
        422: _("The request breaks a rule."),
        429: _("Too many requests. Wait a minute and try again."),
    }.get(status, _("Unexpected error."))


def problem(status: int, detail: str | None = None, errors: dict | None = None, type_: str | None = None, **extra):
    body = {
        "type": type_ or "about:blank",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or _default_detail(status),
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response
