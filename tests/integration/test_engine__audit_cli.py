"""``flask audit verify`` checks every chain and names the first bad event."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.fixtures_engine import advance_review, build_org, open_review
from tests.unit.test_engine__audit_trail import _drop_triggers, _restore_triggers


def test_audit_verify_command(app, db_engine):
    with Session(db_engine, expire_on_commit=False) as session:
        org = build_org(session)
        good = open_review(session, org)
        advance_review(session, org, good, "decision")
        bad = open_review(session, org)
        advance_review(session, org, bad, "approved")
        good_id, bad_id = good.id, bad.id
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK (2 cases, 9 events;" in result.output

    with Session(db_engine) as session:
        _drop_triggers(session)
        session.execute(sa.text("UPDATE audit_event SET actor_name = 'someone else' WHERE case_id = :c AND seq = 3"),
                        {"c": bad_id})
        session.commit()
        _restore_triggers(session)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"first bad event: case {bad_id} event seq 3" in result.output
    assert runner.invoke(args=["audit", "verify", "--case", str(good_id)]).exit_code == 0
    assert runner.invoke(args=["audit", "verify", "--case", str(bad_id)]).exit_code == 1
