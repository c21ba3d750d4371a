"""How the pages render a form's reference fields: a person through a
search-as-you-type picker, a post of the case's person from a short list."""

from __future__ import annotations

from flask import url_for

from core.models import Unit
from core.offers import NAMES as OFFER_NAMES

from .choices import field_choices, person_label


def widgets_of(session, form, unit: Unit, case=None) -> dict:
    """How each reference field of ``form`` is chosen: a person, by a search-as-you-type
    picker over :func:`app.people.pick` (``{"search", "value", "label"}``), whatever the
    size of the unit; a post of the case's person (a few), from a list of ``(id, label)``."""
    out: dict = {}
    for f in form:
        if not hasattr(f, "choices_of"):
            continue
        if f.choices_of in OFFER_NAMES:
            value = f.raw_data[0] if f.raw_data else f.data
            label = person_label(session, f.choices_of, unit, value) or ""
            # An id that names no one offered here is not sent back: outside the scope and
            # absent read the same (DOMAIN.md, "Case rules common to every type").
            out[f.name] = {"search": url_for("people.pick", of=f.choices_of, unit=unit.id),
                           "value": value if label and value not in (None, "") else "",
                           "label": label}
        else:
            out[f.name] = field_choices(session, f.choices_of, unit, case)
    return out
