"""The searches and filters of the lists have an index condition, on PostgreSQL and on
SQLite (issue 16): the query plans name the index of migration 0013."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import is_postgres


def plan(session, stmt) -> str:
    """The query plan of ``stmt`` as text (PostgreSQL: no sequential scan allowed, as
    at scale where the table is large; SQLite: EXPLAIN QUERY PLAN)."""
    compiled = stmt.compile(dialect=session.get_bind().dialect)
    params = compiled.params
    if compiled.positiontup is not None:  # SQLite's qmark style
        params = tuple(params[name] for name in compiled.positiontup)
    return _explain_raw(session, str(compiled), params)


def crowd(session, unit_id: int, n: int = 20_000) -> None:
    """PostgreSQL: ``n`` more people at ``unit_id`` (names without "van", "ngoc"...), analysed:
    the planner then weighs the indexes as at scale."""
    if not is_postgres():
        return
    session.execute(sa.text(
        "INSERT INTO person (full_name, name_folded, date_of_birth, gender, national_id, education, ethnicity, "
        "residence, unit_id, status, youth_union_member, trade_union_member, created_at) "
        "SELECT 'Người số ' || i, 'nguoi so ' || i, DATE '1990-01-01', 'male', lpad((900000000000 + i)::text, 12, "
        "'0'), 'upper_secondary', 'Kinh', '', :unit, 'official', false, false, now() "
        "FROM generate_series(1, :n) AS i"), {"unit": unit_id, "n": n})
    session.execute(sa.text("ANALYZE person"))
    session.execute(sa.text("ANALYZE unit"))


def user_of(session, name):
    from core.models import User

    return session.scalar(sa.select(User).where(User.username == name))


@pytest.mark.parametrize("q", ["van", "nguyen van", "Nguyễn Văn", "ngoc dat"])
def test_lists__people_search_by_any_word_uses_the_name_index(app, demo, q):
    from app.extensions import db
    from cases.people import people_query

    with app.app_context():
        crowd(db.session, demo.units["trung"].id)
        stmt = people_query(db.session, user_of(db.session, "thuongvu.tinh"), q)
        text = plan(db.session, stmt)
    if is_postgres():
        assert "ix_person_name_trgm" in text, text
    else:
        assert "search_name VIRTUAL TABLE INDEX" in text, text


def test_lists__case_list_by_type_and_open_step_uses_its_index(app, demo):
    from app.extensions import db
    from cases.queries import Filters, list_cases

    with app.app_context():
        captured = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a, **k: captured.append((a[2], a[3])))
        list_cases(db.session, user_of(db.session, "thuongvu.tinh"), Filters(type="removal", state="branch_vote"))
        sql, params = captured[-1]
        assert "closed_at IS NULL" in sql  # an open step: the partial index's predicate is implied
        text = _explain_raw(db.session, sql, params)
    assert "ix_wf_case_open_process_state" in text, text


def test_lists__overdue_list_uses_its_index(app, demo):
    from app.extensions import db
    from cases.queries import Filters, list_cases

    with app.app_context():
        captured = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a, **k: captured.append((a[2], a[3])))
        list_cases(db.session, user_of(db.session, "thuongvu.tinh"), Filters(overdue=True))
        text = _explain_raw(db.session, *captured[-1])
    # PostgreSQL reads the open cases with a deadline in id order, newest first, comparing
    # the deadline in the index; SQLite's planner, without statistics, reads the few units'
    # cases from their index: no table scan either way.
    if is_postgres():
        assert "ix_wf_case_open_deadline_id" in text, text
    else:
        assert "SCAN wf_case" not in text and "USING INDEX ix_wf_case_" in text, text


def test_lists__an_end_state_does_not_add_the_open_condition(app, demo):
    from cases.queries import _open_state

    assert _open_state("removal", "branch_vote") and _open_state(None, "branch_vote")
    assert not _open_state("removal", "removed") and not _open_state("nosuch", "draft")


def _explain_raw(session, sql: str, params) -> str:
    conn = session.connection()
    if is_postgres():
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        return "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql, params))
    return "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))


def _last_statement(app, run) -> tuple:
    """The SQL and parameters of the last statement ``run()`` executes."""
    from app.extensions import db

    captured = []
    listener = lambda *a, **k: captured.append((a[2], a[3]))  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        run()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return captured[-1]


@pytest.mark.parametrize("q", ["van", "nguyen van"])
def test_lists__a_wide_scope_reads_a_name_page_from_the_word_index(app, demo, monkeypatch, q):
    """A scope of many units (the province at scale; here forced by the limit): on PostgreSQL
    each word's stream is read in name order from ``ix_person_word_order`` and stops at the
    page size: no bitmap of every match (the trigram index), no sort of the scope's people.
    SQLite keeps its FTS5 index."""
    import cases.people
    from app.extensions import db
    from cases.people import list_people

    monkeypatch.setattr(cases.people, "SEARCH_UNITS_LIMIT", 0)
    with app.app_context():
        if is_postgres():  # 20,000 who bear "nguyen" first and "van" later: sorting them would cost
            db.session.execute(sa.text(
                "INSERT INTO person (full_name, name_folded, date_of_birth, gender, national_id, education, "
                "ethnicity, residence, unit_id, status, youth_union_member, trade_union_member, created_at) "
                "SELECT 'Nguyễn Văn ' || g, 'nguyen van ' || g, DATE '1990-01-01', 'male', "
                "lpad((880000000000 + i)::text, 12, '0'), 'upper_secondary', 'Kinh', '', :unit, 'official', "
                "false, false, now() FROM generate_series(1, 20000) AS i, "
                "LATERAL (SELECT (ARRAY['an', 'binh', 'chi', 'dung'])[i % 4 + 1] AS g) AS given"),
                {"unit": demo.units["trung"].id})
            db.session.execute(sa.text("ANALYZE person; ANALYZE person_word; ANALYZE name_word; ANALYZE unit"))
        user = user_of(db.session, "thuongvu.tinh")
        text = _explain_raw(db.session, *_last_statement(app, lambda: list_people(db.session, user, q)))
    if is_postgres():
        # The crowded stream is read in name order and stops at the page; a sort of a stream
        # is only of one the planner knows to be short (fewer than a page).
        assert re.search(r"Limit .*\n\s+->  (Nested Loop .*\n\s+->  )*Index (Only )?Scan using ix_person_word_order",
                         text), text
        sorted_rows = re.findall(r"Sort  \(cost=\S+ rows=(\d+) width=\d+\)\n\s+Sort Key: person_word", text)
        assert all(int(n) < 50 for n in sorted_rows) and "ix_person_name_trgm" not in text, text
        assert not re.search(r"(Seq|Bitmap Heap) Scan on person ", text), text
    else:
        assert "search_name VIRTUAL TABLE INDEX" in text, text


def test_lists__a_narrow_scope_reads_its_units_people(app, demo):
    """A scope of a few units (a grassroots committee): the name page reads the units'
    people from ``ix_person_unit_status``, not every person bearing the word."""
    from app.extensions import db
    from cases.people import list_people

    with app.app_context():
        crowd(db.session, demo.units["trung"].id)
        user = user_of(db.session, "bithu.dong")
        text = _explain_raw(db.session, *_last_statement(app, lambda: list_people(db.session, user, "van")))
    if is_postgres():
        assert "ix_person_unit_status" in text and "ix_person_name_trgm" not in text, text
    else:
        assert "SCAN person" not in text, text


def test_lists__a_narrow_scope_reads_transfers_by_destination(app, demo):
    """The case list of a few units reads the transfers in transit to them from
    ``ix_wf_case_transfer`` (by state and destination), not every transfer newest first."""
    from app.extensions import db
    from cases.queries import Filters, list_cases

    with app.app_context():
        user = user_of(db.session, "bithu.dong")
        text = _explain_raw(db.session, *_last_statement(app, lambda: list_cases(db.session, user, Filters())))
    assert "ix_wf_case_transfer" in text, text
@pytest.mark.parametrize("what", ["page", "badge"])
def test_lists__a_wide_inbox_reads_each_step_in_deadline_order_from_its_index(app, demo, monkeypatch, what):
    """A district's or the province's inbox and badge (a scope wider than
    ``SCOPE_UNITS_LIMIT``) read each step the user may act at from
    ``ix_wf_case_open_step_deadline`` in deadline order (migration 0014), not every open
    case at those steps: a scan that stops after a page (PostgreSQL merges them)."""
    from app.extensions import db
    from cases import queries

    monkeypatch.setattr(queries, "SCOPE_UNITS_LIMIT", 0)  # the district as at scale: more units than that
    with app.app_context():
        crowd_cases(db.session)
        captured = []
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a, **k: captured.append((a[2], a[3])))
        user = user_of(db.session, "thuongvu.nghiahung")
        if what == "page":
            queries.inbox(db.session, user)
        else:
            queries.inbox_count(db.session, user)
        text = _explain_raw(db.session, *captured[-1])
    scans = text.count("ix_wf_case_open_step_deadline")
    assert scans >= 3, text  # one per step (the standing committee decides at several)
    if is_postgres():
        # Not the province-wide BitmapOr of every step (ix_wf_case_open_process_state) then a sort.
        assert "Seq Scan on wf_case" not in text and "ix_wf_case_open_process_state" not in text, text
        if what == "page":
            assert "Merge Append" in text, text
    else:
        # SQLite sorts each step's few rows (its index order puts no deadline first): no table scan.
        assert not re.search(r"SCAN wf_case$", text, re.M), text


def crowd_cases(session, n: int = 30_000) -> None:
    """PostgreSQL: ``n`` open admission cases at the steps a district decides, across the
    demo's branches, analysed: the planner then weighs the indexes as at scale."""
    if not is_postgres():
        return
    session.execute(sa.text(
        "INSERT INTO wf_case (process, process_version, rulebook, state, version, unit_id, opened_at, opened_on, "
        "deadline_at, deadline_extended, data, audit_seq, audit_hash, one_open_per_person) "
        "SELECT 'admission', 1, 'qd294_2025', (ARRAY['superior_review', 'recognition_decision', 'superior_decision', "
        "'branch_vote'])[1 + i % 4], 1, u.id, now(), current_date, now() + (i % 900) * interval '1 hour', false, '{}', 0, "
        "repeat('0', 64), false FROM generate_series(1, :n) AS i "
        "JOIN LATERAL (SELECT id FROM unit ORDER BY id OFFSET i % (SELECT count(*) FROM unit) LIMIT 1) u ON true"),
        {"n": n})
    session.execute(sa.text("ANALYZE wf_case"))
    session.execute(sa.text("ANALYZE unit"))
