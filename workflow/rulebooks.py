"""Versioned rulebooks: thresholds, deadlines and the deciding level.

A case stores the code of the rulebook in force on the day it was opened and
keeps it for life (DOMAIN.md "Rulebooks"). Deadlines are (working days,
extension in working days).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from core.enums import Level


@dataclasses.dataclass(frozen=True)
class Rulebook:
    code: str
    title: str
    effective: dt.date
    # kind -> (working days, extension working days)
    deadlines: dict[str, tuple[int, int]]
    deciding_level: Level
    probation_months: int = 12
    certificate_valid_months: int = 60

    def deadline(self, kind: str) -> tuple[int, int]:
        try:
            return self.deadlines[kind]
        except KeyError:
            raise KeyError(f"rulebook {self.code} has no deadline {kind!r}") from None


QD24_2021 = Rulebook(
    code="qd24_2021",
    title="Quy định 24-QĐ/TW (2021)",
    effective=dt.date(2021, 7, 30),
    deadlines={
        "admission_decision": (60, 30),
        "recognition_decision": (30, 30),
        "ceremony": (30, 0),
    },
    deciding_level=Level.superior,
)

QD294_2025 = Rulebook(
    code="qd294_2025",
    title="Quy định 294-QĐ/TW (2025)",
    effective=dt.date(2025, 7, 1),
    deadlines={
        "admission_decision": (45, 15),
        "recognition_decision": (30, 15),
        "ceremony": (30, 0),
    },
    deciding_level=Level.superior,
)

RULEBOOKS: dict[str, Rulebook] = {r.code: r for r in (QD24_2021, QD294_2025)}
_BY_DATE = sorted(RULEBOOKS.values(), key=lambda r: r.effective)


def get_rulebook(code: str) -> Rulebook:
    return RULEBOOKS[code]


def rulebook_for(day: dt.date) -> Rulebook:
    """The rulebook in force on ``day``. Before the first known one, the
    earliest is used (older regulations are out of the system's scope)."""
    chosen = _BY_DATE[0]
    for rb in _BY_DATE:
        if rb.effective <= day:
            chosen = rb
    return chosen
