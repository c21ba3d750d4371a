"""Guards shared by the processes: small named functions ``guard(ctx)`` that
return a reason (a translated message) when they refuse, or None; and the
:class:`Check` a rule returns where the case page also lists it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.enums import PersonStatus
from core.models import Person, Unit
from workflow.guards import not_before_open
from workflow.i18n import _
from workflow.models import Case

from .dates import as_date, d
from .models import Document

# Without the member's self-review a case proceeds after this many requests went unanswered.
REQUESTS_BEFORE_PROCEEDING = 3


@dataclass(frozen=True)
class Check:
    """One rule's verdict, for a guard's refusal and the page's checklist alike.

    ``rule`` identifies it (``age``, ``certificate``, ...); ``title`` and
    ``reason`` are translated text, ``reason`` naming the figures behind it."""

    rule: str
    title: str
    passed: bool
    reason: str


def date_not_in_future(field: str):
    """A guard factory: the payload date ``field`` (ISO string) may not be after today."""

    def check(ctx):
        day = as_date(ctx.payload.get(field))
        if day and day > ctx.today:
            return _("The date %(date)s is in the future.", date=d(day))
        return None

    check.__name__ = f"{field}_not_in_future"
    return check


def event_date(field: str, after: Mapping[str, str] | None = None, since_opening: bool = False):
    """A guard factory for the date a step records of its own event (a vote's
    meeting, a decision, a ceremony, an announcement, an appeal): checked
    against the case's own dates. It may not be in the future
    (:func:`date_not_in_future`), nor before any date of the case data named
    in ``after`` (key: the words for it, e.g. the violation), nor, when
    ``since_opening``, before the case was opened
    (:func:`workflow.guards.not_before_open`).

    ``since_opening`` is DOMAIN.md's rule for discipline ("a vote's meeting
    date is never before the violation, nor before the case was opened"). An
    admission or removal dossier begun on paper before the system was adopted
    is entered with its real dates, so there the order of the case's own steps
    is the bound (docs/DECISIONS.md, "Vote and decision dates"). Every vote and
    decision transition of every process uses this factory; a start records
    earlier events (a resolution, a violation) and has its own checks.

    Returns a guard ``check(ctx) -> str | None`` (the reason refused)."""
    in_future, before_open = date_not_in_future(field), not_before_open(field)

    def check(ctx):
        day = as_date(ctx.payload.get(field))
        if day is None:
            return None
        reason = in_future(ctx)
        if reason:
            return reason
        for key, words in (after or {}).items():
            floor = as_date(ctx.data.get(key))
            if floor is not None and day < floor:
                return _("The date %(date)s is before %(what)s of %(floor)s.", date=d(day), what=words,
                         floor=d(floor))
        return before_open(ctx) if since_opening else None

    check.__name__ = f"{field}_is_a_date_of_the_case"
    return check


def entitled_not_more_than_members(ctx):
    """A branch vote cannot count more voters (payload ``entitled``) than the
    branch's official members, less those exempted from work or activity and those
    temporarily hosted by another unit, who are absent (DOMAIN "Transfer of party
    activity", "Exemption from work and activity": when absent they are not counted
    among the entitled voters; the registry cannot know who attended, so the bound
    takes them as absent). One aggregate query."""
    away = sa.or_(Person.exemption.is_not(None), Person.host_unit_id.is_not(None))
    official, not_counted = ctx.session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.case((away, 1))))
        .select_from(Person).where(Person.unit_id == ctx.snapshot.unit_id,
                                   Person.status == PersonStatus.official)).one()
    counted = official - not_counted
    entitled = ctx.payload.get("entitled") or 0
    if entitled > counted:
        if not_counted:
            return _("%(entitled)s entitled to vote is more than the %(counted)s official members of the branch "
                     "who count: %(away)s of its %(official)s are exempted or temporarily away and are not counted.",
                     entitled=entitled, counted=counted, away=not_counted, official=official)
        return _("%(entitled)s entitled to vote is more than the %(official)s official members of the branch.",
                 entitled=entitled, official=official)
    return None


def entitled_not_more_than_organisation(ctx):
    """A committee's vote (grassroots committee, standing committee) cannot count
    more entitled members (payload ``entitled``) than the official members of the
    organisation it leads (the acting unit and the units below it), among whom it
    is elected. The registry does not record every committee's membership, so
    this is the bound on the committee's size that the data allows."""
    unit = ctx.session.get(Unit, ctx.acting_unit_id) if ctx.acting_unit_id else None
    if unit is None:
        return None
    official = ctx.session.scalar(sa.select(sa.func.count()).select_from(Person).join(Unit, Unit.id == Person.unit_id)
                                  .where(Unit.path.startswith(unit.path, autoescape=True),
                                         Person.status == PersonStatus.official))
    entitled = ctx.payload.get("entitled") or 0
    if entitled > official:
        return _("%(entitled)s committee members entitled to vote is more than the %(official)s official members of "
                 "%(unit)s, among whom the committee is elected.", entitled=entitled, official=official,
                 unit=unit.name)
    return None


def vote_passed(ctx):
    """For a decision that needs its vote to pass (no 'failed' target)."""
    if ctx.vote is not None and not ctx.vote.passed:
        return ctx.vote.message
    return None


def open_case_of(session: Session, process: str, person_id: int) -> int | None:
    """The id of an open case of ``process`` (a name) about the person, or None."""
    return session.scalar(sa.select(Case.id).where(
        Case.process == process, Case.person_id == person_id, Case.closed_at.is_(None)).limit(1))


def person_of_branch(ctx, statuses: Iterable[PersonStatus], none_chosen: Callable[[], str],
                     other_status: Callable[[Person], str]) -> str | None:
    """The case's person is chosen (else ``none_chosen()``), has one of ``statuses``
    (else ``other_status(person)``) and belongs to the case's branch. The messages
    are functions: they are translated only when they are given."""
    person = ctx.person
    if person is None:
        return none_chosen()
    if person.status not in statuses:
        return other_status(person)
    if person.unit_id != ctx.snapshot.unit_id:
        return _("%(name)s does not belong to this branch.", name=person.full_name)
    return None


def candidate_of_branch(ctx, other_status: Callable[[Person], str]) -> str | None:
    """The case's person is a candidate (quần chúng) of the case's branch
    (``other_status(person)`` says why another status is refused)."""
    return person_of_branch(ctx, (PersonStatus.candidate,), lambda: _("Choose the candidate."), other_status)


def no_open_admission(ctx):
    """The case's person has no open admission dossier (one open case of a type per person)."""
    open_id = open_case_of(ctx.session, "admission", ctx.snapshot.person_id)
    if open_id:
        return _("%(name)s already has an open admission dossier (no. %(id)s).", name=ctx.person.full_name,
                 id=open_id)
    return None


def party_member_of_branch(ctx):
    """The case's person is a party member (official or probationary) of the case's branch."""
    return person_of_branch(ctx, (PersonStatus.official, PersonStatus.probationary),
                            lambda: _("Choose the party member."),
                            lambda person: _("%(name)s is not a party member.", name=person.full_name))


def evidence_attached(ctx):
    """The report's evidence: at least one document of kind ``evidence`` on the case."""
    kinds = ctx.session.scalars(sa.select(Document.kind).where(Document.case_id == ctx.snapshot.id)).all()
    if "evidence" not in kinds:
        return _("Attach at least one evidence document (kind “Evidence”) first.")
    return None


def self_review_check(submitted: bool, requests: Iterable) -> str | None:
    """The member's self-review (kiểm điểm) is on file, or ``requests`` (the
    dates the member was asked) holds at least 3 unanswered requests, after
    which the case proceeds without it (DOMAIN.md, discipline and removal)."""
    n = len(list(requests))
    if not submitted and n < REQUESTS_BEFORE_PROCEEDING:
        return _("Without the member's self-review the case proceeds only after 3 recorded unanswered "
                 "requests; %(n)s recorded so far.", n=n)
    return None


def self_review_done(ctx):
    """Guard of ``record_self_review``: :func:`self_review_check` on the payload's
    ``submitted`` (``"yes"``/``"no"``) and the requests stored on the case."""
    return self_review_check(ctx.payload.get("submitted") == "yes", ctx.data.get("self_review_requests", []))
