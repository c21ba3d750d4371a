"""A committee's vote (grassroots committee, standing committee) is worded and
checked as a committee's: its members (ủy viên) entitled to vote, the result in
ủy viên, the size bounded by the organisation it leads, and never the branch's
official members check (SQLite and PostgreSQL)."""

from tests.admission_flow import vote
from tests.api_flow import open_ready_case, step, submit_payload
from tests.demo_people import plain_member
from tests.discipline_flow import at_branch_vote, branch_vote

BRANCH_LABEL = "Số đảng viên có quyền biểu quyết"
COMMITTEE_LABEL = "Số ủy viên có quyền biểu quyết"


def _at_grassroots_vote(api, demo) -> int:
    case_id = open_ready_case(api, demo)
    step(api, case_id, "bithu.trung", "submit", submit_payload(demo), "background_check")
    step(api, case_id, "danguy.phucthang", "certify_background", {"findings": "Lý lịch rõ ràng."}, "opinions")
    step(api, case_id, "bithu.trung", "record_opinions", {"summary": "Nhất trí."}, "branch_vote")
    step(api, case_id, "bithu.trung", "record_branch_vote", vote("2026-11-10", 10, 10, 9, 1), "grassroots_vote")
    return case_id


def _summaries(api, case_id) -> dict:
    return {e["action"]: e["payload"].get("vote", {}).get("summary") for e in api.get(f"/cases/{case_id}/history")
            .get_json()["items"]}


def test_rule__admission__grassroots_vote_two_thirds_of_the_committee__counts_committee_members(api, demo):
    case_id = _at_grassroots_vote(api, demo)
    api.as_user("danguy.phucthang")
    action = next(a for a in api.case(case_id)["available_actions"] if a["name"] == "record_grassroots_vote")
    assert action["form_schema"]["properties"]["entitled"]["title"] == COMMITTEE_LABEL
    # More entitled than the branch's 10 official members is no error for a committee; more than the
    # 20 official members of the Phúc Thắng organisation it is elected from is.
    response = api.act(case_id, "record_grassroots_vote", vote("2026-11-12", 21, 15, 15, 0))
    assert response.status_code == 422
    detail = response.get_json()["detail"]
    assert "21 ủy viên" in detail and "20 đảng viên chính thức" in detail and "Đảng ủy xã Phúc Thắng" in detail
    step(api, case_id, "danguy.phucthang", "record_grassroots_vote", vote("2026-11-12", 12, 12, 9, 3),
         "superior_review")
    summaries = _summaries(api, case_id)
    assert summaries["record_grassroots_vote"].startswith("9/12 ủy viên")
    assert summaries["record_branch_vote"].startswith("9/10 đảng viên")  # a branch meeting counts party members


def test_rule__admission__decision_more_than_half_of_the_standing_committee(api, demo):
    case_id = _at_grassroots_vote(api, demo)
    step(api, case_id, "danguy.phucthang", "record_grassroots_vote", vote("2026-11-12", 9, 9, 8, 1),
         "superior_review")
    step(api, case_id, "tochuc.nghiahung", "appraise", {"appraisal": "Đủ điều kiện."}, "superior_decision")
    api.as_user("thuongvu.nghiahung")
    refused = api.act(case_id, "decide_admit", {"decision_number": "1-QĐ/HU", "decision_date": "2026-11-20",
                                                **vote("2026-11-20", 15, 14, 7, 7)})
    assert refused.status_code == 422 and "7/15 ủy viên" in refused.get_json()["detail"]
    step(api, case_id, "thuongvu.nghiahung", "decide_admit",
         {"decision_number": "1-QĐ/HU", "decision_date": "2026-11-20", **vote("2026-11-20", 15, 14, 12, 2)},
         "awaiting_ceremony")
    assert _summaries(api, case_id)["decide_admit"].startswith("12/15 ủy viên")
    assert "đảng viên" not in _summaries(api, case_id)["decide_admit"]


def test_votes__committee_forms_on_the_pages_say_committee_members(app, pages, demo):
    case_id = at_branch_vote(app, pages, plain_member(demo).id, category="assigned_task")
    assert BRANCH_LABEL in pages.case_page(case_id)
    assert branch_vote(pages, case_id, "warning").status_code == 302
    pages.as_user("danguy.phucthang")
    html = pages.case_page(case_id)
    assert COMMITTEE_LABEL in html and BRANCH_LABEL not in html
    assert "không phải đảng viên của chi bộ" in html  # the hint is the committee's, not the branch's


def _vote_lines(pages, case_id) -> dict:
    """The history page's vote lines, by action."""
    import re

    html = pages.client.get(f"/cases/{case_id}/history").get_data(as_text=True)
    items = re.findall(r'<li data-seq="\d+" data-action="([a-z_]+)">(.*?)</li>', html, re.S)
    return {action: " ".join(re.sub(r"<[^>]+>", " ", m.group(1)).split()) for action, body in items
            for m in [re.search(r'data-testid="vote-line">(.*?)</div>', body, re.S)] if m}


def test_votes__committee_votes_in_the_history_say_committee_members(api, pages, demo):
    case_id = _at_grassroots_vote(api, demo)
    step(api, case_id, "danguy.phucthang", "record_grassroots_vote", vote("2026-11-12", 12, 12, 9, 3),
         "superior_review")
    step(api, case_id, "tochuc.nghiahung", "appraise", {"appraisal": "Đủ điều kiện."}, "superior_decision")
    step(api, case_id, "thuongvu.nghiahung", "decide_admit",
         {"decision_number": "1-QĐ/HU", "decision_date": "2026-11-20", **vote("2026-11-20", 15, 14, 12, 2)},
         "awaiting_ceremony")
    pages.as_user("bithu.trung")
    lines = _vote_lines(pages, case_id)
    # The branch meeting counts its party members; both committees count their own members (ủy viên).
    assert "10 có quyền biểu quyết" in lines["record_branch_vote"] and "ủy viên" not in lines["record_branch_vote"]
    for action, entitled, yes in (("record_grassroots_vote", 12, 9), ("decide_admit", 15, 12)):
        assert f"{entitled} ủy viên có quyền biểu quyết" in lines[action], lines[action]
        assert f"{yes}/{entitled} ủy viên" in lines[action] or f"{yes} trên {entitled} ủy viên" in lines[action], \
            lines[action]
        assert "đảng viên" not in lines[action], lines[action]


def test_votes__a_discipline_committee_vote_on_the_case_page_and_history_says_committee_members(app, pages, demo):
    import re

    from tests.admission_flow import vote as tally

    case_id = at_branch_vote(app, pages, plain_member(demo).id, category="assigned_task")
    assert branch_vote(pages, case_id, "warning").status_code == 302  # the branch only proposes
    pages.as_user("danguy.phucthang")
    response = pages.act(case_id, "record_grassroots_vote", proposed_form="warning", resolution_number="7-NQ/ĐU",
                         **tally("2026-11-20", 9, 9, 8, 1))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    html = pages.case_page(case_id)
    facts = " ".join(re.sub(r"<[^>]+>", " ", re.search(r'data-testid="step-facts">(.*?)</dl>', html, re.S)
                            .group(1)).split())
    assert "9/10 đảng viên tán thành" in facts and "8/9 ủy viên tán thành" in facts, facts
    lines = _vote_lines(pages, case_id)
    assert "9 ủy viên có quyền biểu quyết" in lines["record_grassroots_vote"], lines
    assert "ủy viên" not in lines["record_branch_vote"], lines
