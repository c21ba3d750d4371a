"""The inbox is the SQL twin of ``available_actions``: for every demo account
and cases of every process in every state, it lists exactly the open cases
where the engine would offer an action, with those actions, in full
keyset pages, in a bounded number of statements per page."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import sqlalchemy as sa

NOW = "2026-11-20T03:00:00Z"


@pytest.fixture
def world(app, demo, clock_file):
    """The demo district, plus a chi bộ cơ sở (grassroots and branch at once)
    under Thành ủy Nam Định with an account holding two roles there, and cases
    of every registered process version in every state at branches, grassroots
    organisations and the chi bộ cơ sở, with reviewing units and deadlines
    varied; a few of them closed."""
    from app.extensions import db
    from cases.registry import all_entries
    from core.enums import Level, Role
    from core.models import RoleAssignment, Unit, User, assign_path
    from workflow.definition import registered
    from workflow.models import GENESIS_HASH, Case

    clock_file.write_text(NOW)
    with app.app_context():
        s = db.session
        gb = Unit(name="Chi bộ cơ sở Trường THPT Nam Định", level=Level.grassroots, grassroots_branch=True,
                  parent=s.get(Unit, demo.units["thanhpho"].id))
        assign_path(s, gb)
        user = User(username="bithu.cbcs", display_name="Bí thư chi bộ cơ sở",
                    password_hash=s.get(User, demo.users["bithu.trung"].id).password_hash)
        s.add(user)
        s.flush()
        s.add_all([RoleAssignment(user_id=user.id, unit_id=gb.id, role=Role.branch_secretary),
                   RoleAssignment(user_id=user.id, unit_id=gb.id, role=Role.committee_member)])
        homes = [s.get(Unit, demo.units[k].id) for k in ("trung", "dong", "tdp4", "phucthang", "locvuong")] + [gb]
        # A reviewing unit is where an officer acted (at grassroots or above, on the case's path) or
        # the one above a deciding body: a unit on the path at grassroots level or above, or none.
        above = {h.id: [None] + [i for i in h.ancestor_ids if s.get(Unit, i).level is not Level.branch]
                 for h in homes}
        turn = itertools.count()
        deadlines = itertools.cycle([None, dt.datetime(2026, 12, 1, 17), dt.datetime(2026, 11, 25, 17), None,
                                     dt.datetime(2026, 12, 1, 17)])
        names = {t.process.name for t in all_entries().values()}
        opened = dt.datetime(2026, 11, 1, 3)
        n = 0
        for (name, version), process in sorted(registered().items()):
            if name not in names:
                continue
            rulebook = process.rulebooks.in_force(opened.date()).code
            for state in process.states:
                for home in homes:
                    n += 1
                    choices = above[home.id]
                    s.add(Case(process=name, process_version=version, rulebook=rulebook, state=state, unit_id=home.id,
                               reviewing_unit_id=choices[next(turn) % len(choices)], opened_at=opened,
                               opened_on=opened.date(),
                               deadline_at=next(deadlines), data={}, audit_seq=0, audit_hash=GENESIS_HASH,
                               closed_at=opened if (state in process.end_states or n % 11 == 0) else None))
            if name == "transfer":  # a destination in another district: seen across scopes while in transit
                for state in process.states:
                    s.add(Case(process=name, process_version=version, rulebook=rulebook, state=state,
                               unit_id=demo.units["trung"].id, reviewing_unit_id=demo.units["tdp4"].id,
                               opened_at=opened, opened_on=opened.date(), deadline_at=next(deadlines), data={},
                               audit_seq=0, audit_hash=GENESIS_HASH,
                               closed_at=opened if state in process.end_states else None))
        s.commit()
    return demo


def _accounts(app):
    from app.extensions import db
    from core.models import User

    with app.app_context():
        return [u.username for u in db.session.scalars(sa.select(User).order_by(User.id))]


def _all_pages(session, user, limit):
    from cases import queries

    items, pages, cursor = [], [], None
    while True:
        page, cursor = queries.inbox(session, user, cursor, limit=limit)
        pages.append(len(page))
        items.extend(page)
        if cursor is None:
            return items, pages


def test_inbox__is_exactly_the_open_cases_with_available_actions_for_every_account(app, world):
    from app.extensions import db
    from core.models import User
    from workflow import access
    from workflow.models import Case

    limit = 7
    with app.app_context():
        s = db.session
        cases = list(s.scalars(sa.select(Case).order_by(Case.id)))
        assert {c.process for c in cases} == {"admission", "candidacy", "discipline", "removal", "transfer", "exemption", "grading"}
        acting_somewhere = 0
        for username in _accounts(app):
            user = s.scalar(sa.select(User).where(User.username == username))
            expected = {}
            for case in cases:
                actions = [ct.action for ct in access.available_actions(s, case.id, user)]
                if actions and case.closed_at is None:  # the inbox lists open cases
                    expected[case.id] = actions
            items, pages = _all_pages(s, user, limit)
            got = {case.id: [ct.action for ct in actions] for case, actions in items}
            assert len(got) == len(items), f"{username}: a case listed twice"
            assert got == expected, username
            # Full pages; the last one (possibly empty only when there is nothing at all) ends it.
            assert all(n == limit for n in pages[:-1]) and 0 < pages[-1] <= limit or pages == [0], (username, pages)
            keys = [(c.deadline_at is None, c.deadline_at or dt.datetime.min, c.id) for c, _ in items]
            assert keys == sorted(keys), username
            acting_somewhere += bool(expected)
        assert acting_somewhere >= 10  # most accounts act on something: the comparison is not vacuous


def test_rule__organisation__chi_bo_co_so_is_both_grassroots_and_branch(app, world):
    from app.extensions import db
    from core.models import User

    with app.app_context():
        s = db.session
        user = s.scalar(sa.select(User).where(User.username == "bithu.cbcs"))
        actions = {(c.process, c.state, ct.action) for c, cts in _all_pages(s, user, 50)[0] for ct in cts}
        assert ("admission", "draft", "submit") in actions  # branch_secretary @ branch
        assert ("admission", "background_check", "certify_background") in actions  # committee_member @ grassroots
        assert ("discipline", "review", "conclude_review") in actions  # committee_member @ the reviewing unit
        kiemtra = s.scalar(sa.select(User).where(User.username == "kiemtra.thanhpho"))
        appeals = [c for c, cts in _all_pages(s, kiemtra, 50)[0] if c.state == "appeal_review"]
        assert appeals and all(c.reviewing_unit_id == world.units["thanhpho"].id for c in appeals)


def _count_statements(engine, fn):
    from sqlalchemy import event

    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return statements


def _open_admissions(app, demo, n):
    """``n`` more admission dossiers in draft at thôn Trung, for its secretary's inbox."""
    from app.extensions import db
    from core.models import Person
    from workflow.models import GENESIS_HASH, Case

    with app.app_context():
        person = db.session.get(Person, demo.people["trung"][-1].id)
        for i in range(n):
            db.session.add(Case(process="admission", process_version=1, rulebook="qd294_2025", state="draft",
                                unit_id=demo.units["trung"].id, person_id=person.id,
                                opened_at=dt.datetime(2026, 11, 1), opened_on=dt.date(2026, 11, 1),
                                deadline_at=dt.datetime(2026, 12, 1 + i % 20, 17) if i % 3 else None,
                                data={}, audit_seq=0, audit_hash=GENESIS_HASH))
        db.session.commit()


def test_inbox__a_bounded_number_of_statements_per_page_whatever_its_size(app, demo, client, auth, clock_file):
    from app.extensions import db
    from cases import queries
    from core.models import User

    clock_file.write_text(NOW)

    def page_of(limit):
        with app.app_context():
            db.session.expunge_all()
            user = db.session.scalar(sa.select(User).where(User.username == "bithu.trung"))
            counted = []

            def run():
                counted.append(len(queries.inbox(db.session, user, limit=limit)[0]))

            statements = _count_statements(db.engine, run)
            return counted[0], len(statements)

    _open_admissions(app, demo, 3)
    small = page_of(50)
    _open_admissions(app, demo, 120)
    large = page_of(50)
    whole = page_of(200)
    assert (small[0], large[0], whole[0]) == (3, 50, 123)
    assert small[1] == large[1] == whole[1] <= 4  # role rows, scope, the page, its people

    assert auth.login("bithu.trung").status_code == 302
    with app.app_context():
        html_statements = _count_statements(db.engine, lambda: client.get("/inbox"))
    response = client.get("/inbox")
    assert response.status_code == 200 and response.get_data(as_text=True).count('href="/cases/') == 123
    assert len(html_statements) <= 10  # the page: the user, then the inbox as above, nothing per row


def test_inbox__the_page_is_keyset_paginated_like_the_api(app, demo, client, auth, clock_file, monkeypatch):
    """The inbox page beyond its page size: a "Next page" link with the cursor, and the pages
    together are the API's inbox in the same order; a forged cursor is a 400."""
    import re

    from app.extensions import db
    from cases import queries
    from core.models import User

    clock_file.write_text(NOW)
    _open_admissions(app, demo, 5)
    monkeypatch.setattr(queries, "INBOX_PAGE", 2)
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "bithu.trung"))
        expected = [case.id for case, _actions in queries.inbox(db.session, user, limit=500)[0]]
    assert len(expected) >= 5
    assert auth.login("bithu.trung").status_code == 302
    seen, path = [], "/inbox"
    while path:
        html = client.get(path).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r'<a href="/cases/(\d+)">#', html)]
        link = re.search(r'data-testid="inbox-next" href="([^"]+)"', html)
        path = link.group(1).replace("&amp;", "&") if link else None
    assert seen == expected
    assert client.get("/inbox?cursor=!!!").status_code == 400


def test_inbox__a_wide_scope_reads_each_step_apart_and_lists_exactly_the_same(app, world, monkeypatch):
    """A scope of more units than ``SCOPE_UNITS_LIMIT`` (a district, the province) reads one
    deadline-ordered scan per step and the reviewing units' cases apart
    (:mod:`cases.inbox_scans`): the same cases, actions, full pages and order for every account."""
    from app.extensions import db
    from cases import inbox_scans, queries
    from core.models import User

    monkeypatch.setattr(queries, "SCOPE_UNITS_LIMIT", 0)
    scopes = []
    merged_ids = inbox_scans.merged_ids
    monkeypatch.setattr(inbox_scans, "merged_ids", lambda steps, units, *a: scopes.append(units) or
                        merged_ids(steps, units, *a))
    test_inbox__is_exactly_the_open_cases_with_available_actions_for_every_account(app, world)
    assert scopes and all(units is None for units in scopes)  # the wide reading, every time
    with app.app_context():  # the reviewing unit's scan: Thành ủy's inspection officer reviews the appeals
        kiemtra = db.session.scalar(sa.select(User).where(User.username == "kiemtra.thanhpho"))
        assert any(c.state == "appeal_review" for c, _ in _all_pages(db.session, kiemtra, 50)[0])


@pytest.mark.parametrize("wide", [False, True], ids=["narrow", "wide"])
def test_inbox__the_badge_counts_the_inbox_up_to_its_cap(app, world, monkeypatch, wide):
    """``inbox_count`` is the number of cases the inbox lists, up to ``cap + 1`` ("99+"),
    for every account; after the first page of the inbox in the same request it needs no
    statement when that page holds the whole inbox or more than ``cap``."""
    from app.extensions import db
    from cases import queries
    from core.models import User

    if wide:
        monkeypatch.setattr(queries, "SCOPE_UNITS_LIMIT", 0)
    with app.app_context():
        s = db.session
        seen_counts = set()
        for username in _accounts(app):
            def fresh():
                s.expunge_all()  # the count is kept on the user object, once a request
                return s.scalar(sa.select(User).where(User.username == username))

            total = len(_all_pages(s, fresh(), 50)[0])
            for cap in (0, 2, 99):
                assert queries.inbox_count(s, fresh(), cap) == min(total, cap + 1), (username, cap)
            user = fresh()
            queries.inbox(s, user, limit=200)
            statements = _count_statements(db.engine, lambda: seen_counts.add(queries.inbox_count(s, user, 2)))
            assert statements == [] and min(total, 3) in seen_counts, username
            seen_counts.add(total)
        assert max(seen_counts) > 3  # some account's inbox is over the cap: the cap is exercised
