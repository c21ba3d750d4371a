"""The party's rulebooks: every deadline and period of DOMAIN.md "Rulebooks".

Each value lives here and nowhere else; the processes read it from the
rulebook of the case (``ctx.rulebook``), which is the one in force on the day
the case was opened (the case keeps it for life). Deadlines are ``(working
days, extension in working days)``; periods are calendar months.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from core.enums import Level
from workflow.rulebooks import Rulebook, Rulebooks


@dataclasses.dataclass(frozen=True, kw_only=True)
class PartyRulebook(Rulebook):
    """A version of the party's rules (deadlines in :attr:`deadlines`, by kind:
    ``admission_decision``, ``recognition_decision``, ``ceremony``,
    ``transfer_start``, ``transfer_letter``)."""

    deciding_level: Level  # who decides admissions and recognitions
    probation_months: int  # probation, from the admission decision
    certificate_valid_months: int  # training certificate (party knowledge) valid
    document_valid_months: int  # dossier documents valid at the branch vote
    appeal_window_months: int  # appeal against a discipline, from the announcement
    lapse_months: int  # discipline lapses, from the announcement
    # A grassroots organisation has at least this many official members (DOMAIN.md "Organisation";
    # Điều lệ Đảng, Điều 21). Below it the unit is flagged and steps that would take it lower warn.
    grassroots_min_official: int = 3


QD24_2021 = PartyRulebook(
    code="qd24_2021",
    title="Quy định 24-QĐ/TW (2021)",
    effective=dt.date(2021, 7, 30),
    deadlines={
        "admission_decision": (60, 30),
        "recognition_decision": (30, 30),
        "ceremony": (30, 0),
        "transfer_start": (60, 0),
        "transfer_letter": (30, 0),
    },
    deciding_level=Level.superior,
    probation_months=12,
    certificate_valid_months=60,
    document_valid_months=12,
    appeal_window_months=1,
    lapse_months=12,
)

# 294-QĐ/TW (with Hướng dẫn 06-HD/TW) shortened two decisions; the rest is unchanged.
QD294_2025 = dataclasses.replace(
    QD24_2021,
    code="qd294_2025",
    title="Quy định 294-QĐ/TW (2025)",
    effective=dt.date(2025, 7, 1),
    deadlines={**QD24_2021.deadlines, "admission_decision": (45, 15), "recognition_decision": (30, 15)},
)

# The set every party process declares (``rulebooks = RULEBOOKS``).
RULEBOOKS = Rulebooks([QD24_2021, QD294_2025])


def get_rulebook(code: str) -> PartyRulebook:
    """The rulebook a case stored by ``code``; ``KeyError`` if unknown."""
    return RULEBOOKS.get(code)


def rulebook_for(day: dt.date) -> PartyRulebook:
    """The rulebook in force on the local date ``day`` (for what is not yet a
    case, e.g. a person's certificates shown today)."""
    return RULEBOOKS.in_force(day)


# ---- grading (DOMAIN.md "Annual quality grading") ------------------------------------------------

@dataclasses.dataclass(frozen=True, kw_only=True)
class GradingRulebook(Rulebook):
    """A version of the grading rules, chosen by the year graded (not by the day a
    round is opened): ``hd21_2019`` (Hướng dẫn 21-HD/BTCTW, 2019) up to 2024,
    ``qd366_2025`` (Quy định 366-QĐ/TW, 2025) from 2025.

    ``excellent_cap_percent``: ``excellent`` at most this share of the members graded
    ``good`` in the same grassroots organisation (rounded down). ``score_bands``:
    ``((lowest score, grade), ...)`` from the highest grade, or empty when the
    rulebook grades without a score."""

    excellent_cap_percent: int
    score_bands: tuple[tuple[int, str], ...] = ()
    max_score: int = 100


HD21_2019 = GradingRulebook(
    code="hd21_2019",
    title="Hướng dẫn 21-HD/BTCTW (2019)",
    effective=dt.date(2019, 1, 1),
    excellent_cap_percent=20,
)

QD366_2025 = GradingRulebook(
    code="qd366_2025",
    title="Quy định 366-QĐ/TW (2025)",
    effective=dt.date(2025, 1, 1),
    excellent_cap_percent=20,
    score_bands=((90, "excellent"), (70, "good"), (50, "complete"), (0, "not_complete")),
)

# The set the grading process declares; a round reads the one of its year (grading_rulebook_for_year).
GRADING_RULEBOOKS = Rulebooks([HD21_2019, QD366_2025])


def grading_rulebook_for_year(year: int) -> GradingRulebook:
    """The grading rulebook of the year graded (``hd21_2019`` up to 2024, ``qd366_2025`` from 2025)."""
    return GRADING_RULEBOOKS.in_force(dt.date(int(year), 12, 31))


def get_grading_rulebook(code: str) -> GradingRulebook:
    """The grading rulebook a round stored by ``code``; ``KeyError`` if unknown."""
    return GRADING_RULEBOOKS.get(code)
