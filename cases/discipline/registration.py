"""Registers the discipline process with the app."""

from __future__ import annotations

from cases.registry import ProcessEntry, register

from . import pages, process


def template_helpers(session) -> dict:
    """What the case and person pages call for discipline: the discipline in force
    on a person, and the words of a form, a category and an appeal result."""
    from cases.choices import choice_label
    from forms.discipline import APPEAL_RESULT_CHOICES, CATEGORY_CHOICES, PENALTY_CHOICES

    from .rules import discipline_in_force

    return {"discipline_in_force": lambda person: discipline_in_force(session, person.id),
            "discipline_form_name": choice_label(PENALTY_CHOICES),
            "discipline_category_name": choice_label(CATEGORY_CHOICES),
            "discipline_appeal_result": choice_label(APPEAL_RESULT_CHOICES)}


def appointment_bar(session, person_id: int, day):
    """A member under discipline in force cannot be appointed (the case named)."""
    from .rules import transfer_check

    return transfer_check(session, person_id, day)


DISCIPLINE = register(ProcessEntry(name="discipline", process=process.Discipline, state_labels=process.STATE_LABELS,
                               template_helpers=template_helpers, appointment_bar=appointment_bar,
                               missing=pages.missing, step_facts=pages.step_facts,
                               form_defaults=pages.form_defaults, document_kinds=pages.DOCUMENT_KINDS))
