"""The discipline process (kỷ luật đảng viên), as DOMAIN.md's table gives it."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cases.rulebooks import RULEBOOKS
from core.enums import Level, PersonStatus, Role
from core.models import Post, Unit
from forms import discipline as f
from workflow import engine
from workflow.definition import REVIEWING, Process, Start, TimerSpec, Transition, at_or_above
from workflow.i18n import _
from workflow.votes import MAJORITY, TWO_THIRDS, VoteRule

from . import rules
from ..dates import local_midnight
from ..guards import date_not_in_future, entitled_not_more_than_members, vote_passed  # noqa: F401
from .rules import EXPULSION, as_date, d


class State(str, enum.Enum):
    reported = "reported"
    review = "review"
    self_review = "self_review"
    branch_vote = "branch_vote"
    upper_review = "upper_review"
    superior_decision = "superior_decision"
    decided = "decided"
    in_force = "in_force"
    appeal_review = "appeal_review"
    closed_no_violation = "closed_no_violation"
    not_disciplined = "not_disciplined"
    lapsed = "lapsed"
    annulled = "annulled"


STATE_LABELS = {
    State.reported: _l("Violation reported"),
    State.review: _l("Review of the report"),
    State.self_review: _l("Member's self-review"),
    State.branch_vote: _l("Branch vote"),
    State.upper_review: _l("Grassroots committee review"),
    State.superior_decision: _l("Decision of the superior level"),
    State.decided: _l("Decided, to be announced"),
    State.in_force: _l("Discipline in force"),
    State.appeal_review: _l("Appeal under review"),
    State.closed_no_violation: _l("Closed: no violation"),
    State.not_disciplined: _l("Not disciplined"),
    State.lapsed: _l("Discipline lapsed"),
    State.annulled: _l("Discipline annulled"),
}

S = State
BS, CM, SM, IO = Role.branch_secretary, Role.committee_member, Role.standing_member, Role.inspection_officer
OFFICERS = (IO, CM)


# ---- helpers --------------------------------------------------------------------------------

def _grassroots(ctx) -> Unit | None:
    return rules.unit_of_level(ctx.session, ctx.unit, Level.grassroots)


def proposal_rule(ctx) -> VoteRule:
    """A body proposing an expulsion needs two thirds; deciding (or any other form), a majority."""
    if ctx.payload.get("resolution") == "propose" and ctx.payload.get("proposed_form") == EXPULSION:
        return TWO_THIRDS
    return MAJORITY


# ---- guards -----------------------------------------------------------------------------------------

def member_reported(ctx):
    person = ctx.person
    if person is None:
        return _("Choose the party member.")
    if person.status not in (PersonStatus.official, PersonStatus.probationary):
        return _("%(name)s is not a party member.", name=person.full_name)
    if person.unit_id != ctx.case.unit_id:
        return _("%(name)s does not belong to this branch.", name=person.full_name)
    return None


def violation_dates_valid(ctx):
    out = []
    for field in ("violation_date", "later_violation_date"):
        day = as_date(ctx.payload.get(field))
        if day and day > ctx.today:
            out.append(_("The date %(date)s is in the future.", date=d(day)))
    first, later = as_date(ctx.payload.get("violation_date")), as_date(ctx.payload.get("later_violation_date"))
    if first and later and later < first:
        out.append(_("The later violation of %(later)s is before the violation of %(first)s.",
                     later=d(later), first=d(first)))
    return " ".join(out) or None


def form_allowed(form_field: str, optional: bool = False):
    def check(ctx):
        form = ctx.payload.get(form_field)
        if not form:
            return None if optional else _("Choose the form of discipline.")
        status = PersonStatus(ctx.data["status_before"]) if ctx.data.get("status_before") else None
        return rules.form_allowed(ctx.session, ctx.person, form, ctx.payload.get("post_id"), status=status)

    check.__name__ = f"{form_field}_allowed"
    return check


def within_limitation(form_field: str, date_field: str):
    def check(ctx):
        form = ctx.payload.get(form_field)
        on = as_date(ctx.payload.get(date_field)) or ctx.today
        data = dict(ctx.data)
        if ctx.payload.get("later_violation_date"):
            data["later_violation_date"] = ctx.payload["later_violation_date"]
        return rules.limitation_check(form, data, on) if form else None

    check.__name__ = f"{form_field}_within_limitation"
    return check


def branch_may_decide(ctx):
    if ctx.payload.get("resolution") != "decide":
        return None
    reasons = rules.branch_authority(ctx.session, ctx.person, ctx.payload.get("proposed_form"), ctx.data)
    return " ".join(reasons) or None


def _two_thirds_reason(proposal: dict | None, body_name: str) -> str | None:
    """Expulsion needs ≥ 2/3 of the proposing body voting for an expulsion."""
    if not proposal:
        return _("Expulsion needs at least 2/3 of the proposing body, and no body proposed it.")
    need = -(-2 * proposal["entitled"] // 3)
    if proposal.get("form") != EXPULSION or proposal["votes_for"] < need:
        return _("Expulsion needs at least 2/3 of the proposing body (%(body)s): it voted %(for)s for of "
                 "%(entitled)s entitled on a proposal of %(form)s; at least %(need)s (2/3 of %(entitled)s) are "
                 "needed.", body=body_name, entitled=proposal["entitled"], need=need,
                 form=rules.form_name(proposal.get("form")), **{"for": proposal["votes_for"]})
    return None


def _last_proposal(ctx, body: str | None = None) -> dict | None:
    proposals = [p for p in ctx.data.get("proposals", []) if body is None or p["body"] == body]
    return proposals[-1] if proposals else None


def _body_name(ctx, proposal: dict | None) -> str:
    if not proposal:
        return "—"
    unit = ctx.session.get(Unit, proposal["unit_id"])
    return unit.name if unit else proposal["body"]


def grassroots_may_decide(ctx):
    if ctx.payload.get("resolution") != "decide":
        return None
    form = ctx.payload.get("proposed_form")
    reasons = rules.grassroots_authority(ctx.session, ctx.person, _grassroots(ctx), form)
    if not reasons and form == EXPULSION:
        branch = _last_proposal(ctx, "branch")
        reason = _two_thirds_reason(branch, _body_name(ctx, branch))
        if reason:
            reasons.append(reason)
    return " ".join(reasons) or None


def expulsion_proposed_by_two_thirds(ctx):
    if ctx.payload.get("final_form") != EXPULSION:
        return None
    proposal = _last_proposal(ctx)
    return _two_thirds_reason(proposal, _body_name(ctx, proposal))


def decision_after_votes(ctx):
    decided = as_date(ctx.payload.get("decision_date"))
    last = _last_proposal(ctx)
    voted = as_date(last["meeting_date"]) if last else None
    if decided and voted and decided < voted:
        return _("The decision date %(decided)s is before the vote of %(voted)s.", decided=d(decided),
                 voted=d(voted))
    return None


def evidence_attached(ctx):
    """The report's evidence: at least one document of kind ``evidence`` on the case."""
    from cases.models import Document

    kinds = ctx.session.scalars(sa.select(Document.kind).where(Document.case_id == ctx.case.id)).all()
    if "evidence" not in kinds:
        return _("Attach at least one evidence document (kind “Evidence”) first.")
    return None


def self_review_done(ctx):
    return rules.self_review_check(ctx.payload.get("submitted") == "yes", ctx.data.get("self_review_requests", []))


def probationary_member(ctx):
    person = ctx.person
    if person.status is not PersonStatus.probationary:
        return _("%(name)s is not a probationary member: removal instead of discipline is only for a probationary "
                 "member whose violation is too serious for a warning.", name=person.full_name)
    return None


def announced_after_decision(ctx):
    told = as_date(ctx.payload.get("announced_on"))
    decided = as_date(ctx.data.get("decided_on"))
    if told and decided and told < decided:
        return _("The member cannot be told on %(told)s of a decision of %(decided)s.", told=d(told),
                 decided=d(decided))
    return None


def appeal_in_window(ctx):
    if ctx.data.get("appeal"):
        return _("An appeal was already filed and resolved on this discipline.")
    return rules.appeal_check(as_date(ctx.data.get("announced_on")), as_date(ctx.payload.get("filed_on")))


def appeal_change_valid(ctx):
    result, new = ctx.payload.get("result"), ctx.payload.get("new_form")
    if result == "changed":
        if not new:
            return _("Choose the new form of discipline.")
        if new == ctx.data.get("final_form"):
            return _("The new form is the same as the form decided; choose “upheld” instead.")
        return form_allowed("new_form")(ctx)
    return None


# ---- levels --------------------------------------------------------------------------------------------

def above_deciding_body(ctx):
    """One level above the body that decided the discipline."""
    unit = ctx.session.get(Unit, int(ctx.data.get("deciding_unit_id") or ctx.case.unit_id))
    return [unit.parent_id] if unit is not None and unit.parent_id else []


# ---- routing ---------------------------------------------------------------------------------------------

def branch_route(ctx) -> str:
    if ctx.payload.get("resolution") == "decide":
        return "decided" if ctx.vote.passed else "not_disciplined"
    return "upper_review"  # where the branch has no authority, its result goes up all the same


def grassroots_route(ctx) -> str:
    if ctx.payload.get("resolution") == "decide":
        return "decided" if ctx.vote.passed else "not_disciplined"
    return "superior_decision"


def review_route(ctx) -> str:
    return "self_review" if ctx.payload.get("conclusion") == "violation" else "closed_no_violation"


def appeal_route(ctx) -> str:
    return "annulled" if ctx.payload.get("result") == "annulled" else "in_force"


# ---- effects ---------------------------------------------------------------------------------------------

def store_report(ctx):
    p = ctx.payload
    ctx.update_data(violation_date=p.get("violation_date"), later_violation_date=p.get("later_violation_date"),
                    category=p.get("category"), managed_by_higher_level=bool(p.get("managed_by_higher_level")),
                    description=p.get("description"))


def set_reviewing_unit(ctx):
    ctx.set_reviewing_unit(ctx.acting_unit_id)


def store_findings(ctx):
    values = {"findings": ctx.payload.get("findings")}
    if ctx.payload.get("later_violation_date"):
        values["later_violation_date"] = ctx.payload["later_violation_date"]
    ctx.update_data(**values)


def store_request(ctx):
    requests = list(ctx.data.get("self_review_requests", []))
    requests.append(ctx.payload["requested_on"])
    ctx.update_data(self_review_requests=requests)


def store_self_review(ctx):
    ctx.update_data(self_review_submitted=ctx.payload.get("submitted") == "yes",
                    member_proposed_form=ctx.payload.get("member_proposed_form") or None)


def _store_vote(body: str):
    def store(ctx):
        p = ctx.payload
        proposal = {"body": body, "unit_id": ctx.acting_unit_id, "form": p["proposed_form"],
                    "resolution": p["resolution"], "meeting_date": p["meeting_date"], "entitled": p["entitled"],
                    "votes_for": p["votes_for"], "passed": ctx.vote.passed}
        values = {"proposals": list(ctx.data.get("proposals", [])) + [proposal],
                  "proposed_form": p["proposed_form"], "post_id": p.get("post_id")}
        if ctx.to_state == S.decided.value:
            values.update(final_form=p["proposed_form"], deciding_unit_id=ctx.acting_unit_id,
                          decided_on=p["meeting_date"], decided_by=body)
        ctx.update_data(**values)

    store.__name__ = f"store_{body}_vote"
    return store


def store_decision(ctx):
    p = ctx.payload
    ctx.update_data(final_form=p["final_form"], post_id=p.get("post_id") or ctx.data.get("post_id"),
                    decision_number=p["decision_number"], decided_on=p["decision_date"],
                    deciding_unit_id=ctx.acting_unit_id, decided_by="superior")


def store_no_discipline(ctx):
    ctx.update_data(decision_number=ctx.payload["decision_number"], decided_on=ctx.payload["decision_date"],
                    deciding_unit_id=ctx.acting_unit_id)


def _apply_form(ctx, form: str, post_id, day: dt.date) -> None:
    person = ctx.person
    if form == EXPULSION:
        person.status = PersonStatus.expelled
    elif form == rules.DISMISSAL and post_id:
        post = ctx.session.get(Post, int(post_id))
        if post is not None and post.person_id == person.id and post.ended_on is None:
            post.ended_on = day
            ctx.update_data(ended_post_id=post.id)


def _undo_form(ctx) -> None:
    person = ctx.person
    form = ctx.data.get("final_form")
    if form == EXPULSION and ctx.data.get("status_before"):
        person.status = PersonStatus(ctx.data["status_before"])
    elif form == rules.DISMISSAL and ctx.data.get("ended_post_id"):
        post = ctx.session.get(Post, int(ctx.data["ended_post_id"]))
        if post is not None:
            post.ended_on = None
        ctx.update_data(ended_post_id=None)


def announce(ctx):
    """The member is told: expulsion → expelled; dismissal ends the post."""
    told = as_date(ctx.payload["announced_on"])
    ctx.update_data(announced_on=told.isoformat(), status_before=ctx.person.status.value,
                    appeal_until=rules.appeal_last_day(told).isoformat(),
                    lapses_on=None if ctx.data.get("final_form") == EXPULSION else rules.lapse_day(told).isoformat())
    _apply_form(ctx, ctx.data.get("final_form"), ctx.data.get("post_id"), told)
    ctx.session.flush()


def store_appeal(ctx):
    ctx.update_data(appeal={"filed_on": ctx.payload["filed_on"], "grounds": ctx.payload["grounds"]})


def resolve_appeal(ctx):
    p = ctx.payload
    appeal = dict(ctx.data.get("appeal") or {})
    appeal.update(result=p["result"], decision_number=p["decision_number"], decision_date=p["decision_date"],
                  previous_form=ctx.data.get("final_form"))
    day = as_date(p["decision_date"])
    if p["result"] in ("changed", "annulled"):
        _undo_form(ctx)
    if p["result"] == "changed":
        post_id = p.get("post_id") or ctx.data.get("post_id")
        ctx.update_data(final_form=p["new_form"], post_id=post_id,
                        lapses_on=None if p["new_form"] == EXPULSION else ctx.data.get("lapses_on") or
                        rules.lapse_day(as_date(ctx.data["announced_on"])).isoformat())
        _apply_form(ctx, p["new_form"], post_id, day)
    if p["result"] == "annulled":
        ctx.update_data(annulled_on=p["decision_date"])
    ctx.update_data(appeal=appeal)
    ctx.session.flush()


def store_lapse(ctx):
    ctx.update_data(lapsed_on=rules.lapse_day(as_date(ctx.data["announced_on"])).isoformat())


def open_linked_removal(ctx):
    """A probationary member whose violation is too serious for a warning: their
    name is removed instead; the removal case is opened now, linked both ways."""
    from cases.removal.process import Removal

    removal = engine.start_linked(ctx, Removal, payload={
        "person_id": ctx.case.person_id, "grounds": "probationary_serious_violation",
        "description": ctx.payload["reason"]}, data={"discipline_case_id": ctx.case.id})
    ctx.update_data(removal_case_id=removal.id, removal_proposed_on=ctx.payload["meeting_date"])


# ---- timers ----------------------------------------------------------------------------------------------

def lapse_due(ctx) -> dt.datetime:
    return local_midnight(rules.lapse_day(as_date(ctx.data["announced_on"])))


def appeal_window_end(ctx) -> dt.datetime:
    return local_midnight(rules.appeal_last_day(as_date(ctx.data["announced_on"])) + dt.timedelta(days=1))


def not_expulsion(ctx) -> bool:
    return ctx.data.get("final_form") != EXPULSION


def is_expulsion(ctx) -> bool:
    return ctx.data.get("final_form") == EXPULSION


# ---- the definition ---------------------------------------------------------------------------------------

REPORT_GUARDS = [member_reported, violation_dates_valid]


class Discipline(Process):
    name = "discipline"
    version = 1
    title = _l("Discipline")
    State = State
    state_labels = STATE_LABELS
    initial = S.reported
    rulebooks = RULEBOOKS
    starts = [
        Start(S.reported, OFFICERS, at_or_above(Level.grassroots), form=f.ReportForm, guards=REPORT_GUARDS,
              effects=[store_report], label=_l("Report a violation")),
        Start(S.self_review, BS, Level.branch, form=f.ReportForm, guards=REPORT_GUARDS, effects=[store_report],
              label=_l("The branch's own finding of a violation")),
    ]
    ends = [S.closed_no_violation, S.not_disciplined, S.lapsed, S.annulled]
    transitions = [
        Transition("open_review", S.reported, S.review, roles=OFFICERS, level=at_or_above(Level.grassroots),
                   form=f.OpenReviewForm, effects=[set_reviewing_unit], label=_l("Open the review")),
        Transition("dismiss_report", S.reported, S.closed_no_violation, roles=OFFICERS,
                   level=at_or_above(Level.grassroots), form=f.DismissReportForm, label=_l("Dismiss the report")),
        Transition("conclude_review", S.review,
                   {"self_review": S.self_review, "closed_no_violation": S.closed_no_violation},
                   roles=OFFICERS, level=REVIEWING, form=f.ConcludeReviewForm, choose=review_route,
                   guards=[violation_dates_valid], effects=[store_findings], label=_l("Conclude the review")),
        Transition("request_self_review", S.self_review, S.self_review, role=BS, level=Level.branch,
                   form=f.RequestSelfReviewForm, guards=[date_not_in_future("requested_on")],
                   effects=[store_request], label=_l("Record a request for self-review that went unanswered")),
        Transition("record_self_review", S.self_review, S.branch_vote, role=BS, level=Level.branch,
                   form=f.SelfReviewForm, guards=[self_review_done], effects=[store_self_review],
                   label=_l("Record the member's self-review")),
        Transition("record_branch_vote", S.branch_vote,
                   {"decided": S.decided, "upper_review": S.upper_review, "not_disciplined": S.not_disciplined},
                   role=BS, level=Level.branch, form=f.BranchVoteForm, vote=proposal_rule, choose=branch_route,
                   guards=[date_not_in_future("meeting_date"), entitled_not_more_than_members,
                           form_allowed("proposed_form"), within_limitation("proposed_form", "meeting_date"),
                           branch_may_decide],
                   effects=[_store_vote("branch")], label=_l("Record the branch resolution")),
        Transition("propose_removal", S.branch_vote, S.not_disciplined, role=BS, level=Level.branch,
                   form=f.ProposeRemovalForm, guards=[probationary_member, date_not_in_future("meeting_date")],
                   effects=[open_linked_removal], label=_l("Propose removing the name instead (probationary member)")),
        Transition("record_grassroots_vote", S.upper_review,
                   {"superior_decision": S.superior_decision, "decided": S.decided,
                    "not_disciplined": S.not_disciplined},
                   role=CM, level=Level.grassroots, form=f.GrassrootsVoteForm, vote=proposal_rule,
                   choose=grassroots_route,
                   guards=[date_not_in_future("meeting_date"), form_allowed("proposed_form"),
                           within_limitation("proposed_form", "meeting_date"), grassroots_may_decide],
                   effects=[_store_vote("grassroots")], label=_l("Record the grassroots committee resolution")),
        Transition("decide", S.superior_decision, S.decided, roles=(SM, IO), level=Level.superior,
                   form=f.DecideForm, vote=MAJORITY,
                   guards=[vote_passed, date_not_in_future("decision_date"), decision_after_votes,
                           form_allowed("final_form"), within_limitation("final_form", "decision_date"),
                           expulsion_proposed_by_two_thirds],
                   effects=[store_decision], label=_l("Decide the discipline")),
        Transition("decide_no_discipline", S.superior_decision, S.not_disciplined, roles=(SM, IO),
                   level=Level.superior, form=f.DecideNoDisciplineForm, guards=[date_not_in_future("decision_date")],
                   effects=[store_no_discipline], label=_l("Decide not to discipline")),
        Transition("announce", S.decided, S.in_force, role=BS, level=Level.branch, form=f.AnnounceForm,
                   guards=[date_not_in_future("announced_on"), announced_after_decision], effects=[announce],
                   label=_l("Record that the member was told of the decision")),
        Transition("file_appeal", S.in_force, S.appeal_review, role=BS, level=Level.branch, form=f.AppealForm,
                   guards=[date_not_in_future("filed_on"), appeal_in_window], effects=[store_appeal],
                   label=_l("File the member's appeal")),
        Transition("lapse", S.in_force, S.lapsed, timer=TimerSpec(due=lapse_due, when=not_expulsion),
                   effects=[store_lapse], label=_l("Discipline lapsed (12 months after announcement)")),
        Transition("close_appeal_window", S.in_force, S.in_force,
                   timer=TimerSpec(due=appeal_window_end, when=is_expulsion), closes=True,
                   label=_l("Appeal window closed (expulsion final)")),
        Transition("resolve_appeal", S.appeal_review, {"in_force": S.in_force, "annulled": S.annulled},
                   roles=(IO, SM), level=above_deciding_body, form=f.ResolveAppealForm, choose=appeal_route,
                   guards=[date_not_in_future("decision_date"), appeal_change_valid], effects=[resolve_appeal],
                   label=_l("Resolve the appeal")),
    ]
