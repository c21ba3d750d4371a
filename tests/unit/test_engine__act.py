"""act(): one transaction per action, role-at-level permission, typed refusals."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.enums import PersonStatus, Role
from core.models import Person
from tests.fixtures_engine import (SUBMIT_OK, VOTE_OK, Review, advance_review, make_user, open_review,
                                   table_counts)
from workflow import access, engine
from workflow.verify import verify_case
from workflow.errors import ActionNotAvailable, NotPermitted, UnknownAction
from workflow.models import AuditEvent, Case


def test_happy_path_changes_state_version_and_writes_one_event_per_act(dbsession, org):
    case = open_review(dbsession, org)
    assert (case.state, case.version, case.audit_seq) == ("draft", 1, 1)
    result = engine.act(dbsession, case.id, "submit", org.secretary, SUBMIT_OK, expected_version=1)
    assert (result.from_state, result.to_state, result.version, result.seq) == ("draft", "submitted", 2, 2)
    # The ORM object in the session is refreshed in place.
    assert (case.state, case.version) == ("submitted", 2)
    advance_review(dbsession, org, case, "confirmed")
    fresh = dbsession.get(Case, case.id)
    dbsession.refresh(fresh)
    assert fresh.state == "confirmed"
    assert fresh.closed_at is not None
    events = dbsession.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case.id).order_by(AuditEvent.seq)).all()
    assert [e.action for e in events] == ["start", "submit", "review", "record_vote", "decide", "confirm"]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[1].payload == {"reason": "complete dossier", "submitted_on": "2025-03-03"}
    assert events[1].actor_id == org.secretary.id and events[1].actor_name == "Secretary"
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:]))
    assert verify_case(dbsession, case.id) is None
    assert fresh.version == 6


def test_rule__people__status_changes_only_as_the_effect_of_a_decided_case(dbsession, org):
    case = open_review(dbsession, org)
    advance_review(dbsession, org, case, "approved")
    dbsession.expire_all()
    person = dbsession.get(Person, case.person_id)
    assert person.status == PersonStatus.probationary
    assert dbsession.get(Case, case.id).data["decided_on"]


@pytest.mark.parametrize("who", ["committee", "other_secretary", "secretary_b", "nobody", "standing"])
def test_wrong_role_or_wrong_unit_is_not_permitted_and_writes_nothing(dbsession, org, who):
    case = open_review(dbsession, org)
    before = table_counts(dbsession)
    with pytest.raises(NotPermitted):
        engine.act(dbsession, case.id, "submit", getattr(org, who), SUBMIT_OK)
    assert table_counts(dbsession) == before


def test_rule__organisation__a_role_acts_at_its_level_above_the_case(dbsession, org):
    # A branch secretary role held at the grassroots unit is not "at the branch".
    odd = make_user(dbsession, (Role.branch_secretary, org.grassroots))
    dbsession.commit()
    case = open_review(dbsession, org)
    with pytest.raises(NotPermitted):
        engine.act(dbsession, case.id, "submit", odd, SUBMIT_OK)


def test_reviewing_unit_level_uses_the_unit_set_by_the_review(dbsession, org):
    case = open_review(dbsession, org)
    advance_review(dbsession, org, case, "approved")
    assert dbsession.get(Case, case.id).reviewing_unit_id == org.grassroots.id
    # The other district's committee member holds the role, but not at the reviewing unit.
    assert [t.action for t in access.available_actions(dbsession, case.id, org.other_committee)] == []
    with pytest.raises(NotPermitted):
        engine.act(dbsession, case.id, "confirm", org.other_committee)
    engine.act(dbsession, case.id, "confirm", org.inspector)
    assert dbsession.get(Case, case.id).state == "confirmed"


def test_wrong_state_unknown_action_and_closed_case(dbsession, org):
    case = open_review(dbsession, org)
    before = table_counts(dbsession)
    with pytest.raises(ActionNotAvailable) as exc:
        engine.act(dbsession, case.id, "decide", org.standing)
    assert "decide" in exc.value.message and "draft" in exc.value.message
    with pytest.raises(UnknownAction):
        engine.act(dbsession, case.id, "fly_away", org.secretary)
    assert table_counts(dbsession) == before
    engine.act(dbsession, case.id, "withdraw", org.secretary)
    closed = table_counts(dbsession)
    with pytest.raises(ActionNotAvailable):
        engine.act(dbsession, case.id, "submit", org.secretary, SUBMIT_OK)
    assert table_counts(dbsession) == closed


def test_system_transition_is_refused_to_people(dbsession, org):
    case = open_review(dbsession, org)
    advance_review(dbsession, org, case, "approved")
    for user in (org.standing, org.committee, org.secretary):
        with pytest.raises(NotPermitted):
            engine.act(dbsession, case.id, "expire", user)
    # ...and a human transition is refused to the system.
    with pytest.raises(NotPermitted):
        engine.act(dbsession, case.id, "confirm", None)


def test_start_permission_and_alternative_start_state(dbsession, org):
    with pytest.raises(NotPermitted):
        engine.start(dbsession, Review, unit=org.branch, actor=org.other_secretary)
    # The inspector opens directly in "submitted" (at or above grassroots).
    case = engine.start(dbsession, Review, unit=org.branch, actor=org.inspector, state="submitted")
    assert case.state == "submitted"
    with pytest.raises(NotPermitted):
        engine.start(dbsession, Review, unit=org.other_branch, actor=org.inspector, state="submitted")
    with pytest.raises(ActionNotAvailable):
        engine.start(dbsession, Review, unit=org.branch, actor=org.secretary, state="vote")
    assert access.can_start(dbsession, Review, org.branch, org.inspector) == ["submitted"]
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Case)) == 1


def test_vote_outcome_selects_the_target(dbsession, org):
    case = open_review(dbsession, org)
    advance_review(dbsession, org, case, "vote")
    failed = dict(VOTE_OK, votes_for=5, votes_against=3)
    result = engine.act(dbsession, case.id, "record_vote", org.secretary, failed)
    assert (result.to_state, result.outcome) == ("rejected", "failed")
    event = dbsession.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.seq == 4)).one()
    assert event.payload["vote"]["summary"] == "5 of 9 entitled voted for; at least 6 (2/3 of 9) are needed."
    assert event.payload["entitled"] == 9 and event.payload["meeting_date"] == "2025-03-03"


def test_effects_see_the_moved_case_through_the_orm(dbsession, org):
    from workflow.definition import Transition

    seen = []

    def look(ctx):
        seen.append(ctx.session.get(Case, ctx.snapshot.id).state)

    decide = next(t for t in Review.transitions if t.action == "decide")
    original = decide.effects
    compiled = Review.compiled[("decision", "decide")]
    compiled.effects = original + (look,)
    try:
        case = open_review(dbsession, org)
        assert dbsession.get(Case, case.id) is case  # in the identity map
        advance_review(dbsession, org, case, "approved")
    finally:
        compiled.effects = original
    assert seen == ["approved"]
    assert isinstance(decide, Transition)
