"""Reading API requests: the JSON body, query parameters, cursors, ids.

The edge (:mod:`app.edge`) has parsed and screened the request before any
view runs; these are its helpers in the API's terms. Anything malformed is a
problem document before it can reach the database: 400 for what cannot be
parsed (the edge's :class:`app.edge.BadInput`), 404 for ids that cannot
exist, 422 for JSON of the wrong type or breaking the contract.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.edge import arg_bool, arg_int, json_value

from .form_schema import INT_MAX


class ApiError(Exception):
    """An error answered as a problem document: ``status``, an optional ``detail``
    (default: the status's words) and ``errors`` by field."""

    def __init__(self, status: int, detail: str | None = None, errors: dict | None = None):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors


def invalid(errors: dict) -> ApiError:
    """The 422 of a body whose fields break the contract (``errors``: messages by field)."""
    return ApiError(422, _("The submitted data is invalid."), errors)


# ---- request plumbing: the edge's parsing (app/edge.py), in the API's words ------------------

def json_body() -> dict:
    """The request's JSON object (parsed and screened once, at the edge), or 400."""
    data = json_value()
    if not isinstance(data, dict):
        raise ApiError(400, _("The body must be a JSON object."))
    return data


def int_arg(name: str, minimum: int = 1, maximum: int = INT_MAX) -> int | None:
    """The query parameter ``name`` as an int in [minimum, maximum], None if absent; else 400
    (:func:`app.edge.arg_int`)."""
    return arg_int(name, minimum, maximum)


def limit_arg(default: int = 50) -> int:
    """The page size asked for (``limit``, 1 to 200), or ``default``; else 400."""
    value = int_arg("limit", 1, 200)
    return default if value is None else value


def bool_arg(name: str) -> bool | None:
    """The query parameter ``name`` as true/false (or 1/0), None if absent; else 400
    (:func:`app.edge.arg_bool`)."""
    return arg_bool(name)


def cursor_error() -> ApiError:
    """The 400 of a cursor that is not a ``next_cursor`` of the same list."""
    return ApiError(400, _("Invalid query parameter %(name)s.", name="cursor"),
                    {"cursor": [_("Use the next_cursor of a previous page.")]})


def in_range(*ids: int) -> None:
    """Path ids beyond the 32-bit columns name nothing (and must not reach the database)."""
    if not all(1 <= i <= INT_MAX for i in ids):
        raise ApiError(404)


def type_messages() -> dict:
    """The message for a JSON value of the wrong type, by the JSON Schema type expected."""
    return {"integer": _("Enter a whole number."), "number": _("Enter a number."),
            "boolean": _("Enter true or false."), "array": _("Enter a list of texts."),
            "string": _("Enter a text."), "date": _("Enter a date between 1900 and 2199.")}
