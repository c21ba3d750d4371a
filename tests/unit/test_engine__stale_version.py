"""Optimistic concurrency: an act with an outdated expected_version is refused."""

from __future__ import annotations

import pytest

from tests.fixtures_engine import SUBMIT_OK, open_review, table_counts
from workflow import access, engine
from workflow.errors import StaleCase


def test_stale_expected_version_raises_and_changes_nothing(dbsession, org):
    case = open_review(dbsession, org)
    engine.act(dbsession, case.id, "submit", org.secretary, SUBMIT_OK, expected_version=1)
    before = table_counts(dbsession)
    with pytest.raises(StaleCase) as exc:
        engine.act(dbsession, case.id, "withdraw", org.secretary, expected_version=1)
    assert (exc.value.expected, exc.value.actual) == (1, 2)
    assert table_counts(dbsession) == before
    result = engine.act(dbsession, case.id, "withdraw", org.secretary, expected_version=2)
    assert result.version == 3


def test_a_concurrent_write_between_read_and_update_is_detected(dbsession, db_engine, org, monkeypatch):
    """Another writer commits after act() read the case: the conditional UPDATE refuses."""
    from sqlalchemy.orm import Session

    from workflow import statements as eng_mod

    case = open_review(dbsession, org)
    real_load = eng_mod.load_with_roles
    fired = []

    def load_then_race(conn, case_id, user_id, lock):
        snap = real_load(conn, case_id, user_id, lock)
        if not fired and conn.dialect.name == "sqlite":
            fired.append(True)
            with Session(db_engine) as other:
                engine.act(other, case_id, "submit", org.secretary, SUBMIT_OK)
        return snap

    if db_engine.dialect.name != "sqlite":
        # On PostgreSQL the row lock makes the race impossible; prove the lock instead
        # (tests/integration/test_engine__pg_concurrency.py). Here: plain staleness.
        engine.act(dbsession, case.id, "submit", org.secretary, SUBMIT_OK)
        with pytest.raises(StaleCase):
            engine.act(dbsession, case.id, "withdraw", org.secretary, expected_version=1)
        return
    monkeypatch.setattr(eng_mod, "load_with_roles", load_then_race)
    with pytest.raises(StaleCase):
        engine.act(dbsession, case.id, "withdraw", org.secretary)
    monkeypatch.setattr(eng_mod, "load_with_roles", real_load)
    snap = access.load_snapshot(dbsession, case.id)
    assert (snap.state, snap.version, snap.audit_seq) == ("submitted", 2, 2)
