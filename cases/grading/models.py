"""The grading tables: each member's decided grade of a year, and the contact with the
residence branch (Quy định 213-QĐ/TW).

A ``grading_result`` row is written only by the effect of the grassroots decision
(``decide_grades``) on the branch's grading case; nothing else writes it. The
residence tables are registry data kept by the branch secretaries: who recorded
each row stays on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.models import Person, Unit, utcnow

GRADES = ("excellent", "good", "complete", "not_complete")  # from the best
VERDICTS = ("fulfilled", "breach")


class GradingResult(Base):
    """A member's final grade for a year, as the grassroots committee decided it."""

    __tablename__ = "grading_result"
    __table_args__ = (
        sa.UniqueConstraint("person_id", "year", name="uq_grading_result_person_year"),
        sa.Index("ix_grading_result_grassroots_year", "grassroots_id", "year"),
        sa.Index("ix_grading_result_decided", "decided_on", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("wf_case.id"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))  # the branch graded
    grassroots_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))  # its grassroots organisation
    year: Mapped[int]
    grade: Mapped[str] = mapped_column(sa.String(20))
    score: Mapped[Optional[float]]
    decided_on: Mapped[dt.date]

    person: Mapped[Person] = relationship()


class ResidenceRegistration(Base):
    """A member registered with the branch where they live (the residence branch)."""

    __tablename__ = "residence_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), unique=True)
    residence_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    registered_on: Mapped[dt.date]
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship()
    residence_unit: Mapped[Unit] = relationship()


class ResidenceComment(Base):
    """The residence branch's comment of a year on a member registered with it."""

    __tablename__ = "residence_comment"
    __table_args__ = (sa.UniqueConstraint("person_id", "year", name="uq_residence_comment_person_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    residence_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    year: Mapped[int]
    verdict: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.String(2000), default="")
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
