"""The global sequence on PostgreSQL (its own database, in both test runs):
numbers follow commit order, are never shared, and a rollback leaves no gap."""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from core.models import User
from tests.fixtures_engine import SUBMIT_OK, build_org, open_review
from workflow import engine
from workflow.verify import verify_all

THREADS = 20


def ids_and_cases(pg_engine) -> list[tuple[int, int]]:
    with Session(pg_engine) as s:
        return [tuple(r) for r in s.execute(sa.text("SELECT id, case_id FROM audit_event ORDER BY id"))]


def test_concurrent_appends_take_distinct_numbers_without_gaps(pg_engine):
    with Session(pg_engine, expire_on_commit=False) as session:
        org = build_org(session)
        cases = [open_review(session, org).id for _ in range(THREADS)]
        secretary_id = org.secretary.id
    barrier = threading.Barrier(THREADS)
    errors: list = []

    def worker(case_id: int, i: int) -> None:
        with Session(pg_engine, expire_on_commit=False) as s:
            actor = s.get(User, secretary_id)
            s.rollback()
            barrier.wait()
            try:
                if i % 4 == 0:  # an append that is rolled back gives its number back
                    engine.apply(s, case_id, "submit", actor, SUBMIT_OK)
                    s.rollback()
                engine.act(s, case_id, "submit", actor, SUBMIT_OK)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(c, i)) for i, c in enumerate(cases)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    rows = ids_and_cases(pg_engine)
    assert [i for i, _c in rows] == list(range(1, 2 * THREADS + 1))
    with Session(pg_engine) as s:
        assert verify_all(s).ok


def test_a_waiting_append_takes_the_number_after_the_committed_one(pg_engine):
    with Session(pg_engine, expire_on_commit=False) as session:
        org = build_org(session)
        first, second = open_review(session, org).id, open_review(session, org).id
        secretary_id = org.secretary.id
    done = threading.Event()

    def later() -> None:
        with Session(pg_engine) as s:
            engine.act(s, second, "submit", s.get(User, secretary_id), SUBMIT_OK)
        done.set()

    with Session(pg_engine) as s:
        engine.apply(s, first, "submit", s.get(User, secretary_id), SUBMIT_OK)  # holds the append lock
        thread = threading.Thread(target=later)
        thread.start()
        time.sleep(0.5)
        assert not done.is_set()  # waits for our commit
        s.commit()
    thread.join(30)
    assert done.is_set()
    assert ids_and_cases(pg_engine)[-2:] == [(3, first), (4, second)]
