"""Headless Chromium: the case page's header block answers, in Vietnamese, what
happened, who acts next (role, unit, by name) and by when, and what is still
missing: after a failed branch vote, a dossier returned by the organisation board
and submitted again, the appraisal step, probation, and a discipline case from
the self-review to the committee. The steps before the one under test are taken
through the same service calls the pages make (tests.admission_flow.Flow).
Screenshots of every step are saved as artifacts."""

import pytest

from tests.admission_flow import Flow, vote
from tests.demo_people import NOW, officials

from .browser import Browser

pytestmark = pytest.mark.e2e


def header(page):
    """The header block's parts as text: outcome, next actors, missing items, facts."""
    h = page.locator("[data-testid=case-header]")
    return {
        "tone": h.locator("[data-testid=header-outcome]").get_attribute("data-tone")
        if h.locator("[data-testid=header-outcome]").count() else None,
        "outcome": h.locator("[data-testid=header-outcome]").inner_text()
        if h.locator("[data-testid=header-outcome]").count() else "",
        "next": h.locator("[data-testid=header-next]").inner_text(),
        "missing": h.locator("[data-testid=missing-item]").all_inner_texts(),
        "facts": h.locator("[data-testid=step-facts]").inner_text() if h.locator("[data-testid=step-facts]").count()
        else "",
    }


def dossier_at_branch_vote(app, demo, clock_file, name):
    flow = Flow(app, demo, clock_file)
    flow.at(NOW)
    with app.test_request_context("/"):
        case_id = flow.open(flow.new_candidate("2000-05-01", full_name=name))
        flow.to_branch_vote(case_id)
    return flow, case_id


def to_appraisal(flow, app, case_id):
    with app.test_request_context("/"):
        flow.act(case_id, "record_branch_vote", "bithu.trung", **vote("2026-11-10", 10, 10, 9, 1))
        flow.act(case_id, "record_grassroots_vote", "danguy.phucthang", **vote("2026-11-12", 9, 9, 8, 1))
        assert flow.case(case_id).state == "superior_review"


def test_browser__header_after_a_failed_branch_vote(app, live_server, page, artifacts_dir, demo, clock_file):
    _flow, case_id = dossier_at_branch_vote(app, demo, clock_file, "Lương Văn Bại")
    b = Browser(page, live_server, artifacts_dir, "header-failed-vote")
    b.as_user("bithu.trung")
    b.open_case(case_id)
    h = header(page)
    assert "Bí thư chi bộ của Chi bộ thôn Trung: Trần Văn Trung" in h["next"]
    assert "bạn" in h["next"]  # the secretary reads that the next step is theirs
    b.act(case_id, "record_branch_vote", fields=vote("2026-11-10", 10, 10, 6, 4))
    assert b.state() == "rejected"
    h = header(page)
    assert h["tone"] == "failed"
    assert h["outcome"].startswith("Không đạt: 6/10")
    assert "6/10 người có quyền biểu quyết tán thành; cần 7" in h["outcome"], h["outcome"]
    assert "Không ai: hồ sơ đã kết thúc." in h["next"]
    assert page.locator(".flash-success").inner_text().startswith("Đã lưu")
    assert page.locator("[data-testid=diagram] g.node.current[data-state=rejected]").count() == 1
    assert page.locator("[data-testid=diagram] g.node.visited[data-state=branch_vote]").count() == 1
    b.shot("failed-vote-header")
    b.shot_of("[data-testid=case-header]", "failed-vote-header-header-block")


def test_browser__header_of_a_returned_dossier_and_after_resubmitting(app, live_server, page, artifacts_dir, demo,
                                                                      clock_file):
    flow, case_id = dossier_at_branch_vote(app, demo, clock_file, "Lương Văn Trả")
    to_appraisal(flow, app, case_id)
    b = Browser(page, live_server, artifacts_dir, "header-returned")
    b.as_user("tochuc.nghiahung")
    b.act(case_id, "return", fields={"reason": "Bản 2-KNĐ thiếu xác nhận của cấp ủy nơi cư trú."})
    assert b.state() == "draft"
    b.as_user("bithu.trung")
    b.open_case(case_id)
    h = header(page)
    assert h["tone"] == "returned"
    assert "Trả lại" in h["outcome"]
    assert "Bản 2-KNĐ thiếu xác nhận của cấp ủy nơi cư trú." in h["outcome"]
    assert "Nguyễn Thị Hưng" in h["outcome"]
    assert "Bí thư chi bộ của Chi bộ thôn Trung: Trần Văn Trung" in h["next"]
    # The checklist passes: what is left is the board's reason, first among what is missing.
    assert h["missing"] == ["Sửa theo yêu cầu khi trả lại: Bản 2-KNĐ thiếu xác nhận của cấp ủy nơi cư trú."]
    assert "Ngày chi bộ biểu quyết" not in h["facts"]  # the earlier vote no longer counts
    b.shot("returned-header")
    b.shot_of("[data-testid=case-header]", "returned-header-header-block")
    b.upload(case_id, "2-KNĐ", "2-KNĐ-bo-sung.pdf", "2026-11-19")
    b.act(case_id, "submit", fields={"introducer_1_since": "2020-01-01", "introducer_2_since": "2020-01-01"},
          selects={"introducer_1": officials(demo)[2].id, "introducer_2": officials(demo)[3].id})
    assert b.state() == "background_check"
    h = header(page)
    # After submitting, the page says whose turn it is now, by unit and by name.
    assert "Cấp ủy viên của Đảng ủy xã Phúc Thắng: Lê Văn Thắng" in h["next"], h["next"]
    assert "Xác nhận thẩm tra lý lịch" in h["next"]
    assert "bạn" not in page.locator("[data-testid=next-actor]").first.inner_text()
    assert "Rút hồ sơ" in page.locator("[data-testid=side-actions]").inner_text()
    b.shot("resubmitted-header")
    b.shot_of("[data-testid=case-header]", "resubmitted-header-header-block")


def test_browser__header_at_the_appraisal(app, live_server, page, artifacts_dir, demo, clock_file):
    flow, case_id = dossier_at_branch_vote(app, demo, clock_file, "Lương Văn Thẩm")
    to_appraisal(flow, app, case_id)
    b = Browser(page, live_server, artifacts_dir, "header-appraisal")
    b.as_user("tochuc.nghiahung")
    b.open_case(case_id)
    h = header(page)
    assert h["tone"] == "passed"
    assert "8/9 ủy viên có quyền biểu quyết tán thành" in h["outcome"], h["outcome"]
    assert "Cán bộ Ban Tổ chức của Huyện ủy Nghĩa Hưng: Nguyễn Thị Hưng" in h["next"]
    assert "bạn" in h["next"]
    assert any("6-KNĐ, 8-KNĐ" in m for m in h["missing"]), h["missing"]
    o = officials(demo)
    assert f"{o[2].full_name} (từ 01/01/2020)" in h["facts"] and o[3].full_name in h["facts"]
    assert "10/11/2026" in h["facts"]  # the branch vote's date
    checklist = page.locator("[data-testid=eligibility]")
    assert checklist.count() == 1 and checklist.locator("li[data-passed=no]").count() == 0
    b.shot("appraisal-missing-resolutions")
    b.shot_of("[data-testid=case-header]", "appraisal-missing-resolutions-header-block")
    b.upload(case_id, "6-KNĐ", "6-KNĐ.pdf", "2026-11-10")
    b.upload(case_id, "8-KNĐ", "8-KNĐ.pdf", "2026-11-12")
    assert header(page)["missing"] == []
    b.shot("appraisal-complete")
    b.shot_of("[data-testid=case-header]", "appraisal-complete-header-block")


def test_browser__header_during_probation(app, live_server, page, artifacts_dir, demo, clock_file):
    flow, case_id = dossier_at_branch_vote(app, demo, clock_file, "Lương Văn Thử Thách")
    to_appraisal(flow, app, case_id)
    with app.test_request_context("/"):
        flow.act(case_id, "appraise", "tochuc.nghiahung", appraisal="Đủ điều kiện.")
        flow.act(case_id, "decide_admit", "thuongvu.nghiahung", decision_number="456-QĐ/HU",
                 decision_date="2026-11-18", **vote("2026-11-18", 15, 14, 13, 1))
    b = Browser(page, live_server, artifacts_dir, "header-probation")
    b.as_user("bithu.trung")
    b.open_case(case_id)
    h = header(page)
    assert h["tone"] == "passed" and "456-QĐ/HU" in h["outcome"]
    assert "Bí thư chi bộ của Chi bộ thôn Trung: Trần Văn Trung" in h["next"]
    assert "Ghi nhận lễ kết nạp" in h["next"]
    mentor = officials(demo)[4]
    form = page.locator("[data-testid=form-hold_ceremony]")
    form.locator("[name=ceremony_date]").fill("2026-11-20")
    b.pick(form, "mentor_id", mentor.full_name.lower().split(" ", 1)[1], mentor.full_name)
    b.shot("ceremony-mentor-picked")
    b.shot_of("[data-testid=case-header]", "ceremony-mentor-picked-header-block")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert b.state() == "probation"
    h = header(page)
    assert "Lễ kết nạp\n20/11/2026" in h["facts"], h["facts"]
    assert f"Người giúp đỡ\n{mentor.full_name}" in h["facts"]
    assert "Hết thời gian dự bị\n18/11/2027" in h["facts"]
    assert "Hệ thống" in h["next"] and "18/11/2027" in h["next"]  # the timer, with its date
    assert "Chưa ghi nhận giấy chứng nhận lớp bồi dưỡng đảng viên mới." in h["missing"]
    b.shot("probation-header")
    b.shot_of("[data-testid=case-header]", "probation-header-header-block")


def test_browser__header_of_a_discipline_case(app, live_server, page, artifacts_dir, demo, clock_file):
    clock_file.write_text(NOW)
    member = officials(demo)[3]
    b = Browser(page, live_server, artifacts_dir, "header-discipline")
    b.as_user("bithu.trung")
    case_id = b.new_case("discipline", selects={"person_id": member.id, "category": "party_activity"},
                         fields={"violation_date": "2026-09-05",
                                 "description": "Ba kỳ liền không dự sinh hoạt chi bộ, không báo cáo lý do."})
    h = header(page)
    assert "Bí thư chi bộ của Chi bộ thôn Trung: Trần Văn Trung" in h["next"]
    assert any("kiểm điểm" in m for m in h["missing"]), h["missing"]
    b.shot("self-review-missing")
    b.shot_of("[data-testid=case-header]", "self-review-missing-header-block")
    b.act(case_id, "record_self_review", selects={"submitted": "yes", "member_proposed_form": "warning"},
          fields={"self_criticism": "Tôi nhận khuyết điểm."})
    assert b.state() == "branch_vote"
    h = header(page)
    assert "Hình thức kỷ luật đảng viên tự nhận\nCảnh cáo" in h["facts"], h["facts"]
    assert any("chứng cứ" in m.lower() for m in h["missing"]), h["missing"]
    # The branch's form starts from the member's own proposal.
    form = page.locator("[data-testid=form-record_branch_vote]")
    assert form.locator("select[name=proposed_form]").input_value() == "warning"
    b.shot("branch-vote-evidence-missing")
    b.shot_of("[data-testid=case-header]", "branch-vote-evidence-missing-header-block")
    b.upload(case_id, "evidence", "bien-ban.pdf", "2026-11-10")
    assert header(page)["missing"] == []
    b.act(case_id, "record_branch_vote", selects={"proposed_form": "expulsion"},
          fields={"meeting_date": "2026-11-20", "entitled": 10, "present": 10, "votes_for": 9, "votes_against": 1,
                  "resolution_number": "12-NQ/CB"})
    assert b.state() == "upper_review"
    h = header(page)
    assert h["tone"] == "passed" and "9/10" in h["outcome"]
    assert "Cấp ủy viên của Đảng ủy xã Phúc Thắng: Lê Văn Thắng" in h["next"], h["next"]
    assert "Nghị quyết của chi bộ\nKhai trừ — 9/10 đảng viên tán thành, đạt" in h["facts"], h["facts"]
    b.shot("upper-review-header")
    b.shot_of("[data-testid=case-header]", "upper-review-header-header-block")
    b.as_user("danguy.phucthang")
    b.open_case(case_id)
    form = page.locator("[data-testid=form-record_grassroots_vote]")
    assert form.locator("select[name=proposed_form]").input_value() == "expulsion"  # from the branch's proposal
    ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)), "field ids repeat on the page"
    b.shot("committee-view")
    b.shot_of("[data-testid=case-header]", "committee-view-header-block")
