"""What a discipline step does: its effects (``effect(ctx)``, inside the
engine's transaction) and the due dates of its timers.

The periods come from the case's rulebook: the appeal window
(``appeal_window_months``) and the lapse (``lapse_months``), both counted from
the day the member was told. A discipline form is called a *penalty* here; the
case data keeps its keys (``proposed_form``, ``final_form``, a proposal's ``form``).
"""

from __future__ import annotations

import datetime as dt

from cases.dates import as_date, local_midnight
from core.enums import Level, PersonStatus
from core.models import Post, Unit
from workflow import engine

from . import rules
from .rules import DISMISSAL, EXPULSION


def store_report(ctx):
    """Keep the report (violation dates, category, description, managed by a higher level) on the case."""
    p = ctx.payload
    ctx.update_data(violation_date=p.get("violation_date"), later_violation_date=p.get("later_violation_date"),
                    category=p.get("category"), managed_by_higher_level=bool(p.get("managed_by_higher_level")),
                    description=p.get("description"))


def set_reviewing_unit(ctx):
    """The unit where the officer opened the review becomes the reviewing unit."""
    ctx.set_reviewing_unit(ctx.acting_unit_id)


def store_findings(ctx):
    """Keep the review's findings (and a later violation, which restarts the limitation)."""
    values = {"findings": ctx.payload.get("findings")}
    if ctx.payload.get("later_violation_date"):
        values["later_violation_date"] = ctx.payload["later_violation_date"]
    ctx.update_data(**values)


def store_vote(body: str):
    """An effect factory: append the ``body``'s resolution (``"branch"`` or
    ``"grassroots"``) to the case's ``proposals``, with the route the rules gave
    it (``resolution``: ``decide`` where the body had the authority, else
    ``propose``); where it decided, the penalty is final and that body the deciding one."""

    def store(ctx):
        p = ctx.payload
        decided_here = ctx.to_state in ("decided", "not_disciplined")
        proposal = {"body": body, "unit_id": ctx.acting_unit_id, "form": p["proposed_form"],
                    "resolution": "decide" if decided_here else "propose", "meeting_date": p["meeting_date"],
                    "resolution_number": p["resolution_number"],
                    "entitled": p["entitled"], "votes_for": p["votes_for"], "passed": ctx.vote.passed}
        values = {"proposals": list(ctx.data.get("proposals", [])) + [proposal],
                  "proposed_form": p["proposed_form"], "post_id": p.get("post_id")}
        if ctx.to_state == "decided":
            values.update(final_form=p["proposed_form"], deciding_unit_id=ctx.acting_unit_id,
                          decided_on=p["meeting_date"], decided_by=body,
                          decision_number=p["resolution_number"])
        ctx.update_data(**values)

    store.__name__ = f"store_{body}_vote"
    return store


def store_decision(ctx):
    """Keep the superior's decision: the final penalty, its number and date, the deciding unit."""
    p = ctx.payload
    ctx.update_data(final_form=p["final_form"], post_id=p.get("post_id") or ctx.data.get("post_id"),
                    decision_number=p["decision_number"], decided_on=p["decision_date"],
                    deciding_unit_id=ctx.acting_unit_id, decided_by="superior")


def store_no_discipline(ctx):
    """Keep the decision not to discipline (number, date, deciding unit)."""
    ctx.update_data(decision_number=ctx.payload["decision_number"], decided_on=ctx.payload["decision_date"],
                    deciding_unit_id=ctx.acting_unit_id)


def _apply_penalty(ctx, penalty: str, post_id, day: dt.date) -> None:
    person = ctx.person
    if penalty == EXPULSION:
        person.status = PersonStatus.expelled
    elif penalty == DISMISSAL and post_id:
        post = ctx.session.get(Post, int(post_id))
        if post is not None and post.person_id == person.id and post.ended_on is None:
            post.ended_on = day
            ctx.update_data(ended_post_id=post.id)


def _undo_penalty(ctx) -> None:
    person = ctx.person
    penalty = ctx.data.get("final_form")
    if penalty == EXPULSION and ctx.data.get("status_before"):
        person.status = PersonStatus(ctx.data["status_before"])
    elif penalty == DISMISSAL and ctx.data.get("ended_post_id"):
        post = ctx.session.get(Post, int(ctx.data["ended_post_id"]))
        if post is not None:
            post.ended_on = None
        ctx.update_data(ended_post_id=None)


def _told(ctx) -> dt.date:
    return as_date(ctx.data["announced_on"])


def _lapse_day(ctx, told: dt.date) -> dt.date:
    return rules.lapse_day(told, ctx.rulebook.lapse_months)


def _appeal_last_day(ctx, told: dt.date) -> dt.date:
    return rules.appeal_last_day(told, ctx.rulebook.appeal_window_months)


def announce(ctx):
    """The member is told (payload ``announced_on``): the appeal window and the
    lapse start; expulsion → expelled; dismissal ends the post."""
    told = as_date(ctx.payload["announced_on"])
    ctx.update_data(announced_on=told.isoformat(), status_before=ctx.person.status.value,
                    appeal_until=_appeal_last_day(ctx, told).isoformat(),
                    lapses_on=None if ctx.data.get("final_form") == EXPULSION else _lapse_day(ctx, told).isoformat())
    _apply_penalty(ctx, ctx.data.get("final_form"), ctx.data.get("post_id"), told)
    ctx.session.flush()


def store_appeal(ctx):
    """Keep the member's appeal (filed on, grounds)."""
    ctx.update_data(appeal={"filed_on": ctx.payload["filed_on"], "grounds": ctx.payload["grounds"]})


def refer_appeal(ctx):
    """The appeal goes one level above the body that decided (DOMAIN.md,
    "Discipline", ``appeal_review``): for a branch's decision, the grassroots
    organisation above the branch (a đảng bộ bộ phận in between is skipped; a chi
    bộ cơ sở is its own grassroots organisation, so its decision goes to its
    parent); otherwise the parent of the deciding unit (of the case's unit when
    none was recorded). That unit becomes the reviewing unit, where
    ``resolve_appeal`` is taken; none above the root."""
    unit = ctx.session.get(Unit, int(ctx.data.get("deciding_unit_id") or ctx.snapshot.unit_id))
    if unit is None:
        ctx.set_reviewing_unit(None)
        return
    if ctx.data.get("decided_by") == "branch" and not unit.grassroots_branch:
        grassroots = rules.unit_of_level(ctx.session, unit, Level.grassroots)
        if grassroots is not None:
            ctx.set_reviewing_unit(grassroots.id)
            return
    ctx.set_reviewing_unit(unit.parent_id)


def resolve_appeal(ctx):
    """Upheld, changed (the earlier penalty is undone and the new one applied) or
    annulled (undone); the appeal's decision is kept with the penalty it replaced."""
    p = ctx.payload
    appeal = dict(ctx.data.get("appeal") or {})
    appeal.update(result=p["result"], decision_number=p["decision_number"], decision_date=p["decision_date"],
                  previous_form=ctx.data.get("final_form"))
    day = as_date(p["decision_date"])
    if p["result"] in ("changed", "annulled"):
        _undo_penalty(ctx)
    if p["result"] == "changed":
        post_id = p.get("post_id") or ctx.data.get("post_id")
        ctx.update_data(final_form=p["new_form"], post_id=post_id,
                        lapses_on=None if p["new_form"] == EXPULSION else ctx.data.get("lapses_on") or
                        _lapse_day(ctx, _told(ctx)).isoformat())
        _apply_penalty(ctx, p["new_form"], post_id, day)
    if p["result"] == "annulled":
        ctx.update_data(annulled_on=p["decision_date"])
    ctx.update_data(appeal=appeal)
    ctx.session.flush()


def store_lapse(ctx):
    """Keep the day the discipline lapsed."""
    ctx.update_data(lapsed_on=_lapse_day(ctx, _told(ctx)).isoformat())


def open_linked_removal(ctx):
    """A probationary member whose violation is too serious for a warning: their
    name is removed instead; the ``removal`` case is opened now (by name, in the
    same transaction), linked both ways."""
    removal = engine.start_linked(ctx, "removal", payload={
        "person_id": ctx.snapshot.person_id, "grounds": "probationary_serious_violation",
        "description": ctx.payload["reason"]}, data={"discipline_case_id": ctx.snapshot.id})
    ctx.update_data(removal_case_id=removal.id, removal_proposed_on=ctx.payload["meeting_date"])


# ---- timers ----------------------------------------------------------------------------------------------

def lapse_due(ctx) -> dt.datetime:
    """When the ``lapse`` timer fires: the start (local midnight, as UTC) of the lapse day."""
    return local_midnight(_lapse_day(ctx, _told(ctx)))


def appeal_window_end(ctx) -> dt.datetime:
    """When an expulsion becomes final: the start of the day after the appeal window's last day."""
    return local_midnight(_appeal_last_day(ctx, _told(ctx)) + dt.timedelta(days=1))


def not_expulsion(ctx) -> bool:
    """Only a penalty other than expulsion lapses."""
    return ctx.data.get("final_form") != EXPULSION


def is_expulsion(ctx) -> bool:
    """Only an expulsion becomes final when the appeal window closes."""
    return ctx.data.get("final_form") == EXPULSION
