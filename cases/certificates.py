"""The training certificate (giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng):
one rule for the admission's eligibility and the candidacy's ``open_admission``.

Source: Hướng dẫn 01-HD/TW (2021), on Điều 4 of the Charter (the certificate is
valid for the rulebook's ``certificate_valid_months``, 60 today).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.models import Certificate
from workflow.i18n import _

from .dates import add_months, d, full_months
from .guards import Check
from .rulebooks import rulebook_for

PARTY_KNOWLEDGE = "party_knowledge"  # the kind of certificate the course gives


def latest_certificate(session: Session, person_id: int, on: dt.date | None = None) -> Certificate | None:
    """The person's most recent party-knowledge certificate (by issue date, then
    id), issued on or before ``on`` when given; or None."""
    stmt = sa.select(Certificate).where(Certificate.person_id == person_id, Certificate.kind == PARTY_KNOWLEDGE)
    if on is not None:
        stmt = stmt.where(Certificate.issued_on <= on)
    return session.scalar(stmt.order_by(Certificate.issued_on.desc(), Certificate.id.desc()).limit(1))


def certificate_on(session: Session, person_id: int, on: dt.date) -> Certificate | None:
    """The certificate a rule on ``on`` reads: the latest issued on or before
    ``on``, else the latest of all (which a check then refuses as issued after
    ``on``), else None."""
    return latest_certificate(session, person_id, on) or latest_certificate(session, person_id)


def number_taken(session: Session, number: str) -> bool:
    """Is a party-knowledge certificate with this number already on file (numbers are unique)?"""
    return session.scalar(sa.select(Certificate.id).where(
        Certificate.kind == PARTY_KNOWLEDGE, Certificate.number == number).limit(1)) is not None


def valid_until(issued_on: dt.date, months: int) -> dt.date:
    """The last day a certificate issued on ``issued_on`` is valid: ``months``
    calendar months later (the rulebook's ``certificate_valid_months``)."""
    return add_months(issued_on, months)


def certificate_check(cert: Certificate | None, on: dt.date, months: int | None = None) -> Check:
    """Is ``cert`` on file, issued on or before ``on`` (the branch vote, or the
    day an admission is opened) and valid on ``on``, for ``months`` months from
    its issue? A case passes its rulebook's ``certificate_valid_months``;
    without it (None), the rulebook in force on ``on`` gives it."""
    if months is None:
        months = rulebook_for(on).certificate_valid_months
    title = _("Certificate of the course on party knowledge, at most %(months)s months old", months=months)
    if cert is None:
        return Check("certificate", title, False, _("No certificate of the course on party knowledge is on file."))
    if cert.issued_on > on:
        return Check("certificate", title, False, _(
            "The certificate no. %(number)s is dated %(issued)s, after %(day)s: a certificate must be issued on or "
            "before the day of the branch vote.", number=cert.number, issued=d(cert.issued_on), day=d(on)))
    until = valid_until(cert.issued_on, months)
    if until < on:
        age = full_months(cert.issued_on, on)
        return Check("certificate", title, False, _(
            "The certificate no. %(number)s was issued on %(issued)s, %(age)s months before %(day)s; "
            "it is valid for %(months)s months only.", number=cert.number, issued=d(cert.issued_on), age=age, day=d(on),
            months=months))
    return Check("certificate", title, True, _("Certificate no. %(number)s of %(issued)s, valid until %(until)s.",
                                               number=cert.number, issued=d(cert.issued_on), until=d(until)))
