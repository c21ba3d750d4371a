"""Registers the admission process with the app."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from cases.registry import ProcessEntry, register
from core import clock
from forms.admission import SubmitForm
from workflow.errors import InvalidPayload
from workflow.access import load_snapshot
from workflow.guards import Context, validate_form

from . import process


def checklist(session, case, sent=None, user=None):
    """Eligibility checklist for the case page while the dossier is being prepared
    (None at any later step): the submit guard's own checks, evaluated today with
    the case's rulebook. ``sent`` is ``(action, payload)`` of a refused action
    the page answers: after a refused ``submit`` the checklist reads the
    introducers it sent, exactly as the guard did (resolved for ``user``, the
    one who sent them, through the same scope rule); otherwise those stored on the case."""
    if case.state != process.State.draft:
        return None
    person, unit = case.person, case.unit
    if person is None:
        return []
    data = case.data or {}
    if sent is not None and sent[0] == "submit":
        try:
            context = Context(session, process.Admission, load_snapshot(session, case.id), user)
            payload, _coerced = validate_form(SubmitForm, sent[1], context)
        except InvalidPayload:  # the form refused it: the guard never ran
            payload = None
        data = process.dossier_data(payload, data)
    rulebook = process.Admission.rulebooks.get(case.rulebook)
    return process.eligibility(session, case.id, person, unit, clock.today(), data, rulebook)


ADMISSION = register(ProcessEntry(name="admission", process=process.Admission, state_labels=process.STATE_LABELS,
                              checklist=checklist, person_hint=_l("Choose a candidate of your branch.")))
