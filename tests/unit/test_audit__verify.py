"""The verifier's plan: ranges of cases and of the global sequence, merged into
the same roots and problems whether it runs in one process or in a pool."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from tests.fixtures_engine import advance_review, open_review
from tests.unit.test_engine__audit_trail import _drop_triggers, _restore_triggers
from workflow import audit, verify
from workflow.checkpoints import Checkpoint
from workflow.merkle import Frontier, leaf_hash


@pytest.fixture
def small_ranges(monkeypatch):
    """Blocks of 4 leaves, 2 blocks and 2 case ids per task: many tasks on a small history."""
    monkeypatch.setattr(verify, "BLOCK", 4)
    monkeypatch.setattr(verify, "LEAF_BLOCKS_PER_TASK", 2)
    monkeypatch.setattr(verify, "CASES_PER_TASK", 2)
    monkeypatch.setattr(verify, "MIN_CASES_PER_TASK", 1)


@pytest.fixture
def mac_key():
    key = os.urandom(32)
    audit.set_mac_key(key)
    yield key
    audit.set_mac_key(None)


def build(dbsession, org, n_cases=7):
    cases = [open_review(dbsession, org) for _ in range(n_cases)]
    for target in ("submitted", "vote", "decision"):
        for case in cases[: n_cases - 2]:
            advance_review(dbsession, org, case, target)
    return cases


def checkpoint_at(dbsession, size: int) -> Checkpoint:
    hashes = dbsession.scalars(sa.text(f"SELECT hash FROM audit_event WHERE id <= {size} ORDER BY id")).all()
    f = Frontier()
    f.push_leaves(leaf_hash(h) for h in hashes)
    return Checkpoint(seq=size, count=size, root=f.root().hex(), time="t", key_id="k", peaks=tuple(f.peaks_hex()),
                      mac_from=1)


@pytest.mark.parametrize("workers", [1, 2])
def test_ranges_merge_into_the_roots_of_every_checkpoint(dbsession, org, small_ranges, mac_key, workers,
                                                         monkeypatch):
    pools = []
    real_pool = verify._run_pool
    monkeypatch.setattr(verify, "_run_pool", lambda *a: pools.append(a[2]) or real_pool(*a))
    build(dbsession, org)
    top = dbsession.scalar(sa.text("SELECT max(id) FROM audit_event"))
    assert top == 7 + 3 * 5
    sizes = [1, 3, 4, 8, 9, 16, 17, top]
    checkpoints = [checkpoint_at(dbsession, n) for n in sizes]
    report = verify.verify_all(dbsession, checkpoints=checkpoints, workers=workers)
    assert report.ok, report.problems
    assert (report.cases, report.events, report.size) == (7, top, top)
    assert report.frontier.root().hex() == checkpoints[-1].root
    assert pools == ([2] if workers == 2 else [])

    wrong = list(checkpoints)
    wrong[5] = Checkpoint(**{**wrong[5].__dict__, "root": "ab" * 32})
    report = verify.verify_all(dbsession, checkpoints=wrong, workers=workers)
    assert [str(p) for p in report.problems] == [
        "the events 1..16 do not match checkpoint #6 (t, root abababababababab…): the first difference is among "
        "events 10..16"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_gap_and_a_bad_mac_are_found_in_any_range(dbsession, org, small_ranges, mac_key, workers):
    cases = build(dbsession, org)
    checkpoints = [checkpoint_at(dbsession, 22)]
    deleted_case = dbsession.scalar(sa.text("SELECT case_id FROM audit_event WHERE id = 13"))
    _drop_triggers(dbsession)
    dbsession.execute(sa.text("DELETE FROM audit_event WHERE id = 13"))
    dbsession.execute(sa.text("UPDATE audit_event SET mac = :m WHERE id = 18"), {"m": "0" * 64})
    dbsession.commit()
    _restore_triggers(dbsession)
    report = verify.verify_all(dbsession, checkpoints=checkpoints, workers=workers)
    texts = [str(p) for p in report.problems]
    assert texts[0] == "at id 13: events 13..13 of the global sequence are missing (deleted)"
    assert any(t.endswith("(id 18): the MAC does not match (not written by this application, or moved)")
               for t in texts)
    assert texts[-1].startswith("the events 1..22 do not match checkpoint #1")
    owner = [c.id for c in cases if c.id == deleted_case][0]
    assert any(t.startswith(f"case {owner} event seq") and "sequence number" in t for t in texts)


def test_verify_case_names_a_bad_mac(dbsession, org, mac_key):
    case = open_review(dbsession, org)
    advance_review(dbsession, org, case, "vote")
    assert verify.verify_case(dbsession, case.id) is None
    _drop_triggers(dbsession)
    dbsession.execute(sa.text("UPDATE audit_event SET mac = NULL WHERE case_id = :c AND seq = 2"), {"c": case.id})
    dbsession.commit()
    _restore_triggers(dbsession)
    problem = verify.verify_case(dbsession, case.id)
    assert (problem.seq, problem.reason) == (2, "the event has no MAC")
