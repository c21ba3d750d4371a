"""JSON Schema of a WTForms form: one definition, two renderings.

The pages render a transition's form as HTML; the API describes the same
class as a JSON Schema in ``available_actions[].form_schema`` and checks
payloads against its fields before the engine validates them with the form.
"""

from __future__ import annotations

from wtforms import Form
from wtforms import fields as wf
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from app.edge import is_int, is_number
from core.db import INT_MAX, INT_MIN  # noqa: F401 (re-exported: integers are 32-bit columns)


def _text(value) -> str | None:
    text = str(value) if value is not None else ""
    return text or None


def field_schema(field) -> dict:
    """The JSON Schema of one bound WTForms field."""
    schema: dict = {}
    if isinstance(field, wf.BooleanField):
        schema["type"] = "boolean"
    elif isinstance(field, wf.IntegerField):
        schema.update(type="integer", minimum=INT_MIN, maximum=INT_MAX)
    elif isinstance(field, (wf.DecimalField, wf.FloatField)):
        schema["type"] = "number"
    elif isinstance(field, wf.DateField):  # (a DateTimeField subclass)
        schema.update(type="string", format="date")
    elif isinstance(field, wf.DateTimeField):
        schema.update(type="string", format="date-time")
    elif isinstance(field, wf.SelectMultipleField):
        schema.update(type="array", items={"type": "string", "enum": _choices(field)})
    elif isinstance(field, (wf.SelectField, wf.RadioField)):
        schema.update(type="string", enum=_choices(field))
    else:  # StringField, TextAreaField and the like
        schema["type"] = "string"
    title = _text(getattr(field.label, "text", None))
    if title:
        schema["title"] = title
    description = _text(field.description)
    if description:
        schema["description"] = description
    for v in field.validators:
        if isinstance(v, Length) and schema.get("type") == "string":
            if v.max is not None and v.max >= 0:
                schema["maxLength"] = v.max
            if v.min is not None and v.min > 0:
                schema["minLength"] = v.min
        elif isinstance(v, NumberRange) and schema.get("type") in ("integer", "number"):
            if v.min is not None:
                schema["minimum"] = max(v.min, schema.get("minimum", v.min))
            if v.max is not None:
                schema["maximum"] = min(v.max, schema.get("maximum", v.max))
        elif isinstance(v, Regexp) and schema.get("type") == "string":
            schema["pattern"] = v.regex.pattern
    return schema


def _choices(field) -> list[str]:
    out = []
    for choice in field.choices or []:
        value = choice[0] if isinstance(choice, (tuple, list)) else getattr(choice, "value", choice)
        out.append(str(value))
    return out


def is_required(field) -> bool:
    return any(isinstance(v, (InputRequired, DataRequired)) for v in field.validators)


def form_schema(form_cls: type[Form] | None) -> dict:
    """The JSON Schema (an object) of the payload ``form_cls`` accepts."""
    schema: dict = {"type": "object", "properties": {}, "additionalProperties": False}
    if form_cls is None:
        return schema
    form = form_cls()
    required = []
    for field in form:
        if field.type in ("CSRFTokenField", "SubmitField", "HiddenField", "FileField"):
            continue
        schema["properties"][field.name] = field_schema(field)
        if is_required(field):
            required.append(field.name)
    if required:
        schema["required"] = required
    return schema


# Dates the rules can count with (months and working days either side stay in range).
MIN_YEAR, MAX_YEAR = 1900, 2199


def _date_in_range(value: str) -> bool:
    import datetime as dt

    try:
        day = dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return True  # not a date at all: the form says so
    return MIN_YEAR <= day.year <= MAX_YEAR


def check_payload(form_cls: type[Form] | None, payload: dict, unknown_message: str, type_messages: dict) -> dict:
    """Errors the form would not report well (or would crash on later): unknown
    fields, JSON values of the wrong type, integers beyond 32 bits, dates outside
    1900–2199. ``type_messages`` maps a JSON Schema type (and ``"date"``) to its
    translated message."""
    errors: dict[str, list[str]] = {}
    known = {}
    if form_cls is not None:
        known = {f.name: field_schema(f) for f in form_cls()}
    for key, value in payload.items():
        schema = known.get(key)
        if schema is None:
            errors[key] = [unknown_message]
            continue
        if value is None:
            continue
        kind = schema.get("type")
        if kind == "integer":
            ok = is_int(value)
        elif kind == "number":
            ok = is_number(value)
        elif kind == "boolean":
            ok = isinstance(value, bool)
        elif kind == "array":
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        else:
            ok = isinstance(value, str)
            if ok and schema.get("format") == "date" and not _date_in_range(value):
                errors[key] = [type_messages["date"]]
                continue
        if not ok:
            errors[key] = [type_messages.get(kind, type_messages["string"])]
    return errors


def case_create_schemas(entries: dict) -> dict[str, dict]:
    """The body of ``POST /cases`` for each registered case type (API.md: "described per type in
    the OpenAPI document, one schema per type"): ``{type name: JSON Schema}``. A type's schema
    holds ``type`` (that name only), ``person_id``, ``state`` (its ways of opening),
    ``idempotency_key`` and the fields of its opening forms; a field is required when every way
    of opening requires it. ``entries`` is :func:`cases.registry.all_entries`'s mapping."""
    out: dict[str, dict] = {}
    for name, entry in sorted(entries.items()):
        process = entry.process
        properties: dict = {
            "type": {"type": "string", "enum": [name]},
            "person_id": {"type": "integer", "minimum": 1, "maximum": INT_MAX},
            "state": {"type": "string", "enum": list(process.start_specs),
                      "description": "the way of opening (default: the first the caller may use)"},
            "idempotency_key": {"type": "string", "minLength": 1, "maxLength": 128}}
        required: set[str] | None = None
        for spec in process.start_specs.values():
            schema = form_schema(spec.form)
            for key, prop in schema["properties"].items():
                properties.setdefault(key, prop)
            needed = set(schema.get("required", ()))
            required = needed if required is None else required & needed
        out[name] = {"type": "object", "additionalProperties": False, "properties": properties,
                     "required": ["type", "person_id", *sorted((required or set()) - {"person_id"})]}
    return out
