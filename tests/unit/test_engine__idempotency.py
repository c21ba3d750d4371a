"""The same idempotency key (per actor) returns the first result and writes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.fixtures_engine import SUBMIT_OK, open_review, table_counts
from workflow import engine
from workflow.idempotency import KeyReused
from workflow.models import IdempotencyRecord


def test_same_key_returns_first_result_and_writes_nothing(dbsession, org):
    case = open_review(dbsession, org)
    first = engine.act(dbsession, case.id, "submit", org.secretary, SUBMIT_OK, idempotency_key="k-1")
    before = table_counts(dbsession)
    again = engine.act(dbsession, case.id, "submit", org.secretary, SUBMIT_OK, idempotency_key="k-1")
    assert again.replayed and not first.replayed
    assert again.as_dict() == first.as_dict()
    assert table_counts(dbsession) == before
    # The same request with its fields in another order is the same request.
    reordered = dict(reversed(list(SUBMIT_OK.items())))
    assert engine.act(dbsession, case.id, "submit", org.secretary, reordered, idempotency_key="k-1").replayed


def test_a_key_is_bound_to_its_case_action_and_payload(dbsession, org):
    """Issue 11, class 3: the same key with another request is refused and changes nothing."""
    case, other = open_review(dbsession, org), open_review(dbsession, org)
    engine.act(dbsession, case.id, "submit", org.secretary, SUBMIT_OK, idempotency_key="k-1")
    before = table_counts(dbsession)
    with pytest.raises(KeyReused) as refused:
        engine.act(dbsession, other.id, "submit", org.secretary, SUBMIT_OK, idempotency_key="k-1")
    assert "idempotency key" in refused.value.message
    with pytest.raises(KeyReused):
        engine.act(dbsession, case.id, "withdraw", org.secretary, idempotency_key="k-1")
    with pytest.raises(KeyReused):
        engine.act(dbsession, case.id, "submit", org.secretary, dict(SUBMIT_OK, reason="another reason"),
                   idempotency_key="k-1")
    with pytest.raises(KeyReused):  # apply() (a caller's own transaction) is bound the same way
        engine.apply(dbsession, other.id, "submit", org.secretary, SUBMIT_OK, idempotency_key="k-1")
    dbsession.rollback()
    assert table_counts(dbsession) == before


def test_a_start_key_is_bound_to_its_request(dbsession, org):
    from tests.fixtures_engine import Review, make_person

    first, second = make_person(dbsession, org.branch), make_person(dbsession, org.branch)
    dbsession.commit()
    case = engine.start(dbsession, Review, unit=org.branch, actor=org.secretary, person=first, idempotency_key="n")
    before = table_counts(dbsession)
    assert engine.start(dbsession, Review, unit=org.branch, actor=org.secretary, person=first.id,
                        idempotency_key="n").id == case.id
    with pytest.raises(KeyReused):
        engine.start(dbsession, Review, unit=org.branch, actor=org.secretary, person=second, idempotency_key="n")
    with pytest.raises(KeyReused):
        engine.start(dbsession, Review, unit=org.branch, actor=org.secretary, person=first, state="submitted",
                     idempotency_key="n")
    assert table_counts(dbsession) == before


def test_a_key_stored_before_fingerprints_replays_as_before(dbsession, org):
    case = open_review(dbsession, org)
    first = engine.act(dbsession, case.id, "submit", org.secretary, SUBMIT_OK, idempotency_key="old")
    dbsession.execute(sa.update(IdempotencyRecord).values(fingerprint=None))
    dbsession.commit()
    again = engine.act(dbsession, case.id, "submit", org.secretary, SUBMIT_OK, idempotency_key="old")
    assert again.replayed and again.as_dict() == first.as_dict()


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
