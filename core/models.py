"""Org tree, people, users and role assignments (SQLAlchemy 2 typed models)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core import clock

from .db import Base
from .enums import Education, Gender, Level, PersonStatus, Role
from .text import fold


def enum_column(enum_cls, **kw):
    """A portable string column holding an enum's value."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        **kw,
    )


def utcnow() -> dt.datetime:
    """Column default for creation times: the one clock (naive UTC)."""
    return clock.now()


class Unit(Base):
    """An org unit (tổ chức đảng) in the tree.

    ``path`` is the materialised path of ids, e.g. ``/1/4/17/``; a subtree is
    ``path LIKE '/1/4/%'``. A *chi bộ cơ sở* is level ``grassroots`` with
    ``grassroots_branch`` set: it is both the grassroots organisation and the
    branch where its members belong.
    """

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    level: Mapped[Level] = mapped_column(enum_column(Level))
    parent_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    path: Mapped[str] = mapped_column(sa.String(255), default="", index=True)
    grassroots_branch: Mapped[bool] = mapped_column(default=False)
    hardship_area: Mapped[bool] = mapped_column(default=False)
    may_admit: Mapped[bool] = mapped_column(default=False)
    may_expel: Mapped[bool] = mapped_column(default=False)

    parent: Mapped[Optional["Unit"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Unit"]] = relationship(back_populates="parent", order_by="Unit.name")

    @property
    def levels(self) -> frozenset[Level]:
        """Every level this unit answers to (a chi bộ cơ sở is two)."""
        if self.grassroots_branch:
            return frozenset({Level.grassroots, Level.branch})
        return frozenset({self.level})

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, inclusive."""
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def is_within(self, other: "Unit") -> bool:
        """True if this unit is ``other`` or below it."""
        return self.path.startswith(other.path)

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.level.value} {self.name!r}>"


def assign_path(session, unit: Unit) -> None:
    """Set ``unit.path`` from its parent; flushes to obtain the id."""
    if unit.id is None:
        session.add(unit)
        session.flush()
    parent_path = unit.parent.path if unit.parent is not None else "/"
    unit.path = f"{parent_path}{unit.id}/"


NATIONAL_ID_RE = re.compile(r"^\d{12}$")


class Person(Base):
    """A candidate or member (đảng viên). Only the engine changes ``status``."""

    __tablename__ = "person"
    __table_args__ = (
        sa.Index("ix_person_unit_status", "unit_id", "status"),
        # The few exempted or hosted members, for the reports (partial: a few entries, not a million).
        sa.Index("ix_person_exempted", "unit_id", "exemption", postgresql_where=sa.text("exemption IS NOT NULL"),
                 sqlite_where=sa.text("exemption IS NOT NULL")),
        sa.Index("ix_person_hosted_away", "unit_id", postgresql_where=sa.text("host_unit_id IS NOT NULL"),
                 sqlite_where=sa.text("host_unit_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    # Lower-cased, diacritics stripped: "nguyen van an". Indexed for search.
    name_folded: Mapped[str] = mapped_column(sa.String(200), index=True, default="")
    date_of_birth: Mapped[dt.date]
    gender: Mapped[Gender] = mapped_column(enum_column(Gender))
    national_id: Mapped[str] = mapped_column(sa.String(12), unique=True)
    education: Mapped[Education] = mapped_column(enum_column(Education))
    ethnicity: Mapped[str] = mapped_column(sa.String(50), default="Kinh")
    residence: Mapped[str] = mapped_column(sa.String(300), default="")
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    status: Mapped[PersonStatus] = mapped_column(enum_column(PersonStatus))
    youth_union_member: Mapped[bool] = mapped_column(default=False)
    trade_union_member: Mapped[bool] = mapped_column(default=False)
    # Groups the annual admission plans count (chỉ tiêu theo đối tượng): workers
    # in private enterprises, heads of a village or neighbourhood (trưởng thôn,
    # tổ trưởng tổ dân phố). Women and ethnic minorities come from gender and ethnicity.
    private_enterprise_worker: Mapped[bool] = mapped_column(default=False)
    village_head: Mapped[bool] = mapped_column(default=False)
    # Member dates: admission (kết nạp, party age counts from it) and official.
    admission_date: Mapped[Optional[dt.date]]
    official_date: Mapped[Optional[dt.date]]
    party_card_number: Mapped[Optional[str]] = mapped_column(sa.String(20), unique=True)
    # When they joined the unit (for the 12-months-alongside introducer rule).
    joined_unit_on: Mapped[Optional[dt.date]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # While temporarily transferred (tạm thời) and received: the host unit; the home branch stays
    # ``unit_id`` (DOMAIN "Transfer"). Set and cleared only by the transfer process's effects.
    host_unit_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    # While exempted: from what (an :class:`Exemption` value); set and cleared only by the
    # exemption process's effects (DOMAIN "Exemption from work and activity").
    exemption: Mapped[Optional[str]] = mapped_column(sa.String(32))

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    host_unit: Mapped[Optional[Unit]] = relationship(foreign_keys=[host_unit_id])
    posts: Mapped[list["Post"]] = relationship(back_populates="person", order_by="Post.started_on")

    @validates("full_name")
    def _fold_name(self, key, value):
        value = " ".join((value or "").split())
        if not value:
            raise ValueError("full_name is required")
        self.name_folded = fold(value)
        return value

    @validates("national_id")
    def _check_national_id(self, key, value):
        if not value or not NATIONAL_ID_RE.match(value):
            raise ValueError("national_id must be exactly 12 digits")
        return value

    @validates("date_of_birth")
    def _check_dob(self, key, value):
        # Vietnam's day, the same "today" as the forms (never the server's UTC date).
        if value is not None and value > clock.today():
            raise ValueError("date_of_birth is in the future")
        return value

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.full_name!r} {self.status.value}>"


class Post(Base):
    """A post held by a member (chức vụ), e.g. a seat on a committee."""

    __tablename__ = "post"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    # True when the post is a seat on the committee (cấp ủy) of ``unit``.
    committee_seat: Mapped[bool] = mapped_column(default=False)
    started_on: Mapped[dt.date]
    # The day the post ended (a dismissal's announcement, or ended in the registry); None while held.
    ended_on: Mapped[Optional[dt.date]]
    # Who recorded the appointment in the registry (None: demo data, import, before it was kept).
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))

    person: Mapped[Person] = relationship(back_populates="posts")
    unit: Mapped[Unit] = relationship()


class User(Base):
    """A login. Roles are held at units through :class:`RoleAssignment`."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # A person may log in to follow their own cases (read-only).
    person_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Every login session carries the version it was opened with (``get_id``);
    # raising it ends them all, on every device: logout, a password change and
    # disabling the account do (:meth:`end_sessions`).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set when an admin creates the account or resets its password (a one-time
    # password): the user must choose their own at the next login.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Notifications by email (issue 19): the address, the language of the emails
    # ("vi" or "en") and how they come: "immediate", "digest" (one a day) or "none".
    email: Mapped[Optional[str]] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(8), default="vi", server_default="vi")
    notify_delivery: Mapped[str] = mapped_column(sa.String(16), default="immediate", server_default="immediate")

    roles: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RoleAssignment.id"
    )
    person: Mapped[Optional[Person]] = relationship()

    # Flask-Login protocol, written out so this module does not import Flask.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The session's user id: ``"<id>:<session_version>"``, so a session
        opened before :meth:`end_sessions` no longer loads its user."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """End every login session of this user (the cookies stop working)."""
        self.session_version = (self.session_version or 0) + 1

    @validates("password_hash")
    def _password_changed(self, key, value):
        if self.id is not None and self.password_hash not in (None, value):
            self.end_sessions()
        return value

    @validates("active")
    def _account_disabled(self, key, value):
        if self.id is not None and self.active and not value:
            self.end_sessions()
        return value

    def set_password(self, password: str) -> None:
        from .passwords import hash_password

        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        from .passwords import verify_password

        return verify_password(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RoleAssignment(Base):
    """``user`` holds ``role`` at ``unit`` (and sees the unit's subtree)."""

    __tablename__ = "role_assignment"
    __table_args__ = (sa.UniqueConstraint("user_id", "unit_id", "role", name="uq_role_assignment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    # The day the role was granted from (None: before it was kept). A revoked
    # assignment is removed; its dates stay in the audit trail.
    starts_on: Mapped[Optional[dt.date]]

    user: Mapped[User] = relationship(back_populates="roles")
    unit: Mapped[Unit] = relationship()


class TaskRun(Base):
    """A record that a background task ran (the heartbeat writes one)."""

    __tablename__ = "task_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), index=True)
    ran_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    detail: Mapped[str] = mapped_column(sa.String(500), default="")


class Certificate(Base):
    """A training certificate held by a person.

    ``kind`` ``party_knowledge``: the course on party knowledge (giấy chứng nhận
    lớp bồi dưỡng nhận thức về Đảng), valid 60 months for an admission;
    ``new_member``: the course for new members, taken during probation.
    """

    __tablename__ = "certificate"
    __table_args__ = (sa.Index("ix_certificate_person_kind", "person_id", "kind", "issued_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(sa.String(32), default="party_knowledge")
    number: Mapped[str] = mapped_column(sa.String(50))
    issued_on: Mapped[dt.date]
    issuer: Mapped[str] = mapped_column(sa.String(200), default="")
    course_name: Mapped[str] = mapped_column(sa.String(200), default="")
    score: Mapped[Optional[float]]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The organisation officer who recorded a certificate earned before the system
    # (None for a course's result, written by the engine).
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user_account.id"))

    person: Mapped[Person] = relationship()
    recorded_by: Mapped[Optional["User"]] = relationship()
