"""The audit trail: append-only (triggers), hash-chained, verifiable."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from tests.fixtures_engine import advance_review, open_review
from workflow import engine
from workflow.verify import verify_all, verify_case
from workflow.models import AuditEvent


def _drop_triggers(session):
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.text("DROP TRIGGER audit_event_no_update"))
        session.execute(sa.text("DROP TRIGGER audit_event_no_delete"))
    else:
        session.execute(sa.text("DROP TRIGGER audit_event_no_update_delete ON audit_event"))


def _restore_triggers(session):
    import importlib

    mig = importlib.import_module("migrations.versions.0002_workflow")
    if session.get_bind().dialect.name == "sqlite":
        for ddl in mig.SQLITE_TRIGGERS:
            session.execute(sa.text(ddl))
    else:
        session.execute(sa.text(mig.PG_TRIGGERS[0]))
    session.commit()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET comment = 'edited'",
    "DELETE FROM audit_event",
])
def test_triggers_refuse_update_and_delete(dbsession, org, statement):
    case = open_review(dbsession, org)
    advance_review(dbsession, org, case, "vote")
    with pytest.raises(DatabaseError) as exc:
        dbsession.execute(sa.text(statement))
    assert "append-only" in str(exc.value)
    dbsession.rollback()
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 3


def test_verifier_names_the_first_edited_event(dbsession, org):
    first = open_review(dbsession, org)
    advance_review(dbsession, org, first, "approved")
    second = open_review(dbsession, org)
    advance_review(dbsession, org, second, "vote")
    assert verify_all(dbsession).ok
    _drop_triggers(dbsession)
    dbsession.execute(sa.text("UPDATE audit_event SET payload = :p WHERE case_id = :c AND seq = 4"),
                      {"p": '{"votes_for": 9}', "c": first.id})
    dbsession.commit()
    _restore_triggers(dbsession)
    report = verify_all(dbsession)
    assert not report.ok
    assert [(p.case_id, p.seq) for p in report.problems] == [(first.id, 4)]
    assert "hash does not match" in report.problems[0].reason
    assert verify_case(dbsession, second.id) is None


def test_verifier_finds_a_deleted_event_and_a_moved_head(dbsession, org):
    case = open_review(dbsession, org)
    advance_review(dbsession, org, case, "decision")
    _drop_triggers(dbsession)
    dbsession.execute(sa.text("DELETE FROM audit_event WHERE case_id = :c AND seq = 2"), {"c": case.id})
    dbsession.commit()
    _restore_triggers(dbsession)
    problem = verify_case(dbsession, case.id)
    assert (problem.seq, problem.reason) == (3, "sequence number 3, expected 2")


def test_verifier_finds_a_truncated_tail(dbsession, org):
    case = open_review(dbsession, org)
    advance_review(dbsession, org, case, "decision")
    _drop_triggers(dbsession)
    dbsession.execute(sa.text("DELETE FROM audit_event WHERE case_id = :c AND seq = 4"), {"c": case.id})
    dbsession.commit()
    _restore_triggers(dbsession)
    problem = verify_case(dbsession, case.id)
    assert problem.seq is None and "records 4 events but 3 exist" in problem.reason


def test_record_appends_a_non_state_event_to_the_chain(dbsession, org):
    case = open_review(dbsession, org)
    seq = engine.record(dbsession, case.id, "document_uploaded", org.secretary, {"document": "1-KNĐ", "size": 42})
    assert seq == 2
    ev = dbsession.scalars(sa.select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.seq == 2)).one()
    assert (ev.from_state, ev.to_state, ev.payload["document"]) == ("draft", "draft", "1-KNĐ")
    assert case.version == 1 and case.audit_seq == 2
    advance_review(dbsession, org, case, "submitted")
    assert verify_case(dbsession, case.id) is None
    with pytest.raises(Exception):
        engine.record(dbsession, case.id, "submit", org.secretary)
