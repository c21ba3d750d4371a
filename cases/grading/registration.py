"""Registers the annual grading process with the app."""

from __future__ import annotations

from cases.registry import ProcessEntry, register

from . import models  # noqa: F401  (the grading and residence tables)
from . import process

GRADING = register(ProcessEntry(name="grading", process=process.Grading, state_labels=process.STATE_LABELS,
                                  extra={"sheet_endpoint": "grading.sheet"}))
