"""Registers the transfer process with the app."""

from __future__ import annotations

from cases.registry import ProcessEntry, register

from . import process


def template_helpers(session) -> dict:
    """What the case page calls for a transfer: the words of a kind and a purpose, a unit's name."""
    from cases.choices import choice_label
    from core.models import Unit
    from forms.transfer import KIND_CHOICES, PURPOSE_CHOICES

    def unit_name(unit_id):
        unit = session.get(Unit, unit_id) if unit_id else None
        return unit.name if unit is not None else ""

    return {"transfer_kind_name": choice_label(KIND_CHOICES), "transfer_purpose_name": choice_label(PURPOSE_CHOICES),
            "unit_name": unit_name}


TRANSFER = register(ProcessEntry(name="transfer", process=process.Transfer, state_labels=process.STATE_LABELS,
                                 template_helpers=template_helpers))
