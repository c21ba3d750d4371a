"""What the case page's header shows for an admission: what the current step
still lacks and the facts its decider needs (``ProcessEntry.missing`` and
``ProcessEntry.step_facts``). Read-only; the rules are the process's own
(:func:`process.eligibility`, :func:`rules.documents_checks`)."""

from __future__ import annotations

from cases.dates import as_date, d
from core.models import Person
from workflow.i18n import _

from . import process, rules

S = process.State

# The forms each step produces or reads (DOMAIN.md, "Admission", the table's rule column):
# the organisation board appraises the branch's and the committee's resolutions, and so on.
STEP_DOCUMENTS = {
    S.grassroots_vote: ("6-KNĐ",),
    S.superior_review: ("6-KNĐ", "8-KNĐ"),
    S.superior_decision: ("6-KNĐ", "8-KNĐ"),
    S.probation_branch_vote: ("10-KNĐ", "11-KNĐ", "12-KNĐ"),
    S.probation_grassroots_vote: ("13-KNĐ",),
    S.recognition_decision: ("13-KNĐ", "15-KNĐ"),
}
APPRAISAL = (S.superior_review, S.superior_decision)


def missing(session, case) -> list[str]:
    """What the current step lacks: the dossier's documents (the rule the branch vote
    applied, :func:`rules.documents_checks`, at the branch vote's date) from the
    appraisal on, the forms the step reads, and the new-member course during probation."""
    state, data = case.state, case.data or {}
    docs = process.case_documents(session, case.id)
    kinds = {doc.kind for doc in docs}
    out: list[str] = []
    if state in APPRAISAL and data.get("branch_vote_date"):
        rulebook = process.Admission.rulebooks.get(case.rulebook)
        out += [c.reason for c in rules.documents_checks(docs, as_date(data["branch_vote_date"]),
                                                         data.get("union_resolution"),
                                                         rulebook.document_valid_months) if not c.passed]
    absent = [k for k in STEP_DOCUMENTS.get(S(state), ()) if k not in kinds]
    if absent:
        out.append(_("Not uploaded: %(kinds)s.", kinds=", ".join(absent)))
    if state == S.probation and not data.get("new_member_certificate"):
        out.append(_("The new-member course certificate is not recorded yet."))
    return out


def _name(session, person_id) -> str:
    person = session.get(Person, int(person_id)) if person_id else None
    return person.full_name if person else "—"


def step_facts(session, case) -> list[tuple[str, str]]:
    """The facts the step's decider needs: the introducers and the votes at the
    appraisal and decision; the decision, the ceremony, the mentor and the end of
    probation afterwards."""
    state, data = case.state, case.data or {}
    facts: list[tuple[str, str]] = []
    if state in (S.branch_vote, S.grassroots_vote, *APPRAISAL):
        introducers, union = process.introducers_of(data)
        names = [_("%(name)s (since %(date)s)", name=_name(session, i["person_id"]), date=d(as_date(i.get("since"))))
                 for i in introducers]
        if union:
            names.append(_("the Youth Union's resolution") if union == "youth_union"
                         else _("the trade union's resolution"))
        facts.append((_("Introducers"), "; ".join(names) or "—"))
    if state == S.draft:  # a returned dossier starts again: the earlier votes no longer count
        return facts
    if data.get("branch_vote_date"):
        facts.append((_("Date of the branch vote"), d(as_date(data["branch_vote_date"]))))
    if data.get("decision_number"):
        facts.append((_("Admission decision"), _("no. %(number)s of %(date)s", number=data["decision_number"],
                                                 date=d(as_date(data.get("decision_date"))))))
    if data.get("ceremony_date"):
        facts.append((_("Admission ceremony"), d(as_date(data["ceremony_date"]))))
    if data.get("mentor_id"):
        facts.append((_("Mentor"), _name(session, data["mentor_id"])))
    if data.get("probation_ends"):
        facts.append((_("Probation ends"), d(as_date(data["probation_ends"]))))
    if data.get("new_member_certificate"):
        facts.append((_("New-member course certificate"), str(data["new_member_certificate"])))
    return facts


DOCUMENT_KINDS = tuple(f"{n}-KNĐ" for n in range(1, 17)) + ("certificate", "consent", "other")
