"""The verifier's fast paths give exactly the bytes and roots of the reference ones:
the dict-free canonical form, the canonical text PostgreSQL writes around the
payload, and Merkle blocks built level by level."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures_engine import open_review
from workflow import audit, verify
from workflow import engine as wf
from workflow.merkle import Frontier, leaf_hash
from workflow.verify_scan import perfect_root

# PostgreSQL text cannot hold NUL (the property test's st.text() has it).
AWKWARD = "\"\\\b\f\n\r\t\x01\x1f\x7f é Đảng ủy \u2028\u2029 \U0001f600 </script>"
texts = st.one_of(st.none(), st.text(), st.just(AWKWARD))
ints = st.one_of(st.none(), st.integers(min_value=-2**63, max_value=2**63))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(), inner, max_size=4)),
    max_leaves=12)
times = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31))


@settings(max_examples=300, deadline=None)
@given(case_id=st.integers(min_value=1, max_value=2**31), seq=st.integers(min_value=1, max_value=10**6),
       actor_id=ints, actor_name=st.text(), action=st.text(), from_state=texts, to_state=texts,
       payload=json_values, comment=texts, at=times, request_id=texts, as_text=st.booleans())
def test_the_fast_canonical_form_is_the_canonical_form(case_id, seq, actor_id, actor_name, action, from_state,
                                                       to_state, payload, comment, at, request_id, as_text):
    fields = (case_id, seq, actor_id, actor_name, action, from_state, to_state, payload, comment, at, request_id)
    fast_at = audit.format_at(at) if as_text else at
    assert audit.canonical_fast(*fields[:9], fast_at, request_id) == audit.canonical(*fields)


def test_merkle_blocks_level_by_level_have_the_frontier_root():
    for size in (1, 2, 4, 8, 64, 1024):
        leaves = [leaf_hash(f"{i:064x}") for i in range(size)]
        f = Frontier()
        f.push_leaves(leaves)
        assert perfect_root(leaves) == f.root()


def test_awkward_events_verify_and_an_edit_of_one_does_not(dbsession, org):
    """Control characters, quotes, backslashes, non-Latin text and unsorted nested
    keys, through the append path, read back by the verifier (on PostgreSQL the
    server writes the canonical text around the payload)."""
    case = open_review(dbsession, org)
    payload = {"zeta": [AWKWARD, 1, None, True, {"b": 2, "a": AWKWARD}], "alpha": "Ủy ban Kiểm tra", "": 0,
               "émoji": "\U0001f600", "Z": {"nested": {"y": [], "x": {}}}}
    wf.record(dbsession, case.id, "document_read", org.committee, payload, comment=AWKWARD, request_id=AWKWARD[:60])
    wf.record(dbsession, case.id, "document_read", None, {}, comment=None)
    report = verify.verify_all(dbsession)
    assert report.ok, report.problems
    assert verify.verify_case(dbsession, case.id) is None
    from tests.unit.test_engine__audit_trail import _drop_triggers, _restore_triggers

    _drop_triggers(dbsession)
    dbsession.execute(sa.text("UPDATE audit_event SET comment = :c WHERE case_id = :k AND comment = :old"),
                      {"c": AWKWARD.replace("\t", " "), "k": case.id, "old": AWKWARD})
    _restore_triggers(dbsession)
    dbsession.commit()
    report = verify.verify_all(dbsession)
    assert not report.ok
    assert "hash does not match the event's content" in str(report.first) and f"case {case.id}" in str(report.first)


@settings(max_examples=200, deadline=None)
@given(key=st.binary(min_size=0, max_size=100), message=st.binary(max_size=200))
def test_the_precomputed_hmac_is_hmac_sha256(key, message):
    import hashlib
    import hmac

    from workflow.verify_batch import hmac_hex

    assert hmac_hex(key, message) == hmac.new(key, message, hashlib.sha256).hexdigest()


def test_batches_that_split_a_case_give_the_same_answers(dbsession, org, monkeypatch):
    """Rows arrive in batches of 3: a case's events span batches (the fast path
    waits for the whole case); an edit is still named, the same as in one batch."""
    from workflow import verify_scan
    from tests.fixtures_engine import advance_review

    cases = [open_review(dbsession, org) for _ in range(3)]
    for target in ("submitted", "vote", "decision"):
        for case in cases:
            advance_review(dbsession, org, case, target)
    whole = verify.verify_all(dbsession)
    monkeypatch.setattr(verify_scan, "BATCH", 3)
    small = verify.verify_all(dbsession)
    assert whole.ok and small.ok and (small.cases, small.events) == (whole.cases, whole.events) == (3, whole.events)
    assert small.frontier.root() == whole.frontier.root()
    from tests.unit.test_engine__audit_trail import _drop_triggers, _restore_triggers

    _drop_triggers(dbsession)
    dbsession.execute(sa.text("UPDATE audit_event SET comment = 'sửa lén' WHERE case_id = :k AND seq = 2"),
                      {"k": cases[1].id})
    _restore_triggers(dbsession)
    dbsession.commit()
    broken = verify.verify_all(dbsession)
    monkeypatch.setattr(verify_scan, "BATCH", 5000)
    again = verify.verify_all(dbsession)
    assert broken.problems and [str(p) for p in broken.problems] == [str(p) for p in again.problems]
    assert f"case {cases[1].id} event seq 2" in str(broken.first)
