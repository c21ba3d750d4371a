"""Changing cases for the pages and the JSON API: open a case, take an action,
and what the user may do on a case now.

Both front ends call these functions, which call the engine: there is no
second path to a state change. Functions take a plain SQLAlchemy session and
the acting user; they raise the engine's typed errors (:mod:`workflow.errors`)
or :class:`cases.queries.NotFound`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from workflow import access, engine
from workflow.errors import ActionNotAvailable, NotPermitted
from workflow.models import Case

from .queries import get_person
from .registry import get_entry


def open_case(session: Session, user, process_name: str, person_id, payload: dict | None = None,
              request_id: str | None = None, state: str | None = None, idempotency_key: str | None = None) -> Case:
    """Open a case of ``process_name`` about a person, at the person's unit (in ``state``,
    one of the process's start states; default the first). The same
    ``idempotency_key`` with the same request returns the case opened the first
    time (a double-click, a retried call), even when both arrive at once.

    Raises :class:`cases.queries.NotFound` for a person outside the user's scope,
    and whatever ``engine.start`` raises (``NotPermitted``, ``InvalidPayload``,
    ``GuardFailed`` — also for a second open case of a type that allows one per
    person, however close the two requests —, ``KeyReused``).
    """
    process_entry = get_entry(process_name)
    person = get_person(session, user, person_id)
    payload = dict(payload or {})
    payload.setdefault("person_id", person.id)
    return engine.start(session, process_entry.process, unit=person.unit_id, actor=user, person=person.id,
                        payload=payload, request_id=request_id, state=state, idempotency_key=idempotency_key)


def take_action(session: Session, user, case: Case, action: str, payload: dict | None = None, *,
                expected_version: int | None = None, idempotency_key: str | None = None,
                comment: str | None = None, request_id: str | None = None):
    """Act through the engine and return its result (``.replayed`` for a repeated idempotency key).

    Raises what ``engine.act`` raises, except that an action the user could take
    in no state of the case (not their role at this case's units) is refused as
    ``NotPermitted`` (403) rather than ``ActionNotAvailable`` (409).
    """
    try:
        return engine.act(session, case.id, action, user, payload or {}, expected_version=expected_version,
                          idempotency_key=idempotency_key, comment=comment or None, request_id=request_id)
    except ActionNotAvailable:
        # Not theirs in any state (the engine's rule, whatever the state): 403, not 409.
        if not access.permitted_actions(session, case, user, action):
            raise NotPermitted() from None
        raise


def available(session: Session, user, case: Case):
    """The transitions the user may take on the case now (the engine's ``available_actions``)."""
    return access.available_actions(session, case.id, user)
