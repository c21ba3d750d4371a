"""Exemption from party work and activity through the pages (DOMAIN.md "Exemption from work and activity")."""

from __future__ import annotations

import sqlalchemy as sa

from tests.admission_flow import case_state, vote
from tests.demo_people import plain_member
from tests.discipline_flow import case_data, refusal
from tests.transfer_flow import exempted, ok, open_exemption


def exemption_of(app, person_id: int):
    from app.extensions import db
    from core.models import Person

    with app.app_context():
        return db.session.scalar(sa.select(Person.exemption).where(Person.id == person_id))


def test_rule__exemption__branch_decides_by_a_majority_of_those_present(app, pages, demo):
    member = plain_member(demo)
    response, case_id = open_exemption(app, pages, member.id)
    ok(response)
    # 4 of 8 present is not a majority: the meeting refused.
    ok(pages.act(case_id, "decide_exempt", **vote("2026-11-12", 10, 8, 4, 4)))
    assert case_state(app, case_id) == "refused" and exemption_of(app, member.id) is None
    case2 = exempted(app, pages, member.id, tally=(10, 8, 5, 3))
    assert exemption_of(app, member.id) == "work_and_activity"
    assert case_data(app, case2)["branch_vote"]["passed"] is True


def test_rule__exemption__resume_on_request_or_at_the_end_date__on_request(app, pages, demo):
    member = plain_member(demo)
    case_id = exempted(app, pages, member.id)
    ok(pages.act(case_id, "resume", resumed_on="2026-11-19"))
    assert case_state(app, case_id) == "ended" and exemption_of(app, member.id) is None


def test_rule__exemption__resume_on_request_or_at_the_end_date__timer(app, pages, demo, clock_file):
    from app.extensions import db
    from workflow.timers import fire_due_timers

    member = plain_member(demo)
    case_id = exempted(app, pages, member.id, exempt_until="2026-12-31")
    with app.app_context():
        assert fire_due_timers(db.session) == 0
    clock_file.write_text("2027-01-01T03:00:00Z")
    with app.app_context():
        assert fire_due_timers(db.session) == 1
    assert case_state(app, case_id) == "ended" and exemption_of(app, member.id) is None
    assert case_data(app, case_id)["ended_on"] == "2026-12-31"


def test_rule__exemption__exempted_not_counted_among_entitled_voters(app, pages, demo):
    """Thôn Trung has 10 official members; one exempted leaves 9 entitled to vote."""
    exempted(app, pages, plain_member(demo).id)
    other = plain_member(demo, 4)
    response, case_id = open_exemption(app, pages, other.id, kind="work")
    ok(response)
    text = refusal(pages.act(case_id, "decide_exempt", **vote("2026-11-13", 10, 8, 6, 2)))
    assert "9" in text and case_state(app, case_id) == "requested"
    ok(pages.act(case_id, "decide_exempt", **vote("2026-11-13", 9, 8, 6, 2)))
    assert case_state(app, case_id) == "exempted"


def test_rule__exemption__request_kind_reason_and_dates(app, pages, demo):
    response, _ = open_exemption(app, pages, plain_member(demo).id, exempt_until="2026-11-01")
    assert response.status_code == 422


def test_rule__exemption__exempted_stay_members(app, pages, demo):
    from tests.discipline_flow import person_status

    member = plain_member(demo)
    exempted(app, pages, member.id, kind="work")
    assert person_status(app, member.id) == "official" and exemption_of(app, member.id) == "work"
    # One open exemption per person.
    response, _ = open_exemption(app, pages, member.id)
    assert response.status_code == 422


def test_rule__exemption__grassroots_committee_informed(app, pages, demo):
    """The grassroots committee (its committee members and standing members at Đảng ủy xã Phúc
    Thắng) is told of the branch meeting's decision, either way; no one else is."""
    from tests.notify_flow import rows, scan

    member = plain_member(demo)
    case_id = exempted(app, pages, member.id)
    scan(app)
    informed = rows(app, kind="informed")
    told = {n.recipient_id for n in informed}
    assert told == {demo.users["danguy.phucthang"].id, demo.users["thuongvu.phucthang"].id}
    assert {(n.case_id, n.step) for n in informed} == {(case_id, "exempted")}
    # Not the secretary who recorded it, not the inspection officer, not the committee above.
    for other in ("bithu.trung", "kiemtra.phucthang", "thuongvu.nghiahung", "bithu.dong"):
        assert demo.users[other].id not in told
    assert scan(app) == 0 and len(rows(app, kind="informed")) == 2  # once each
    # A refusal is a decision too.
    other = plain_member(demo, 4)
    response, refused = open_exemption(app, pages, other.id)
    ok(response)
    ok(pages.act(refused, "decide_refuse", meeting_date="2026-11-13", reason="Còn đủ sức khỏe."))
    scan(app)
    assert {(n.case_id, n.step) for n in rows(app, "thuongvu.phucthang", kind="informed")} == {
        (case_id, "exempted"), (refused, "refused")}
    # The words, in Vietnamese, on the recipient's list.
    pages.as_user("thuongvu.phucthang")
    html = pages.client.get("/notifications").get_data(as_text=True)
    assert f"Để biết: {member.full_name}" in html and "cấp ủy đồng chí được thông báo" in html
