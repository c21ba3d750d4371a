"""Courses on party knowledge with their class lists, and annual admission plans.

A certificate earned on a course is a :class:`core.models.Certificate` held on
the person; a candidate's progress is their ``candidacy`` case. Neither table
here holds a state the engine owns: a course row records what was taught and
the results as recorded (each result also acted on the candidate's case), a
plan row holds targets only; progress against it is always counted from the
admission cases.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base
from core.models import Person, Unit, utcnow


class Course(Base):
    """A course on party knowledge (lớp bồi dưỡng nhận thức về Đảng), run by
    the political centre (trung tâm chính trị) of a superior committee."""

    __tablename__ = "course"
    __table_args__ = (sa.Index("ix_course_unit_starts", "organiser_unit_id", "starts_on", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    organiser_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    # Who signs the certificates (e.g. "Trung tâm Chính trị huyện Nghĩa Hưng").
    issuer: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    organiser: Mapped[Unit] = relationship()
    enrolments: Mapped[list["Enrolment"]] = relationship(back_populates="course", order_by="Enrolment.id",
                                                         cascade="all, delete-orphan")

    @property
    def unit(self) -> Unit:  # what core.permissions.can_view reads
        return self.organiser


class Enrolment(Base):
    """A candidate on a course's class list, with the result once recorded."""

    __tablename__ = "course_enrolment"
    __table_args__ = (sa.UniqueConstraint("course_id", "case_id", name="uq_course_enrolment_course_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    # The candidate's candidacy case the result acts on.
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("wf_case.id"), index=True)
    score: Mapped[Optional[float]]
    passed: Mapped[Optional[bool]]
    certificate_number: Mapped[Optional[str]] = mapped_column(sa.String(50))
    certificate_date: Mapped[Optional[dt.date]]
    recorded_at: Mapped[Optional[dt.datetime]]
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))

    course: Mapped[Course] = relationship(back_populates="enrolments")
    person: Mapped[Person] = relationship()


class AdmissionPlan(Base):
    """The admission target (chỉ tiêu kết nạp đảng viên) of one grassroots
    organisation for one year; optional targets by group. Progress is never
    stored: it is counted from the admission decisions of the year."""

    __tablename__ = "admission_plan"
    __table_args__ = (sa.UniqueConstraint("unit_id", "year", name="uq_admission_plan_unit_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    year: Mapped[int]
    target: Mapped[int]
    target_youth_union: Mapped[Optional[int]]
    target_private_enterprise: Mapped[Optional[int]]
    target_village_heads: Mapped[Optional[int]]
    target_women: Mapped[Optional[int]]
    target_ethnic_minorities: Mapped[Optional[int]]
    note: Mapped[str] = mapped_column(sa.String(1000), default="")
    updated_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()
