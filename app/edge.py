"""The one request-parsing layer: every input, for the pages and the API alike,
is checked here, at the edge, before a view reads it.

:func:`screen` runs before every request and refuses with 400 (a problem
document under ``/api``, the error page otherwise) and nothing written:

- text anywhere (path segments, query and form names and values, file names,
  JSON keys and strings) that holds NUL, a lone surrogate, or another control
  character (a form value or a JSON string may hold tabs and line breaks);
  PostgreSQL cannot store the first two, and no field means the others;
- text longer than :data:`MAX_QUERY_VALUE` (query), :data:`MAX_FORM_VALUE`
  (form, JSON), :data:`MAX_NAME` (a parameter's name), or the length
  :data:`LENGTHS` gives a named parameter (``idempotency_key``: 128);
- a query or form parameter named like an integer (:data:`INTEGER_NAME`:
  ``id``, ``*_id``, ``unit``, ``year``, ``limit``, ``expected_version``)
  whose value is not a 32-bit whole number;
- a JSON body that is not valid UTF-8 JSON, holds ``NaN``/``Infinity`` or a
  number too large for a float, or is nested more than :data:`MAX_JSON_DEPTH`
  levels deep.

Redirect targets (``next``) are left to :mod:`app.redirects`, which refuses
anything unsafe by sending the user home. ``<int:...>`` in every route is
:class:`IdConverter`: a number beyond the 32-bit columns matches no route
(404). Views read typed values through :func:`arg_int`, :func:`arg_bool`,
:func:`form_int` and :func:`json_value`, and check JSON integers with
:func:`is_int` (never a boolean), so what the screen let through is parsed
the same way everywhere.
"""

from __future__ import annotations

import json
import math
import re
import uuid

from flask import g, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from core.db import INT_MAX, INT_MIN

MAX_QUERY_VALUE = 2000
MAX_FORM_VALUE = 20000  # text areas hold 4,000; the forms say what fits each field
MAX_NAME = 100
MAX_FILENAME = 255
MAX_JSON_DEPTH = 20
LENGTHS = {"idempotency_key": 128, "batch_key": 100}
# ``national_id`` is 12 digits of text (số định danh), not a row id.
INTEGER_NAME = re.compile(r"id|(?!national_id$).+_id|unit|year|limit|expected_version")
REDIRECT_TARGETS = frozenset({"next"})
WHOLE_NUMBER = re.compile(r"-?[0-9]{1,10}")
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# Control characters (C0, DEL, C1) and surrogates; multi-line text keeps tab, LF and CR.
_NOT_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BadInput(BadRequest):
    """A request refused at the edge (400): ``errors`` by parameter, and a detail."""

    def __init__(self, errors: dict[str, list[str]] | None = None, detail: str | None = None):
        super().__init__(description=detail or _("The request holds a value that cannot be accepted; "
                                                 "nothing was changed."))
        self.errors = errors or {}


class IdConverter(IntegerConverter):
    """``<int:name>`` in every route: 0 to 2**31 - 1, in ASCII digits. A longer or
    larger number cannot name a row of a 32-bit column, so it matches no route (404)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 0, max: int | None = INT_MAX,  # noqa: A002
                 signed: bool = False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        self.regex = r"-?[0-9]{1,10}" if signed else r"[0-9]{1,10}"


# ---- reasons -----------------------------------------------------------------------------------

def unstorable() -> str:
    """The reason for text with characters that cannot be stored."""
    return _("The text contains characters that cannot be stored.")


def too_long(limit: int) -> str:
    """The reason for text over ``limit`` characters."""
    return _("Enter at most %(max)s characters.", max=limit)


def not_whole_number(minimum: int = INT_MIN, maximum: int = INT_MAX) -> str:
    """The reason for a value that is no whole number in [minimum, maximum]."""
    return _("Enter a whole number from %(min)s to %(max)s.", min=minimum, max=maximum)


def _text_reason(value: str | None, limit: int, multiline: bool) -> str | None:
    if value is None:  # a multipart part whose name Werkzeug could not read (a CR or LF in it)
        return unstorable()
    if len(value) > limit:
        return too_long(limit)
    if (_NOT_IN_TEXT if multiline else _NOT_IN_LINE).search(value):
        return unstorable()
    return None


# ---- typed values ------------------------------------------------------------------------------

def whole_number(raw, minimum: int = INT_MIN, maximum: int = INT_MAX) -> int | None:
    """``raw`` (text) as an int in [minimum, maximum] when it is written as one
    (ASCII digits, an optional minus, spaces around), else None."""
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not WHOLE_NUMBER.fullmatch(raw):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def is_int(value, minimum: int = INT_MIN, maximum: int = INT_MAX) -> bool:
    """Is the JSON value ``value`` a whole number in [minimum, maximum]? Never a
    boolean (``true`` is no id), never a float: the one test of a JSON integer."""
    return isinstance(value, int) and not isinstance(value, bool) and minimum <= value <= maximum


def is_number(value) -> bool:
    """Is the JSON value ``value`` a finite number a form can hold (under 10**15)? Never a boolean."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and abs(value) < 1e15)


def arg_int(name: str, minimum: int = 1, maximum: int = INT_MAX) -> int | None:
    """The query parameter ``name`` as an int in [minimum, maximum]; None when
    absent or empty; else :class:`BadInput`."""
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return None
    value = whole_number(raw, minimum, maximum)
    if value is None:
        raise BadInput({name: [not_whole_number(minimum, maximum)]},
                       _("Invalid query parameter %(name)s.", name=name))
    return value


def arg_bool(name: str) -> bool | None:
    """The query parameter ``name`` as true/false (or 1/0); None when absent or
    empty; else :class:`BadInput`."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    value = {"true": True, "1": True, "false": False, "0": False}.get(raw.strip().lower())
    if value is None:
        raise BadInput({name: [_("Use true or false.")]}, _("Invalid query parameter %(name)s.", name=name))
    return value


def form_int(name: str, minimum: int = INT_MIN, maximum: int = INT_MAX) -> int | None:
    """The form field ``name`` as an int in [minimum, maximum]; None when absent
    or empty; else :class:`BadInput`."""
    raw = request.form.get(name)
    if raw is None or raw.strip() == "":
        return None
    value = whole_number(raw, minimum, maximum)
    if value is None:
        raise BadInput({name: [not_whole_number(minimum, maximum)]})
    return value


def form_ints(name: str) -> list[int]:
    """Every value of the form field ``name`` (e.g. checked boxes) as ids, blank ones
    left out; :class:`BadInput` for any other."""
    values = []
    for raw in request.form.getlist(name):
        if not raw.strip():
            continue
        value = whole_number(raw, 1)
        if value is None:
            raise BadInput({name: [not_whole_number(1)]})
        values.append(value)
    return values


# ---- JSON ----------------------------------------------------------------------------------------

def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _screen_json(value) -> None:
    """Depth, text and numbers of a parsed JSON value, without recursion."""
    stack = [(value, 1, "")]
    while stack:
        node, depth, where = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadInput({where or "body": [_("The JSON is nested more than %(max)s levels deep.",
                                                max=MAX_JSON_DEPTH)]})
        if isinstance(node, dict):
            for key, item in node.items():
                reason = _text_reason(key, MAX_NAME, multiline=False)
                if reason:
                    raise BadInput({where or "body": [reason]})
                stack.append((item, depth + 1, f"{where}.{key}" if where else key))
        elif isinstance(node, list):
            stack.extend((item, depth + 1, f"{where}[{i}]") for i, item in enumerate(node))
        elif isinstance(node, str):
            reason = _text_reason(node, MAX_FORM_VALUE, multiline=True)
            if reason:
                raise BadInput({where or "body": [reason]})
        elif isinstance(node, float) and not math.isfinite(node):
            raise BadInput({where or "body": [_("Enter a number.")]})


def json_value(silent: bool = False):
    """The request body parsed as JSON and screened (see the module), whatever
    its content type; parsed once per request. :class:`BadInput` when it is
    empty, malformed or refused (None instead when ``silent``)."""
    cached = g.get("_edge_json")
    if cached is None:
        try:
            text = request.get_data(cache=True).decode("utf-8")
            value = json.loads(text, parse_constant=_no_constant)
        except RecursionError:
            cached = ("error", BadInput({"body": [_("The JSON is nested more than %(max)s levels deep.",
                                                    max=MAX_JSON_DEPTH)]}))
        except ValueError:  # not UTF-8, not JSON, NaN or Infinity, an integer of over 4,300 digits
            cached = ("error", BadInput({"body": [_("The body must be a JSON object (malformed JSON).")]},
                                        _("The body must be a JSON object (malformed JSON).")))
        else:
            try:
                _screen_json(value)
            except BadInput as exc:
                cached = ("error", exc)
            else:
                cached = ("ok", value)
        g._edge_json = cached
    kind, value = cached
    if kind == "error":
        if silent:
            return None
        raise value
    return value


# ---- the screen ------------------------------------------------------------------------------------

def _screen_pairs(pairs, where: str, value_limit: int, multiline: bool, errors: dict) -> None:
    for name, value in pairs:
        if not isinstance(name, str) or not isinstance(value, str):  # a multipart part named in no charset
            errors.setdefault(where, []).append(unstorable())
            continue
        reason = _text_reason(name, MAX_NAME, multiline=False)
        if reason:
            errors.setdefault(where, []).append(reason)
            continue
        if name in REDIRECT_TARGETS:
            continue  # app.redirects refuses an unsafe target by going home
        limit = LENGTHS.get(name, value_limit)
        reason = _text_reason(value, limit, multiline)
        if reason is None and INTEGER_NAME.fullmatch(name) and value.strip() and whole_number(value) is None:
            reason = not_whole_number()
        if reason:
            errors.setdefault(name, []).append(reason)


def screen() -> None:
    """Before every request: refuse (:class:`BadInput`) any input the module
    describes, before a view or a query sees it."""
    errors: dict[str, list[str]] = {}
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            reason = _text_reason(value, MAX_NAME, multiline=False)
            if reason:
                errors.setdefault(name, []).append(reason)
    _screen_pairs(request.args.items(multi=True), "query", MAX_QUERY_VALUE, False, errors)
    if request.method in _BODY_METHODS:
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            _screen_pairs(request.form.items(multi=True), "form", MAX_FORM_VALUE, True, errors)
            for name, file in request.files.items(multi=True):
                reason = _text_reason(file.filename or "", MAX_FILENAME, multiline=False)
                if reason:
                    errors.setdefault(name, []).append(reason)
        elif request.is_json and request.content_length != 0:
            if errors:
                raise BadInput(errors)
            json_value()
    if errors:
        raise BadInput(errors)


def request_id() -> str:
    """The request's id for the audit trail: the ``X-Request-Id`` a proxy sent
    when it is a short token (letters, digits, ``._:-``, at most 64), else a new one."""
    sent = request.headers.get("X-Request-Id", "")
    return sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex


def _refused(exc: BadInput):
    """The answer to :class:`BadInput`: a problem document under ``/api``, the error page otherwise."""
    from app.errors import error_page
    from app.extensions import db

    db.session.rollback()
    if request.path.startswith("/api/"):
        from api.problems import problem

        return problem(400, exc.description, exc.errors)
    reasons = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.errors.items())
    return error_page(400, f"{exc.description} ({reasons})" if reasons else exc.description)


def init_edge(app) -> None:
    """Make ``<int:...>`` the 32-bit :class:`IdConverter` (before any route is
    added), screen every request first, and answer :class:`BadInput`."""
    app.url_map.converters["int"] = IdConverter

    def set_request_id() -> None:
        g.request_id = request_id()

    app.before_request_funcs.setdefault(None, [])[:0] = [set_request_id, screen]
    app.register_error_handler(BadInput, _refused)
