"""Each discipline rule refusing through the pages, with its message (SQLite and PostgreSQL)."""

from tests.admission_flow import case_state, latest_case_id, vote
from tests.demo_people import committee_member, members, plain_member
from tests.discipline_flow import (announce, at_branch_vote, branch_vote, case_data, decided_by_branch, new_case,
                                   own_finding, refusal, report_fields)


def test_rule__discipline__dismissal_only_for_a_member_who_holds_a_post(app, pages, demo):
    member = plain_member(demo)
    case_id = at_branch_vote(app, pages, member.id)
    text = refusal(branch_vote(pages, case_id, "dismissal"))
    assert member.full_name in text and "cách chức" in text and "không giữ chức vụ" in text
    assert case_state(app, case_id) == "branch_vote"


def test_rule__discipline__dismissal_names_a_post_held_at_the_vote__chosen_among_the_members_posts(app, pages, demo):
    member = committee_member(demo)
    case_id = at_branch_vote(app, pages, member.id)
    html = pages.case_page(case_id)
    assert "Đảng ủy viên xã Phúc Thắng" in html  # the post is offered for a dismissal
    text = refusal(branch_vote(pages, case_id, "dismissal"))
    assert "Hãy chọn chức vụ" in text
    import re

    post_id = re.search(r'<option value="(\d+)">Đảng ủy viên xã Phúc Thắng', html).group(1)
    response = branch_vote(pages, case_id, "dismissal", post_id=post_id)
    assert response.status_code == 302
    assert case_state(app, case_id) == "upper_review"
    assert case_data(app, case_id)["post_id"] == int(post_id)


def test_rule__discipline__probationary_member_only_reprimand_or_warning(app, pages, demo):
    member = members(demo, status="probationary")[0]
    case_id = at_branch_vote(app, pages, member.id)
    text = refusal(branch_vote(pages, case_id, "expulsion"))
    assert member.full_name in text and "dự bị" in text and "khiển trách hoặc cảnh cáo" in text
    assert case_state(app, case_id) == "branch_vote"
    # A warning is allowed for the same member.
    assert branch_vote(pages, case_id, "warning").status_code == 302
    assert case_state(app, case_id) == "decided"


def test_rule__discipline__limitation_5_years_for_a_reprimand(app, pages, demo):
    member = plain_member(demo)
    case_id = at_branch_vote(app, pages, member.id, violation_date="2021-11-19")
    text = refusal(branch_vote(pages, case_id, "reprimand"))
    assert "19/11/2021" in text and "5" in text and "19/11/2026" in text and "thời hiệu" in text
    assert case_state(app, case_id) == "branch_vote"
    # A warning has 10 years.
    assert branch_vote(pages, case_id, "warning").status_code == 302


def test_rule__discipline__new_violation_restarts_the_limitation(app, pages, demo):
    exactly_five = at_branch_vote(app, pages, plain_member(demo, 3).id, violation_date="2021-11-20")
    assert branch_vote(pages, exactly_five, "reprimand").status_code == 302
    restarted = at_branch_vote(app, pages, plain_member(demo, 4).id, violation_date="2015-01-10",
                               later_violation_date="2024-05-01")
    assert branch_vote(pages, restarted, "reprimand").status_code == 302
    assert case_state(app, restarted) == "decided"


def test_rule__discipline__branch_only_proposes_for_a_task_assigned_by_a_higher_level(app, pages, demo):
    member = plain_member(demo)
    case_id = at_branch_vote(app, pages, member.id, category="assigned_task")
    # The branch records its vote; the rules send it up (it may not decide a warning for such a task).
    assert branch_vote(pages, case_id, "warning").status_code == 302
    assert case_state(app, case_id) == "upper_review"
    assert case_data(app, case_id)["proposals"][-1]["resolution"] == "propose"


def test_rule__discipline__branch_only_proposes_for_a_member_on_a_committee(app, pages, demo):
    case_id = at_branch_vote(app, pages, committee_member(demo).id)
    assert branch_vote(pages, case_id, "reprimand").status_code == 302
    assert case_state(app, case_id) == "upper_review"
    assert "final_form" not in case_data(app, case_id)


def _expulsion_at_superior(app, pages, demo, grassroots_tally):
    """kiemtra.nghiahung reports the committee member; the branch proposes expulsion by 8 of 10."""
    member = committee_member(demo)
    pages.as_user("kiemtra.nghiahung")
    response = new_case(pages, "discipline", member.id, unit=demo.units["nghiahung"].id,
                        **report_fields(category="ethics"))
    assert response.status_code == 302, response.get_data(as_text=True)
    case_id = latest_case_id(app)
    assert case_state(app, case_id) == "reported"
    assert pages.upload(case_id, "evidence", issued_on="2026-09-02").status_code == 302
    assert pages.act(case_id, "open_review", note="Xác minh đơn tố cáo.").status_code == 302
    assert pages.act(case_id, "conclude_review", conclusion="violation",
                     findings="Vi phạm nghiêm trọng về đạo đức.").status_code == 302
    pages.as_user("bithu.trung")
    for day in ("2026-11-02", "2026-11-09"):
        assert pages.act(case_id, "request_self_review", requested_on=day).status_code == 302
    text = refusal(pages.act(case_id, "record_self_review", submitted="no"))
    assert "3" in text and "2" in text
    assert pages.act(case_id, "request_self_review", requested_on="2026-11-16").status_code == 302
    assert pages.act(case_id, "record_self_review", submitted="no").status_code == 302
    assert branch_vote(pages, case_id, "expulsion", tally=(10, 10, 8, 2)).status_code == 302
    assert case_state(app, case_id) == "upper_review"
    pages.as_user("danguy.phucthang")
    # A member of the Phúc Thắng committee: the superior decides, whatever the committee's vote.
    response = pages.act(case_id, "record_grassroots_vote", proposed_form="expulsion", resolution_number="7-NQ/ĐU",
                         **vote("2026-11-20", *grassroots_tally))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert case_state(app, case_id) == "superior_decision"
    return case_id, member


def test_rule__discipline__expulsion_needs_two_thirds_of_the_proposing_body(app, pages, demo):
    case_id, member = _expulsion_at_superior(app, pages, demo, (10, 10, 6, 4))
    assert case_data(app, case_id)["proposals"][-1]["passed"] is False
    pages.as_user("thuongvu.nghiahung")
    text = refusal(pages.act(case_id, "decide", final_form="expulsion", decision_number="45-QĐ/HU",
                             decision_date="2026-11-20", **vote("2026-11-20", 15, 14, 12, 2)))
    assert "6" in text and "10" in text and "7" in text and "2/3" in text
    assert case_state(app, case_id) == "superior_decision"


def test_rule__discipline__expulsion_needs_more_than_half_of_the_deciding_committee(app, pages, demo):
    case_id, member = _expulsion_at_superior(app, pages, demo, (10, 10, 7, 3))
    pages.as_user("thuongvu.nghiahung")
    text = refusal(pages.act(case_id, "decide", final_form="expulsion", decision_number="45-QĐ/HU",
                             decision_date="2026-11-20", **vote("2026-11-20", 16, 14, 8, 6)))
    assert "8" in text and "16" in text and "9" in text
    response = pages.act(case_id, "decide", final_form="expulsion", decision_number="45-QĐ/HU",
                         decision_date="2026-11-20", **vote("2026-11-20", 16, 14, 9, 5))
    assert response.status_code == 302
    assert case_data(app, case_id)["final_form"] == "expulsion"


def test_rule__discipline__appeal_within_one_month_of_being_told(app, pages, demo):
    member = plain_member(demo)
    case_id = decided_by_branch(app, pages, member.id, form="warning", meeting_date="2026-10-15",
                                opened="2026-10-12T03:00:00Z")
    announce(pages, case_id, "2026-10-19")
    text = refusal(pages.act(case_id, "file_appeal", filed_on="2026-11-20", grounds="Hình thức quá nặng."))
    assert "20/11/2026" in text and "19/10/2026" in text and "19/11/2026" in text
    assert case_state(app, case_id) == "in_force"
    # The last day of the window is accepted.
    assert pages.act(case_id, "file_appeal", filed_on="2026-11-19", grounds="Hình thức quá nặng.").status_code == 302
    assert case_state(app, case_id) == "appeal_review"


def test_rule__discipline__reported_by_an_officer_at_grassroots_or_above(app, pages, demo):
    pages.as_user("bithu.trung")
    html = pages.client.get("/cases/new/discipline").get_data(as_text=True)
    assert 'name="start" value="self_review"' in html
    pages.as_user("kiemtra.nghiahung")
    html = pages.client.get("/cases/new/discipline").get_data(as_text=True)
    assert 'name="start" value="reported"' in html
    response = new_case(pages, "discipline", plain_member(demo).id, unit=demo.units["nghiahung"].id,
                        start="self_review", **report_fields())
    assert response.status_code == 302  # an unusable start falls back to the officer's own
    assert case_state(app, latest_case_id(app)) == "reported"


def test_rule__discipline__self_review_proceeds_after_three_unanswered_requests(app, pages, demo):
    case_id = own_finding(app, pages, plain_member(demo).id, opened="2026-09-28T03:00:00Z")
    assert "3" in refusal(pages.act(case_id, "record_self_review", submitted="no"))
    for day in ("2026-10-01", "2026-10-15", "2026-11-01"):
        assert pages.act(case_id, "request_self_review", requested_on=day).status_code == 302
    assert pages.act(case_id, "record_self_review", submitted="no").status_code == 302
    assert case_state(app, case_id) == "branch_vote"
    assert case_data(app, case_id)["self_review_requests"] == ["2026-10-01", "2026-10-15", "2026-11-01"]
