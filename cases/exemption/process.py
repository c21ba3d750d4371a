"""The exemption process (miễn công tác và sinh hoạt đảng), as DOMAIN.md's table gives it."""

from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l

from cases.dates import as_date, local_midnight
from cases.guards import entitled_not_more_than_members, event_date, party_member_of_branch
from cases.rulebooks import RULEBOOKS
from core.enums import Level, Role
from forms import exemption as f
from workflow.definition import Process, Start, TimerSpec, Transition

from . import rules


class State(str, enum.Enum):
    """The steps of an exemption (DOMAIN.md, "Exemption from work and activity")."""

    requested = "requested"
    exempted = "exempted"
    refused = "refused"
    ended = "ended"


STATE_LABELS = {
    State.requested: _l("Exemption requested: the branch meeting decides"),
    State.exempted: _l("Exempted"),
    State.refused: _l("Exemption refused"),
    State.ended: _l("Exemption ended"),
}

S = State
BS = Role.branch_secretary


def request_valid(ctx):
    """A party member of the branch; the exemption's end, if given, not before its start."""
    return party_member_of_branch(ctx) or rules.period_check(as_date(ctx.payload.get("exempt_from")),
                                                             as_date(ctx.payload.get("exempt_until")))


def store_request(ctx):
    """Keep the request."""
    p = ctx.payload
    ctx.update_data(kind=p["kind"], reason=p["reason"], exempt_from=p["exempt_from"],
                    exempt_until=p.get("exempt_until"))


def exempt(ctx):
    """Keep the meeting's vote; when it passed, the member is exempted (``person.exemption``)."""
    p = ctx.payload
    ctx.update_data(branch_vote={"meeting_date": p["meeting_date"], "entitled": p["entitled"],
                                 "present": p["present"], "votes_for": p["votes_for"], "passed": ctx.vote.passed})
    if ctx.vote.passed:
        ctx.person.exemption = ctx.data["kind"]
        ctx.update_data(decided_on=p["meeting_date"])
        ctx.session.flush()


def store_refusal(ctx):
    """Keep the meeting's refusal."""
    ctx.update_data(decided_on=ctx.payload["meeting_date"], refusal_reason=ctx.payload["reason"])


def end_exemption(ctx):
    """The member resumes (on request, or at the end date): the exemption is cleared."""
    ended = ctx.payload.get("resumed_on") or ctx.data.get("exempt_until") or ctx.today.isoformat()
    ctx.update_data(ended_on=ended)
    ctx.person.exemption = None
    ctx.session.flush()


def end_date_due(ctx) -> dt.datetime:
    """The timer at the end date: the start of the day after the last exempted day."""
    return local_midnight(as_date(ctx.data["exempt_until"]) + dt.timedelta(days=1))


def has_end_date(ctx) -> bool:
    """A timer only for an exemption with an end date."""
    return bool(ctx.data.get("exempt_until"))


class Exemption(Process):
    """Exemption from party work, or from work and activity."""

    name = "exemption"
    version = 1
    title = _l("Exemption from work and activity")
    State = State
    state_labels = STATE_LABELS
    initial = S.requested
    rulebooks = RULEBOOKS
    one_open_per_person = True  # one exemption case per person at a time (DOMAIN.md)
    # The grassroots committee is informed of the branch meeting's decision, either way
    # (DOMAIN.md; Quy định 24-QĐ/TW, điểm 5): its members and standing members are notified.
    informs = {action: ((Role.committee_member, Role.standing_member), Level.grassroots)
               for action in ("decide_exempt", "decide_refuse")}
    starts = [Start(S.requested, BS, Level.branch, form=f.RequestExemptionForm, guards=[request_valid],
                    effects=[store_request], label=_l("Record a member's request for exemption"))]
    ends = [S.refused, S.ended]
    transitions = [
        Transition("decide_exempt", S.requested, {"passed": S.exempted, "failed": S.refused}, role=BS,
                   level=Level.branch, form=f.DecideExemptForm, vote=rules.MAJORITY_OF_PRESENT,
                   guards=[event_date("meeting_date"), entitled_not_more_than_members], effects=[exempt],
                   label=_l("Record the branch meeting's decision to exempt")),
        Transition("decide_refuse", S.requested, S.refused, role=BS, level=Level.branch, form=f.DecideRefuseForm,
                   guards=[event_date("meeting_date")], effects=[store_refusal],
                   label=_l("Record the branch meeting's refusal")),
        Transition("resume", S.exempted, S.ended, role=BS, level=Level.branch, form=f.ResumeForm,
                   guards=[event_date("resumed_on")], effects=[end_exemption],
                   label=_l("Record the member's return to work and activity")),
        Transition("lapse", S.exempted, S.ended, timer=TimerSpec(due=end_date_due, when=has_end_date),
                   effects=[end_exemption], label=_l("Exemption ended at its end date")),
    ]
