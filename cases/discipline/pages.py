"""What the case page shows for a discipline case: what the current step still
lacks (the engine's own guards: evidence on file, the self-review), the facts its
decider needs (the proposal, the member's own proposed form, the votes so far),
and the defaults a form takes from the case (the proposed form → the final form)."""

from __future__ import annotations

from types import SimpleNamespace

from cases.dates import as_date, d
from cases.guards import evidence_attached, self_review_check
from forms.discipline import PENALTY_CHOICES
from workflow.i18n import _

from .process import State as S

# The steps whose transitions refuse without evidence on file (guards evidence_on_file
# and evidence_before_violation_established).
NEEDS_EVIDENCE = (S.review, S.branch_vote, S.upper_review, S.superior_decision)


def form_name(value) -> str:
    """A form of discipline in words."""
    return str(dict(PENALTY_CHOICES).get(value, value or "—"))


def missing(session, case) -> list[str]:
    """The engine's refusals the current step would meet whatever the form says:
    no evidence document (:func:`cases.guards.evidence_attached`), no self-review
    nor three unanswered requests (:func:`cases.guards.self_review_check`)."""
    out = []
    if case.state in NEEDS_EVIDENCE:
        reason = evidence_attached(SimpleNamespace(session=session, snapshot=SimpleNamespace(id=case.id)))
        if reason:
            out.append(reason)
    if case.state == S.self_review:
        requests = (case.data or {}).get("self_review_requests") or []
        if self_review_check(False, requests):  # the rule the step's guard applies
            out.append(_("The member's self-review (kiểm điểm), or 3 recorded unanswered requests for it "
                         "(%(n)s so far).", n=len(requests)))
    return out


def step_facts(session, case) -> list[tuple[str, str]]:
    """The member's own proposed form, each body's vote so far (form, figures, date),
    and the form proposed now."""
    data = case.data or {}
    facts: list[tuple[str, str]] = []
    if data.get("self_review_submitted") is not None or data.get("member_proposed_form"):
        facts.append((_("Form the member proposes for themselves"), form_name(data.get("member_proposed_form"))
                      if data.get("member_proposed_form") else _("none proposed")))
    for p in data.get("proposals") or []:
        verdict = _("passed") if p.get("passed") else _("failed")
        figures = {"form": form_name(p.get("form")), "yes": p.get("votes_for"), "entitled": p.get("entitled"),
                   "verdict": verdict, "date": d(as_date(p.get("meeting_date")))}
        if p.get("body") == "branch":
            facts.append((_("Resolution of the branch"),
                          _("%(form)s — %(yes)s of %(entitled)s for, %(verdict)s (%(date)s)", **figures)))
        else:  # a committee's vote counts its members (ủy viên)
            facts.append((_("Resolution of the grassroots committee"),
                          _("%(form)s — %(yes)s of %(entitled)s committee members for, %(verdict)s (%(date)s)",
                            **figures)))
    if data.get("proposed_form") and not data.get("final_form"):
        facts.append((_("Form proposed now"), form_name(data["proposed_form"])))
    return facts


def form_defaults(case, action: str) -> dict:
    """A form's defaults from the case: the branch starts from the member's own
    proposal, the committee and the superior from the last proposed form, and the post named."""
    data = case.data or {}
    if action == "record_branch_vote":
        return {"proposed_form": data.get("member_proposed_form"), "post_id": data.get("post_id")}
    if action == "record_grassroots_vote":
        return {"proposed_form": data.get("proposed_form"), "post_id": data.get("post_id")}
    if action == "decide":
        return {"final_form": data.get("proposed_form"), "post_id": data.get("post_id")}
    return {}


DOCUMENT_KINDS = ("evidence", "decision", "appeal", "other")
