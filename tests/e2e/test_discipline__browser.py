"""Headless Chromium: (1) a reprimand decided by Chi bộ thôn Trung alone; (2) the
expulsion of the thôn Trung member who sits on the Phúc Thắng committee, from
kiemtra.nghiahung's report up to thuongvu.nghiahung, announced, appealed in time
and upheld by kiemtra.tinh; (3) a warning decided by Chi bộ thôn Đông, appealed,
and changed to a reprimand by the Phúc Thắng committee (kiemtra.phucthang);
(4) a removal from the rolls for 3 months of missed dues. Screenshots of every
step are saved as artifacts."""

import pytest

from tests.demo_people import TODAY, officials

from .browser import Browser

pytestmark = pytest.mark.e2e


def vote(entitled, present, yes, no, date=TODAY):
    return {"meeting_date": date, "entitled": entitled, "present": present, "votes_for": yes, "votes_against": no}


def test_browser__reprimand_decided_by_the_branch_alone(live_server, page, artifacts_dir, demo, clock_file):
    clock_file.write_text("2026-11-20T03:00:00Z")
    b = Browser(page, live_server, artifacts_dir, "discipline-reprimand")
    member = officials(demo)[3]

    b.as_user("bithu.trung")
    case_id = b.new_case("discipline", selects={"person_id": member.id, "category": "party_activity"},
                         fields={"violation_date": "2026-09-05",
                                 "description": "Ba kỳ liền không dự sinh hoạt chi bộ, không báo cáo lý do."})
    assert b.state() == "self_review"
    assert "Đảng viên kiểm điểm" in page.locator("[data-testid=case-state]").inner_text()
    b.upload(case_id, "evidence", "bien-ban-sinh-hoat.pdf", "2026-11-10")
    b.shot("opened")
    b.act(case_id, "record_self_review", selects={"submitted": "yes", "member_proposed_form": "reprimand"},
          fields={"self_criticism": "Tôi nhận khuyết điểm, xin nhận hình thức khiển trách."})
    b.act(case_id, "record_branch_vote", selects={"proposed_form": "reprimand"}, fields={**vote(10, 10, 8, 2), "resolution_number": "12-NQ/CB"})
    assert b.state() == "decided"
    assert "Khiển trách" in page.locator("[data-testid=final-form]").inner_text()
    b.act(case_id, "announce", fields={"announced_on": TODAY})
    assert b.state() == "in_force"
    assert "Kỷ luật đang có hiệu lực" in page.locator("[data-testid=case-state]").inner_text()
    assert page.locator("[data-testid=under-discipline]").count() == 1
    timeline = page.locator("[data-testid=timeline]").inner_text()
    assert "Ghi nhận nghị quyết của chi bộ" in timeline
    page.goto(f"{live_server}/people/{member.id}")
    assert "Đang chịu kỷ luật" in page.locator("[data-testid=under-discipline]").inner_text()
    assert page.locator(f"[data-testid=person-cases] a[href='/cases/{case_id}']").count() == 1
    b.shot("person-page")


def test_browser__expulsion_of_a_committee_member_appealed_and_upheld(live_server, page, artifacts_dir, demo,
                                                                      clock_file):
    clock_file.write_text("2026-11-02T03:00:00Z")  # reported on 2 November, before the self-review requests
    b = Browser(page, live_server, artifacts_dir, "discipline-expulsion")
    member = officials(demo)[1]  # sits on the Phúc Thắng committee

    b.as_user("kiemtra.nghiahung")
    case_id = b.new_case("discipline", selects={"person_id": member.id, "category": "ethics"},
                         fields={"violation_date": "2026-08-15",
                                 "description": "Lợi dụng chức vụ chiếm đoạt tiền hỗ trợ của hộ nghèo."})
    clock_file.write_text("2026-11-20T03:00:00Z")
    assert b.state() == "reported"
    b.upload(case_id, "evidence", "bien-ban-xac-minh.pdf", "2026-11-10")
    b.act(case_id, "open_review", fields={"note": "Xác minh đơn phản ánh của nhân dân."})
    b.act(case_id, "conclude_review", selects={"conclusion": "violation"},
          fields={"findings": "Vi phạm có thật, đặc biệt nghiêm trọng."})
    assert b.state() == "self_review"

    b.as_user("bithu.trung")
    for day in ("2026-11-02", "2026-11-09", "2026-11-16"):
        b.act(case_id, "request_self_review", fields={"requested_on": day})
    b.act(case_id, "record_self_review", selects={"submitted": "no"})
    # The branch records its vote; for a member of the committee it can only propose, so the case goes up.
    b.open_case(case_id)
    page.locator("details[data-action=record_branch_vote] summary").click()
    assert page.locator("[data-testid=form-record_branch_vote] select[name=resolution]").count() == 0
    b.act(case_id, "record_branch_vote", selects={"proposed_form": "expulsion"}, fields={**vote(10, 10, 9, 1), "resolution_number": "12-NQ/CB"})
    assert b.state() == "upper_review"

    b.as_user("danguy.phucthang")
    b.act(case_id, "record_grassroots_vote", selects={"proposed_form": "expulsion"}, fields={**vote(11, 11, 10, 1), "resolution_number": "12-NQ/CB"})
    assert b.state() == "superior_decision"

    b.as_user("thuongvu.nghiahung")
    b.act(case_id, "decide", selects={"final_form": "expulsion"},
          fields={"decision_number": "112-QĐ/HU", "decision_date": TODAY, **vote(15, 14, 13, 1)})
    assert b.state() == "decided"

    b.as_user("bithu.trung")
    b.act(case_id, "announce", fields={"announced_on": TODAY})
    assert b.state() == "in_force"
    facts = page.locator("[data-testid=case-summary]").inner_text()
    assert "Bị khai trừ" in facts or "khai trừ" in facts.lower()
    b.act(case_id, "file_appeal", fields={"filed_on": TODAY, "grounds": "Tôi đề nghị xem xét lại hình thức."})
    assert b.state() == "appeal_review"

    b.as_user("kiemtra.tinh")
    b.act(case_id, "resolve_appeal", selects={"result": "upheld"},
          fields={"decision_number": "21-QĐ/UBKTTU", "decision_date": TODAY,
                  "reasoning": "Quyết định khai trừ đúng người, đúng vi phạm, đúng thẩm quyền."})
    assert b.state() == "in_force"
    assert "Giữ nguyên" in page.locator("[data-testid=appeal]").inner_text()
    page.goto(f"{live_server}/people/{member.id}")
    assert page.locator(f"[data-testid=person-cases] a[href='/cases/{case_id}']").count() == 1
    b.shot("person-page")


def test_browser__appeal_against_a_decision_of_thon_dong_resolved_by_the_phuc_thang_committee(
        live_server, page, artifacts_dir, demo, clock_file):
    clock_file.write_text("2026-11-20T03:00:00Z")
    b = Browser(page, live_server, artifacts_dir, "discipline-appeal-dong")
    member = officials(demo, "dong")[4]

    b.as_user("bithu.dong")
    case_id = b.new_case("discipline", selects={"person_id": member.id, "category": "member_duties"},
                         fields={"violation_date": "2026-08-20",
                                 "description": "Không đóng đảng phí ba tháng và không báo cáo chi bộ."})
    b.upload(case_id, "evidence", "so-dang-phi.pdf", "2026-11-05")
    b.act(case_id, "record_self_review", selects={"submitted": "yes", "member_proposed_form": "reprimand"},
          fields={"self_criticism": "Tôi nhận khuyết điểm."})
    b.act(case_id, "record_branch_vote", selects={"proposed_form": "warning"}, fields={**vote(10, 10, 7, 3), "resolution_number": "12-NQ/CB"})
    assert b.state() == "decided"  # the branch decides a warning for its own member
    b.act(case_id, "announce", fields={"announced_on": TODAY})
    b.act(case_id, "file_appeal", fields={"filed_on": TODAY, "grounds": "Vi phạm lần đầu, xin giảm hình thức."})
    assert b.state() == "appeal_review"

    # The district may not resolve it: the appeal goes one level above the branch, to Phúc Thắng.
    b.as_user("kiemtra.nghiahung")
    b.open_case(case_id)
    assert page.locator("details[data-action=resolve_appeal]").count() == 0
    b.as_user("kiemtra.phucthang")
    page.goto(f"{live_server}/inbox")
    assert page.locator(f"a[href='/cases/{case_id}']").count() >= 1
    b.shot("inbox")
    b.act(case_id, "resolve_appeal", selects={"result": "changed", "new_form": "reprimand"},
          fields={"decision_number": "05-QĐ/UBKTĐU", "decision_date": TODAY,
                  "reasoning": "Vi phạm lần đầu, đã khắc phục; khiển trách là tương xứng."})
    assert b.state() == "in_force"
    assert "Khiển trách" in page.locator("[data-testid=final-form]").inner_text()
    assert "Thay đổi" in page.locator("[data-testid=appeal]").inner_text()
    # One appeal per discipline: the branch is offered no second one.
    b.as_user("bithu.dong")
    b.open_case(case_id)
    assert page.locator("details[data-action=file_appeal]").count() == 0
    b.shot("after-appeal")


def test_browser__removal_for_three_months_of_missed_dues(live_server, page, artifacts_dir, demo, clock_file):
    clock_file.write_text("2026-11-20T03:00:00Z")
    b = Browser(page, live_server, artifacts_dir, "removal")
    member = officials(demo)[5]

    b.as_user("bithu.trung")
    case_id = b.new_case("removal", selects={"person_id": member.id, "grounds": "missed_activities_or_dues"},
                         fields={"months_missed": 3,
                                 "description": "Không đóng đảng phí các tháng 7, 8, 9 năm 2026, không có lý do."})
    assert b.state() == "proposed"
    assert "3 tháng" in page.locator("[data-testid=grounds]").inner_text()
    b.upload(case_id, "evidence", "so-theo-doi-dang-phi.pdf", "2026-11-10")
    b.act(case_id, "record_self_review", selects={"submitted": "yes"},
          fields={"self_criticism": "Tôi không có ý kiến."})
    b.act(case_id, "record_branch_vote", fields=vote(10, 9, 8, 1))
    assert b.state() == "grassroots_vote"

    b.as_user("danguy.phucthang")
    b.act(case_id, "record_grassroots_vote", fields=vote(11, 10, 9, 1))
    assert b.state() == "superior_decision"

    b.as_user("thuongvu.nghiahung")
    b.act(case_id, "decide_remove", fields={"decision_number": "130-QĐ/HU", "decision_date": TODAY,
                                             **vote(15, 14, 12, 2)})
    assert b.state() == "removed"
    assert "Đã xóa tên" in page.locator("[data-testid=case-state]").inner_text()
    page.goto(f"{live_server}/people/{member.id}")
    assert page.locator(f"[data-testid=person-cases] a[href='/cases/{case_id}']").count() == 1
    b.shot("person-page")
