"""Notifications are created from the committed transitions and the deadlines, once each."""

from __future__ import annotations

import datetime as dt

from tests.admission_flow import vote
from tests.api_flow import open_ready_case, step, submit_payload, to_superior_decision
from tests.notify_flow import case_actors, case_deadline, remind, rows, scan


def test_notifications__a_submitted_dossier_notifies_the_grassroots_committee_member(app, api, demo):
    case_id = open_ready_case(api, demo)
    step(api, case_id, "bithu.trung", "submit", submit_payload(demo), "background_check")
    # Tasks run eagerly here (no worker): the write's notifications exist when it answers.
    mine = rows(app, "danguy.phucthang")
    assert [(n.case_id, n.step, n.kind) for n in mine] == [(case_id, "background_check", "actionable")]
    # Whoever took the step is not told about it; nor is anyone who cannot act on the next one.
    assert rows(app, "bithu.trung") == []
    assert rows(app, "thuongvu.nghiahung") == []
    # A second scan (another tick, a restarted worker) creates nothing.
    assert scan(app) == 0
    assert len(rows(app)) == len(rows(app, kind="actionable"))


def test_notifications__the_actors_are_found_by_the_engine_rule(app, api, demo):
    """Whoever gets the notification is exactly whoever the engine offers the step to."""
    from app.extensions import db
    from core.models import User
    from workflow import access

    case_id = open_ready_case(api, demo)
    step(api, case_id, "bithu.trung", "submit", submit_payload(demo), "background_check")
    with app.app_context():
        actors = set(access.actors(db.session, case_id))
        users = db.session.query(User).all()
        offered = {u.id for u in users if access.available_actions(db.session, case_id, u)}
    assert actors == offered and actors


def test_notifications__deciding_tells_those_who_acted(app, api, demo):
    case_id = to_superior_decision(api, demo)
    scan(app)
    step(api, case_id, "thuongvu.nghiahung", "decide_admit",
         dict(decision_number="12-QĐ/HU", decision_date="2026-11-18", **vote("2026-11-18", 15, 13, 12, 1)),
         "awaiting_ceremony")
    scan(app)
    decided = rows(app, kind="decided")
    told = {n.recipient_id for n in decided}
    assert told == {demo.users["bithu.trung"].id, demo.users["danguy.phucthang"].id, demo.users["tochuc.nghiahung"].id}
    assert demo.users["thuongvu.nghiahung"].id not in told


def test_notifications__deadline_reminders_five_and_one_working_days_away_once_each(app, api, demo, clock_file):
    from workflow import calendar

    case_id = to_superior_decision(api, demo)
    deadline = case_deadline(app, case_id)
    actors = case_actors(app, case_id)
    last = (deadline + dt.timedelta(hours=7)).date() - dt.timedelta(days=1)
    five_before = last
    for _ in range(5):
        five_before -= dt.timedelta(days=1)
        while not calendar.is_working_day(five_before):
            five_before -= dt.timedelta(days=1)
    assert calendar.working_days_between(five_before, last) == 5
    six_before = five_before - dt.timedelta(days=1)
    while not calendar.is_working_day(six_before):
        six_before -= dt.timedelta(days=1)

    clock_file.write_text(f"{six_before.isoformat()}T03:00:00Z")
    assert remind(app) == 0
    clock_file.write_text(f"{five_before.isoformat()}T03:00:00Z")
    assert remind(app) == len(actors)
    assert remind(app) == 0
    one_before = last - dt.timedelta(days=1)
    while not calendar.is_working_day(one_before):
        one_before -= dt.timedelta(days=1)
    clock_file.write_text(f"{one_before.isoformat()}T03:00:00Z")
    assert remind(app) == len(actors)
    clock_file.write_text(f"{last.isoformat()}T10:00:00Z")  # 17:00 on the last day: still the 1-day reminder
    assert remind(app) == 0
    reminders = rows(app, kind="deadline_5") + rows(app, kind="deadline_1")
    assert demo.users["thuongvu.nghiahung"].id in actors
    assert sorted((n.kind, n.recipient_id, n.occurrence) for n in reminders) == sorted(
        [("deadline_5", a, last.isoformat()) for a in actors] + [("deadline_1", a, last.isoformat()) for a in actors])
    # Once it has passed: one overdue notification each.
    clock_file.write_text(f"{(last + dt.timedelta(days=1)).isoformat()}T03:00:00Z")
    assert remind(app) == len(actors) and remind(app) == 0
    assert sorted(n.recipient_id for n in rows(app, kind="overdue")) == actors
