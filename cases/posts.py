"""Posts (chức vụ) in the member registry, for the pages and the API alike:
a member holds a post at a unit from a start date to an end date; the
organisation board appoints and ends posts (a dismissal's announcement ends one
too, as an effect of its case); a post is never deleted (DOMAIN.md "Posts").

A member under discipline in force cannot be given a new post: each process
may bar an appointment (``ProcessEntry.appointment_bar``; discipline does, and
names its case), so this module does not import a process.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core import clock
from core.enums import PersonStatus
from core.models import Person, Post, Unit
from core.permissions import MANAGE_POSTS, allows, can_view
from forms.people import AppointForm, EndPostForm
from workflow.errors import GuardFailed, InvalidPayload, NotPermitted
from workflow.guards import validate_form
from workflow.i18n import _

from .dates import d
from .queries import NotFound
from .registry import all_entries

MEMBERS = (PersonStatus.official, PersonStatus.probationary)


def posts_of(session: Session, person_id: int) -> list[Post]:
    """Every post the person has held, ended ones included, by start date."""
    return list(session.scalars(sa.select(Post).where(Post.person_id == person_id)
                                .order_by(Post.started_on, Post.id)))


def post_units(session: Session, user, person: Person) -> list[Unit]:
    """Where the person may be given a post: their unit or a unit above it, among
    those the user sees, the person's own unit first."""
    units = session.scalars(sa.select(Unit).where(Unit.id.in_(person.unit.ancestor_ids)))
    return sorted((u for u in units if can_view(user, u, session)), key=lambda u: -len(u.path))


def may_manage_posts(session: Session, user, person: Person) -> bool:
    """Is ``user`` of the organisation board over the person's unit (:data:`core.permissions.MANAGE_POSTS`)?"""
    return allows(session, user, MANAGE_POSTS, person.unit)


def _board_only(session: Session, user, person: Person) -> None:
    if not may_manage_posts(session, user, person):
        raise NotPermitted(_("Only the organisation board records posts."))


def appointment_bar(session: Session, person_id: int, days: list[dt.date]) -> str | None:
    """Why the person may not be given a post on any of ``days`` (a discipline in
    force, naming its case), or None."""
    for entry in all_entries().values():
        if entry.appointment_bar is None:
            continue
        for day in dict.fromkeys(days):
            reason = entry.appointment_bar(session, person_id, day)
            if reason:
                return reason
    return None


def appoint(session: Session, user, person: Person, payload: dict) -> Post:
    """Give ``person`` (one the user may see) a post: ``payload`` holds the fields
    of :class:`forms.people.AppointForm` (title, unit_id, start, committee_seat).
    Flushes and returns the new post.

    Raises ``NotPermitted`` outside the organisation board, ``InvalidPayload``
    for a field that fails or a unit that is not the person's or above it in the
    user's scope, and ``GuardFailed`` for a person who is not a party member,
    already holds that post, or is under discipline in force today or on the
    start date (the case named)."""
    _board_only(session, user, person)
    _data, data = validate_form(AppointForm, payload)
    unit = session.get(Unit, data["unit_id"])
    if unit is None or unit.id not in {u.id for u in post_units(session, user, person)}:
        raise InvalidPayload({"unit_id": [_("Choose the member's unit or a unit above it, among your units.")]})
    title = data["title"]
    reasons = []
    if person.status not in MEMBERS:
        reasons.append(_("%(name)s is not a party member and cannot be given a post.", name=person.full_name))
    held = session.scalar(sa.select(Post).where(Post.person_id == person.id, Post.unit_id == unit.id,
                                                Post.title == title, Post.ended_on.is_(None)).limit(1))
    if held is not None:
        reasons.append(_("%(name)s already holds the post %(title)s at %(unit)s (since %(since)s).",
                         name=person.full_name, title=title, unit=unit.name, since=d(held.started_on)))
    bar = appointment_bar(session, person.id, [clock.today(), data["start"]])
    if bar:
        reasons.append(bar)
    if reasons:
        raise GuardFailed(reasons)
    post = Post(person_id=person.id, unit_id=unit.id, title=title, committee_seat=bool(data.get("committee_seat")),
                started_on=data["start"], recorded_by_id=user.id)
    session.add(post)
    session.flush()
    return post


def end_post(session: Session, user, person: Person, post_id: int, payload: dict) -> Post:
    """End the person's post ``post_id`` on the day in ``payload`` (``end``, of
    :class:`forms.people.EndPostForm`); the post stays in the registry. Flushes.

    Raises :class:`cases.queries.NotFound` for a post that is not the person's,
    ``NotPermitted`` outside the organisation board, ``InvalidPayload`` for a bad
    date, and ``GuardFailed`` for a post already ended or an end before its start."""
    post = session.get(Post, post_id)
    if post is None or post.person_id != person.id:
        raise NotFound(post_id)
    _board_only(session, user, person)
    _data, data = validate_form(EndPostForm, payload)
    end = data["end"]
    if post.ended_on is not None:
        raise GuardFailed([_("The post %(title)s already ended on %(date)s.", title=post.title,
                             date=d(post.ended_on))])
    if end < post.started_on:
        raise GuardFailed([_("The post %(title)s cannot end on %(end)s, before it started on %(start)s.",
                             title=post.title, end=d(end), start=d(post.started_on))])
    post.ended_on = end
    session.flush()
    return post
