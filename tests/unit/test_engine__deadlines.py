"""Deadlines on cases: working days, extension once, clearing, the overdue query."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.fixtures_engine import SUBMIT_OK, advance_review, open_review
from core import clock
from workflow import calendar, engine
from workflow.errors import GuardFailed
from workflow.models import Case


def test_rulebook_chosen_by_opening_date_and_kept(dbsession, org, clock_file):
    clock.write_clock_file(str(clock_file), "2025-06-30T03:00:00")
    old = open_review(dbsession, org)
    clock.write_clock_file(str(clock_file), "2025-07-01T03:00:00")
    new = open_review(dbsession, org)
    assert (old.rulebook, new.rulebook) == ("qd24_2021", "qd294_2025")
    assert old.opened_on == dt.date(2025, 6, 30)
    engine.act(dbsession, old.id, "submit", org.secretary, SUBMIT_OK)
    dbsession.expire_all()
    assert dbsession.get(Case, old.id).rulebook == "qd24_2021"


def test_deadline_set_extended_once_and_cleared(dbsession, org, clock_file):
    clock.write_clock_file(str(clock_file), "2025-03-03T02:00:00")
    case = open_review(dbsession, org)
    engine.act(dbsession, case.id, "submit", org.secretary, SUBMIT_OK)  # 10 wd from 2025-03-03
    assert case.deadline_at == calendar.deadline_at(dt.date(2025, 3, 3), 10) == dt.datetime(2025, 3, 17, 17, 0)
    assert (case.deadline_kind, case.deadline_label) == ("decision", "Decision")
    advance_review(dbsession, org, case, "decision")
    assert case.deadline_at == dt.datetime(2025, 3, 17, 17, 0)  # kept across steps
    engine.act(dbsession, case.id, "extend", org.organiser)
    assert case.deadline_at == dt.datetime(2025, 3, 24, 17, 0) and case.deadline_extended
    with pytest.raises(GuardFailed) as exc:
        engine.act(dbsession, case.id, "extend", org.organiser)
    assert exc.value.reasons == ["The deadline has already been extended once."]
    engine.act(dbsession, case.id, "decide", org.standing)
    assert case.deadline_at is None and case.deadline_kind is None


def test_overdue_filter_finds_open_cases_past_their_deadline(dbsession, org, clock_file):
    clock.write_clock_file(str(clock_file), "2025-03-03T02:00:00")
    late = open_review(dbsession, org)
    engine.act(dbsession, late.id, "submit", org.secretary, SUBMIT_OK)
    on_time = open_review(dbsession, org)
    engine.act(dbsession, on_time.id, "submit", org.secretary, dict(SUBMIT_OK, submitted_on="2025-03-20"))
    closed = open_review(dbsession, org)
    engine.act(dbsession, closed.id, "submit", org.secretary, SUBMIT_OK)
    engine.act(dbsession, closed.id, "withdraw", org.secretary)
    clock.write_clock_file(str(clock_file), "2025-03-18T02:00:00")
    overdue = dbsession.scalars(sa.select(Case.id).where(calendar.overdue_filter()).order_by(Case.id)).all()
    assert overdue == [late.id]


def test_overdue_query_uses_the_partial_index(dbsession):
    sql = sa.select(Case.id).where(calendar.overdue_filter(now=dt.datetime(2025, 1, 1))).order_by(Case.deadline_at)
    compiled = sql.compile(dbsession.get_bind(), compile_kwargs={"literal_binds": True})
    if dbsession.get_bind().dialect.name == "sqlite":
        plan = " ".join(str(r) for r in dbsession.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}")).all())
        assert "ix_wf_case_open_deadline" in plan
    else:
        dbsession.execute(sa.text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(r[0] for r in dbsession.execute(sa.text(f"EXPLAIN {compiled}")).all())
        assert "ix_wf_case_open_deadline" in plan
