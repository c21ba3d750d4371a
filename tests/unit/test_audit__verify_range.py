"""The one-pass plan: how the ranges' chains are joined, and what it reads."""

from __future__ import annotations

import pytest

from tests.fixtures_engine import advance_review, open_review
from workflow import verify, verify_scan
from workflow.verify_range import RangeResult, merge

H = [f"{i:064x}" for i in range(10)]


def rng(opens=None, carries=None, ended=(), suspects=()) -> RangeResult:
    return RangeResult(opens=dict(opens or {}), carries=dict(carries or {}), ended=list(ended),
                       suspects=set(suspects))


def test_a_chain_across_three_ranges_joins():
    # case 7: seq 1-2 in the first range, 3 in the second, 4-5 in the third (its row says 5)
    results = [rng(carries={7: (2, H[2])}), rng(opens={7: (3, H[2])}, carries={7: (3, H[3])}),
               rng(opens={7: (4, H[3])}, ended=[7])]
    assert merge(results, 1) == (set(), True)


@pytest.mark.parametrize("results, why", [
    ([rng(carries={7: (2, H[2])}), rng(opens={7: (3, H[9])}, ended=[7])], "a link to another hash"),
    ([rng(carries={7: (2, H[2])}), rng(opens={7: (4, H[2])}, ended=[7])], "a number skipped"),
    ([rng(ended=[7]), rng(opens={7: (3, H[2])}, ended=[7])], "a continuation nothing left open"),
    ([rng(carries={7: (2, H[2])}), rng(ended=[7])], "a second chain started while one was open"),
    ([rng(carries={7: (2, H[2])}), rng(carries={7: (2, H[5])})], "two open ends"),
    ([rng(ended=[7]), rng(ended=[7])], "two last events"),
    ([rng(carries={7: (2, H[2])})], "never continued"),
    ([rng(suspects=[7], ended=[7])], "suspect inside a range"),
])
def test_a_broken_join_makes_the_case_a_suspect(results, why):
    suspects, _named = merge(results, 1)
    assert suspects == {7}, why


def test_rows_no_range_named_are_reported():
    assert merge([rng(ended=[1, 2])], 3) == (set(), False)


def test_a_clean_history_is_read_once_in_id_order(dbsession, org, monkeypatch):
    """On a clean history the one-pass plan reads each event once, by id
    ranges, and never case by case (no suspect to check again)."""
    cases = [open_review(dbsession, org) for _ in range(4)]
    for target in ("submitted", "vote"):
        for case in cases:
            advance_review(dbsession, org, case, target)
    seen: list[str] = []
    real = verify_scan.Db.batches
    monkeypatch.setattr(verify_scan.Db, "batches", lambda self, sql: seen.append(sql) or real(self, sql))
    monkeypatch.setattr(verify, "BLOCK", 4)
    monkeypatch.setattr(verify, "LEAF_BLOCKS_PER_TASK", 1)
    report = verify.verify_all(dbsession)
    assert report.ok and (report.cases, report.events) == (4, 12)
    assert len(seen) == 3 and all("FROM audit_event WHERE id >" in s and s.endswith("ORDER BY id") for s in seen)
    seen.clear()
    verify.verify_all(dbsession, plan="cases")
    assert any("ORDER BY case_id, seq" in s for s in seen)
