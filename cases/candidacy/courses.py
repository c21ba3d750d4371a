"""Courses on party knowledge: the class list and results for many candidates at once.

Batch semantics (all or nothing): every filled-in row of a results sheet is
taken through the engine's ``record_result`` on that candidate's candidacy
case — one audit event per candidate — inside ONE database transaction. If any
row is refused (its form, a guard, the case's state or the user's role), the
transaction is rolled back: no case moves, no certificate is written, and
every refused row is reported with its reasons so the sheet can be corrected
and sent again. Blank rows are left for later; rows already recorded are
skipped. Each row carries an idempotency key derived from the sheet's key, so sending the same
sheet twice records nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.models import Person, Unit
from core.permissions import ORGANISE_COURSE, RECORD_CERTIFICATE, allows, units_where, visible
from core import clock
from workflow import engine
from workflow.errors import GuardFailed, InvalidPayload, WorkflowError
from workflow.i18n import _
from workflow.models import Case

from .models import Course, Enrolment
from ..queries import NotFound, get_visible


class UnknownIds(Exception):
    """Ids sent that name nothing here (an enrolment not on the course, a case not in
    training under its organiser), whether absent or outside the user's units; nothing
    was changed. ``field``: what they were sent as; ``ids``: which."""

    def __init__(self, field: str, ids):
        self.field, self.ids = field, frozenset(ids)
        super().__init__(f"unknown {field}: {sorted(self.ids)}")


class BatchRefused(Exception):
    """Some rows were refused; nothing was recorded. ``errors``: {enrolment id: [reasons]}."""

    def __init__(self, errors: dict[int, list[str]]):
        self.errors = errors
        super().__init__(f"{len(errors)} row(s) refused")


@dataclass
class ResultRow:
    """One row of a results sheet, as typed (strings); a blank row is left for later."""

    enrolment_id: int
    score: str = ""
    result: str = ""
    certificate_number: str = ""
    certificate_date: str = ""

    @property
    def blank(self) -> bool:
        """Nothing was typed in the row."""
        return not (self.result or self.score or self.certificate_number or self.certificate_date)


def visible_courses(session: Session, user, limit: int = 100) -> list[Course]:
    """The latest ``limit`` courses organised by units the user may see, newest first."""
    stmt = (sa.select(Course).join(Unit, Unit.id == Course.organiser_unit_id)
            .where(visible(user, Unit.path, session)).order_by(Course.starts_on.desc(), Course.id.desc()).limit(limit))
    return list(session.scalars(stmt))


def get_course(session: Session, user, course_id) -> Course:
    """The course ``course_id`` if ``user`` may see it; raises :class:`NotFound` otherwise."""
    return get_visible(session, user, Course, course_id)


def create_course(session: Session, user, data: dict) -> Course:
    """``data``: validated :class:`forms.candidacy.CourseForm` data; commits."""
    errors: dict[str, list[str]] = {}
    units = {u.id: u for u in units_where(session, user, ORGANISE_COURSE)}
    if data.get("organiser_unit_id") not in units:
        errors["organiser_unit_id"] = [_("Choose a committee where you are an organisation board officer.")]
    if data["ends_on"] < data["starts_on"]:
        errors["ends_on"] = [_("The course cannot end before it starts.")]
    if errors:
        raise InvalidPayload(errors)
    unit = units[data["organiser_unit_id"]]
    course = Course(name=data["name"].strip(), organiser_unit_id=unit.id, starts_on=data["starts_on"],
                    ends_on=data["ends_on"], issuer=(data.get("issuer") or "").strip() or unit.name,
                    created_by_id=user.id, created_at=clock.now())
    session.add(course)
    session.commit()
    return course


def trainees_available(session: Session, course: Course) -> list[Case]:
    """Candidacy cases in training under the organiser, not yet on this class list."""
    organiser = course.organiser
    enrolled = sa.select(Enrolment.case_id).where(Enrolment.course_id == course.id)
    stmt = (sa.select(Case).join(Unit, Unit.id == Case.unit_id)
            .where(Case.process == "candidacy", Case.state == "in_training",
                   Unit.path.startswith(organiser.path, autoescape=True), Case.id.not_in(enrolled))
            .order_by(Unit.name, Case.id).limit(500))
    return list(session.scalars(stmt))


def enrol(session: Session, user, course: Course, case_ids) -> int:
    """Put candidates in training on the class list (who organises the course,
    :data:`core.permissions.ORGANISE_COURSE`; else :class:`NotFound`); commits.
    Returns how many were added; a case already on the list is left as it is.
    :class:`UnknownIds` (``case_id``) for any case that is neither available
    nor on the list, and nothing is added."""
    if not allows(session, user, ORGANISE_COURSE, course.organiser):
        raise NotFound(course.id)
    wanted = {int(c) for c in case_ids}
    available = {c.id: c for c in trainees_available(session, course)}
    listed = {e.case_id for e in course.enrolments}
    unknown = wanted - set(available) - listed
    if unknown:
        raise UnknownIds("case_id", unknown)
    added = 0
    for case_id in sorted(wanted):
        case = available.get(case_id)
        if case is None:
            continue
        session.add(Enrolment(course_id=course.id, person_id=case.person_id, case_id=case.id))
        added += 1
    session.commit()
    return added


def _payload(course: Course, row: ResultRow) -> dict:
    payload = {"course_name": course.name, "course_starts_on": course.starts_on.isoformat(),
               "course_ends_on": course.ends_on.isoformat(), "score": row.score.strip().replace(",", "."),
               "result": row.result, "issuer": course.issuer}
    if row.result == "passed":
        payload["certificate_number"] = row.certificate_number.strip()
        payload["certificate_date"] = row.certificate_date
    return payload


def _reasons(exc: WorkflowError) -> list[str]:
    if isinstance(exc, GuardFailed):
        return list(exc.reasons)
    if isinstance(exc, InvalidPayload):
        return [f"{name}: {'; '.join(map(str, msgs))}" if isinstance(msgs, (list, tuple)) else str(msgs)
                for name, msgs in exc.errors.items()]
    return [exc.message]


def record_results(session: Session, user, course: Course, rows: list[ResultRow], *, batch_key: str,
                   request_id: str | None = None) -> int:
    """Record the filled-in rows, all or nothing (see the module docstring).
    Returns how many candidates' cases were acted on; raises :class:`UnknownIds`
    (``enrolment_id``) for a row whose enrolment is not on the course, blank or
    not, before anything else; :class:`BatchRefused`; and :class:`NotFound`
    where the user may not record the course's certificates
    (:data:`core.permissions.RECORD_CERTIFICATE`)."""
    if not allows(session, user, RECORD_CERTIFICATE, course.organiser):
        raise NotFound(course.id)
    enrolments = {e.id: e for e in course.enrolments}
    unknown = {row.enrolment_id for row in rows} - set(enrolments)
    if unknown:
        raise UnknownIds("enrolment_id", unknown)
    errors: dict[int, list[str]] = {}
    done: list[tuple[Enrolment, ResultRow]] = []
    try:
        for row in rows:
            enrolment = enrolments[row.enrolment_id]
            if row.blank:
                continue
            if enrolment.recorded_at is not None:
                continue  # recorded before (e.g. the same sheet sent twice): never twice
            if not row.result:
                errors[enrolment.id] = [_("Choose passed or failed.")]
                continue
            try:
                # The engine's act without its commit: every row joins this one transaction.
                engine.apply(session, enrolment.case_id, "record_result", user, _payload(course, row),
                             idempotency_key=f"{batch_key}:{enrolment.case_id}", request_id=request_id)
            except WorkflowError as exc:
                errors[enrolment.id] = _reasons(exc)
                continue
            done.append((enrolment, row))
        if errors:
            raise BatchRefused(errors)
        now = clock.now()
        for enrolment, row in done:
            enrolment.score = float(row.score.strip().replace(",", "."))
            enrolment.passed = row.result == "passed"
            if enrolment.passed:
                enrolment.certificate_number = row.certificate_number.strip()
                enrolment.certificate_date = dt.date.fromisoformat(row.certificate_date)
            enrolment.recorded_at = now
            enrolment.recorded_by_id = user.id
        session.commit()
    except BaseException:
        session.rollback()
        raise
    for enrolment, _row in done:
        case = session.get(Case, enrolment.case_id)
        if case is not None:
            session.expire(case)
    return len(done)


def class_list(session: Session, course: Course) -> list[tuple[Enrolment, Case, Person]]:
    """The course's enrolments with their candidacy case and person, by name."""
    rows = session.execute(
        sa.select(Enrolment, Case, Person).join(Case, Case.id == Enrolment.case_id)
        .join(Person, Person.id == Enrolment.person_id).where(Enrolment.course_id == course.id)
        .order_by(Person.name_folded, Enrolment.id)).all()
    return [tuple(r) for r in rows]
