"""What decides a discipline step: its guards, the vote rule and the routes a
vote or a conclusion takes. (Who resolves an appeal is the reviewing unit that
:func:`cases.discipline.effects.refer_appeal` sets when it is filed.)

Guards are ``guard(ctx) -> reason | None``; the rules they apply are in
:mod:`cases.discipline.rules`. A discipline form (hình thức kỷ luật) is called a
*penalty* here; the payload keys keep their names (``proposed_form``,
``final_form``, ``new_form``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from cases.dates import as_date, d
from cases.guards import event_date
from core.enums import Level, PersonStatus
from core.models import Unit
from workflow.i18n import _
from workflow.votes import MAJORITY, TWO_THIRDS, VoteRule

from . import rules
from .rules import EXPULSION


def proposal_rule(ctx) -> VoteRule:
    """The vote rule of a body's resolution: two thirds to propose an expulsion,
    a majority to decide (or for any other penalty). Source: Quy định 69-QĐ/TW, Điều 15."""
    if ctx.payload.get("resolution") == "propose" and ctx.payload.get("proposed_form") == EXPULSION:
        return TWO_THIRDS
    return MAJORITY


# ---- guards -----------------------------------------------------------------------------------------

# The case's own dates a discipline step's date may not precede (besides the opening).
VIOLATION_DATES = {"violation_date": _l("the violation"), "later_violation_date": _l("the later violation")}


def case_date(field: str):
    """:func:`cases.guards.event_date` for discipline: the date of a vote, a
    decision, an announcement or an appeal is not in the future, not before the
    violation (nor a later one) and not before the case was opened (DOMAIN.md,
    "Discipline": a vote's meeting date is never before the violation, nor
    before the case was opened)."""
    return event_date(field, after=VIOLATION_DATES)


def violation_dates_valid(ctx):
    """The violation dates (payload ``violation_date``, ``later_violation_date``)
    are not in the future, and a later violation is not before the first."""
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


def penalty_allowed(field: str, optional: bool = False):
    """A guard factory: the penalty in the payload's ``field`` may be given to the
    member (:func:`rules.penalty_allowed`, judged on the status they had before
    a discipline took effect); missing is refused unless ``optional``."""

    def check(ctx):
        penalty = ctx.payload.get(field)
        if not penalty:
            return None if optional else _("Choose the form of discipline.")
        status = PersonStatus(ctx.data["status_before"]) if ctx.data.get("status_before") else None
        return rules.penalty_allowed(ctx.session, ctx.person, penalty, ctx.payload.get("post_id"), status=status)

    check.__name__ = f"{field}_allowed"
    return check


def within_limitation(penalty_field: str, date_field: str):
    """A guard factory: the penalty in ``penalty_field`` is within its statute of
    limitations on the payload's ``date_field`` (default today)."""

    def check(ctx):
        penalty = ctx.payload.get(penalty_field)
        on = as_date(ctx.payload.get(date_field)) or ctx.today
        data = dict(ctx.data)
        if ctx.payload.get("later_violation_date"):
            data["later_violation_date"] = ctx.payload["later_violation_date"]
        return rules.limitation_check(penalty, data, on) if penalty else None

    check.__name__ = f"{penalty_field}_within_limitation"
    return check


def branch_may_decide(ctx):
    """Where the branch resolves to decide, it has the authority (:func:`rules.branch_authority`)."""
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
                 form=rules.penalty_name(proposal.get("form")), **{"for": proposal["votes_for"]})
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
    """Where the grassroots committee resolves to decide, it has the authority
    (:func:`rules.grassroots_authority`), and an expulsion was proposed by 2/3 of the branch."""
    if ctx.payload.get("resolution") != "decide":
        return None
    penalty = ctx.payload.get("proposed_form")
    grassroots = rules.unit_of_level(ctx.session, ctx.unit, Level.grassroots)
    reasons = rules.grassroots_authority(ctx.session, ctx.person, grassroots, penalty)
    if not reasons and penalty == EXPULSION:
        branch = _last_proposal(ctx, "branch")
        reason = _two_thirds_reason(branch, _body_name(ctx, branch))
        if reason:
            reasons.append(reason)
    return " ".join(reasons) or None


def expulsion_proposed_by_two_thirds(ctx):
    """A decided expulsion (payload ``final_form``) was proposed by 2/3 of the last proposing body."""
    if ctx.payload.get("final_form") != EXPULSION:
        return None
    proposal = _last_proposal(ctx)
    return _two_thirds_reason(proposal, _body_name(ctx, proposal))


def decision_after_votes(ctx):
    """The decision (payload ``decision_date``) is not before the last body's vote."""
    decided = as_date(ctx.payload.get("decision_date"))
    last = _last_proposal(ctx)
    voted = as_date(last["meeting_date"]) if last else None
    if decided and voted and decided < voted:
        return _("The decision date %(decided)s is before the vote of %(voted)s.", decided=d(decided),
                 voted=d(voted))
    return None


def probationary_member(ctx):
    """Removal instead of discipline is only for a probationary member."""
    person = ctx.person
    if person.status is not PersonStatus.probationary:
        return _("%(name)s is not a probationary member: removal instead of discipline is only for a probationary "
                 "member whose violation is too serious for a warning.", name=person.full_name)
    return None


def announced_after_decision(ctx):
    """The member is not told (payload ``announced_on``) before the decision."""
    told = as_date(ctx.payload.get("announced_on"))
    decided = as_date(ctx.data.get("decided_on"))
    if told and decided and told < decided:
        return _("The member cannot be told on %(told)s of a decision of %(decided)s.", told=d(told),
                 decided=d(decided))
    return None


def appeal_in_window(ctx):
    """One appeal, filed (payload ``filed_on``) within the case rulebook's
    ``appeal_window_months`` of being told (:func:`rules.appeal_check`)."""
    if ctx.data.get("appeal"):
        return _("An appeal was already filed and resolved on this discipline.")
    return rules.appeal_check(as_date(ctx.data.get("announced_on")), as_date(ctx.payload.get("filed_on")),
                              ctx.rulebook.appeal_window_months)


def appeal_change_valid(ctx):
    """A changed penalty (payload ``new_form``) is given, differs from the one
    decided, and is allowed for the member."""
    result, new = ctx.payload.get("result"), ctx.payload.get("new_form")
    if result == "changed":
        if not new:
            return _("Choose the new form of discipline.")
        if new == ctx.data.get("final_form"):
            return _("The new form is the same as the form decided; choose “upheld” instead.")
        return penalty_allowed("new_form")(ctx)
    return None


# ---- routing ---------------------------------------------------------------------------------------------

def decided_or_up(upward: str):
    """A chooser factory for a body's resolution: decided (or not disciplined,
    when the vote failed) where the body resolved to decide; otherwise the
    result goes ``upward`` all the same."""

    def route(ctx) -> str:
        if ctx.payload.get("resolution") == "decide":
            return "decided" if ctx.vote.passed else "not_disciplined"
        return upward

    route.__name__ = f"decided_or_{upward}"
    return route


branch_route = decided_or_up("upper_review")
grassroots_route = decided_or_up("superior_decision")


def review_route(ctx) -> str:
    """A violation established goes to the member's self-review; otherwise the case closes."""
    return "self_review" if ctx.payload.get("conclusion") == "violation" else "closed_no_violation"


def appeal_route(ctx) -> str:
    """An annulled discipline ends the case; upheld or changed, it stays in force."""
    return "annulled" if ctx.payload.get("result") == "annulled" else "in_force"
