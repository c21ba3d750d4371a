"""Registers the annual grading process with the app."""

from __future__ import annotations

from cases.registry import ProcessEntry, register

from . import models  # noqa: F401  (the grading and residence tables)
from . import process, rounds

GRADING = register(ProcessEntry(name="grading", process=process.Grading, state_labels=process.STATE_LABELS,
                                  extra={"sheet_endpoint": "grading.sheet"},
                                  current_data=rounds.current_data,
                                  template_helpers=lambda session: {
                                      "grading_data": lambda case: GRADING.data_of(session, case)}))
