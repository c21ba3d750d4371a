"""Registers the removal case type."""

from __future__ import annotations

from cases.registry import CaseType, register

from . import process

REMOVAL = register(CaseType(name="removal", process=process.Removal, state_labels=process.STATE_LABELS))
