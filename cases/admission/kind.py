"""Registers the admission case type."""

from __future__ import annotations

from cases.registry import CaseType, register

from . import process


def checklist(session, case):
    """Eligibility checklist for the case page, evaluated today."""
    from workflow import clock

    person, unit = case.person, case.unit
    if person is None:
        return []
    return process.eligibility(session, case.id, person, unit, clock.today(), case.data or {})


ADMISSION = register(CaseType(name="admission", process=process.Admission, state_labels=process.STATE_LABELS,
                              checklist=checklist))
