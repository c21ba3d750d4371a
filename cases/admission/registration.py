"""Registers the admission process with the app."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from cases.dates import as_date
from cases.registry import ProcessEntry, register
from core import clock
from forms.admission import SubmitForm
from workflow.errors import InvalidPayload
from workflow.access import load_snapshot
from workflow.guards import Context, validate_form

from . import pages, process


def checklist(session, case, sent=None, user=None):
    """Eligibility checklist for the case page while the dossier is being prepared,
    and at the appraisal and the decision evaluated on the branch vote's date
    (None at any other step): the submit guard's own checks, evaluated today with
    the case's rulebook. ``sent`` is ``(action, payload)`` of a refused action
    the page answers: after a refused ``submit`` the checklist reads the
    introducers it sent, exactly as the guard did (resolved for ``user``, the
    one who sent them, through the same scope rule); otherwise those stored on the case."""
    person, unit = case.person, case.unit
    data = case.data or {}
    rulebook = process.Admission.rulebooks.get(case.rulebook)
    if case.state in pages.APPRAISAL and person is not None and data.get("branch_vote_date"):
        # The organisation board appraises what the branch vote decided on: the same checks, on its date.
        return process.eligibility(session, case.id, person, unit, as_date(data["branch_vote_date"]), data, rulebook)
    if case.state != process.State.draft:
        return None
    if person is None:
        return []
    if sent is not None and sent[0] == "submit":
        try:
            context = Context(session, process.Admission, load_snapshot(session, case.id), user)
            payload, _coerced = validate_form(SubmitForm, sent[1], context)
        except InvalidPayload:  # the form refused it: the guard never ran
            payload = None
        data = process.dossier_data(payload, data)
    return process.eligibility(session, case.id, person, unit, clock.today(), data, rulebook)


ADMISSION = register(ProcessEntry(name="admission", process=process.Admission, state_labels=process.STATE_LABELS,
                              checklist=checklist, person_hint=_l("Choose a candidate of your branch."),
                              missing=pages.missing, step_facts=pages.step_facts,
                              document_kinds=pages.DOCUMENT_KINDS))
