"""Contact with the residence branch (Quy định 213-QĐ/TW; DOMAIN.md "Contact with the
residence branch"): a member working at an agency registers with the branch where they
live; each year before grading that branch's secretary records, for every member
registered with it, ``fulfilled`` or ``breach`` with a text. The working branch sees the
comment while grading (:func:`cases.grading.rounds.sheet_lines`), a missing one flagged.

The residence branch sees, of a member registered with it, only the name and the working
branch: what it needs to comment, and nothing of the member's record or cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core import clock
from core.enums import Level
from core.models import Person, Unit
from core.permissions import RECORD_RESIDENCE_COMMENT, REGISTER_RESIDENCE, allows
from workflow.errors import InvalidPayload
from workflow.i18n import _

from .models import VERDICTS, ResidenceComment, ResidenceRegistration
from .rules import MEMBER_STATUSES
from ..queries import NotFound, get_visible

MAX_TEXT = 2000


def is_branch(unit: Unit) -> bool:
    """A unit members belong to: a chi bộ, or a chi bộ cơ sở."""
    return unit.level is Level.branch or (unit.level is Level.grassroots and unit.grassroots_branch)


def residence_branches(session: Session, person: Person) -> list[Unit]:
    """The branches a member may register with: every branch under the superior committee
    above the member's unit (the commune or district they work in), by name."""
    ids = [int(x) for x in person.unit.path.strip("/").split("/") if x]
    superior = session.scalar(sa.select(Unit).where(Unit.id.in_(ids), Unit.level == Level.superior)
                              .order_by(sa.func.length(Unit.path).desc()).limit(1))
    root = superior.path if superior is not None else person.unit.path
    return [u for u in session.scalars(sa.select(Unit).where(Unit.path.startswith(root, autoescape=True),
                                                             Unit.level.in_([Level.branch, Level.grassroots]))
                                       .order_by(Unit.name, Unit.id)) if is_branch(u) and u.id != person.unit_id]


def register(session: Session, user, person_id, residence_unit_id, registered_on: dt.date | None = None
             ) -> ResidenceRegistration:
    """Register the member ``person_id`` with the residence branch ``residence_unit_id``
    (a new registration replaces the earlier one); commits. Who: the member's branch
    secretary or the organisation board (:data:`core.permissions.REGISTER_RESIDENCE`).
    Raises :class:`NotFound` for a person absent, outside the scope or not the user's to
    register; :class:`~workflow.errors.InvalidPayload` (``person_id``, ``residence_unit_id``,
    ``registered_on``) for a non-member, a unit that is not one of
    :func:`residence_branches`, or a date in the future."""
    person = get_visible(session, user, Person, person_id)
    if not allows(session, user, REGISTER_RESIDENCE, person.unit):
        raise NotFound(person_id)
    errors: dict[str, list[str]] = {}
    if person.status not in MEMBER_STATUSES:
        errors["person_id"] = [str(_("Only party members register with a residence branch."))]
    choices = {u.id: u for u in residence_branches(session, person)}
    try:
        unit = choices.get(int(residence_unit_id))
    except (TypeError, ValueError):
        unit = None
    if unit is None:
        errors["residence_unit_id"] = [str(_("Choose the branch where the member lives."))]
    day = registered_on or clock.today()
    if day > clock.today():
        errors["registered_on"] = [str(_("The date %(date)s is in the future.", date=day.isoformat()))]
    if errors:
        raise InvalidPayload(errors)
    row = session.scalar(sa.select(ResidenceRegistration).where(ResidenceRegistration.person_id == person.id))
    if row is None:
        row = ResidenceRegistration(person_id=person.id)
        session.add(row)
    row.residence_unit_id, row.registered_on = unit.id, day
    row.recorded_by_id, row.recorded_at = user.id, clock.now()
    session.commit()
    return row


def registration_of(session: Session, person_id: int) -> ResidenceRegistration | None:
    """The member's residence registration, if any."""
    return session.scalar(sa.select(ResidenceRegistration).where(ResidenceRegistration.person_id == person_id))


def residence_unit_for(session: Session, user, unit_id) -> Unit:
    """The residence branch ``unit_id`` whose comments ``user`` records (its secretary);
    :class:`NotFound` otherwise."""
    unit = get_visible(session, user, Unit, unit_id)
    if not allows(session, user, RECORD_RESIDENCE_COMMENT, unit):
        raise NotFound(unit_id)
    return unit


@dataclass
class CommentLine:
    """A member registered with the residence branch, with the comment of the year if any."""

    person_id: int
    name: str
    working_unit: str
    verdict: str | None
    text: str


def comment_sheet(session: Session, unit: Unit, year: int) -> list[CommentLine]:
    """The members registered with ``unit`` and their comments of ``year`` (one query), by name."""
    working = sa.orm.aliased(Unit)
    rows = session.execute(
        sa.select(Person.id, Person.full_name, working.name, ResidenceComment.verdict, ResidenceComment.text)
        .select_from(ResidenceRegistration).join(Person, Person.id == ResidenceRegistration.person_id)
        .join(working, working.id == Person.unit_id)
        .outerjoin(ResidenceComment, sa.and_(ResidenceComment.person_id == Person.id, ResidenceComment.year == year))
        .where(ResidenceRegistration.residence_unit_id == unit.id, Person.status.in_(MEMBER_STATUSES))
        .order_by(Person.name_folded, Person.id)).all()
    return [CommentLine(pid, name, wname, verdict, text or "") for pid, name, wname, verdict, text in rows]


def record_comments(session: Session, user, unit: Unit, year: int, rows: list[dict]) -> int:
    """Record the residence branch's comments of ``year``, all or nothing; commits. ``rows``:
    ``[{"person_id", "verdict": "fulfilled" | "breach", "text"}]``; a row with no verdict
    is left for later; a comment recorded before is corrected. Returns how many were
    written. Raises :class:`NotFound` when ``user`` is not the branch's secretary and
    :class:`~workflow.errors.InvalidPayload` (field ``rows``) naming each bad line: a member
    not registered here, an unknown verdict, a breach without its text, a text too long."""
    if not allows(session, user, RECORD_RESIDENCE_COMMENT, unit):
        raise NotFound(unit.id)
    if not isinstance(year, int) or not 2019 <= year <= clock.today().year:
        raise InvalidPayload({"year": [str(_("Enter a year from %(first)s to %(last)s.", first=2019,
                                               last=clock.today().year))]})
    lines = {line.person_id: line for line in comment_sheet(session, unit, year)}
    errors: list[str] = []
    wanted: list[tuple[int, str, str]] = []
    for row in rows:
        pid = row.get("person_id")
        line = lines.get(pid) if isinstance(pid, int) else None
        if line is None:
            errors.append(str(_("No member with this id is registered with this branch.")))
            continue
        verdict, text = row.get("verdict") or None, str(row.get("text") or "").strip()
        if verdict is None:
            continue
        if verdict not in VERDICTS:
            errors.append(str(_("%(name)s: choose fulfilled or breach.", name=line.name)))
        elif verdict == "breach" and not text:
            errors.append(str(_("%(name)s: say what the breach was.", name=line.name)))
        elif len(text) > MAX_TEXT:
            errors.append(str(_("%(name)s: at most %(n)s characters.", name=line.name, n=MAX_TEXT)))
        else:
            wanted.append((pid, verdict, text))
    if errors:
        raise InvalidPayload({"rows": errors})
    existing = {c.person_id: c for c in session.scalars(sa.select(ResidenceComment).where(
        ResidenceComment.person_id.in_([w[0] for w in wanted]), ResidenceComment.year == year))}
    now = clock.now()
    for pid, verdict, text in wanted:
        comment = existing.get(pid) or ResidenceComment(person_id=pid, year=year)
        comment.residence_unit_id, comment.verdict, comment.text = unit.id, verdict, text
        comment.recorded_by_id, comment.recorded_at = user.id, now
        session.add(comment)
    session.commit()
    return len(wanted)
