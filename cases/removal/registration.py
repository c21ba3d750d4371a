"""Registers the removal process with the app."""

from __future__ import annotations

from cases.registry import ProcessEntry, register

from . import process


def template_helpers(session) -> dict:
    """What the case page calls for removal: the words of the grounds."""
    from cases.choices import choice_label
    from forms.removal import GROUNDS_CHOICES

    return {"removal_grounds_name": choice_label(GROUNDS_CHOICES)}


REMOVAL = register(ProcessEntry(name="removal", process=process.Removal, state_labels=process.STATE_LABELS,
                            template_helpers=template_helpers,
                            document_kinds=("evidence", "decision", "other")))
