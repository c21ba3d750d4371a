"""The discipline rules of DOMAIN.md as plain functions (kỷ luật đảng viên).

Each returns a reason (a translated message naming the figures) when it
refuses, or None; the process attaches them as guards, and the transfer /
appointment check (:func:`transfer_check`) and the case pages reuse them.
A discipline form (hình thức kỷ luật) is called a *penalty* in identifiers;
stored data and payloads keep the key names ``form``, ``proposed_form``,
``final_form``. Periods (appeal window, lapse) are given by the caller from
the case's rulebook.
"""

from __future__ import annotations

import datetime as dt
import sqlalchemy as sa
from sqlalchemy.orm import Session

from cases.dates import MONTHS_PER_YEAR, add_months, as_date, d
from core.enums import LEVEL_RANK, Level, PersonStatus
from core.models import Person, Post, Unit
from workflow.i18n import _

# Penalties (hình thức kỷ luật), lightest first. Source: Quy định 69-QĐ/TW, Điều 7.
REPRIMAND, WARNING, DISMISSAL, EXPULSION = "reprimand", "warning", "dismissal", "expulsion"
PENALTIES = (REPRIMAND, WARNING, DISMISSAL, EXPULSION)
BRANCH_PENALTIES = (REPRIMAND, WARNING)  # what a branch decides (and a probationary member receives) at most
# Statute of limitations (thời hiệu), years from the (latest) violation; None: no limit.
LIMITATION_YEARS = {REPRIMAND: 5, WARNING: 10, DISMISSAL: 10, EXPULSION: None}
# Under discipline while the case is in one of these states (an appeal does not suspend it).
IN_FORCE_STATES = ("in_force", "appeal_review")


def penalty_name(penalty: str | None) -> str:
    """The penalty's name in the user's language (the code itself if unknown, "—" if none)."""
    names = {REPRIMAND: _("reprimand"), WARNING: _("warning"), DISMISSAL: _("dismissal from post"),
             EXPULSION: _("expulsion")}
    return names.get(penalty or "", penalty or "—")


# ---- penalties allowed -------------------------------------------------------------------------

def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def penalty_allowed(session: Session, person: Person, penalty: str, post_id=None,
                    status: PersonStatus | None = None, on: dt.date | None = None) -> str | None:
    """Why ``penalty`` may not be given to the person, or None. Probationary
    members: reprimand or warning only; dismissal: only from a post the person
    holds (``post_id``) on ``on`` (the vote or decision; default: any day),
    which has not ended — an ended post cannot be named again. ``status``: the
    person's status before the discipline took effect (on appeal). Source: Quy
    định 69-QĐ/TW, Điều 7; DOMAIN.md, "Discipline"."""
    status = status or person.status
    if penalty not in PENALTIES:
        return _("Unknown form of discipline “%(form)s”.", form=penalty)
    if status is PersonStatus.probationary and penalty not in BRANCH_PENALTIES:
        return _("%(name)s is a probationary member, who may receive only a reprimand or a warning, not a "
                 "%(form)s; where that is too light, the name is removed from the rolls instead.",
                 name=person.full_name, form=penalty_name(penalty))
    if status not in (PersonStatus.probationary, PersonStatus.official):
        return _("%(name)s is not a party member.", name=person.full_name)
    if penalty == DISMISSAL:
        return post_check(session, person, post_id, on)
    return None


def post_check(session: Session, person: Person, post_id, on: dt.date | None) -> str | None:
    """Why the member cannot be dismissed from the post ``post_id``: they hold no
    post, none is named, it is not theirs, it has ended, or it started after ``on``."""
    post = session.get(Post, _int(post_id)) if _int(post_id) else None
    if post is None or post.person_id != person.id:
        if not [p for p in person.posts if p.ended_on is None]:
            return _("%(name)s holds no post, so dismissal from post (cách chức) is not possible.",
                     name=person.full_name)
        return _("Name the post %(name)s is dismissed from.", name=person.full_name)
    if post.ended_on is not None:
        return _("%(name)s no longer holds the post %(post)s (it ended on %(ended)s): an ended post cannot be "
                 "named for a dismissal.", name=person.full_name, post=post.title, ended=d(post.ended_on))
    if on is not None and post.started_on > on:
        return _("%(name)s held the post %(post)s only from %(start)s, after %(on)s.", name=person.full_name,
                 post=post.title, start=d(post.started_on), on=d(on))
    return None


# ---- statute of limitations ----------------------------------------------------------------------

def limitation_start(data: dict) -> dt.date | None:
    """The violation date, restarted by a later violation."""
    days = [as_date(data.get(k)) for k in ("violation_date", "later_violation_date")]
    days = [x for x in days if x]
    return max(days) if days else None


def limitation_check(penalty: str, data: dict, on: dt.date) -> str | None:
    """Why ``penalty`` is past its statute of limitations (thời hiệu) on ``on``,
    counted from the (latest) violation in ``data``, or None. Source: Quy định
    69-QĐ/TW (thời hiệu xử lý kỷ luật)."""
    years = LIMITATION_YEARS.get(penalty)
    start = limitation_start(data)
    if years is None or start is None:
        return None
    last = add_months(start, MONTHS_PER_YEAR * years)
    if on > last:
        return _("The violation of %(violated)s is past the statute of limitations for a %(form)s: %(years)s "
                 "years, which ended on %(last)s (today's reference date is %(on)s).",
                 violated=d(start), form=penalty_name(penalty), years=years, last=d(last), on=d(on))
    return None


# ---- authority ------------------------------------------------------------------------------------

def committee_seats(session: Session, person: Person) -> list[Post]:
    """Current seats on a committee of grassroots level or above."""
    out = []
    for post in person.posts:
        if post.ended_on is None and post.committee_seat:
            unit = post.unit
            if unit.grassroots_branch or LEVEL_RANK[unit.level] <= LEVEL_RANK[Level.grassroots]:
                out.append(post)
    return out


def branch_authority(session: Session, person: Person, penalty: str, data: dict) -> list[str]:
    """Why the branch may not decide ``penalty`` itself (empty: it may). Source:
    Điều lệ Đảng, Điều 36, khoản 1."""
    reasons = []
    if penalty not in BRANCH_PENALTIES:
        reasons.append(_("A branch decides only a reprimand or a warning; a %(form)s is decided by a higher "
                         "level, so the branch can only propose it.", form=penalty_name(penalty)))
    if data.get("category") == "assigned_task":
        reasons.append(_("The violation concerns a task assigned by a higher level: the branch may not decide "
                         "a %(form)s for it, only propose it to the higher level.", form=penalty_name(penalty)))
    for post in committee_seats(session, person):
        reasons.append(_("%(name)s sits on the committee of %(unit)s (%(post)s): the branch may only propose.",
                         name=person.full_name, unit=post.unit.name, post=post.title))
    if data.get("managed_by_higher_level"):
        reasons.append(_("%(name)s is managed by a higher level: the branch may only propose.",
                         name=person.full_name))
    return reasons


def grassroots_authority(session: Session, person: Person, grassroots: Unit | None, penalty: str) -> list[str]:
    """Why the grassroots committee may not decide ``penalty`` itself (empty: it may)."""
    reasons = []
    for post in committee_seats(session, person):
        reasons.append(_("%(name)s sits on the committee of %(unit)s (%(post)s): the superior level decides.",
                         name=person.full_name, unit=post.unit.name, post=post.title))
    if penalty in (DISMISSAL, EXPULSION) and not (grassroots is not None and grassroots.may_expel):
        reasons.append(_("A %(form)s is decided by the standing committee of the superior level; %(unit)s is "
                         "not authorised to expel.", form=penalty_name(penalty),
                         unit=grassroots.name if grassroots else "—"))
    return reasons


def unit_of_level(session: Session, unit: Unit, level: Level) -> Unit | None:
    """The unit answering ``level`` on the path from the root to ``unit``."""
    ids = unit.ancestor_ids
    units = {u.id: u for u in session.scalars(sa.select(Unit).where(Unit.id.in_(ids)))}
    for uid in reversed(ids):
        if level in units[uid].levels:
            return units[uid]
    return None


# ---- appeal window and lapse ---------------------------------------------------------------------------

def appeal_last_day(announced: dt.date, months: int) -> dt.date:
    """The last day an appeal is accepted: ``months`` (the rulebook's
    ``appeal_window_months``) after the member was told. Source: Điều lệ Đảng,
    Điều 39, khoản 7."""
    return add_months(announced, months)


def appeal_check(announced: dt.date | None, filed: dt.date | None, months: int) -> str | None:
    """Why an appeal filed on ``filed`` is out of the window of ``months`` from
    ``announced`` (late, or before the member was told), or None."""
    if announced is None or filed is None:
        return None
    last = appeal_last_day(announced, months)
    if filed > last:
        return _("The appeal of %(filed)s is late: the member was told of the decision on %(told)s, so appeals "
                 "were accepted until %(last)s.", filed=d(filed), told=d(announced), last=d(last))
    if filed < announced:
        return _("The appeal of %(filed)s is before the member was told of the decision on %(told)s.",
                 filed=d(filed), told=d(announced))
    return None


def lapse_day(announced: dt.date, months: int) -> dt.date:
    """The day a discipline (other than expulsion) lapses: ``months`` (the
    rulebook's ``lapse_months``) after the member was told. Source: Quy định
    69-QĐ/TW, Điều 2, khoản 5."""
    return add_months(announced, months)


# ---- under discipline -----------------------------------------------------------------------------

def discipline_in_force(session: Session, person_id: int, on: dt.date | None = None):
    """The discipline case in force for the person on ``on`` (default today), or None."""
    from core import clock
    from workflow.models import Case

    on = on or clock.today()
    cases = session.scalars(sa.select(Case).where(
        Case.process == "discipline", Case.person_id == person_id,
        Case.state.in_(IN_FORCE_STATES + ("lapsed",))).order_by(Case.id.desc())).all()
    for case in cases:
        data = case.data or {}
        announced = as_date(data.get("announced_on"))
        if announced is None or announced > on:
            continue
        if case.state == "lapsed":
            lapsed = as_date(data.get("lapsed_on"))
            if lapsed is not None and on < lapsed:
                return case
            continue
        return case
    return None


def is_under_discipline(session: Session, person_id: int, on: dt.date | None = None) -> bool:
    """Is a discipline in force on the person (a member under discipline cannot be
    transferred, appointed or promoted)?"""
    return discipline_in_force(session, person_id, on) is not None


def transfer_check(session: Session, person_id: int, on: dt.date | None = None) -> str | None:
    """The refusal a transfer, appointment or promotion gets, or None."""
    case = discipline_in_force(session, person_id, on)
    if case is None:
        return None
    person = session.get(Person, person_id)
    data = case.data or {}
    return _("%(name)s is under discipline (%(form)s, told on %(told)s, case no. %(id)s) and cannot be "
             "transferred, appointed or promoted while it is in force.", name=person.full_name,
             form=penalty_name(data.get("final_form")), told=d(as_date(data.get("announced_on"))), id=case.id)
