"""The removal process (xóa tên đảng viên), as DOMAIN.md's table gives it."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from cases.effects import store_request, store_self_review
from cases.guards import (entitled_not_more_than_members, entitled_not_more_than_organisation, event_date,
                          evidence_attached, open_case_of, party_member_of_branch, self_review_done, vote_passed)
from cases.rulebooks import RULEBOOKS
from core.enums import Level, PersonStatus, Role
from forms import removal as f
from forms.shared import RequestSelfReviewForm, SelfReviewForm
from workflow.definition import Process, Start, Transition
from workflow.i18n import _
from workflow.votes import COMMITTEE_MAJORITY, COMMITTEE_TWO_THIRDS, TWO_THIRDS

from . import rules


class State(str, enum.Enum):
    """The steps of a removal from the rolls (DOMAIN.md, "Removal")."""

    proposed = "proposed"
    branch_vote = "branch_vote"
    grassroots_vote = "grassroots_vote"
    superior_decision = "superior_decision"
    removed = "removed"
    dropped = "dropped"


STATE_LABELS = {
    State.proposed: _l("Removal proposed: member's self-review"),
    State.branch_vote: _l("Branch vote"),
    State.grassroots_vote: _l("Grassroots committee vote"),
    State.superior_decision: _l("Decision of the superior standing committee"),
    State.removed: _l("Name removed"),
    State.dropped: _l("Removal dropped"),
}

S = State
BS, CM, SM = Role.branch_secretary, Role.committee_member, Role.standing_member


def member_of_branch(ctx):
    """The person is a party member of the branch with no other open removal case."""
    reason = party_member_of_branch(ctx)
    if reason:
        return reason
    open_case = open_case_of(ctx.session, Removal.name, ctx.person.id)
    if open_case:
        return _("%(name)s already has an open removal case (no. %(id)s).", name=ctx.person.full_name, id=open_case)
    return None


def months_missed(ctx):
    """See :func:`rules.months_missed_check` (payload ``grounds``, ``months_missed``)."""
    return rules.months_missed_check(ctx.payload.get("grounds"), ctx.payload.get("months_missed"))


def store_proposal(ctx):
    """Keep the proposal (grounds, months missed, facts) on the case."""
    p = ctx.payload
    ctx.update_data(grounds=p["grounds"], months_missed=p.get("months_missed"), description=p.get("description"))


def store_vote(name):
    """An effect factory: keep the vote (meeting date, entitled, for, passed) under the case data key ``name``."""

    def store(ctx):
        p = ctx.payload
        ctx.update_data(**{name: {"meeting_date": p["meeting_date"], "entitled": p["entitled"],
                                  "votes_for": p["votes_for"], "passed": ctx.vote.passed}})

    store.__name__ = f"store_{name}"
    return store


def become_removed(ctx):
    """The person's name is removed: status ``removed``; the decision is kept."""
    ctx.person.status = PersonStatus.removed
    ctx.update_data(decision_number=ctx.payload["decision_number"], decided_on=ctx.payload["decision_date"])
    ctx.session.flush()


def store_keep(ctx):
    """Keep the decision to keep the member."""
    ctx.update_data(decision_number=ctx.payload["decision_number"], decided_on=ctx.payload["decision_date"])


class Removal(Process):
    """Removal of a member's name from the rolls (xóa tên)."""

    name = "removal"
    version = 1
    title = _l("Removal from the rolls")
    State = State
    state_labels = STATE_LABELS
    initial = S.proposed
    rulebooks = RULEBOOKS
    one_open_per_person = True  # one removal case per person at a time (DOMAIN.md); a unique index holds it
    # Open removals take the member out of their organisation if decided (cases.strength warns).
    takes_out = {state: (lambda data: True) for state in ("proposed", "branch_vote", "grassroots_vote",
                                                           "superior_decision")}
    starts = [Start(S.proposed, BS, Level.branch, form=f.ProposeRemovalForm, guards=[member_of_branch, months_missed],
                    effects=[store_proposal], label=_l("Propose removing a member's name"))]
    ends = [S.removed, S.dropped]
    transitions = [
        Transition("request_self_review", S.proposed, S.proposed, role=BS, level=Level.branch,
                   form=RequestSelfReviewForm, guards=[event_date("requested_on")],
                   effects=[store_request], label=_l("Record a request for self-review that went unanswered")),
        Transition("record_self_review", S.proposed, S.branch_vote, role=BS, level=Level.branch,
                   form=SelfReviewForm, guards=[self_review_done], effects=[store_self_review],
                   label=_l("Record the member's self-review")),
        Transition("record_branch_vote", S.branch_vote, {"passed": S.grassroots_vote, "failed": S.dropped},
                   role=BS, level=Level.branch, form=f.BranchVoteForm, vote=TWO_THIRDS,
                   guards=[event_date("meeting_date"), entitled_not_more_than_members, evidence_attached],
                   effects=[store_vote("branch_vote")], label=_l("Record the branch resolution on the removal")),
        Transition("record_grassroots_vote", S.grassroots_vote, {"passed": S.superior_decision, "failed": S.dropped},
                   role=CM, level=Level.grassroots, form=f.GrassrootsVoteForm, vote=COMMITTEE_TWO_THIRDS,
                   guards=[event_date("meeting_date"), entitled_not_more_than_organisation], effects=[store_vote("grassroots_vote")],
                   label=_l("Record the grassroots committee resolution on the removal")),
        Transition("decide_remove", S.superior_decision, S.removed, role=SM, level=Level.superior,
                   form=f.DecideRemoveForm, vote=COMMITTEE_MAJORITY,
                   guards=[vote_passed, event_date("meeting_date"), event_date("decision_date"),
                           entitled_not_more_than_organisation],
                   effects=[become_removed], label=_l("Decide to remove the name")),
        Transition("decide_keep", S.superior_decision, S.dropped, role=SM, level=Level.superior, form=f.DecideKeepForm,
                   guards=[event_date("decision_date")], effects=[store_keep],
                   label=_l("Decide to keep the member")),
    ]
