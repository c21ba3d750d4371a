"""Migration 0010 turns existing event ids into a gapless global sequence."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from core.schema import upgrade
from tests.conftest import is_postgres


@pytest.mark.skipif(is_postgres(), reason="builds its own SQLite database from an older revision")
def test_existing_events_are_renumbered_in_order_and_stay_append_only(tmp_path):
    engine = upgrade(f"sqlite:///{tmp_path / 'old.db'}", "0006_candidacy_plans")
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.execute(sa.text(
            "INSERT INTO wf_case (id, process, process_version, rulebook, state, version, unit_id, opened_at, "
            "opened_on, deadline_extended, data, audit_seq, audit_hash) VALUES (1, 'p', 1, 'r', 's', 1, 1, "
            "'2025-01-01 00:00:00.000000', '2025-01-01', 0, '{}', 3, :h)"), {"h": "c" * 64})
        for old_id, seq in ((3, 1), (7, 2), (8, 3)):
            conn.execute(sa.text(
                "INSERT INTO audit_event (id, case_id, seq, actor_name, action, payload, at, prev_hash, hash) "
                "VALUES (:i, 1, :s, 'x', 'a', '{}', '2025-01-01 00:00:00.000000', :p, :h)"),
                {"i": old_id, "s": seq, "p": str(seq) * 64, "h": str(seq + 1) * 64})
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT id, seq, mac FROM audit_event ORDER BY id")).all() == [
            (1, 1, None), (2, 2, None), (3, 3, None)]
        with pytest.raises(DatabaseError, match="append-only"):
            conn.execute(sa.text("UPDATE audit_event SET comment = 'x'"))
    engine.dispose()
