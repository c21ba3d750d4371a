"""Reading API requests: the JSON body, query parameters, cursors, ids.

Anything malformed becomes an :class:`ApiError` (a problem document) before
it can reach the database: 400 for what cannot be parsed, 404 for ids that
cannot exist, 422 for JSON that holds what cannot be stored.
"""

from __future__ import annotations

import re

from flask import request
from flask_babel import gettext as _

from cases import cursor

from .form_schema import INT_MAX


class ApiError(Exception):
    def __init__(self, status: int, detail: str | None = None, errors: dict | None = None):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors


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
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    raw = raw.strip()
    if not re.fullmatch(r"-?[0-9]{1,10}", raw) or not minimum <= int(raw) <= maximum:
        raise ApiError(400, _("Invalid query parameter %(name)s.", name=name),
                       {name: [_("Enter a whole number from %(min)s to %(max)s.", min=minimum, max=maximum)]})
    return int(raw)


def limit_arg(default: int = 50) -> int:
    value = int_arg("limit", 1, 200)
    return default if value is None else value


def bool_arg(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    value = {"true": True, "1": True, "false": False, "0": False}.get(raw.strip().lower())
    if value is None:
        raise ApiError(400, _("Invalid query parameter %(name)s.", name=name), {name: [_("Use true or false.")]})
    return value


def cursor_error():
    return ApiError(400, _("Invalid query parameter %(name)s.", name="cursor"),
                    {"cursor": [_("Use the next_cursor of a previous page.")]})


def in_range(*ids: int) -> None:
    """Path ids beyond the 32-bit columns name nothing (and must not reach the database)."""
    if not all(1 <= i <= INT_MAX for i in ids):
        raise ApiError(404)



def decode_ids(value: str | None, n: int) -> list | None:
    try:
        return cursor.decode_ids(value, n)
    except cursor.BadCursor:
        raise cursor_error() from None



def type_messages() -> dict:
    return {"integer": _("Enter a whole number."), "number": _("Enter a number."),
            "boolean": _("Enter true or false."), "array": _("Enter a list of texts."),
            "string": _("Enter a text."), "date": _("Enter a date between 1900 and 2199.")}
