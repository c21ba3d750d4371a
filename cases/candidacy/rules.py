"""The rules of candidate training (DOMAIN.md, "Candidate training") as plain
functions. The certificate's validity is the one rule the admission also
applies (:mod:`cases.certificates`), for the rulebook's ``certificate_valid_months``."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from cases.certificates import PARTY_KNOWLEDGE, certificate_check, latest_certificate, number_taken, valid_until
from cases.dates import as_date, d
from cases.guards import Check
from core.enums import PersonStatus
from core.models import Certificate, Person
from workflow.i18n import _


def is_expired(cert: Certificate, on: dt.date, months: int) -> bool:
    """A party-knowledge certificate past its ``months`` of validity on ``on``
    (other kinds do not expire)."""
    return cert.kind == PARTY_KNOWLEDGE and valid_until(cert.issued_on, months) < on


def certificates_of(session: Session, person_id: int) -> list[Certificate]:
    """Every certificate of the person, newest first."""
    return list(session.scalars(sa.select(Certificate).where(Certificate.person_id == person_id)
                                .order_by(Certificate.issued_on.desc(), Certificate.id.desc())))


def certificate_for_admission(session: Session, person: Person, on: dt.date, months: int) -> Check:
    """May an admission be opened on ``on`` from the person's latest certificate,
    valid ``months`` months? The same check the admission's eligibility rule
    makes at the branch vote."""
    return certificate_check(latest_certificate(session, person.id), on, months)


def helper_reason(session: Session, helper_id, unit_id: int) -> str | None:
    """The helper must be an official member of the candidate's branch."""
    helper = session.get(Person, int(helper_id or 0))
    if helper is None or helper.status is not PersonStatus.official or helper.unit_id != unit_id:
        return _("The member assigned to help must be an official member of the branch.")
    return None


def result_reasons(session: Session, payload: dict, today: dt.date) -> list[str]:
    """Consistency of a course result: dates in order and not in the future;
    a pass carries a certificate number (unique) and its date."""
    reasons: list[str] = []
    starts, ends = as_date(payload.get("course_starts_on")), as_date(payload.get("course_ends_on"))
    if starts and ends and ends < starts:
        reasons.append(_("The course cannot end (%(ends)s) before it starts (%(starts)s).", ends=d(ends),
                         starts=d(starts)))
    if ends and ends > today:
        reasons.append(_("The course ends on %(ends)s: its result can be recorded from that day.", ends=d(ends)))
    if payload.get("result") == "passed":
        number = (payload.get("certificate_number") or "").strip()
        issued = as_date(payload.get("certificate_date"))
        if not number or issued is None:
            reasons.append(_("A pass needs the certificate number and its date."))
        if issued is not None:
            if issued > today:
                reasons.append(_("The certificate date %(date)s is in the future.", date=d(issued)))
            if starts and issued < starts:
                reasons.append(_("The certificate date %(date)s is before the course started.", date=d(issued)))
        if number and number_taken(session, number):
            reasons.append(_("A certificate numbered %(number)s is already on file.", number=number))
    return reasons

