"""Reading API requests: the JSON body, query parameters, cursors, ids.

Anything malformed becomes an :class:`ApiError` (a problem document) before
it can reach the database: 400 for what cannot be parsed, 404 for ids that
cannot exist, 422 for JSON that holds what cannot be stored.
"""

from __future__ import annotations

import re

from flask import request
from flask_babel import gettext as _

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


# ---- request plumbing -----------------------------------------------------------------------

def bad_text(value) -> bool:
    """NUL characters and lone surrogates cannot be stored (PostgreSQL refuses them)."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(bad_text(k) or bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(bad_text(v) for v in value)
    return False


def json_body() -> dict:
    """The request's JSON object, or 400."""
    try:
        data = request.get_json(silent=True, force=True)
    except RecursionError:  # nested beyond the parser's depth
        data = None
    if data is None:
        raise ApiError(400, _("The body must be a JSON object (malformed JSON)."))
    if not isinstance(data, dict):
        raise ApiError(400, _("The body must be a JSON object."))
    if bad_text(data):
        raise ApiError(422, _("The text contains characters that cannot be stored."))
    return data


def int_arg(name: str, minimum: int = 1, maximum: int = INT_MAX) -> int | None:
    """The query parameter ``name`` as an int in [minimum, maximum], None if absent; else 400."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    raw = raw.strip()
    if not re.fullmatch(r"-?[0-9]{1,10}", raw) or not minimum <= int(raw) <= maximum:
        raise ApiError(400, _("Invalid query parameter %(name)s.", name=name),
                       {name: [_("Enter a whole number from %(min)s to %(max)s.", min=minimum, max=maximum)]})
    return int(raw)


def limit_arg(default: int = 50) -> int:
    """The page size asked for (``limit``, 1 to 200), or ``default``; else 400."""
    value = int_arg("limit", 1, 200)
    return default if value is None else value


def bool_arg(name: str) -> bool | None:
    """The query parameter ``name`` as true/false (or 1/0), None if absent; else 400."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    value = {"true": True, "1": True, "false": False, "0": False}.get(raw.strip().lower())
    if value is None:
        raise ApiError(400, _("Invalid query parameter %(name)s.", name=name), {name: [_("Use true or false.")]})
    return value


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
