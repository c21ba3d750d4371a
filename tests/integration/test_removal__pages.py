"""Removal from the rolls (xóa tên) through the pages (SQLite and PostgreSQL)."""

from tests.admission_flow import case_state, latest_case_id, vote
from tests.demo_people import OPENED, plain_member
from tests.discipline_flow import case_data, new_case, person_status, refusal


def propose(app, pages, person_id, opened=OPENED, **override):
    pages.as_user("bithu.trung")
    fields = {"grounds": "missed_activities_or_dues", "months_missed": 3,
              "description": "Không sinh hoạt chi bộ và không đóng đảng phí các tháng 6, 7, 8 năm 2026."}
    fields.update(override)
    return new_case(pages, "removal", person_id, opened=opened, **fields)


def test_rule__removal__grounds_are_one_of_the_six(app, pages, demo):
    member = plain_member(demo)
    response = propose(app, pages, member.id, grounds="")
    assert response.status_code == 422 and "Căn cứ xóa tên" in response.get_data(as_text=True)
    text = refusal(propose(app, pages, member.id, months_missed=2))
    assert "3 tháng" in text and "2" in text
    assert propose(app, pages, member.id).status_code == 302
    case_id = latest_case_id(app)
    assert case_state(app, case_id) == "proposed"
    assert case_data(app, case_id)["grounds"] == "missed_activities_or_dues"
    # One open removal case per member.
    assert "số %s" % case_id in refusal(propose(app, pages, member.id))


def test_rule__removal__decision_removes_the_name(app, pages, demo):
    member = plain_member(demo)
    assert propose(app, pages, member.id, opened="2026-10-01T03:00:00Z").status_code == 302
    case_id = latest_case_id(app)
    assert "3" in refusal(pages.act(case_id, "record_self_review", submitted="no"))
    for day in ("2026-10-05", "2026-10-20", "2026-11-05"):
        assert pages.act(case_id, "request_self_review", requested_on=day).status_code == 302
    assert pages.act(case_id, "record_self_review", submitted="no").status_code == 302
    assert case_state(app, case_id) == "branch_vote"
    # Evidence first.
    assert "chứng cứ" in refusal(pages.act(case_id, "record_branch_vote", **vote("2026-11-20", 10, 10, 9, 1)))
    assert pages.upload(case_id, "evidence", issued_on="2026-11-01").status_code == 302
    # ≥ 2/3 of the branch: 6 of 10 is not enough.
    assert pages.act(case_id, "record_branch_vote", **vote("2026-11-20", 10, 10, 7, 3)).status_code == 302
    assert case_state(app, case_id) == "grassroots_vote"
    pages.as_user("danguy.phucthang")
    assert pages.act(case_id, "record_grassroots_vote", **vote("2026-11-20", 9, 9, 6, 3)).status_code == 302
    assert case_state(app, case_id) == "superior_decision"
    pages.as_user("thuongvu.nghiahung")
    text = refusal(pages.act(case_id, "decide_remove", decision_number="50-QĐ/HU", decision_date="2026-11-20",
                             **vote("2026-11-20", 16, 15, 8, 7)))
    assert "8" in text and "16" in text
    assert pages.act(case_id, "decide_remove", decision_number="50-QĐ/HU", decision_date="2026-11-20",
                     **vote("2026-11-20", 16, 15, 12, 3)).status_code == 302
    assert case_state(app, case_id) == "removed"
    assert person_status(app, member.id) == "removed"
    html = pages.case_page(case_id)
    assert "Đã xóa tên" in html and "Bỏ sinh hoạt đảng hoặc không đóng đảng phí 3 tháng" in html


def test_rule__removal__branch_vote_two_thirds(app, pages, demo):
    member = plain_member(demo)
    assert propose(app, pages, member.id, grounds="party_card_returned_or_destroyed", months_missed=None).status_code == 302
    case_id = latest_case_id(app)
    assert pages.act(case_id, "record_self_review", submitted="yes", self_criticism="Tôi xin rút kinh nghiệm.").status_code == 302
    assert pages.upload(case_id, "evidence", issued_on="2026-11-01").status_code == 302
    assert pages.act(case_id, "record_branch_vote", **vote("2026-11-20", 10, 10, 6, 4)).status_code == 302
    assert case_state(app, case_id) == "dropped"
    assert person_status(app, member.id) == "official"


def test_rule__removal__missed_activities_or_dues_for_3_months(app, pages, demo):
    member = plain_member(demo)
    for months in (None, 2):
        response = propose(app, pages, member.id, months_missed=months)
        assert response.status_code == 422 and "3 tháng" in refusal(response), months
    assert propose(app, pages, member.id, months_missed=3).status_code == 302
    assert case_data(app, latest_case_id(app))["months_missed"] == 3


def test_rule__removal__self_review_proceeds_after_three_unanswered_requests(app, pages, demo):
    assert propose(app, pages, plain_member(demo).id).status_code == 302
    case_id = latest_case_id(app)
    for day in ("2026-10-05", "2026-10-20"):
        assert pages.act(case_id, "request_self_review", requested_on=day).status_code == 302
    assert "2" in refusal(pages.act(case_id, "record_self_review", submitted="no"))
    assert case_state(app, case_id) == "proposed"
    assert pages.act(case_id, "request_self_review", requested_on="2026-11-05").status_code == 302
    assert pages.act(case_id, "record_self_review", submitted="no").status_code == 302
    assert case_state(app, case_id) == "branch_vote"


def test_rule__removal__grassroots_vote_two_thirds(app, pages, demo):
    member = plain_member(demo)
    assert propose(app, pages, member.id).status_code == 302
    case_id = latest_case_id(app)
    assert pages.act(case_id, "record_self_review", submitted="yes", self_criticism="Không có ý kiến.").status_code == 302
    assert pages.upload(case_id, "evidence", issued_on="2026-11-01").status_code == 302
    assert pages.act(case_id, "record_branch_vote", **vote("2026-11-20", 10, 10, 7, 3)).status_code == 302
    pages.as_user("danguy.phucthang")
    assert pages.act(case_id, "record_grassroots_vote", **vote("2026-11-20", 9, 9, 5, 4)).status_code == 302
    assert case_state(app, case_id) == "dropped"  # 5 of 9 is short of 2/3 (6)
    assert person_status(app, member.id) == "official"
