"""The same idempotency key (per actor) returns the first result and writes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from tests.fixtures_engine import SUBMIT_OK, open_review, table_counts
from workflow import engine
from workflow.models import IdempotencyRecord


def test_same_key_returns_first_result_and_writes_nothing(dbsession, org):
    case = open_review(dbsession, org)
    first = engine.act(dbsession, case.id, "submit", org.secretary, SUBMIT_OK, idempotency_key="k-1")
    before = table_counts(dbsession)
    again = engine.act(dbsession, case.id, "submit", org.secretary, SUBMIT_OK, idempotency_key="k-1")
    assert again.replayed and not first.replayed
    assert again.as_dict() == first.as_dict()
    assert table_counts(dbsession) == before
    # Even a different action under the same key replays the first result.
    third = engine.act(dbsession, case.id, "withdraw", org.secretary, idempotency_key="k-1")
    assert third.to_state == "submitted"
    assert table_counts(dbsession) == before


def test_keys_are_per_actor(dbsession, org):
    case = open_review(dbsession, org)
    engine.act(dbsession, case.id, "submit", org.secretary, SUBMIT_OK, idempotency_key="same")
    result = engine.act(dbsession, case.id, "review", org.committee, idempotency_key="same")
    assert not result.replayed and result.to_state == "vote"
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(IdempotencyRecord)) == 2


def test_a_refused_act_does_not_consume_the_key(dbsession, org):
    case = open_review(dbsession, org)
    try:
        engine.act(dbsession, case.id, "submit", org.secretary, {"reason": ""}, idempotency_key="k")
    except Exception:
        pass
    result = engine.act(dbsession, case.id, "submit", org.secretary, SUBMIT_OK, idempotency_key="k")
    assert not result.replayed and result.to_state == "submitted"


def test_start_with_the_same_key_opens_one_case(dbsession, org):
    from tests.fixtures_engine import Review
    from workflow.models import Case

    first = engine.start(dbsession, Review, unit=org.branch, actor=org.secretary, idempotency_key="new-1")
    again = engine.start(dbsession, Review, unit=org.branch, actor=org.secretary, idempotency_key="new-1")
    assert again.id == first.id
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(Case)) == 1
    other = engine.start(dbsession, Review, unit=org.branch, actor=org.secretary, idempotency_key="new-2")
    assert other.id != first.id
