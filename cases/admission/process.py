"""The admission process (kết nạp đảng viên), as DOMAIN.md's table gives it."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from cases.certificates import certificate_check, certificate_on
from cases.dates import add_months, as_date, d, local_midnight
from cases.documents import current_documents
from cases.guards import (Check, candidate_of_branch, entitled_not_more_than_members, event_date,
                          entitled_not_more_than_organisation,
                          no_open_admission, vote_passed)
from cases.models import Document
from cases.rulebooks import RULEBOOKS
from core.enums import Level, PersonStatus, Role
from core.models import Certificate, Person
from forms import admission as f
from workflow import calendar
from workflow.definition import CLEAR, Deadline, Process, Start, TimerSpec, Transition
from workflow.i18n import _
from workflow.votes import COMMITTEE_MAJORITY, COMMITTEE_TWO_THIRDS, TWO_THIRDS

from . import rules


class State(str, enum.Enum):
    """The steps of an admission dossier (DOMAIN.md, "Admission")."""

    draft = "draft"
    background_check = "background_check"
    opinions = "opinions"
    branch_vote = "branch_vote"
    grassroots_vote = "grassroots_vote"
    superior_review = "superior_review"
    superior_decision = "superior_decision"
    awaiting_ceremony = "awaiting_ceremony"
    probation = "probation"
    probation_branch_vote = "probation_branch_vote"
    probation_grassroots_vote = "probation_grassroots_vote"
    recognition_decision = "recognition_decision"
    removal_proposed = "removal_proposed"
    official = "official"
    removed = "removed"
    rejected = "rejected"
    withdrawn = "withdrawn"


STATE_LABELS = {
    State.draft: _l("Dossier being prepared"),
    State.background_check: _l("Background check"),
    State.opinions: _l("Gathering opinions"),
    State.branch_vote: _l("Branch vote"),
    State.grassroots_vote: _l("Grassroots committee vote"),
    State.superior_review: _l("Appraisal by the superior's organisation board"),
    State.superior_decision: _l("Decision of the superior standing committee"),
    State.awaiting_ceremony: _l("Awaiting the admission ceremony"),
    State.probation: _l("Probation"),
    State.probation_branch_vote: _l("Branch vote on recognition"),
    State.probation_grassroots_vote: _l("Grassroots committee vote on recognition"),
    State.recognition_decision: _l("Decision on recognition"),
    State.removal_proposed: _l("Removal of the probationary member proposed"),
    State.official: _l("Recognised as an official member"),
    State.removed: _l("Name removed"),
    State.rejected: _l("Not admitted"),
    State.withdrawn: _l("Dossier withdrawn"),
}

OPEN_BEFORE_CEREMONY = [State.draft, State.background_check, State.opinions, State.branch_vote,
                        State.grassroots_vote, State.superior_review, State.superior_decision]


# ---- helpers ------------------------------------------------------------------------------

def case_documents(session, case_id: int):
    """The documents the rules read: the latest upload of each kind (a newer upload
    supersedes the older, which stays in the case's history)."""
    return current_documents(session.scalars(sa.select(Document).where(Document.case_id == case_id)).all())


def introducers_of(data: dict) -> tuple[list[dict], str | None]:
    """Introducers from a submit payload or the stored case data."""
    if "introducers" in data:
        return list(data.get("introducers") or []), data.get("union_resolution") or None
    items = []
    for n in (1, 2):
        pid = data.get(f"introducer_{n}")
        if pid:
            items.append({"person_id": int(pid), "since": data.get(f"introducer_{n}_since")})
    return items, data.get("union_resolution") or None


def eligibility(session, case_id: int, person: Person, unit, on: dt.date, data: dict, rulebook) -> list[Check]:
    """Every eligibility rule of DOMAIN.md, evaluated on ``on`` (the branch vote)
    with the periods of ``rulebook`` (the case's); ``data``: the submit payload
    or the stored case data (introducers and union resolution)."""
    docs = case_documents(session, case_id) if case_id else []
    introducers, union = introducers_of(data)
    checks = [
        rules.age_check(person, on, has_consent=any(doc.kind == "consent" for doc in docs)),
        rules.education_check(person, unit),
        certificate_check(certificate_on(session, person.id, on), on, rulebook.certificate_valid_months),
        rules.introducers_check(session, person, unit, introducers, union, on),
    ]
    checks.extend(rules.documents_checks(docs, on, union, rulebook.document_valid_months))
    return checks


def refusal(checks: list[Check]) -> str | None:
    """What a guard refuses with: the reasons of the failing checks, in the
    checklist's order (None when every check passes)."""
    return " ".join(c.reason for c in checks if not c.passed) or None


def dossier_data(payload: dict | None, stored: dict) -> dict:
    """The introducers the rules read: those of a submit payload when it names
    them, else those stored on the case (from the last submission)."""
    return payload if payload and any(k.startswith("introducer") for k in payload) else stored


def _eligibility_guard(on_of):
    def eligible(ctx):
        data = dossier_data(ctx.payload, ctx.data)
        return refusal(eligibility(ctx.session, ctx.snapshot.id, ctx.person, ctx.unit, on_of(ctx), data,
                                   ctx.rulebook))

    return eligible


eligible_today = _eligibility_guard(lambda ctx: ctx.today)
eligible_today.__name__ = "eligible_on_submission"
eligible_on_vote_date = _eligibility_guard(lambda ctx: as_date(ctx.payload.get("meeting_date")))
eligible_on_vote_date.__name__ = "eligible_on_branch_vote_date"


def candidate_for_admission(ctx):
    """The dossier's person is a candidate of the branch with no other open dossier."""
    return candidate_of_branch(ctx, lambda person: _(
        "%(name)s is not a candidate (quần chúng); an admission dossier is only for candidates.",
        name=person.full_name)) or no_open_admission(ctx)


# The grassroots committee votes on the branch's resolution, so not before it.
AFTER_BRANCH_VOTE = {"branch_vote_date": _l("the branch vote")}


def decision_after_branch_vote(ctx):
    """The decision (payload ``decision_date``) is not before the branch vote."""
    decided = as_date(ctx.payload.get("decision_date"))
    voted = as_date(ctx.data.get("branch_vote_date"))
    if decided and voted and decided < voted:
        return _("The decision date %(decided)s is before the branch vote of %(voted)s.",
                 decided=d(decided), voted=d(voted))
    return None


def ceremony_within_deadline(ctx):
    """The ceremony is held on or after the decision and within the rulebook's
    ``ceremony`` working days of it (Hướng dẫn 01-HD/TW (2021), on Điều 4)."""
    held = as_date(ctx.payload.get("ceremony_date"))
    decided = as_date(ctx.data.get("decision_date"))
    if held is None or decided is None:
        return None
    days = ctx.rulebook.deadline("ceremony")[0]
    last = calendar.add_working_days(decided, days)
    if held < decided:
        return _("The ceremony of %(held)s cannot precede the decision of %(decided)s.",
                 held=d(held), decided=d(decided))
    if held > last:
        return _("The ceremony must be held within %(days)s working days of the decision of %(decided)s, "
                 "that is by %(last)s; %(held)s is too late.", days=days, decided=d(decided),
                 last=d(last), held=d(held))
    return None


def mentor_is_official_of_branch(ctx):
    """The mentor (payload ``mentor_id``) is an official member of the branch."""
    mentor = ctx.session.get(Person, int(ctx.payload.get("mentor_id") or 0))
    if mentor is None or mentor.status is not PersonStatus.official or mentor.unit_id != ctx.snapshot.unit_id:
        return _("The mentor must be an official member of the branch.")
    return None


def probation_end(ctx) -> dt.date:
    """The day probation ends: the admission decision's date plus the rulebook's
    ``probation_months`` (Điều lệ Đảng, Điều 5)."""
    return add_months(as_date(ctx.data["decision_date"]), ctx.rulebook.probation_months)


def probation_timer_due(ctx) -> dt.datetime:
    """The start (local midnight, as UTC) of the day probation ends."""
    return local_midnight(probation_end(ctx))


# ---- effects (only the engine changes a person) ------------------------------------------------

def store_introducers(ctx):
    """Keep the introducers and the union resolution of the submitted dossier."""
    introducers, union = introducers_of(ctx.payload)
    ctx.update_data(introducers=introducers, union_resolution=union)


def store_branch_vote(ctx):
    """Keep the branch vote's date (documents and deadlines count from it)."""
    ctx.update_data(branch_vote_date=ctx.payload["meeting_date"])


def store_decision(ctx):
    """Keep the admission decision's number and date (9-KNĐ)."""
    ctx.update_data(decision_number=ctx.payload["decision_number"], decision_date=ctx.payload["decision_date"])


def become_probationary(ctx):
    """After the ceremony the person is a probationary member, party age counting from the decision
    date (Điều lệ Đảng, Điều 5); the mentor and the end of probation are kept."""
    person = ctx.person
    person.status = PersonStatus.probationary
    person.admission_date = as_date(ctx.data["decision_date"])  # party age counts from the decision
    person.joined_unit_on = person.joined_unit_on or as_date(ctx.payload["ceremony_date"])
    ctx.update_data(ceremony_date=ctx.payload["ceremony_date"], mentor_id=ctx.payload["mentor_id"],
                    probation_ends=probation_end(ctx).isoformat())
    ctx.session.flush()


def record_new_member_certificate(ctx):
    """Record the new-member course certificate on the person (kind ``new_member``)."""
    ctx.session.add(Certificate(person_id=ctx.person.id, kind="new_member",
                                number=ctx.payload["certificate_number"], issued_on=as_date(ctx.payload["issued_on"]),
                                issuer=ctx.payload.get("issuer") or ""))
    ctx.update_data(new_member_certificate=ctx.payload["certificate_number"])
    ctx.session.flush()


def become_official(ctx):
    """Recognised: the person is an official member from the day probation ended, even when
    decided late (16-KNĐ), with the party card number when given."""
    person = ctx.person
    person.status = PersonStatus.official
    # Recognition takes effect on the day probation ended, even when decided late.
    person.official_date = probation_end(ctx)
    if ctx.payload.get("party_card_number"):
        person.party_card_number = ctx.payload["party_card_number"]
    ctx.update_data(recognition_decision_number=ctx.payload["decision_number"],
                    recognition_decision_date=ctx.payload["decision_date"])
    ctx.session.flush()


def become_removed(ctx):
    """A probationary member not recognised: the name is removed."""
    ctx.person.status = PersonStatus.removed
    ctx.update_data(removal_decision_number=ctx.payload["decision_number"],
                    removal_decision_date=ctx.payload["decision_date"])
    ctx.session.flush()


# ---- the definition ------------------------------------------------------------------------

ADMISSION_DEADLINE = Deadline(kind="admission_decision", working_days="admission_decision", anchor="meeting_date",
                              label="admission_decision")
CEREMONY_DEADLINE = Deadline(kind="ceremony", working_days="ceremony", anchor="decision_date", label="ceremony")
RECOGNITION_DEADLINE = Deadline(kind="recognition_decision", working_days="recognition_decision",
                                anchor=probation_end, label="recognition_decision")

S = State
BS, CM, OO, SM = Role.branch_secretary, Role.committee_member, Role.organisation_officer, Role.standing_member


class Admission(Process):
    """Admission (kết nạp đảng viên), from the dossier to recognition as an official member."""

    name = "admission"
    version = 1
    title = _l("Admission")
    State = State
    state_labels = STATE_LABELS
    initial = S.draft
    rulebooks = RULEBOOKS
    one_open_per_person = True  # one admission dossier per person at a time (DOMAIN.md); a unique index holds it
    starts = [Start(S.draft, BS, Level.branch, form=f.OpenAdmissionForm, guards=[candidate_for_admission],
                    label=_l("New admission dossier"))]
    ends = [S.official, S.removed, S.rejected, S.withdrawn]
    transitions = [
        Transition("submit", S.draft, S.background_check, role=BS, level=Level.branch, form=f.SubmitForm,
                   guards=[eligible_today], effects=[store_introducers], label=_l("Submit the dossier")),
        Transition("certify_background", S.background_check, S.opinions, role=CM, level=Level.grassroots,
                   form=f.BackgroundForm, label=_l("Certify the background check")),
        Transition("record_opinions", S.opinions, S.branch_vote, role=BS, level=Level.branch,
                   form=f.OpinionsForm, label=_l("Record the opinions (5-KNĐ)")),
        Transition("record_branch_vote", S.branch_vote, {"passed": S.grassroots_vote, "failed": S.rejected},
                   role=BS, level=Level.branch, form=f.BranchVoteForm, vote=TWO_THIRDS,
                   guards=[event_date("meeting_date"), entitled_not_more_than_members, eligible_on_vote_date],
                   effects=[store_branch_vote], deadline=ADMISSION_DEADLINE,
                   label=_l("Record the branch resolution (6-KNĐ)")),
        Transition("record_grassroots_vote", S.grassroots_vote, {"passed": S.superior_review, "failed": S.rejected},
                   role=CM, level=Level.grassroots, form=f.GrassrootsVoteForm, vote=COMMITTEE_TWO_THIRDS,
                   guards=[event_date("meeting_date", after=AFTER_BRANCH_VOTE), entitled_not_more_than_organisation],
                   label=_l("Record the grassroots committee resolution (8-KNĐ)")),
        Transition("appraise", S.superior_review, S.superior_decision, role=OO, level=Level.superior,
                   form=f.AppraiseForm, label=_l("Appraise the dossier")),
        Transition("return", S.superior_review, S.draft, role=OO, level=Level.superior, form=f.ReturnForm,
                   deadline=CLEAR, label=_l("Return the dossier for correction")),
        *[Transition("extend_deadline", state, state, role=SM, level=Level.superior, form=f.ExtendForm,
                     deadline=Deadline(kind=kind, extend=True), label=_l("Extend the deadline once (rulebook)"))
          for state, kind in ((S.superior_review, "admission_decision"), (S.superior_decision, "admission_decision"),
                              (S.recognition_decision, "recognition_decision"))],
        Transition("decide_admit", S.superior_decision, S.awaiting_ceremony, role=SM, level=Level.superior,
                   form=f.DecideAdmitForm, vote=COMMITTEE_MAJORITY,
                   guards=[vote_passed, event_date("meeting_date"), event_date("decision_date"),
                           decision_after_branch_vote,
                           entitled_not_more_than_organisation],
                   effects=[store_decision], deadline=CEREMONY_DEADLINE,
                   label=_l("Decide to admit (9-KNĐ)")),
        Transition("decide_refuse", S.superior_decision, S.rejected, role=SM, level=Level.superior,
                   form=f.DecideRefuseForm, guards=[event_date("decision_date")],
                   label=_l("Decide not to admit")),
        Transition("hold_ceremony", S.awaiting_ceremony, S.probation, role=BS, level=Level.branch,
                   form=f.CeremonyForm, guards=[event_date("ceremony_date"), ceremony_within_deadline,
                                                mentor_is_official_of_branch],
                   effects=[become_probationary], deadline=CLEAR, label=_l("Record the admission ceremony")),
        Transition("record_new_member_course", S.probation, S.probation, role=BS, level=Level.branch,
                   form=f.NewMemberCourseForm, effects=[record_new_member_certificate],
                   label=_l("Record the new-member course certificate")),
        Transition("end_probation", S.probation, S.probation_branch_vote,
                   timer=TimerSpec(due=probation_timer_due), deadline=RECOGNITION_DEADLINE,
                   label=_l("Probation ended")),
        Transition("record_probation_branch_vote", S.probation_branch_vote,
                   {"passed": S.probation_grassroots_vote, "failed": S.removal_proposed},
                   role=BS, level=Level.branch, form=f.ProbationBranchVoteForm, vote=TWO_THIRDS,
                   guards=[event_date("meeting_date"), entitled_not_more_than_members],
                   label=_l("Record the branch resolution on recognition (13-KNĐ)")),
        Transition("record_probation_grassroots_vote", S.probation_grassroots_vote,
                   {"passed": S.recognition_decision, "failed": S.removal_proposed},
                   role=CM, level=Level.grassroots, form=f.ProbationGrassrootsVoteForm, vote=COMMITTEE_TWO_THIRDS,
                   guards=[event_date("meeting_date"), entitled_not_more_than_organisation],
                   label=_l("Record the grassroots committee resolution on recognition (15-KNĐ)")),
        Transition("decide_recognise", S.recognition_decision, S.official, role=SM, level=Level.superior,
                   form=f.DecideRecogniseForm, vote=COMMITTEE_MAJORITY,
                   guards=[vote_passed, event_date("meeting_date"), event_date("decision_date"),
                           entitled_not_more_than_organisation],
                   effects=[become_official], label=_l("Recognise as an official member (16-KNĐ)")),
        Transition("decide_remove", [S.recognition_decision, S.removal_proposed], S.removed, role=SM,
                   level=Level.superior, form=f.DecideRemoveForm, guards=[event_date("decision_date")],
                   effects=[become_removed], label=_l("Remove the name")),
        Transition("withdraw", OPEN_BEFORE_CEREMONY, S.withdrawn, role=BS, level=Level.branch, form=f.WithdrawForm,
                   label=_l("Withdraw the dossier")),
    ]
