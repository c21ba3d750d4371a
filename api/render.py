"""JSON shapes of the API's resources (one function per resource)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import jsonify

from cases.actions import available
from cases.certificates import PARTY_KNOWLEDGE, valid_until
from cases.documents import documents_of, superseded_by
from cases.posts import posts_of
from cases.queries import cases_of_person, is_overdue, state_label
from cases import strength
from cases.registry import get_entry
from cases.rulebooks import rulebook_for
from core import clock
from core.levels import AtOrAbove, ReviewingAt
from core.models import Certificate

from .form_schema import form_schema


def iso(moment: dt.datetime | None) -> str | None:
    """Naive UTC -> ``2026-11-22T08:05:00Z``."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def day(value: dt.date | None) -> str | None:
    """A date as ``YYYY-MM-DD`` (None stays None)."""
    return value.isoformat() if value is not None else None


def unit_ref(unit) -> dict:
    """``{id, name, level}`` of a unit."""
    return {"id": unit.id, "name": unit.name, "level": unit.level.value}


def unit_json(unit, children_count: int | None = None, official: dict[int, int] | None = None) -> dict:
    """The ``Unit`` schema (``children_count`` when given); for a grassroots organisation
    whose count ``official`` holds (:func:`cases.strength.official_counts`), its
    ``official_members`` and ``below_minimum`` (fewer than the rulebook's minimum)."""
    out = dict(unit_ref(unit), parent_id=unit.parent_id, path=unit.path, grassroots_branch=bool(unit.grassroots_branch),
               hardship_area=bool(unit.hardship_area))
    if children_count is not None:
        out["children_count"] = children_count
    if official is not None and unit.id in official:
        out["official_members"] = official[unit.id]
        out["below_minimum"] = official[unit.id] < strength.minimum()
    return out


def person_ref(person) -> dict | None:
    """``{id, full_name, status}`` of a person, or None."""
    if person is None:
        return None
    return {"id": person.id, "full_name": person.full_name, "status": person.status.value}


def person_json(person) -> dict:
    """The ``Person`` schema."""
    return {
        "id": person.id, "full_name": person.full_name, "date_of_birth": day(person.date_of_birth),
        "gender": person.gender.value, "national_id": person.national_id, "education": person.education.value,
        "ethnicity": person.ethnicity, "residence": person.residence, "unit": unit_ref(person.unit),
        "status": person.status.value, "youth_union_member": bool(person.youth_union_member),
        "trade_union_member": bool(person.trade_union_member), "admission_date": day(person.admission_date),
        "official_date": day(person.official_date), "party_card_number": person.party_card_number,
        "joined_unit_on": day(person.joined_unit_on),
    }


def post_json(post) -> dict:
    """The ``Post`` schema: a post the person holds or held (``end`` null while held)."""
    return {"id": post.id, "title": post.title, "unit_id": post.unit_id, "start": day(post.started_on),
            "end": day(post.ended_on)}


def certificate_json(cert) -> dict:
    """The ``Certificate`` schema: ``valid_until`` (a party-knowledge certificate,
    by the rulebook in force today), ``recorded_by`` (one earned before the system)."""
    until = None
    if cert.kind == PARTY_KNOWLEDGE:
        until = valid_until(cert.issued_on, rulebook_for(clock.today()).certificate_valid_months)
    return {"id": cert.id, "kind": cert.kind, "number": cert.number, "issued_on": day(cert.issued_on),
            "issuer": cert.issuer, "course_name": cert.course_name, "valid_until": day(until),
            "recorded_by": cert.recorded_by.display_name if cert.recorded_by is not None else None}


def person_detail_json(session, user, person) -> dict:
    """One person (the ``Person`` schema in full): posts, training certificates and the
    open cases ``user`` may see."""
    certificates = session.scalars(sa.select(Certificate).where(Certificate.person_id == person.id)
                                   .order_by(Certificate.issued_on.desc(), Certificate.id.desc()))
    return dict(person_json(person), posts=[post_json(p) for p in posts_of(session, person.id)],
                certificates=[certificate_json(c) for c in certificates],
                open_cases=[case_summary(c) for c in cases_of_person(session, user, person) if c.closed_at is None],
                grading=grading_json(session, person))


def grading_json(session, person) -> list[dict]:
    """The person's decided grades (``[{year, grade, score, decided_on}]``), newest year first."""
    from cases.grading.rules import grading_of_person

    return [{"year": r.year, "grade": r.grade, "score": r.score, "decided_on": r.decided_on.isoformat()}
            for r in grading_of_person(session, person.id)]


def me_json(user, assignments) -> dict:
    """The ``Me`` schema: the user and their role assignments."""
    roles = [{"unit_id": ra.unit_id, "unit_name": ra.unit.name, "level": ra.unit.level.value, "role": ra.role.value}
             for ra in assignments]
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "person_id": user.person_id, "role_assignments": roles, "roles": roles}


def case_summary(case) -> dict:
    """The ``CaseSummary`` schema (a row of the case list)."""
    return {
        "id": case.id, "type": case.process, "process_version": case.process_version, "state": case.state,
        "state_label": state_label(case), "person": person_ref(case.person), "unit": unit_ref(case.unit),
        "opened_at": iso(case.opened_at), "closed_at": iso(case.closed_at), "version": case.version,
        "deadline": iso(case.deadline_at), "deadline_kind": case.deadline_kind, "overdue": is_overdue(case),
    }


def action_schema(ct) -> dict:
    """The JSON Schema of ``ct``'s payload: the one its definition declares (a sheet validated
    by its guards), else its form's."""
    return ct.spec.schema if getattr(ct.spec, "schema", None) else form_schema(action_form(ct))


def action_form(ct):
    """The form class the engine validates ``ct``'s payload with (the pages render the same)."""
    if ct.form is not None:
        return ct.form
    if ct.vote is not None:
        from forms.fields import LabelledVoteForm

        return LabelledVoteForm
    return None


def document_json(doc, superseded_by: int | None = None) -> dict:
    """The ``Document`` schema (``superseded_by``: the later upload of its kind that replaced it)."""
    return {"id": doc.id, "kind": doc.kind, "filename": doc.filename, "size": doc.size, "sha256": doc.sha256,
            "issued_on": day(doc.issued_on), "content_type": doc.content_type, "superseded_by": superseded_by}


def actions_json(transitions, known: dict | None = None) -> list[dict]:
    """``available_actions``: what the caller may do next, each with its form's JSON Schema.
    ``known``: the entries already built in this request, by transition (a page of the
    inbox builds each transition's schema once, not once a row)."""
    known = {} if known is None else known
    out = []
    for ct in transitions:
        if id(ct) not in known:
            known[id(ct)] = {"name": ct.action, "label": str(ct.label), "form_schema": action_schema(ct)}
        out.append(known[id(ct)])
    return out


def inbox_item(case, transitions, known: dict | None = None) -> dict:
    """The ``InboxItem`` schema: a case summary with what the caller may do now
    (``known``: as for :func:`actions_json`, shared by the rows of a page)."""
    return dict(case_summary(case), actions=[ct.action for ct in transitions],
                available_actions=actions_json(transitions, known))


def case_json(session, user, case) -> dict:
    """The ``Case`` schema: summary, data, available actions for ``user``, documents."""
    out = case_summary(case)
    out["data"] = get_entry(case.process).data_of(session, case)
    warning = strength.warning_for_case(session, case)
    out["warnings"] = [warning] if warning else []
    out["available_actions"] = actions_json(available(session, user, case))
    documents = documents_of(session, case)
    replaced = superseded_by(documents)
    out["documents"] = [document_json(d, replaced.get(d.id)) for d in documents]
    return out


def event_json(event, labels: dict[str, str]) -> dict:
    """The ``Event`` schema of an audit event, its action in words from ``labels``."""
    return {"seq": event.seq, "at": iso(event.at), "actor": event.actor_name, "actor_id": event.actor_id,
            "action": event.action, "action_label": labels.get(event.action, event.action),
            "from_state": event.from_state, "to_state": event.to_state, "payload": dict(event.payload or {}),
            "comment": event.comment, "hash": event.hash, "prev_hash": event.prev_hash}


def level_name(level) -> str | None:
    """A transition's level spec as text: a level (``branch``), ``superior+`` for
    "at or above", ``reviewing``, or ``reviewing:grassroots`` for the reviewing unit
    when it is of that level; None for a system transition."""
    if level is None:
        return None
    if isinstance(level, (AtOrAbove, ReviewingAt)):
        return str(level)
    return getattr(level, "value", level)


def process_json(process_entry) -> dict:
    """The ``Process`` schema: steps, starts, transitions (role, level, form schema) and the Mermaid diagram."""
    from workflow.diagram import mermaid

    process = process_entry.process
    steps = [{"name": s, "label": process_entry.state_label(s), "start": s in process.start_specs,
              "end": s in process.end_states} for s in process.states]
    transitions = []
    seen = set()
    for cts in process.by_action.values():
        for ct in cts:
            if id(ct) in seen:
                continue
            seen.add(id(ct))
            roles = sorted(ct.roles)
            transitions.append({
                "action": ct.action, "label": str(ct.label), "from": list(ct.sources), "to": list(ct.possible_targets),
                "role": "|".join(roles) if roles else None, "roles": roles, "level": level_name(ct.level),
                "system": ct.is_system, "form_schema": action_schema(ct),
                "grants": [{"roles": sorted(g_roles), "level": level_name(g_level)} for g_roles, g_level in ct.grants],
            })
    starts = []
    for state, spec in process.start_specs.items():
        roles = spec.roles if isinstance(spec.roles, (list, tuple, set, frozenset)) else (spec.roles,)
        roles = sorted(getattr(r, "value", r) for r in roles)
        starts.append({"state": state, "label": str(spec.label or state), "role": "|".join(roles), "roles": roles,
                       "level": level_name(spec.level), "form_schema": form_schema(spec.form)})
    return {"type": process_entry.name, "version": process.version, "title": str(process.title or process_entry.name),
            "steps": steps, "starts": starts, "transitions": transitions, "mermaid": mermaid(process)}


def created(body: dict, location: str):
    """A 201 response with ``body`` as JSON and the new resource's URL in ``Location``."""
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = location
    return response
