"""Registers the exemption process with the app."""

from __future__ import annotations

from cases.registry import ProcessEntry, register

from . import process


def template_helpers(session) -> dict:
    """What the case page calls for an exemption: the words of a kind."""
    from cases.choices import choice_label
    from forms.exemption import KIND_CHOICES

    return {"exemption_kind_name": choice_label(KIND_CHOICES)}


EXEMPTION = register(ProcessEntry(name="exemption", process=process.Exemption, state_labels=process.STATE_LABELS,
                                  template_helpers=template_helpers))
