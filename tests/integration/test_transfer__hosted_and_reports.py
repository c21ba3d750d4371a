"""A temporarily hosted member: counted at home, not among the entitled voters while away;
the return needs the host branch's comment; the summary report counts transfers, hosted and
exempted members (DOMAIN.md "Transfer of party activity", "Reports")."""

from __future__ import annotations

from tests.admission_flow import case_state, vote
from tests.demo_people import plain_member
from tests.discipline_flow import refusal
from tests.transfer_flow import LETTER_ON, exempted, ok, open_exemption, to_in_transit, working_day_after


def hosted(app, pages, demo, member_id: int, planned_until="2027-03-10") -> int:
    case_id = to_in_transit(app, pages, demo, member_id, kind="temporary", letter=False, planned_until=planned_until)
    pages.as_user("bithu.tdp4")
    ok(pages.act(case_id, "receive", received_on="2026-09-18"))
    assert case_state(app, case_id) == "hosted"
    return case_id


def test_rule__transfer__hosted_counted_at_home(app, pages, demo, api):
    member = plain_member(demo)
    hosted(app, pages, demo, member.id)
    trung = api.as_user("bithu.trung").get(f"/reports/summary?unit={demo.units['trung'].id}&year=2026").get_json()
    assert trung["members"]["by_status"]["official"] == 10
    assert trung["transfers"]["hosted_away"] == 1
    tdp4 = api.as_user("bithu.tdp4").get(f"/reports/summary?unit={demo.units['tdp4'].id}&year=2026").get_json()
    assert tdp4["members"]["by_status"]["official"] == 10
    assert tdp4["transfers"]["hosted_here"] == 1 and tdp4["transfers"]["received_temporarily"] == 1
    # Not among thôn Trung's entitled voters while away: 9 of the 10 officials count.
    response, exemption = open_exemption(app, pages, plain_member(demo, 5).id)
    ok(response)
    assert "9" in refusal(pages.act(exemption, "decide_exempt", **vote("2026-11-12", 10, 8, 6, 2)))
    ok(pages.act(exemption, "decide_exempt", **vote("2026-11-12", 9, 8, 6, 2)))


def test_rule__transfer__host_comment_attached_before_return(app, pages, demo, clock_file):
    from app.extensions import db
    from workflow.timers import fire_due_timers

    case_id = hosted(app, pages, demo, plain_member(demo).id)
    clock_file.write_text("2027-03-10T03:00:00Z")
    with app.app_context():
        assert fire_due_timers(db.session) == 1
    assert case_state(app, case_id) == "return_due"
    pages.as_user("bithu.trung")
    response = pages.act(case_id, "return", returned_on="2027-03-10")
    assert response.status_code == 422 and case_state(app, case_id) == "return_due"
    ok(pages.act(case_id, "return", returned_on="2027-03-10", host_comment="Hoàn thành tốt nhiệm vụ."))
    assert case_state(app, case_id) == "returned"


def test_rule__reports__transfers_hosted_and_exempted(app, pages, demo, api):
    member, late_member = plain_member(demo), plain_member(demo, 4)
    first = to_in_transit(app, pages, demo, member.id)
    pages.as_user("bithu.tdp4")
    ok(pages.act(first, "receive", received_on=working_day_after(LETTER_ON, 5)))
    second = to_in_transit(app, pages, demo, late_member.id)
    pages.as_user("bithu.tdp4")
    ok(pages.act(second, "receive", received_on=working_day_after(LETTER_ON, 31), late_reason="Ốm."))
    exempted(app, pages, plain_member(demo, 5).id, tally=(8, 7, 5, 2))
    trung = api.as_user("tochuc.nghiahung").get(f"/reports/summary?unit={demo.units['trung'].id}&year=2026")
    body = trung.get_json()
    assert body["transfers"]["transferred_out"] == 2 and body["transfers"]["transferred_in"] == 0
    assert body["members"]["by_status"]["official"] == 8
    assert body["exemptions"] == {"exempted": 1, "by_kind": {"work_and_activity": 1}, "decided": 1}
    tdp4 = api.as_user("bithu.tdp4").get(f"/reports/summary?unit={demo.units['tdp4'].id}&year=2026").get_json()
    assert tdp4["transfers"]["transferred_in"] == 2 and tdp4["transfers"]["late"] == 1
    assert tdp4["members"]["by_status"]["official"] == 12
    # Counted by the day the member presented the letter: nothing in 2025.
    old = api.as_user("bithu.tdp4").get(f"/reports/summary?unit={demo.units['tdp4'].id}&year=2025").get_json()
    assert old["transfers"]["transferred_in"] == 0
