"""The candidate training process (bồi dưỡng, phát triển đảng viên), as
DOMAIN.md's "Candidate training" table gives it:

nominated → in_training (approve_training) → certified or back to nominated
(record_result) → admission_opened (open_admission, which opens the
``admission`` case in ``draft`` through the engine); or dropped.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from cases.certificates import PARTY_KNOWLEDGE, latest_certificate
from cases.dates import as_date
from cases.guards import candidate_of_branch, date_not_in_future, no_open_admission, open_case_of
from cases.rulebooks import RULEBOOKS
from core.enums import Level, Role
from core.models import Certificate
from forms import candidacy as f
from workflow import engine
from workflow.definition import Process, Start, Transition
from workflow.i18n import _

from . import rules


class State(str, enum.Enum):
    """The steps of candidate training (DOMAIN.md, "Candidate training")."""

    nominated = "nominated"  # cảm tình Đảng, listed by the branch with a helper
    in_training = "in_training"  # sent to the course on party knowledge
    certified = "certified"  # passed: holds the certificate
    admission_opened = "admission_opened"
    dropped = "dropped"


STATE_LABELS = {
    State.nominated: _l("Nominated by the branch"),
    State.in_training: _l("Attending the course on party knowledge"),
    State.certified: _l("Certificate obtained"),
    State.admission_opened: _l("Admission dossier opened"),
    State.dropped: _l("No longer developed"),
}


# ---- guards ------------------------------------------------------------------------------------

def candidate_for_training(ctx):
    """The person is a candidate of the branch, not already developed nor with an open admission dossier."""
    reason = candidate_of_branch(ctx, lambda person: _(
        "%(name)s is not a candidate (quần chúng); only candidates are developed for admission.",
        name=person.full_name))
    if reason:
        return reason
    open_id = open_case_of(ctx.session, Candidacy.name, ctx.person.id)
    if open_id:
        return _("%(name)s is already being developed (case no. %(id)s).", name=ctx.person.full_name, id=open_id)
    return no_open_admission(ctx)


def helper_is_official_of_branch(ctx):
    """See :func:`rules.helper_reason` (payload ``helper_id``)."""
    return rules.helper_reason(ctx.session, ctx.payload.get("helper_id"), ctx.snapshot.unit_id)


def result_is_consistent(ctx):
    """See :func:`rules.result_reasons`."""
    return " ".join(rules.result_reasons(ctx.session, ctx.payload, ctx.today)) or None


def certificate_still_valid(ctx):
    """The latest certificate is still valid today, for the case's rulebook."""
    check = rules.certificate_for_admission(ctx.session, ctx.person, ctx.today, ctx.rulebook.certificate_valid_months)
    return None if check.passed else check.reason


def result_outcome(ctx) -> str:
    """``"passed"`` or ``"failed"``, from the payload's ``result``."""
    return "passed" if ctx.payload.get("result") == "passed" else "failed"


# ---- effects -----------------------------------------------------------------------------------

def store_nomination(ctx):
    """Keep the helper and the branch's resolution (number and date) on the case."""
    ctx.update_data(helper_id=ctx.payload["helper_id"], resolution_number=ctx.payload["resolution_number"],
                    resolution_date=ctx.payload["resolution_date"])


def store_result(ctx):
    """Keep every course result on the case; a pass puts the certificate on the person."""
    p = ctx.payload
    result = {"course_name": p["course_name"], "course_starts_on": p["course_starts_on"],
              "course_ends_on": p["course_ends_on"], "score": p["score"], "result": result_outcome(ctx)}
    if result["result"] == "passed":
        cert = Certificate(person_id=ctx.snapshot.person_id, kind=PARTY_KNOWLEDGE, number=p["certificate_number"].strip(),
                           issued_on=as_date(p["certificate_date"]), issuer=(p.get("issuer") or "").strip(),
                           course_name=p["course_name"], score=p["score"])
        ctx.session.add(cert)
        ctx.session.flush()
        result.update(certificate_id=cert.id, certificate_number=cert.number,
                      certificate_date=cert.issued_on.isoformat(), issuer=cert.issuer)
        ctx.update_data(certificate_id=cert.id, certificate_number=cert.number,
                        certificate_date=cert.issued_on.isoformat())
    ctx.update_data(results=[*ctx.data.get("results", []), result])


def open_linked_admission(ctx):
    """Open the admission dossier in ``draft`` through the engine (same
    transaction, same actor, the admission's own start checks), with the
    certificate on file, and link the two cases both ways."""
    cert = latest_certificate(ctx.session, ctx.snapshot.person_id)
    on_file = {"id": cert.id, "number": cert.number, "issued_on": cert.issued_on.isoformat(),
               "issuer": cert.issuer, "course_name": cert.course_name}
    admission = engine.start_linked(ctx, "admission", payload={"person_id": ctx.snapshot.person_id},
                             data={"candidacy_case_id": ctx.snapshot.id, "certificate": on_file},
                             comment=str(_("Opened from candidate training case no. %(id)s.", id=ctx.snapshot.id)))
    ctx.update_data(admission_case_id=admission.id)


# ---- the definition ----------------------------------------------------------------------------

S = State
BS, CM, OO = Role.branch_secretary, Role.committee_member, Role.organisation_officer


class Candidacy(Process):
    """Candidate training, from the branch's nomination to an admission dossier."""

    name = "candidacy"
    version = 1
    title = _l("Candidate training")
    State = State
    state_labels = STATE_LABELS
    initial = S.nominated
    rulebooks = RULEBOOKS
    one_open_per_person = True  # one candidacy per person at a time (DOMAIN.md); a unique index holds it
    starts = [Start(S.nominated, BS, Level.branch, form=f.NominateForm,
                    guards=[candidate_for_training, helper_is_official_of_branch,
                            date_not_in_future("resolution_date")],
                    effects=[store_nomination], label=_l("Nominate a candidate for training"))]
    ends = [S.admission_opened, S.dropped]
    transitions = [
        Transition("approve_training", S.nominated, S.in_training, role=CM, level=Level.grassroots,
                   form=f.ApproveTrainingForm, label=_l("Send to the course on party knowledge")),
        # Also from ``certified``: an expired certificate cannot open an
        # admission, and the case must not stay open for ever.
        Transition("drop", [S.nominated, S.certified], S.dropped, role=CM, level=Level.grassroots,
                   form=f.DropForm, label=_l("Stop developing the candidate")),
        Transition("record_result", S.in_training, {"passed": S.certified, "failed": S.nominated},
                   role=OO, level=Level.superior, form=f.RecordResultForm, choose=result_outcome,
                   guards=[result_is_consistent], effects=[store_result],
                   label=_l("Record the course result")),
        Transition("open_admission", S.certified, S.admission_opened, role=BS, level=Level.branch,
                   form=f.OpenAdmissionFromCertificateForm, guards=[certificate_still_valid, no_open_admission],
                   effects=[open_linked_admission], label=_l("Open the admission dossier")),
    ]
