"""The case snapshot, the action context, payload validation, and a few
generic guards.

Who may take a transition is the level rule of :mod:`core.levels` (the
engine applies :func:`core.levels.matching_unit` on every act).

Guards are small named functions ``guard(ctx) -> str | None`` returning a
reason (a translated message) when they refuse.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from core import clock
from core.db import INT_MAX, INT_MIN
from core.levels import path_ids
from core.models import Person, Unit

from .audit import json_safe
from .errors import InvalidPayload
from .i18n import _


class CaseSnapshot:
    """The case row as read (under lock) by the engine; cheap and read-only."""

    __slots__ = (
        "id", "process", "process_version", "rulebook", "state", "version", "unit_id", "person_id",
        "reviewing_unit_id", "opened_at", "opened_on", "closed_at", "deadline_at", "deadline_kind",
        "deadline_label", "deadline_extended", "data", "audit_seq", "audit_hash", "unit_path",
    )

    def __init__(self, row):
        for name, value in zip(self.__slots__, row):
            object.__setattr__(self, name, value)

    def __setattr__(self, key, value):  # pragma: no cover - guard against misuse
        raise AttributeError("CaseSnapshot is read-only; use ctx.update_data()")

    @property
    def ancestors(self) -> frozenset[int]:
        return path_ids(self.unit_path)


class Context:
    """What guards, choosers, effects and deadline anchors see."""

    def __init__(self, session: Session, process, snapshot: CaseSnapshot | None, actor, transition=None,
                 payload: dict | None = None, now: dt.datetime | None = None):
        self.session = session
        self.process = process
        self.snapshot = snapshot  # the case as read by the engine (read-only)
        self.actor = actor
        self.transition = transition
        self.payload = payload if payload is not None else {}
        self.now = now or clock.now()
        self.vote = None  # VoteResult when the transition has a vote
        self.from_state = snapshot.state if snapshot is not None else None
        self.to_state: str | None = None
        self.outcome: str | None = None
        self.acting_unit_id: int | None = None
        self.data = dict(snapshot.data or {}) if snapshot is not None else {}
        self.data_changed = False
        self.reviewing_unit_id = snapshot.reviewing_unit_id if snapshot is not None else None
        self._person = None
        self._unit = None

    @property
    def today(self) -> dt.date:
        """The local (Vietnam) date of ``now``."""
        return clock.local(self.now).date()

    @property
    def rulebook(self):
        """The case's rulebook: the version of ``process.rulebooks`` it was opened under."""
        return self.process.rulebooks.get(self.snapshot.rulebook)

    @property
    def person(self) -> Person | None:
        """The case's person (loaded once), or None."""
        if self._person is None and self.snapshot is not None and self.snapshot.person_id is not None:
            self._person = self.session.get(Person, self.snapshot.person_id)
        return self._person

    @property
    def unit(self) -> Unit | None:
        """The case's home unit (loaded once)."""
        if self._unit is None and self.snapshot is not None:
            self._unit = self.session.get(Unit, self.snapshot.unit_id)
        return self._unit

    def update_data(self, **values) -> None:
        """Change type-specific fields of ``case.data`` (written with the act)."""
        self.data.update(json_safe(values))
        self.data_changed = True

    def set_reviewing_unit(self, unit_id: int | None) -> None:
        """Make ``unit_id`` the case's reviewing unit (written with the act)."""
        self.reviewing_unit_id = unit_id


class _PayloadData:
    """A payload dict in the ``getlist`` shape WTForms expects of form data."""

    def __init__(self, payload: dict):
        self._d: dict[str, list[str]] = {}
        for key, value in payload.items():
            values = value if isinstance(value, (list, tuple)) else [value]
            out = []
            for v in values:
                if v is None or v is False:
                    continue
                if v is True:
                    out.append("y")
                elif isinstance(v, dt.datetime):
                    out.append(v.strftime("%Y-%m-%d %H:%M:%S"))
                elif isinstance(v, dt.date):
                    out.append(v.isoformat())
                else:
                    out.append(str(v))
            if out:
                self._d[key] = out

    def __contains__(self, key) -> bool:
        return key in self._d

    def __iter__(self):
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def getlist(self, key) -> list[str]:
        return list(self._d.get(key, []))


DAY_FORMAT = "%d/%m/%Y"  # as Vietnamese users write a date: 20/11/2026

# Dates a record can hold: outside this window a date is a typing mistake, and
# date arithmetic (months, working days) near year 1 or 9999 would overflow.
MIN_YEAR, MAX_YEAR = 1900, 2199


def _range_errors(form) -> dict[str, list[str]]:
    """Dates outside :data:`MIN_YEAR`–:data:`MAX_YEAR`, whole numbers beyond 32 bits."""
    errors: dict[str, list[str]] = {}
    for field in form:
        value = field.data
        if isinstance(value, (dt.date, dt.datetime)) and not MIN_YEAR <= value.year <= MAX_YEAR:
            errors[field.name] = [_("Enter a date between %(start)s and %(end)s.", start=MIN_YEAR, end=MAX_YEAR)]
        elif isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
            errors[field.name] = [_("Enter a whole number from %(min)s to %(max)s.", min=INT_MIN, max=INT_MAX)]
    return errors


def validate_form(form_cls, payload: dict | None, context: "Context | None" = None) -> tuple[dict, Any]:
    """Validate ``payload`` with a WTForms form; returns (JSON-safe data, coerced data).

    ``context`` (the act's :class:`Context`) is given to the form as
    ``form.meta.context``: fields that name rows by id (a person, a post)
    resolve them for its actor, through the scope permission, before any guard runs."""
    form = form_cls(formdata=_PayloadData(payload or {}), meta={"context": context})
    valid = form.validate()
    errors = {k: [str(m) for m in v] if isinstance(v, (list, tuple)) else v for k, v in form.errors.items()}
    for name, messages in _range_errors(form).items():
        errors.setdefault(name, messages)
    if not valid or errors:
        raise InvalidPayload(errors)
    return json_safe(form.data), form.data


# ---- generic guards, reusable by any process --------------------------------------------

def requires_person(ctx) -> str | None:
    """The case must be about a person."""
    if ctx.snapshot is None or ctx.snapshot.person_id is None:
        return _("This case is not about a person.")
    return None


def not_before_open(field: str):
    """A guard factory: the payload date ``field`` may not precede the case's opening."""

    def date_not_before_open(ctx) -> str | None:
        value = ctx.payload.get(field)
        if not value or ctx.snapshot is None or ctx.snapshot.opened_on is None:
            return None
        day = dt.date.fromisoformat(str(value)[:10])
        if day < ctx.snapshot.opened_on:
            return _("The date %(date)s is before the case was opened on %(opened)s.",
                     date=day.strftime(DAY_FORMAT), opened=ctx.snapshot.opened_on.strftime(DAY_FORMAT))
        return None

    date_not_before_open.__name__ = f"{field}_not_before_open"
    return date_not_before_open


class FormChecker:
    """:func:`validate_form` for many payloads of one form class (the rows of a
    bulk import): the form is built once and re-processed for each payload,
    which costs a fraction of building it (WTForms binds every field on build)."""

    def __init__(self, form_cls):
        self.form = form_cls(formdata=None, meta={"context": None})

    def check(self, payload: dict) -> tuple[dict[str, list[str]], dict]:
        """``(errors by field, coerced data)`` of ``payload``; no errors: valid."""
        form = self.form
        form.process(formdata=_PayloadData(payload))
        form.validate()
        errors = {k: [str(m) for m in v] if isinstance(v, (list, tuple)) else v for k, v in form.errors.items()}
        for name, messages in _range_errors(form).items():
            errors.setdefault(name, messages)
        return errors, form.data
