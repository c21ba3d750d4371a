"""The discipline process (kỷ luật đảng viên), as DOMAIN.md's table gives it:
its states and transitions. What decides a step is in :mod:`.guards`, what a
step does in :mod:`.effects`, the rules themselves in :mod:`.rules`.

Source: Điều lệ Đảng, Chương VIII; Quy định 69-QĐ/TW (2022) and 296-QĐ/TW (2025).
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from cases.effects import store_request, store_self_review
from cases.guards import (entitled_not_more_than_members, entitled_not_more_than_organisation,
                          party_member_of_branch, self_review_done, vote_passed)
from cases.rulebooks import RULEBOOKS
from core.enums import Level, Role
from core.levels import REVIEWING, at_or_above, reviewing_at
from forms import discipline as f
from forms.shared import RequestSelfReviewForm
from workflow.definition import Process, Start, TimerSpec, Transition
from workflow.votes import COMMITTEE_MAJORITY

from .effects import (announce, appeal_window_end, is_expulsion, lapse_due, not_expulsion, open_linked_removal,
                      refer_appeal, resolve_appeal, set_reviewing_unit, store_appeal, store_decision,
                      store_findings, store_lapse, store_no_discipline, store_report, store_vote)
from .guards import (NO_APPEAL_YET, PROBATIONARY_MEMBER, announced_after_decision, appeal_change_valid,
                     appeal_in_window, appeal_route, branch_decides, branch_route, decision_after_votes,
                     evidence_before_violation_established, evidence_on_file, expulsion_proposed_by_two_thirds,
                     grassroots_decides, grassroots_expulsion_proposed_by_two_thirds, grassroots_route,
                     case_date, penalty_allowed, proposal_rule, review_route, violation_dates_valid, within_limitation)


class State(str, enum.Enum):
    """The steps of a discipline case (DOMAIN.md, "Discipline")."""

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


# ---- the definition ---------------------------------------------------------------------------------------

REPORT_GUARDS = [party_member_of_branch, violation_dates_valid]


class Discipline(Process):
    """Discipline of a party member, from the report to the discipline in force, lapsed or annulled."""

    name = "discipline"
    version = 1
    title = _l("Discipline")
    State = State
    state_labels = STATE_LABELS
    initial = S.reported
    rulebooks = RULEBOOKS
    one_open_per_person = False  # one case per violation report (DOMAIN.md), not one per person
    # An expulsion proposed or decided, until announced, takes the member out (cases.strength warns).
    takes_out = {state: (lambda data: (data.get("final_form") or data.get("proposed_form")) == "expulsion")
                 for state in ("upper_review", "superior_decision", "decided")}
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
                   guards=[violation_dates_valid, evidence_before_violation_established], effects=[store_findings],
                   label=_l("Conclude the review")),
        Transition("request_self_review", S.self_review, S.self_review, role=BS, level=Level.branch,
                   form=RequestSelfReviewForm, guards=[case_date("requested_on")],
                   effects=[store_request], label=_l("Record a request for self-review that went unanswered")),
        Transition("record_self_review", S.self_review, S.branch_vote, role=BS, level=Level.branch,
                   form=f.SelfReviewForm, guards=[self_review_done], effects=[store_self_review],
                   label=_l("Record the member's self-review")),
        # Decided here where the branch has the authority, else up all the same (branch_route).
        Transition("record_branch_vote", S.branch_vote,
                   {"decided": S.decided, "upper_review": S.upper_review, "not_disciplined": S.not_disciplined},
                   role=BS, level=Level.branch, form=f.BranchVoteForm, vote=proposal_rule(branch_decides),
                   choose=branch_route,
                   guards=[case_date("meeting_date"), entitled_not_more_than_members, evidence_on_file,
                           penalty_allowed("proposed_form", "meeting_date"),
                           within_limitation("proposed_form", "meeting_date")],
                   effects=[store_vote("branch")], label=_l("Record the branch resolution")),
        Transition("propose_removal", S.branch_vote, S.not_disciplined, role=BS, level=Level.branch,
                   form=f.ProposeRemovalForm, applies=PROBATIONARY_MEMBER, guards=[case_date("meeting_date")],
                   effects=[open_linked_removal], label=_l("Propose removing the name instead (probationary member)")),
        Transition("record_grassroots_vote", S.upper_review,
                   {"superior_decision": S.superior_decision, "decided": S.decided,
                    "not_disciplined": S.not_disciplined},
                   role=CM, level=Level.grassroots, form=f.GrassrootsVoteForm,
                   vote=proposal_rule(grassroots_decides, committee=True), choose=grassroots_route,
                   guards=[case_date("meeting_date"), entitled_not_more_than_organisation, evidence_on_file,
                           penalty_allowed("proposed_form", "meeting_date"),
                           within_limitation("proposed_form", "meeting_date"),
                           grassroots_expulsion_proposed_by_two_thirds],
                   effects=[store_vote("grassroots")], label=_l("Record the grassroots committee resolution")),
        Transition("decide", S.superior_decision, S.decided, roles=(SM, IO), level=Level.superior,
                   form=f.DecideForm, vote=COMMITTEE_MAJORITY,
                   guards=[vote_passed, case_date("meeting_date"), case_date("decision_date"),
                           entitled_not_more_than_organisation,
                           evidence_on_file, decision_after_votes, penalty_allowed("final_form", "decision_date"),
                           within_limitation("final_form", "decision_date"), expulsion_proposed_by_two_thirds],
                   effects=[store_decision], label=_l("Decide the discipline")),
        Transition("decide_no_discipline", S.superior_decision, S.not_disciplined, roles=(SM, IO),
                   level=Level.superior, form=f.DecideNoDisciplineForm, guards=[case_date("decision_date")],
                   effects=[store_no_discipline], label=_l("Decide not to discipline")),
        Transition("announce", S.decided, S.in_force, role=BS, level=Level.branch, form=f.AnnounceForm,
                   guards=[case_date("announced_on"), announced_after_decision], effects=[announce],
                   label=_l("Record that the member was told of the decision")),
        Transition("file_appeal", S.in_force, S.appeal_review, role=BS, level=Level.branch, form=f.AppealForm,
                   applies=NO_APPEAL_YET, guards=[case_date("filed_on"), appeal_in_window],
                   effects=[store_appeal, refer_appeal], label=_l("File the member's appeal")),
        Transition("lapse", S.in_force, S.lapsed, timer=TimerSpec(due=lapse_due, when=not_expulsion),
                   effects=[store_lapse], label=_l("Discipline lapsed (its period after the announcement passed)")),
        Transition("close_appeal_window", S.in_force, S.in_force,
                   timer=TimerSpec(due=appeal_window_end, when=is_expulsion), closes=True,
                   label=_l("Appeal window closed (expulsion final)")),
        Transition("resolve_appeal", S.appeal_review, {"in_force": S.in_force, "annulled": S.annulled},
                   roles=(IO, SM), level=REVIEWING, also=[(CM, reviewing_at(Level.grassroots))],
                   form=f.ResolveAppealForm, choose=appeal_route,
                   guards=[case_date("decision_date"), appeal_change_valid], effects=[resolve_appeal],
                   label=_l("Resolve the appeal")),
    ]
