"""Translating WTForms' own (English, already formatted) messages through Babel.

The engine validates payloads with plain WTForms forms, whose built-in
messages carry no Vietnamese catalog. The API maps the few it can produce to
msgids of ours, so that errors are Vietnamese by default like everything else.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

_PATTERNS = [
    (re.compile(r"^Not a valid integer value\.?$"), lambda m: _("Enter a whole number.")),
    (re.compile(r"^Not a valid (?:float|decimal) value\.?$"), lambda m: _("Enter a number.")),
    (re.compile(r"^Not a valid date value\.?$"), lambda m: _("Enter a date as YYYY-MM-DD.")),
    (re.compile(r"^Not a valid datetime value\.?$"), lambda m: _("Enter a date and time.")),
    (re.compile(r"^Not a valid choice\.?$"), lambda m: _("Choose one of the allowed values.")),
    (re.compile(r"^Invalid Choice: could not coerce\.?$"), lambda m: _("Choose one of the allowed values.")),
    (re.compile(r"^Number must be at least (\S+)\.$"), lambda m: _("The number must be at least %(min)s.", min=m[1])),
    (re.compile(r"^Number must be at most (\S+)\.$"), lambda m: _("The number must be at most %(max)s.", max=m[1])),
    (re.compile(r"^Number must be between (\S+) and (\S+)\.$"),
     lambda m: _("The number must be between %(min)s and %(max)s.", min=m[1], max=m[2])),
    (re.compile(r"^Field must be at least (\d+) characters? long\.$"),
     lambda m: _("Enter at least %(min)s characters.", min=m[1])),
    (re.compile(r"^Field must be at most (\d+) characters? long\.$"),
     lambda m: _("Enter at most %(max)s characters.", max=m[1])),
    (re.compile(r"^Field must be between (\d+) and (\d+) characters long\.$"),
     lambda m: _("Enter between %(min)s and %(max)s characters.", min=m[1], max=m[2])),
    (re.compile(r"^Invalid input\.$"), lambda m: _("The value is not valid.")),
    (re.compile(r"^This field is required\.$"), lambda m: _("This field is required.")),
]


def localise(message: str) -> str:
    for pattern, make in _PATTERNS:
        m = pattern.match(message)
        if m:
            return make(m)
    return message


def localise_errors(errors: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for field, messages in (errors or {}).items():
        if isinstance(messages, dict):  # a sub-form: flatten as field.sub
            for sub, sub_messages in localise_errors(messages).items():
                out[f"{field}.{sub}"] = sub_messages
            continue
        if not isinstance(messages, (list, tuple)):
            messages = [messages]
        out[str(field)] = [localise(str(m)) for m in messages]
    return out
