"""Headless Chromium: an official transfer from Chi bộ thôn Trung (Huyện ủy Nghĩa Hưng) to
Chi bộ tổ dân phố số 4 (Thành ủy Nam Định, another district), turn by turn as bithu.trung,
danguy.phucthang, tochuc.nghiahung and bithu.tdp4, who receives the member on the 31st
working day after the letter, with a reason: the case is marked late, and the member moves
from thôn Trung's lists to tổ dân phố số 4's. Screenshots of every step are saved."""

import pytest

from tests.demo_people import plain_member
from tests.transfer_flow import LETTER_ON, working_day_after

from .browser import Browser

pytestmark = pytest.mark.e2e


def test_browser__official_transfer_to_another_district_received_late(app, live_server, page, artifacts_dir,
                                                                        demo, clock_file):
    member, neighbour = plain_member(demo), plain_member(demo, 4)
    tdp4, trung = demo.units["tdp4"].id, demo.units["trung"].id
    b = Browser(page, live_server, artifacts_dir, "transfer")

    # bithu.trung records the member's request (official, to tổ dân phố số 4) and confirms it.
    clock_file.write_text("2026-09-14T03:00:00Z")
    b.as_user("bithu.trung")
    case_id = b.new_case("transfer", selects={"person_id": member.id, "kind": "official",
                                              "destination_unit_id": tdp4},
                         fields={"grounds": "Chuyển về ở cùng gia đình tại phường Lộc Vượng.",
                                 "moved_on": "2026-09-10", "dues_paid_to": "2026-09-01"})
    assert b.state() == "requested"
    clock_file.write_text("2026-11-20T03:00:00Z")
    b.act(case_id, "confirm", fields={"note": "Đảng phí đã đóng đến tháng 9/2026."})
    assert b.state() == "grassroots_review"

    # danguy.phucthang introduces; leaving Nghĩa Hưng, the district's letter follows.
    b.as_user("danguy.phucthang")
    b.act(case_id, "introduce", fields={"intro_number": "12-GGT/ĐU", "intro_date": "2026-09-15"})
    assert b.state() == "superior_review"
    b.as_user("tochuc.nghiahung")
    b.act(case_id, "issue_letter", fields={"letter_number": "45-GGT/HU", "letter_date": LETTER_ON})
    assert b.state() == "in_transit"

    # bithu.tdp4 sees the incoming case in the inbox, and no other person of thôn Trung.
    b.as_user("bithu.tdp4")
    page.goto(f"{live_server}/inbox")
    assert page.locator(f"[data-testid=inbox] a[href='/cases/{case_id}']").count() >= 1
    b.shot("inbox")
    assert page.goto(f"{live_server}/people/{member.id}").status == 200
    assert page.goto(f"{live_server}/people/{neighbour.id}").status == 404
    assert page.goto(f"{live_server}/units/{trung}").status == 404
    page.goto(f"{live_server}/cases?q=")
    assert neighbour.full_name not in page.content()

    # Received on the 31st working day after the letter: refused without a reason, accepted with one.
    day31 = working_day_after(LETTER_ON, 31)
    b.open_case(case_id)
    details = page.locator("details[data-action=receive]")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    form = page.locator("[data-testid=form-receive]")
    b.fill(form, {"received_on": day31})
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "lý do" in page.locator("[data-testid=refusal]").inner_text()
    b.shot("receive-refused")
    b.act(case_id, "receive", fields={"received_on": day31, "late_reason": "Đảng viên ốm, nằm viện hai tuần."})
    assert b.state() == "transferred"
    assert "Chậm" in page.locator("[data-testid=late]").inner_text()

    # The member is in tổ dân phố số 4's lists, no longer in thôn Trung's.
    page.goto(f"{live_server}/units/{tdp4}")
    assert member.full_name in page.locator("[data-testid=unit-people]").inner_text()
    b.shot("tdp4-people")
    b.as_user("bithu.trung")
    page.goto(f"{live_server}/units/{trung}")
    assert member.full_name not in page.locator("[data-testid=unit-people]").inner_text()
    b.open_case(case_id)
    assert b.state() == "transferred"
    b.shot("trung-after")
