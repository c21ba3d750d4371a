"""Registers the discipline case type."""

from __future__ import annotations

from cases.registry import CaseType, register

from . import process

DISCIPLINE = register(CaseType(name="discipline", process=process.Discipline, state_labels=process.STATE_LABELS))
