"""Registers the admission process with the app."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from cases.registry import ProcessEntry, register
from core import clock

from . import process


def checklist(session, case):
    """Eligibility checklist for the case page, evaluated today with the case's rulebook,
    while the dossier is being prepared (None at any later step)."""
    if case.state != process.State.draft:
        return None
    person, unit = case.person, case.unit
    if person is None:
        return []
    rulebook = process.Admission.rulebooks.get(case.rulebook)
    return process.eligibility(session, case.id, person, unit, clock.today(), case.data or {}, rulebook)


ADMISSION = register(ProcessEntry(name="admission", process=process.Admission, state_labels=process.STATE_LABELS,
                              checklist=checklist, person_hint=_l("Choose a candidate of your branch.")))
