"""The reports' rollup (issue 16): kept current by the engine's hooks, it equals a set-based
rebuild after a mixed scenario (discipline decided, then announced, an exemption and a
refused one, a
transfer received), and the report reads the same counts from it as from the facts, for
whole and partial months (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.admission_flow import vote
from tests.demo_people import plain_member
from tests.report_year import YEAR, add_members, discipline
from tests.transfer_flow import ok, open_exemption, to_in_transit


def _rollup(session) -> dict:
    """The rollup's counts; the moves as what they add up to (cases opened, open by state)."""
    from cases.report_rollup import ReportRollup, _moves

    r = ReportRollup
    out: dict = {}
    for *key, n, vsum, vn in session.execute(sa.select(r.kind, r.unit_path, r.month, r.process, r.detail, r.n,
                                                       r.value_sum, r.value_n)):
        kind, path, month, process, detail = key
        parts = [(k, *m) for k in ("opened", "open") for m in _moves(k, process, detail, n)] \
            if kind == "moved" else [(kind, (process, detail), n)]
        for k, (proc, d), m in parts:
            counted = out.setdefault((k, path, month, proc, d), [0, 0, 0])
            counted[0] += m
            if kind != "moved":
                counted[1] += vsum
                counted[2] += vn
    return {key: tuple(v) for key, v in out.items() if any(v)}


def test_reports__rollup_kept_live_equals_its_rebuild(app, pages, demo, clock_file):
    from app.extensions import db
    from cases import actions
    from cases.report_facts import rebuild as rebuild_facts
    from cases.report_rollup import rebuild
    from core.models import Unit, User
    from workflow.models import Case

    response, exemption = open_exemption(app, pages, plain_member(demo, 5).id)
    ok(response)
    ok(pages.act(exemption, "decide_exempt", **vote("2026-11-12", 10, 8, 6, 2)))
    transfer = to_in_transit(app, pages, demo, plain_member(demo).id, kind="temporary", letter=False,
                             planned_until="2027-03-10")
    pages.as_user("bithu.tdp4")
    ok(pages.act(transfer, "receive", received_on="2026-09-18"))
    response, refused = open_exemption(app, pages, plain_member(demo, 6).id)
    ok(response)
    ok(pages.act(refused, "decide_refuse", meeting_date="2026-11-12", reason="Chưa đủ điều kiện."))

    clock_file.write_text(f"{YEAR}-12-30T03:00:00Z")
    with app.app_context():
        people = add_members(db.session, demo.units["trung"].id, 3, 1)
        discipline(db.session, app.config["UPLOAD_DIR"], clock_file, people[0][0], "dismissal", dt.date(YEAR, 3, 4),
                   people[0][1])
        warned = discipline(db.session, app.config["UPLOAD_DIR"], clock_file, people[1][0], "warning",
                            dt.date(YEAR, 5, 6))
        secretary = db.session.scalar(sa.select(User).where(User.username == "bithu.trung"))
        clock_file.write_text(f"{YEAR}-12-30T03:00:00Z")
        announced = db.session.get(Case, warned)
        actions.take_action(db.session, secretary, announced, "announce", {"announced_on": f"{YEAR}-05-08"})
        assert db.session.get(Case, warned).state == "in_force"
        assert db.session.get(Case, refused).closed_at is not None
    with app.app_context():
        live = _rollup(db.session)
        kinds = {key[0] for key in live}
        assert {"opened", "open", "disciplined", "closed", "exempted", "transfer_in"} <= kinds, kinds
        # Every ancestor holds the counts of its subtree: the two decisions at the branch, its
        # grassroots committee, the district and the province.
        trung = db.session.get(Unit, demo.units["trung"].id)
        paths = [p for (k, p, m, proc, d) in live if k == "disciplined"]
        assert sorted(set(paths)) == sorted(set(trung.path[:i + 1] for i, ch in enumerate(trung.path)
                                                if ch == "/" and i > 0))
        assert sum(n for (k, p, *_), (n, *_) in live.items() if k == "disciplined" and p == trung.path) == 2
        # A case that moved on left no open count behind in its former state.
        assert all(n >= 0 for n, _s, _v in live.values())
        rebuild_facts(db.session)
        assert rebuild(db.session) > 0
        db.session.commit()
        assert _rollup(db.session) == live


def test_reports__whole_and_partial_months_read_the_same_counts(app, api, demo, clock_file):
    """A period cut mid-month reads its ends from the facts, its whole months from the rollup:
    the sum of two adjacent periods is the whole one's."""
    from app.extensions import db

    with app.app_context():
        people = add_members(db.session, demo.units["trung"].id, 3, 1)
        for (person, post), form, day in zip(people, ("reprimand", "warning", "reprimand"),
                                             (dt.date(YEAR, 3, 4), dt.date(YEAR, 3, 20), dt.date(YEAR, 7, 1))):
            discipline(db.session, app.config["UPLOAD_DIR"], clock_file, person, form, day)
    client = api.as_user("thuongvu.nghiahung")

    def total(start, end):
        body = client.get(f"/reports/summary?from={start}&to={end}").get_json()
        return body["discipline"]["total"], body["cases"]["discipline"]["opened"]

    assert total(f"{YEAR}-01-01", f"{YEAR}-12-31") == (3, 3)
    assert total(f"{YEAR}-03-10", f"{YEAR}-07-01") == (2, 2)
    assert total(f"{YEAR}-03-01", f"{YEAR}-03-19") == (1, 1)
    first, second = total(f"{YEAR}-01-01", f"{YEAR}-03-05"), total(f"{YEAR}-03-06", f"{YEAR}-12-31")
    assert (first[0] + second[0], first[1] + second[1]) == (3, 3) and first == (1, 1)


def test_reports__rollup_split_of_a_period():
    from cases.report_rollup import ancestors, split

    d = dt.date
    assert split(d(2025, 1, 1), d(2025, 12, 31)) == ((d(2025, 1, 1), d(2025, 12, 31)), [])
    assert split(d(2025, 3, 15), d(2025, 11, 20)) == ((d(2025, 4, 1), d(2025, 10, 31)),
                                                      [(d(2025, 3, 15), d(2025, 3, 31)), (d(2025, 11, 1), d(2025, 11, 20))])
    assert split(d(2025, 6, 3), d(2025, 6, 20)) == (None, [(d(2025, 6, 3), d(2025, 6, 20))])
    assert split(d(2024, 2, 1), d(2024, 2, 29)) == ((d(2024, 2, 1), d(2024, 2, 29)), [])
    assert split(d(2025, 12, 2), d(2026, 1, 31)) == ((d(2026, 1, 1), d(2026, 1, 31)), [(d(2025, 12, 2), d(2025, 12, 31))])
    assert ancestors("/1/4/17/") == ("/1/", "/1/4/", "/1/4/17/")
