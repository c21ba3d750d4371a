"""Payload validation through WTForms, and guards collecting every reason."""

from __future__ import annotations

import pytest

from tests.fixtures_engine import SUBMIT_OK, VOTE_OK, SubmitForm, advance_review, open_review, table_counts
from workflow import engine
from workflow.errors import GuardFailed, InvalidPayload
from workflow.guards import validate_form


def test_invalid_payload_lists_field_errors_and_writes_nothing(dbsession, org):
    case = open_review(dbsession, org)
    before = table_counts(dbsession)
    with pytest.raises(InvalidPayload) as exc:
        engine.act(dbsession, case.id, "submit", org.secretary, {"reason": "", "submitted_on": "not a date"})
    assert set(exc.value.errors) == {"reason", "submitted_on"}
    assert all(isinstance(m, str) for msgs in exc.value.errors.values() for m in msgs)
    assert table_counts(dbsession) == before


def test_form_data_is_coerced_and_stored_json_safe():
    import datetime as dt

    data, coerced = validate_form(SubmitForm, {"reason": "ok reason", "submitted_on": dt.date(2025, 3, 3)})
    assert coerced["submitted_on"] == dt.date(2025, 3, 3)
    assert data == {"reason": "ok reason", "submitted_on": "2025-03-03"}


def test_guards_collect_every_reason(dbsession, org):
    case = open_review(dbsession, org)
    before = table_counts(dbsession)
    with pytest.raises(GuardFailed) as exc:
        engine.act(dbsession, case.id, "submit", org.secretary, dict(SUBMIT_OK, reason="x"))
    assert exc.value.reasons == ["The reason is too short."]
    with pytest.raises(GuardFailed) as exc:
        engine.act(dbsession, case.id, "submit", org.secretary, dict(SUBMIT_OK, reason="blocked"))
    assert exc.value.reasons == ["The reason may not be 'blocked'."]
    assert table_counts(dbsession) == before


def test_vote_arithmetic_and_quorum(dbsession, org):
    case = open_review(dbsession, org)
    advance_review(dbsession, org, case, "vote")
    before = table_counts(dbsession)
    with pytest.raises(InvalidPayload) as exc:
        engine.act(dbsession, case.id, "record_vote", org.secretary, dict(VOTE_OK, present=10))
    assert "present" in exc.value.errors
    assert "10 present is more than the 9 entitled to vote." in exc.value.errors["present"]
    with pytest.raises(InvalidPayload) as exc:
        engine.act(dbsession, case.id, "record_vote", org.secretary, dict(VOTE_OK, votes_for=7, votes_against=2))
    assert "votes_for" in exc.value.errors
    with pytest.raises(InvalidPayload):
        engine.act(dbsession, case.id, "record_vote", org.secretary, dict(VOTE_OK, votes_for=-1))
    with pytest.raises(GuardFailed) as exc:
        engine.act(dbsession, case.id, "record_vote", org.secretary,
                   dict(VOTE_OK, present=4, votes_for=4, votes_against=0))
    assert exc.value.reasons == ["Only 4 of 9 entitled were present; at least 5 are needed for a quorum."]
    assert table_counts(dbsession) == before
