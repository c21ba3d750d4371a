"""50 threads take the same action on the same case at once (PostgreSQL, the
database of ``TEST_DATABASE_URL``): exactly one wins."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.fixtures_engine import SUBMIT_OK, build_org, open_review
from workflow import engine
from workflow.verify import verify_case
from workflow.errors import ActionNotAvailable, StaleCase
from workflow.models import AuditEvent, Case

pytestmark = pytest.mark.postgres_only

THREADS = 50


def test_fifty_threads_one_winner(pg_engine):
    with Session(pg_engine, expire_on_commit=False) as session:
        org = build_org(session)
        case = open_review(session, org)
        engine.act(session, case.id, "submit", org.secretary, SUBMIT_OK)
        committee_id, case_id = org.committee.id, case.id

    barrier = threading.Barrier(THREADS)
    outcomes: list = [None] * THREADS

    def worker(i: int) -> None:
        with Session(pg_engine, expire_on_commit=False) as s:
            from core.models import User

            actor = s.get(User, committee_id)
            s.rollback()
            barrier.wait()
            try:
                # Half pass the version they read, half rely on the state check.
                engine.act(s, case_id, "review", actor, expected_version=2 if i % 2 else None)
                outcomes[i] = "ok"
            except (StaleCase, ActionNotAvailable) as exc:
                outcomes[i] = type(exc).__name__
            except Exception as exc:  # pragma: no cover - reported by the assertion below
                outcomes[i] = repr(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) <= {"ok", "StaleCase", "ActionNotAvailable"}, outcomes
    with Session(pg_engine) as s:
        reviews = s.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                           .where(AuditEvent.case_id == case_id, AuditEvent.action == "review"))
        assert reviews == 1
        c = s.get(Case, case_id)
        assert (c.state, c.version, c.audit_seq) == ("vote", 3, 3)
        assert verify_case(s, case_id) is None


def test_same_idempotency_key_from_many_threads_writes_once(pg_engine):
    with Session(pg_engine, expire_on_commit=False) as session:
        org = build_org(session)
        case = open_review(session, org)
        secretary_id, case_id = org.secretary.id, case.id

    n = 20
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i: int) -> None:
        with Session(pg_engine, expire_on_commit=False) as s:
            from core.models import User

            actor = s.get(User, secretary_id)
            s.rollback()
            barrier.wait()
            try:
                results[i] = engine.act(s, case_id, "submit", actor, SUBMIT_OK, idempotency_key="same-key")
            except Exception as exc:
                results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    firsts = [r for r in results if not isinstance(r, Exception) and not r.replayed]
    assert len(firsts) == 1, results
    # Every other caller (having waited for the row lock) replays the first result.
    for r in results:
        assert not isinstance(r, Exception), r
        assert r.as_dict() == firsts[0].as_dict()
    with Session(pg_engine) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                        .where(AuditEvent.case_id == case_id, AuditEvent.action == "submit")) == 1


def test_postgresql_triggers_refuse_update_delete_and_truncate(pg_engine):
    import pytest
    from sqlalchemy.exc import DatabaseError

    with Session(pg_engine, expire_on_commit=False) as session:
        org = build_org(session)
        open_review(session, org)
    for statement in ("UPDATE audit_event SET comment = 'x'", "DELETE FROM audit_event", "TRUNCATE audit_event"):
        with pg_engine.connect() as conn:
            with pytest.raises(DatabaseError) as exc:
                conn.execute(sa.text(statement))
            assert "append-only" in str(exc.value)
    with Session(pg_engine) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 1


def test_a_batch_moving_two_cases_and_a_single_act_never_deadlock(pg_engine):
    """A transaction that moves case A then case B (``apply`` twice, as the course
    sheet does) and a single ``act`` on B started in between: the act waits for
    the batch instead of holding B's row while the batch waits for it. Without
    the append lock taken first, PostgreSQL detects a deadlock and aborts one."""
    with Session(pg_engine, expire_on_commit=False) as session:
        org = build_org(session)
        first, second = open_review(session, org), open_review(session, org)
        secretary_id, a_id, b_id = org.secretary.id, first.id, second.id

    applied_a = threading.Event()
    outcomes: dict = {}

    def waiting_for_a_lock() -> bool:
        with pg_engine.connect() as conn:
            return bool(conn.execute(sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar())

    def batch() -> None:
        from core.models import User

        with Session(pg_engine, expire_on_commit=False) as s:
            try:
                actor = s.get(User, secretary_id)
                engine.apply(s, a_id, "submit", actor, SUBMIT_OK)
                applied_a.set()
                for _ in range(500):  # until the single act is blocked (on whichever lock)
                    if waiting_for_a_lock():
                        break
                    threading.Event().wait(0.01)
                engine.apply(s, b_id, "submit", actor, SUBMIT_OK)
                s.commit()
                outcomes["batch"] = "ok"
            except Exception as exc:  # reported by the assertion below
                s.rollback()
                outcomes["batch"] = repr(exc)

    def single() -> None:
        from core.models import User

        applied_a.wait(30)
        with Session(pg_engine, expire_on_commit=False) as s:
            actor = s.get(User, secretary_id)
            s.rollback()
            try:
                engine.act(s, b_id, "withdraw", actor, {"reason": "a single act on the same case"})
                outcomes["single"] = "ok"
            except (StaleCase, ActionNotAvailable) as exc:
                outcomes["single"] = type(exc).__name__
            except Exception as exc:  # reported by the assertion below
                outcomes["single"] = repr(exc)

    threads = [threading.Thread(target=batch), threading.Thread(target=single)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes["batch"] == "ok", outcomes
    assert outcomes["single"] in {"ok", "StaleCase", "ActionNotAvailable"}, outcomes
