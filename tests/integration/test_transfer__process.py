"""The transfer of party activity through the pages (DOMAIN.md "Transfer of party activity")."""

from __future__ import annotations

import sqlalchemy as sa

from tests.admission_flow import case_state
from tests.demo_people import TODAY, plain_member
from tests.discipline_flow import case_data, person_status, refusal
from tests.transfer_flow import LETTER_ON, ok, open_transfer, to_in_transit, working_day_after


def person_unit(app, person_id: int) -> int:
    from app.extensions import db
    from core.models import Person

    with app.app_context():
        return db.session.scalar(sa.select(Person.unit_id).where(Person.id == person_id))


def test_rule__transfer__effects_on_the_home_branch(app, pages, demo):
    member = plain_member(demo)
    case_id = to_in_transit(app, pages, demo, member.id)
    pages.as_user("bithu.tdp4")
    ok(pages.act(case_id, "receive", received_on=working_day_after(LETTER_ON, 10)))
    assert case_state(app, case_id) == "transferred"
    assert person_unit(app, member.id) == demo.units["tdp4"].id
    assert case_data(app, case_id)["late"] is False


def test_rule__transfer__presented_within_30_working_days(app, pages, demo):
    member = plain_member(demo)
    case_id = to_in_transit(app, pages, demo, member.id)
    pages.as_user("bithu.tdp4")
    day31 = working_day_after(LETTER_ON, 31)
    text = refusal(pages.act(case_id, "receive", received_on=day31))
    assert "30" in text and case_state(app, case_id) == "in_transit"
    ok(pages.act(case_id, "receive", received_on=day31, late_reason="Ốm, nằm viện hai tuần."))
    data = case_data(app, case_id)
    assert data["late"] is True and data["late_reason"] == "Ốm, nằm viện hai tuần."
    # The 30th working day is still in time.
    other = plain_member(demo, 4)
    case2 = to_in_transit(app, pages, demo, other.id)
    pages.as_user("bithu.tdp4")
    ok(pages.act(case2, "receive", received_on=working_day_after(LETTER_ON, 30)))
    assert case_data(app, case2)["late"] is False


def test_rule__transfer__effects_on_the_home_branch__out_of_the_system(app, pages, demo):
    member = plain_member(demo)
    response, case_id = open_transfer(app, pages, member.id, destination_text="Tỉnh ủy Lào Cai")
    ok(response)
    ok(pages.act(case_id, "confirm"))
    pages.as_user("danguy.phucthang")
    ok(pages.act(case_id, "introduce", intro_number="12-GGT/ĐU", intro_date="2026-09-15"))
    assert case_state(app, case_id) == "superior_review"
    pages.as_user("tochuc.nghiahung")
    ok(pages.act(case_id, "issue_letter", letter_number="45-GGT/HU", letter_date="2026-09-16"))
    assert case_state(app, case_id) == "transferred_out"
    assert person_status(app, member.id) == "transferred_out"
    # Readable, not active: the home branch still sees the person, who is no longer a member it can act on.
    pages.as_user("bithu.trung")
    assert pages.client.get(f"/people/{member.id}").status_code == 200
    response, _case = open_transfer(app, pages, member.id, destination_text="Tỉnh ủy Lào Cai")
    assert response.status_code == 422


def test_rule__transfer__destination_in_or_outside_the_system(app, pages, demo):
    member = plain_member(demo)
    assert "chính chi bộ" in refusal(open_transfer(app, pages, member.id, demo.units["trung"].id)[0])
    both = open_transfer(app, pages, member.id, demo.units["tdp4"].id, destination_text="Tỉnh ủy Lào Cai")[0]
    assert "chỉ một trong hai" in refusal(both)
    response, _ = open_transfer(app, pages, member.id, demo.units["phucthang"].id)  # not a branch
    assert response.status_code == 422 and "Không có chi bộ này" in response.get_data(as_text=True)
    ok(open_transfer(app, pages, member.id, None, destination_text="Đảng ủy ngoài nước")[0])


def test_rule__transfer__official_or_temporary(app, pages, demo):
    member = plain_member(demo)
    tdp4 = demo.units["tdp4"].id
    short = open_transfer(app, pages, member.id, tdp4, kind="temporary", planned_until="2026-12-01")[0]
    assert "từ 3 tháng trở lên" in refusal(short)
    year = open_transfer(app, pages, member.id, tdp4, kind="temporary", planned_until="2027-09-10")[0]
    assert "dưới 1 năm" in refusal(year)
    study_long = open_transfer(app, pages, member.id, tdp4, kind="temporary", purpose="study",
                               planned_until="2028-09-11")[0]
    assert "2 năm" in refusal(study_long)
    response, case_id = open_transfer(app, pages, member.id, tdp4, kind="temporary", purpose="study",
                                      planned_until="2028-09-10")
    ok(response)
    assert case_data(app, case_id)["kind"] == "temporary"


def test_rule__transfer__confirm_or_cancel_at_the_branch(app, pages, demo):
    member = plain_member(demo)
    response, case_id = open_transfer(app, pages, member.id, demo.units["tdp4"].id)
    ok(response)
    pages.as_user("danguy.phucthang")
    assert pages.act(case_id, "cancel", reason="x").status_code == 403
    pages.as_user("bithu.trung")
    ok(pages.act(case_id, "cancel", reason="Đảng viên rút đơn."))
    assert case_state(app, case_id) == "cancelled"
    response, case_id = open_transfer(app, pages, member.id, demo.units["tdp4"].id)
    ok(response)
    ok(pages.act(case_id, "confirm"))
    assert case_state(app, case_id) == "grassroots_review"


def test_rule__transfer__letters_and_their_steps(app, pages, demo):
    """Within the superior's subtree (thôn Trung to thôn Đông) the grassroots letter suffices;
    to another district the superior's letter follows."""
    member = plain_member(demo)
    response, case_id = open_transfer(app, pages, member.id, demo.units["dong"].id)
    ok(response)
    ok(pages.act(case_id, "confirm"))
    pages.as_user("danguy.phucthang")
    ok(pages.act(case_id, "introduce", intro_number="12-GGT/ĐU", intro_date="2026-09-15"))
    assert case_state(app, case_id) == "in_transit"
    assert case_data(app, case_id)["letter_date"] == "2026-09-15"
    pages.as_user("bithu.dong")
    ok(pages.act(case_id, "receive", received_on="2026-09-18"))
    assert person_unit(app, member.id) == demo.units["dong"].id
    other = plain_member(demo, 4)
    case2 = to_in_transit(app, pages, demo, other.id)  # asserts superior_review, then the letter
    assert case_data(app, case2)["letter_number"] == "45-GGT/HU"


def test_rule__transfer__received_by_the_destination(app, pages, demo):
    member = plain_member(demo)
    case_id = to_in_transit(app, pages, demo, member.id)
    for user in ("bithu.trung", "danguy.locvuong"):
        pages.as_user(user)
        assert pages.client.post(f"/cases/{case_id}/actions/receive", data={
            "csrf_token": pages.token("/"), "received_on": "2026-09-18"}).status_code in (403, 404)
    assert case_state(app, case_id) == "in_transit"
    pages.as_user("bithu.tdp4")
    ok(pages.act(case_id, "receive", received_on="2026-09-18"))
    assert case_state(app, case_id) == "transferred"


def test_rule__transfer__official_start_after_60_working_days_needs_a_reason(app, pages, demo):
    member = plain_member(demo)
    response, _ = open_transfer(app, pages, member.id, demo.units["tdp4"].id, moved_on="2026-05-04")
    assert response.status_code == 422
    response, case_id = open_transfer(app, pages, member.id, demo.units["tdp4"].id, moved_on="2026-05-04",
                                      late_reason="Chờ quyết định nghỉ hưu.")
    ok(response)
    assert case_data(app, case_id)["late_start"] is True


def test_rule__transfer__in_transit_visible_to_the_destination_only(app, pages, demo):
    member = plain_member(demo)
    neighbour = plain_member(demo, 4)
    response, case_id = open_transfer(app, pages, member.id, demo.units["tdp4"].id)
    ok(response)
    pages.as_user("bithu.tdp4")
    assert pages.client.get(f"/cases/{case_id}").status_code == 404  # not yet in transit
    assert pages.client.get(f"/people/{member.id}").status_code == 404
    pages.as_user("bithu.trung")
    ok(pages.act(case_id, "confirm"))
    pages.as_user("danguy.phucthang")
    ok(pages.act(case_id, "introduce", intro_number="12-GGT/ĐU", intro_date="2026-09-15"))
    pages.as_user("tochuc.nghiahung")
    ok(pages.act(case_id, "issue_letter", letter_number="45-GGT/HU", letter_date="2026-09-16"))
    pages.as_user("bithu.tdp4")
    assert pages.client.get(f"/cases/{case_id}").status_code == 200
    assert pages.client.get(f"/people/{member.id}").status_code == 200
    assert pages.client.get(f"/people/{neighbour.id}").status_code == 404
    inbox = pages.client.get("/inbox").get_data(as_text=True)
    assert f"/cases/{case_id}" in inbox
    people = pages.client.get(f"/people?q=").get_data(as_text=True)
    assert neighbour.full_name not in people


def test_rule__transfer__refused_under_discipline(app, pages, demo, clock_file):
    """A warning in force refuses the transfer; once it lapsed (its timer), the transfer opens."""
    from app.extensions import db
    from tests.discipline_flow import announce, decided_by_branch
    from workflow.timers import fire_due_timers

    member = plain_member(demo)
    warning = decided_by_branch(app, pages, member.id, form="warning")
    announce(pages, warning, TODAY)
    response, _ = open_transfer(app, pages, member.id, demo.units["tdp4"].id, opened="2026-11-20T03:00:00Z",
                                moved_on="2026-11-19")
    text = refusal(response)
    assert f"(số {warning})" in text and "kỷ luật" in text
    # Twelve months after the announcement the warning lapses (its timer), and the transfer opens.
    clock_file.write_text("2027-11-22T03:00:00Z")
    with app.app_context():
        assert fire_due_timers(db.session) >= 1
    assert case_state(app, warning) == "lapsed"
    response, case_id = open_transfer(app, pages, member.id, demo.units["tdp4"].id,
                                      opened="2027-11-22T03:00:00Z", moved_on="2027-11-19")
    ok(response)
    assert case_state(app, case_id) == "requested"


def test_rule__transfer__history_readable_by_both_sides(app, pages, demo):
    """After an official transfer the destination reads the member's earlier cases, and the home
    branch still reads the member; the home branch's lists no longer hold them, and the
    destination still sees no one else of thôn Trung."""
    from tests.admission_flow import vote
    from tests.transfer_flow import open_exemption

    member, neighbour = plain_member(demo), plain_member(demo, 4)
    response, earlier = open_exemption(app, pages, member.id)
    ok(response)
    ok(pages.act(earlier, "decide_exempt", **vote("2026-11-12", 10, 8, 2, 6)))  # refused: closed
    case_id = to_in_transit(app, pages, demo, member.id)
    pages.as_user("bithu.tdp4")
    assert pages.client.get(f"/cases/{earlier}").status_code == 404  # in transit: only the transfer
    ok(pages.act(case_id, "receive", received_on="2026-09-18"))
    assert pages.client.get(f"/cases/{earlier}").status_code == 200
    assert pages.client.get(f"/people/{neighbour.id}").status_code == 404
    pages.as_user("bithu.trung")
    assert pages.client.get(f"/people/{member.id}").status_code == 200
    assert pages.client.get(f"/cases/{case_id}").status_code == 200
    unit_page = pages.client.get(f"/units/{demo.units['trung'].id}").get_data(as_text=True)
    assert member.full_name not in unit_page and neighbour.full_name in unit_page
