"""Registers the candidate training process with the app."""

from __future__ import annotations

from cases.registry import ProcessEntry, register

from . import models  # noqa: F401  (the course and plan tables)
from . import process

CANDIDACY = register(ProcessEntry(name="candidacy", process=process.Candidacy, state_labels=process.STATE_LABELS,
                                  document_kinds=("certificate", "other")))
