"""Registers the candidate training case type."""

from __future__ import annotations

from cases.registry import CaseType, register

from . import models  # noqa: F401  (the course and plan tables)
from . import process

CANDIDACY = register(CaseType(name="candidacy", process=process.Candidacy, state_labels=process.STATE_LABELS))
