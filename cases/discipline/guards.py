"""What decides a discipline step: its guards, the vote rule and the routes a
vote or a conclusion takes, and where a step applies at all. (Who resolves an
appeal is the reviewing unit that :func:`cases.discipline.effects.refer_appeal`
sets when it is filed.)

Where a body's vote goes (decided there, or up to the next level) follows from
the rules and the case's facts (:func:`branch_decides`, :func:`grassroots_decides`):
the user records the vote, never chooses the route.

Guards are ``guard(ctx) -> reason | None``; the rules they apply are in
:mod:`cases.discipline.rules`. A discipline form (hình thức kỷ luật) is called a
*penalty* here; the payload keys keep their names (``proposed_form``,
``final_form``, ``new_form``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from flask_babel import lazy_gettext as _l

from cases.dates import as_date, d
from cases.guards import event_date, evidence_attached
from core.enums import Level, PersonStatus
from core.models import Person, Unit
from workflow.definition import Applies
from workflow.i18n import _
from workflow.models import Case
from workflow.votes import MAJORITY, TWO_THIRDS, VoteRule, of_committee

from . import rules
from .rules import EXPULSION


# ---- who decides ------------------------------------------------------------------------------------

def branch_decides(ctx) -> bool:
    """Does the branch decide the penalty voted (payload ``proposed_form``) itself
    (:func:`rules.branch_authority` finds no reason it may not)? Otherwise it proposes."""
    return not rules.branch_authority(ctx.session, ctx.person, ctx.payload.get("proposed_form"), ctx.data)


def grassroots_decides(ctx) -> bool:
    """Does the grassroots committee decide the penalty voted itself
    (:func:`rules.grassroots_authority`)? Otherwise it proposes to the superior level."""
    grassroots = rules.unit_of_level(ctx.session, ctx.unit, Level.grassroots)
    return not rules.grassroots_authority(ctx.session, ctx.person, grassroots, ctx.payload.get("proposed_form"))


def proposal_rule(decides, committee: bool = False):
    """A vote rule factory for a body's resolution, ``decides(ctx)`` saying whether
    it decides: two thirds of the entitled to propose an expulsion, a majority to
    decide (or for any other penalty); counted in committee members (ủy viên) for a
    committee. Source: Quy định 69-QĐ/TW, Điều 15."""

    def rule(ctx) -> VoteRule:
        chosen = TWO_THIRDS if ctx.payload.get("proposed_form") == EXPULSION and not decides(ctx) else MAJORITY
        return of_committee(chosen) if committee else chosen

    rule.__name__ = f"{decides.__name__}_rule"
    return rule


# ---- guards -----------------------------------------------------------------------------------------

# The case's own dates a discipline step's date may not precede (besides the opening).
VIOLATION_DATES = {"violation_date": _l("the violation"), "later_violation_date": _l("the later violation")}


def case_date(field: str):
    """:func:`cases.guards.event_date` for discipline: the date of a vote, a
    decision, an announcement or an appeal is not in the future, not before the
    violation (nor a later one) and not before the case was opened (DOMAIN.md,
    "Discipline": a vote's meeting date is never before the violation, nor
    before the case was opened)."""
    return event_date(field, after=VIOLATION_DATES, since_opening=True)


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


def penalty_allowed(field: str, date_field: str, optional: bool = False):
    """A guard factory: the penalty in the payload's ``field`` may be given to the
    member on the payload's ``date_field`` (the vote or the decision)
    (:func:`rules.penalty_allowed`, judged on the status they had before a
    discipline took effect; a dismissal names a post held that day and not ended);
    missing is refused unless ``optional``."""

    def check(ctx):
        penalty = ctx.payload.get(field)
        if not penalty:
            return None if optional else _("Choose the form of discipline.")
        status = PersonStatus(ctx.data["status_before"]) if ctx.data.get("status_before") else None
        return rules.penalty_allowed(ctx.session, ctx.person, penalty, ctx.payload.get("post_id"), status=status,
                                     on=as_date(ctx.payload.get(date_field)) or ctx.today)

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


def grassroots_expulsion_proposed_by_two_thirds(ctx):
    """Where the grassroots committee decides an expulsion itself (authorised to
    expel), the branch proposed it with 2/3 of its entitled members."""
    if ctx.payload.get("proposed_form") != EXPULSION or not grassroots_decides(ctx):
        return None
    branch = _last_proposal(ctx, "branch")
    return _two_thirds_reason(branch, _body_name(ctx, branch))


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


def evidence_on_file(ctx):
    """At least one evidence document is on the case (:func:`cases.guards.evidence_attached`)."""
    return evidence_attached(ctx)


def evidence_before_violation_established(ctx):
    """A review concludes that a violation is established only with at least one evidence document on the case."""
    return evidence_attached(ctx) if ctx.payload.get("conclusion") == "violation" else None


# ---- where a step applies (the case's facts; the SQL twin lists the inbox) --------------------------

def _not_probationary(facts) -> str:
    name = facts.person.full_name if facts.person is not None else "—"
    return _("%(name)s is not a probationary member: removal instead of discipline is only for a probationary "
             "member whose violation is too serious for a warning.", name=name)


def _person_is_probationary():
    """SQL on ``Case``: its person is probationary, as a correlated EXISTS (a primary-key
    probe per case the inbox weighs, not a scan of every probationary member)."""
    person = aliased(Person)
    return sa.exists().where(person.id == Case.person_id, person.status == PersonStatus.probationary)


# Removal instead of discipline: only for a probationary member.
PROBATIONARY_MEMBER = Applies(
    "probationary_member",
    test=lambda facts: facts.person is not None and facts.person.status is PersonStatus.probationary,
    sql=lambda: _person_is_probationary(),
    reason=_not_probationary)

# One appeal per discipline: none filed yet.
NO_APPEAL_YET = Applies(
    "no_appeal_yet",
    test=lambda facts: not (facts.data or {}).get("appeal"),
    sql=lambda: Case.data["appeal"].as_string().is_(None),
    reason=lambda facts: _("An appeal was already filed and resolved on this discipline."))


def announced_after_decision(ctx):
    """The member is not told (payload ``announced_on``) before the decision."""
    told = as_date(ctx.payload.get("announced_on"))
    decided = as_date(ctx.data.get("decided_on"))
    if told and decided and told < decided:
        return _("The member cannot be told on %(told)s of a decision of %(decided)s.", told=d(told),
                 decided=d(decided))
    return None


def appeal_in_window(ctx):
    """The appeal is filed (payload ``filed_on``) within the case rulebook's
    ``appeal_window_months`` of being told (:func:`rules.appeal_check`); one appeal
    per discipline is :data:`NO_APPEAL_YET`."""
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
        return penalty_allowed("new_form", "decision_date")(ctx)
    return None


# ---- routing ---------------------------------------------------------------------------------------------

def decided_or_up(decides, upward: str):
    """A chooser factory for a body's resolution: decided (or not disciplined,
    when the vote failed) where the body has the authority (``decides(ctx)``);
    otherwise the result goes ``upward`` all the same."""

    def route(ctx) -> str:
        if decides(ctx):
            return "decided" if ctx.vote.passed else "not_disciplined"
        return upward

    route.__name__ = f"decided_or_{upward}"
    return route


branch_route = decided_or_up(branch_decides, "upper_review")
grassroots_route = decided_or_up(grassroots_decides, "superior_decision")


def review_route(ctx) -> str:
    """A violation established goes to the member's self-review; otherwise the case closes."""
    return "self_review" if ctx.payload.get("conclusion") == "violation" else "closed_no_violation"


def appeal_route(ctx) -> str:
    """An annulled discipline ends the case; upheld or changed, it stays in force."""
    return "annulled" if ctx.payload.get("result") == "annulled" else "in_force"
